#include "ldap/ber/header.hpp"

#include "ldap/ber/tag.hpp"

namespace sb::ber {

Result<std::optional<Header>> parse_header(std::string_view data) {
    if (data.empty()) return std::optional<Header>{};
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    Header h;
    h.tag = p[0];
    if ((h.tag & kHighTagNumber) == kHighTagNumber)
        return fail(Errc::parse_error, "BER: multi-octet tag numbers are not used by LDAP");
    if (data.size() < 2) return std::optional<Header>{};
    const unsigned first = p[1];
    if (first < 0x80) {
        h.header_size = 2;
        h.content_size = first;
        return h;
    }
    // X.690 8.1.3.6: 0x80 is the indefinite form, forbidden by RFC 4511 5.1.
    if (first == 0x80) return fail(Errc::parse_error, "BER: indefinite length");
    const unsigned count = first & 0x7F;
    if (count > 4) return fail(Errc::parse_error, "BER: more than four length octets");
    if (data.size() < 2 + count) return std::optional<Header>{};
    uint32_t length = 0;
    for (unsigned i = 0; i < count; ++i)
        length = (length << 8) | p[2 + i];
    h.header_size = static_cast<uint8_t>(2 + count);
    h.content_size = length;
    return h;
}

}  // namespace sb::ber
