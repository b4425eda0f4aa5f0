#pragma once
// BER identifier octets (X.690 8.1.2). LDAP only uses tag numbers below 31, so a tag is one octet:
// class (bits 8-7), constructed flag (bit 6) and number (bits 5-1). The high-tag-number form
// (number bits all ones, X.690 8.1.2.4) is rejected by the reader and the framer.
#include <cstdint>

namespace sb::ber {

enum class TagClass : uint8_t {
    universal = 0x00,
    application = 0x40,
    context = 0x80,
    private_use = 0xC0,
};

inline constexpr uint8_t kConstructedBit = 0x20;
inline constexpr uint8_t kHighTagNumber = 0x1F;

constexpr uint8_t make_tag(TagClass cls, bool constructed, uint8_t number) {
    return static_cast<uint8_t>(static_cast<uint8_t>(cls) | (constructed ? kConstructedBit : 0) |
                                (number & 0x1F));
}
constexpr uint8_t application_tag(uint8_t number, bool constructed) {
    return make_tag(TagClass::application, constructed, number);
}
constexpr uint8_t context_tag(uint8_t number, bool constructed) {
    return make_tag(TagClass::context, constructed, number);
}
constexpr TagClass tag_class(uint8_t tag) {
    return static_cast<TagClass>(tag & 0xC0);
}
constexpr bool is_constructed(uint8_t tag) {
    return (tag & kConstructedBit) != 0;
}
constexpr uint8_t tag_number(uint8_t tag) {
    return tag & 0x1F;
}

// Universal tags used by LDAP (X.680 8.4), with the constructed bit where X.690 requires it.
namespace tag {
inline constexpr uint8_t kBoolean = 0x01;
inline constexpr uint8_t kInteger = 0x02;
inline constexpr uint8_t kOctetString = 0x04;
inline constexpr uint8_t kNull = 0x05;
inline constexpr uint8_t kEnumerated = 0x0A;
inline constexpr uint8_t kSequence = 0x30;
inline constexpr uint8_t kSet = 0x31;
}  // namespace tag

}  // namespace sb::ber
