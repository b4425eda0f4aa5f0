#pragma once
// BER writer appending to a caller-owned buffer, so one buffer can collect many messages with
// no allocation once its capacity has grown. Writes the minimal encodings X.690 DER would: short
// lengths below 128, the fewest length and integer octets, TRUE as 0xFF (RFC 4511 5.1).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ldap/ber/tag.hpp"

namespace sb::ber {

class Writer {
  public:
    // An open constructed element; pass it back to end().
    struct Mark {
        size_t length_pos;  // offset of the reserved length octets
        uint8_t reserved;   // how many were reserved
    };

    explicit Writer(std::string& out) : out_(&out) {}
    std::string& buffer() { return *out_; }

    void integer(int64_t value, uint8_t tag = tag::kInteger);
    void enumerated(int64_t value, uint8_t tag = tag::kEnumerated) { integer(value, tag); }
    void boolean(bool value, uint8_t tag = tag::kBoolean);
    void octet_string(std::string_view value, uint8_t tag = tag::kOctetString) {
        element(tag, value);
    }
    void null(uint8_t tag = tag::kNull) { element(tag, {}); }
    // A primitive element with the given contents octets.
    void element(uint8_t tag, std::string_view contents);
    // Identifier and length octets only; the caller appends exactly `content_size` bytes.
    void header(uint8_t tag, size_t content_size);
    // Bytes that already are a BER encoding.
    void raw(std::string_view encoded) { out_->append(encoded); }

    // Opens a constructed element; its length is written by end(). `expected_size` is a hint of
    // the contents size: the length octets it implies are reserved, and end() only has to move
    // the contents when the guess was wrong. Marks must be ended innermost first.
    [[nodiscard]] Mark begin(uint8_t tag, size_t expected_size = 0);
    void end(Mark mark);

  private:
    void length(size_t n);
    std::string* out_;
};

// Number of length octets the minimal definite form of `n` takes (1 for n < 128).
constexpr size_t length_octets(size_t n) {
    if (n < 0x80) return 1;
    size_t count = 1;
    while (n)
        ++count, n >>= 8;
    return count;
}

// Writes the identifier and minimal length octets of an element to `dst` (which has room for
// element_size(content_size) - content_size bytes) and returns the end of what it wrote. For
// callers that size a whole structure first and fill it in place; inline, as encoders call it
// for every value.
inline char* write_header(char* dst, uint8_t tag, size_t content_size) {
    dst[0] = static_cast<char>(tag);
    if (content_size < 0x80) {
        dst[1] = static_cast<char>(content_size);
        return dst + 2;
    }
    const size_t count = length_octets(content_size);
    dst[1] = static_cast<char>(0x80 | (count - 1));
    for (size_t i = count; i >= 2; --i, content_size >>= 8)
        dst[i] = static_cast<char>(content_size & 0xFF);
    return dst + 1 + count;
}

constexpr size_t element_size(size_t content_size) {
    return 1 + length_octets(content_size) + content_size;
}

}  // namespace sb::ber
