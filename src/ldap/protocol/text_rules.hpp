#pragma once
// Character rules shared by the RFC 4515 printer and parser (internal to the protocol module).
#include <cstddef>
#include <string_view>

namespace sb::ldapproto::detail {

// Length of the well-formed UTF-8 sequence (RFC 3629 4) starting at s[i], 0 if there is none.
size_t utf8_sequence_size(std::string_view s, size_t i);

// RFC 4512 1.4 keychar: ALPHA / DIGIT / HYPHEN.
constexpr bool is_keychar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// RFC 4512 1.4 oid = descr / numericoid.
bool is_oid(std::string_view s);
// RFC 4512 2.5 attributedescription = attributetype options.
bool is_attribute_description(std::string_view s);

}  // namespace sb::ldapproto::detail
