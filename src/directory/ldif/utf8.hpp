#pragma once
// UTF-8 well-formedness (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
#include <cstddef>
#include <string_view>

namespace sb::ldif {

// Length of the well-formed UTF-8 sequence starting at s[0], or 0 if it is not one.
size_t utf8_sequence_length(std::string_view s);

// Offset of the first byte that does not start a well-formed sequence, or npos if `s` is valid.
size_t find_invalid_utf8(std::string_view s);

}  // namespace sb::ldif
