#include "ldap/addressbook/person.hpp"

#include <fmt/format.h>

#include "core/utc_time.hpp"
#include "mailbox/vcard/vcard.hpp"

namespace sb::addressbook {
namespace {

namespace f = mailbox::field;

std::string first(const directory::AttrMap& m, std::string_view name) {
    auto it = m.find(name);
    return it == m.end() || it->second.empty() ? std::string() : it->second.front();
}

void add_all(EntryBuilder& b, Attr a, const directory::AttrMap& m, std::string_view name) {
    if (auto it = m.find(name); it != m.end())
        for (const auto& v : it->second)
            b.add(a, v);
}

std::string field(const mailbox::ContactFields& c, std::string_view name) {
    auto it = c.find(name);
    return it == c.end() ? std::string() : it->second;
}

bool is_country_code(std::string_view v) {
    return v.size() == 2 && std::isalpha(static_cast<unsigned char>(v[0])) &&
           std::isalpha(static_cast<unsigned char>(v[1]));
}

// RFC 4517 3.3.28 PostalAddress: lines joined by '$', with '\' and '$' escaped.
std::string postal_address(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) {
        if (line.empty()) continue;
        if (!out.empty()) out.push_back('$');
        for (char c : line) {
            if (c == '\\')
                out += "\\5C";
            else if (c == '$')
                out += "\\24";
            else if (c == '\n' || c == '\r')
                out.push_back('$');
            else
                out.push_back(c);
        }
    }
    return out;
}

std::string join_nonempty(std::initializer_list<std::string> parts) {
    std::string out;
    for (const auto& p : parts) {
        if (p.empty()) continue;
        if (!out.empty()) out.push_back(' ');
        out += p;
    }
    return out;
}

void person_classes(EntryBuilder& b) {
    b.add(Attr::object_class, "top")
        .add(Attr::object_class, "person")
        .add(Attr::object_class, "organizationalPerson")
        .add(Attr::object_class, "inetOrgPerson");
    b.add(Attr::has_subordinates, "FALSE").add(Attr::structural_object_class, "inetOrgPerson");
}

}  // namespace

std::string display_name_of(const AccountRecord& a) {
    if (auto v = first(a.attrs, "displayName"); !v.empty()) return v;
    if (auto v = first(a.attrs, "cn"); !v.empty()) return v;
    if (auto v = join_nonempty({first(a.attrs, "givenName"), first(a.attrs, "sn")}); !v.empty())
        return v;
    return a.address.substr(0, a.address.find('@'));
}

EntryPtr entry_from_account(const AccountRecord& a) {
    const auto& m = a.attrs;
    EntryBuilder b;
    b.key(a.id).rdn(Attr::uid, a.address);
    person_classes(b);
    const std::string display = display_name_of(a);
    std::string cn = first(m, "cn");
    b.add(Attr::cn, cn.empty() ? display : cn);
    b.add(Attr::display_name, display);
    add_all(b, Attr::given_name, m, "givenName");
    add_all(b, Attr::sn, m, "sn");
    add_all(b, Attr::initials, m, "initials");
    b.add(Attr::mail, a.address);
    for (const auto& alias : a.aliases)
        b.add(Attr::mail, alias);
    add_all(b, Attr::telephone_number, m, "telephoneNumber");
    add_all(b, Attr::home_phone, m, "homePhone");
    add_all(b, Attr::mobile, m, "mobile");
    add_all(b, Attr::pager, m, "pager");
    add_all(b, Attr::fax, m, "facsimileTelephoneNumber");
    add_all(b, Attr::title, m, "title");
    add_all(b, Attr::department, m, "ou");
    add_all(b, Attr::o, m, "company");
    add_all(b, Attr::office, m, "physicalDeliveryOfficeName");
    add_all(b, Attr::street, m, "street");
    add_all(b, Attr::l, m, "l");
    add_all(b, Attr::st, m, "st");
    add_all(b, Attr::postal_code, m, "postalCode");
    add_all(b, Attr::c, m, "c");
    add_all(b, Attr::co, m, "co");
    add_all(b, Attr::postal_address, m, "postalAddress");
    add_all(b, Attr::description, m, "description");
    b.add(Attr::entry_uuid, a.uuid);
    b.add(Attr::create_timestamp, generalized_time(a.created_ms / 1000));
    b.add(Attr::modify_timestamp,
          generalized_time((a.modified_ms ? a.modified_ms : a.created_ms) / 1000));
    return b.build();
}

EntryPtr entry_from_contact(const mailbox::Contact& c, int64_t key) {
    const auto& fs = c.fields;
    EntryBuilder b;
    b.key(key).rdn(Attr::uid, std::to_string(c.id));
    person_classes(b);
    std::string name = field(fs, f::kFullName);
    if (name.empty()) name = vcard::derive_full_name(fs);
    if (name.empty()) name = fmt::format("Contact {}", c.id);
    b.add(Attr::cn, name).add(Attr::display_name, name);
    b.add(Attr::given_name, field(fs, f::kFirstName));
    b.add(Attr::sn, field(fs, f::kLastName));
    for (auto e : {f::kEmail, f::kEmail2, f::kEmail3})
        b.add(Attr::mail, field(fs, e));
    for (auto p : {f::kWorkPhone, f::kWorkPhone2, f::kCompanyPhone})
        b.add(Attr::telephone_number, field(fs, p));
    for (auto p : {f::kHomePhone, f::kHomePhone2})
        b.add(Attr::home_phone, field(fs, p));
    b.add(Attr::mobile, field(fs, f::kMobilePhone));
    b.add(Attr::pager, field(fs, f::kPager));
    b.add(Attr::fax, field(fs, f::kWorkFax)).add(Attr::fax, field(fs, f::kHomeFax));
    b.add(Attr::title, field(fs, f::kJobTitle));
    b.add(Attr::department, field(fs, f::kDepartment));
    b.add(Attr::o, field(fs, f::kCompany));
    b.add(Attr::office, field(fs, f::kOffice));
    // The business address, as Outlook's directory view shows one address.
    const std::string street = field(fs, f::kWorkStreet), city = field(fs, f::kWorkCity),
                      state = field(fs, f::kWorkState), zip = field(fs, f::kWorkPostalCode),
                      country = field(fs, f::kWorkCountry);
    b.add(Attr::street, street).add(Attr::l, city).add(Attr::st, state).add(Attr::postal_code, zip);
    b.add(Attr::co, country);
    if (is_country_code(country)) b.add(Attr::c, country);
    b.add(Attr::postal_address,
          postal_address({street, join_nonempty({zip, city, state}), country}));
    b.add(Attr::home_postal_address,
          postal_address({field(fs, f::kHomeStreet),
                          join_nonempty({field(fs, f::kHomePostalCode), field(fs, f::kHomeCity),
                                         field(fs, f::kHomeState)}),
                          field(fs, f::kHomeCountry)}));
    b.add(Attr::info, field(fs, f::kNotes));
    b.add(Attr::description, field(fs, f::kNickname));
    for (auto u : {f::kWorkUrl, f::kHomeUrl, f::kOtherUrl})
        b.add(Attr::labeled_uri, field(fs, u));
    b.add(Attr::create_timestamp, generalized_time(c.created_at / 1000));
    b.add(Attr::modify_timestamp,
          generalized_time((c.modified_at ? c.modified_at : c.created_at) / 1000));
    return b.build();
}

}  // namespace sb::addressbook
