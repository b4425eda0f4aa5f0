#pragma once
// Base64 as LDIF uses it (RFC 2849 note 10: the RFC 2045 alphabet, no line breaks, no other
// characters).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sb::ldif {

struct Base64Problem {
    size_t offset;            // offset in the input of the offending character (or its length)
    std::string_view reason;  // static text
};

// Appends the decoding of `in` to `out`. Strict: only A-Z a-z 0-9 + /, the length a multiple of
// 4, '=' only as padding at the end. Bits beyond the last byte are ignored. On failure `out` is
// left with its original contents.
std::optional<Base64Problem> base64_decode(std::string_view in, std::string& out);

// Appends the padded encoding of `in` to `out`.
void base64_encode(std::string_view in, std::string& out);

// Length of base64_encode(in) for an input of n bytes.
constexpr size_t base64_encoded_size(size_t n) {
    return (n + 2) / 3 * 4;
}

}  // namespace sb::ldif
