#include "ldap/addressbook/schema.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "core/strings.hpp"

namespace sb::addressbook {
namespace {

using N = std::string_view;

// Aliases: other descriptors first, then the OID (RFC 4519, RFC 2798, RFC 4524, RFC 4530,
// RFC 4512; the Active Directory names with AD's attribute OIDs).
constexpr N kObjectClass[] = {"2.5.4.0"};
constexpr N kCn[] = {"commonName", "2.5.4.3"};
constexpr N kDisplayName[] = {"display-name", "2.16.840.1.113730.3.1.241"};
constexpr N kGivenName[] = {"gn", "2.5.4.42"};
constexpr N kSn[] = {"surname", "2.5.4.4"};
constexpr N kInitials[] = {"2.5.4.43"};
constexpr N kMail[] = {"rfc822Mailbox", "0.9.2342.19200300.100.1.3"};
constexpr N kUid[] = {"userid", "0.9.2342.19200300.100.1.1"};
constexpr N kTelephone[] = {"2.5.4.20"};
constexpr N kHomePhone[] = {"homeTelephoneNumber", "0.9.2342.19200300.100.1.20"};
constexpr N kMobile[] = {"mobileTelephoneNumber", "0.9.2342.19200300.100.1.41"};
constexpr N kPager[] = {"pagerTelephoneNumber", "0.9.2342.19200300.100.1.42"};
constexpr N kFax[] = {"fax", "2.5.4.23"};
constexpr N kTitle[] = {"2.5.4.12"};
constexpr N kDepartment[] = {"1.2.840.113556.1.2.141"};
constexpr N kOu[] = {"organizationalUnitName", "2.5.4.11"};
constexpr N kO[] = {"organizationName", "company", "2.5.4.10"};
constexpr N kOffice[] = {"2.5.4.19"};
constexpr N kStreet[] = {"streetAddress", "2.5.4.9"};
constexpr N kL[] = {"localityName", "2.5.4.7"};
constexpr N kSt[] = {"stateOrProvinceName", "2.5.4.8"};
constexpr N kPostalCode[] = {"2.5.4.17"};
constexpr N kC[] = {"countryName", "2.5.4.6"};
constexpr N kCo[] = {"friendlyCountryName", "0.9.2342.19200300.100.1.43"};
constexpr N kPostalAddress[] = {"2.5.4.16"};
constexpr N kHomePostalAddress[] = {"0.9.2342.19200300.100.1.39"};
constexpr N kDescription[] = {"2.5.4.13"};
constexpr N kInfo[] = {"comment", "1.2.840.113556.1.2.81"};
constexpr N kLabeledUri[] = {"1.3.6.1.4.1.250.1.57"};
constexpr N kDc[] = {"domainComponent", "0.9.2342.19200300.100.1.25"};
constexpr N kEntryDn[] = {"1.3.6.1.1.20"};
constexpr N kEntryUuid[] = {"1.3.6.1.1.16.4"};
constexpr N kCreateTimestamp[] = {"2.5.18.1"};
constexpr N kModifyTimestamp[] = {"2.5.18.2"};
constexpr N kHasSubordinates[] = {"2.5.18.9"};
constexpr N kStructuralObjectClass[] = {"2.5.21.9"};

constexpr Matching kCase = Matching::case_ignore;
constexpr Matching kPhone = Matching::telephone;

constexpr AttrInfo user(Attr id, N name, std::span<const N> aliases, Matching m = kCase,
                        bool indexed = false) {
    return AttrInfo{id, name, aliases, m, false, indexed};
}
constexpr AttrInfo operational(Attr id, N name, std::span<const N> aliases) {
    return AttrInfo{id, name, aliases, kCase, true, false};
}

// In Attr order.
constexpr std::array<AttrInfo, kAttrCount> kAttrs = {
    user(Attr::object_class, "objectClass", kObjectClass),
    user(Attr::cn, "cn", kCn, kCase, true),
    user(Attr::display_name, "displayName", kDisplayName, kCase, true),
    user(Attr::given_name, "givenName", kGivenName, kCase, true),
    user(Attr::sn, "sn", kSn, kCase, true),
    user(Attr::initials, "initials", kInitials),
    user(Attr::mail, "mail", kMail, kCase, true),
    user(Attr::uid, "uid", kUid),
    user(Attr::telephone_number, "telephoneNumber", kTelephone, kPhone),
    user(Attr::home_phone, "homePhone", kHomePhone, kPhone),
    user(Attr::mobile, "mobile", kMobile, kPhone),
    user(Attr::pager, "pager", kPager, kPhone),
    user(Attr::fax, "facsimileTelephoneNumber", kFax, kPhone),
    user(Attr::title, "title", kTitle),
    user(Attr::department, "department", kDepartment),
    user(Attr::ou, "ou", kOu),
    user(Attr::o, "o", kO),
    user(Attr::office, "physicalDeliveryOfficeName", kOffice),
    user(Attr::street, "street", kStreet),
    user(Attr::l, "l", kL),
    user(Attr::st, "st", kSt),
    user(Attr::postal_code, "postalCode", kPostalCode),
    user(Attr::c, "c", kC),
    user(Attr::co, "co", kCo),
    user(Attr::postal_address, "postalAddress", kPostalAddress),
    user(Attr::home_postal_address, "homePostalAddress", kHomePostalAddress),
    user(Attr::description, "description", kDescription),
    user(Attr::info, "info", kInfo),
    user(Attr::labeled_uri, "labeledURI", kLabeledUri),
    user(Attr::dc, "dc", kDc),
    operational(Attr::entry_dn, "entryDN", kEntryDn),
    operational(Attr::entry_uuid, "entryUUID", kEntryUuid),
    operational(Attr::create_timestamp, "createTimestamp", kCreateTimestamp),
    operational(Attr::modify_timestamp, "modifyTimestamp", kModifyTimestamp),
    operational(Attr::has_subordinates, "hasSubordinates", kHasSubordinates),
    operational(Attr::structural_object_class, "structuralObjectClass", kStructuralObjectClass),
};

constexpr bool in_order() {
    for (size_t i = 0; i < kAttrs.size(); ++i)
        if (static_cast<size_t>(kAttrs[i].id) != i) return false;
    return true;
}
static_assert(in_order(), "kAttrs must list the attributes in Attr order");

}  // namespace

const AttrInfo& attr_info(Attr a) {
    return kAttrs[index(a)];
}

const AttrInfo* find_attr(std::string_view description) {
    // Names sorted case-insensitively, for a binary search: requests name ~20 attributes each.
    struct Name {
        std::string_view name;
        const AttrInfo* info;
    };
    static const std::vector<Name> names = [] {
        std::vector<Name> v;
        for (const auto& info : kAttrs) {
            v.push_back({info.name, &info});
            for (auto alias : info.aliases)
                v.push_back({alias, &info});
        }
        std::sort(v.begin(), v.end(),
                  [](const Name& a, const Name& b) { return ILess{}(a.name, b.name); });
        return v;
    }();
    if (description.empty() || description.find(';') != std::string_view::npos) return nullptr;
    auto it =
        std::lower_bound(names.begin(), names.end(), description,
                         [](const Name& n, std::string_view d) { return ILess{}(n.name, d); });
    if (it == names.end() || !iequals(it->name, description)) return nullptr;
    return it->info;
}

}  // namespace sb::addressbook
