#pragma once
// The attribute types the address book serves: names, aliases and OIDs clients use for them
// (X.520, RFC 4519, RFC 2798 inetOrgPerson, the Active Directory names Outlook asks for), and
// how values compare. Anything else is an unknown attribute: ignored in attribute lists and
// Undefined in filters (RFC 4511 4.5.1.7).
#include <cstdint>
#include <span>
#include <string_view>

namespace sb::addressbook {

enum class Attr : uint8_t {
    // user attributes
    object_class,
    cn,
    display_name,
    given_name,
    sn,
    initials,
    mail,
    uid,
    telephone_number,
    home_phone,
    mobile,
    pager,
    fax,
    title,
    department,
    ou,
    o,
    office,  // physicalDeliveryOfficeName
    street,
    l,
    st,
    postal_code,
    c,
    co,
    postal_address,
    home_postal_address,
    description,
    info,
    labeled_uri,
    dc,
    // operational attributes (returned for "+" or by name; RFC 4512 3.4)
    entry_dn,
    entry_uuid,
    create_timestamp,
    modify_timestamp,
    has_subordinates,
    structural_object_class,
    count_
};
inline constexpr size_t kAttrCount = static_cast<size_t>(Attr::count_);

enum class Matching : uint8_t {
    case_ignore,  // caseIgnoreMatch / caseIgnoreIA5Match with their ordering and substrings
    telephone,    // telephoneNumberMatch: spaces and hyphens do not count
};

struct AttrInfo {
    Attr id;
    std::string_view name;                      // canonical name returned to clients
    std::span<const std::string_view> aliases;  // other names and the OID
    Matching matching = Matching::case_ignore;
    bool operational = false;
    bool indexed = false;  // names with a substring index (cn, displayName, givenName, sn, mail)
};

const AttrInfo& attr_info(Attr a);
// Case-insensitive lookup by name, alias or OID; nullptr for unknown types and for
// descriptions with options ("cn;lang-de"), which no entry here has values of.
const AttrInfo* find_attr(std::string_view description);

constexpr size_t index(Attr a) {
    return static_cast<size_t>(a);
}
// The attributes whose values the substring index and the sort orders cover.
inline constexpr Attr kIndexedAttrs[] = {Attr::cn, Attr::display_name, Attr::given_name, Attr::sn,
                                         Attr::mail};
// attr_info(a).indexed without the table lookup, for code that asks it for every value.
inline constexpr uint64_t kIndexedMask = [] {
    uint64_t m = 0;
    for (Attr a : kIndexedAttrs)
        m |= uint64_t{1} << index(a);
    return m;
}();
constexpr bool is_indexed(Attr a) {
    return (kIndexedMask >> index(a)) & 1;
}

}  // namespace sb::addressbook
