#pragma once
// Base64 (RFC 4648 section 4: standard alphabet, '=' padding).
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sb::crypto {

// Encodes with the standard alphabet and '=' padding.
std::string base64_encode(std::string_view bytes);

// Strict decoding: the length must be a multiple of 4, only the standard alphabet, '=' only as
// the final one or two characters, and the unused bits of the last symbol must be zero
// (RFC 4648 3.5). Nothing is skipped. Errors are Errc::parse_error naming the offset.
Result<std::string> base64_decode(std::string_view text);

// For folded text (LDIF, vCard, HTTP headers): skips ASCII whitespace (space, tab, CR, LF,
// VT, FF) anywhere, then decodes like base64_decode, except that non-zero unused bits in the last
// symbol are tolerated (some encoders leave them set).
Result<std::string> base64_decode_lenient(std::string_view text);

}  // namespace sb::crypto
