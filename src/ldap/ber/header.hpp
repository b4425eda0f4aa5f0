#pragma once
// Identifier and length octets of one BER element (X.690 8.1.2, 8.1.3), with the restrictions of
// RFC 4511 5.1: definite lengths only, and at most four length octets. Non-minimal long forms
// are accepted because real clients send them (Outlook writes every length as 84 xx xx xx xx).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.hpp"

namespace sb::ber {

// Longest header: one identifier octet, 0x84 and four length octets.
inline constexpr size_t kMaxHeaderSize = 6;

struct Header {
    uint8_t tag = 0;
    uint8_t header_size = 0;    // identifier + length octets
    uint32_t content_size = 0;  // length of the contents octets

    size_t total_size() const { return size_t{header_size} + content_size; }
};

// Parses the header at the start of `data`. Returns nullopt when `data` ends inside the header
// (more bytes may complete it), an error when the header can never become valid.
Result<std::optional<Header>> parse_header(std::string_view data);

}  // namespace sb::ber
