#include "server/demo.hpp"

#include <fmt/format.h>

#include "admin/command.hpp"
#include "auth/credentials.hpp"
#include "directory/directory.hpp"
#include "mailbox/mailbox.hpp"

namespace sb::server {
namespace {

constexpr const char* kDomain = "example.com";

struct DemoUser {
    const char* address;
    const char* password;
    const char* given;
    const char* surname;
    const char* title;
    const char* phone;
};
constexpr DemoUser kUsers[] = {
    {"john@example.com", "john-demo-2026", "John", "Doe", "Sales Manager", "+39 02 5550101"},
    {"jane@example.com", "jane-demo-2026", "Jane", "Roe", "Engineer", "+39 02 5550102"},
    {"mario@example.com", "mario-demo-2026", "Mario", "Rossi", "Accountant", "+39 02 5550103"},
};
constexpr const char* kMobilePassword = "john-mobile-2026";

}  // namespace

Result<std::string> seed_demo(admin::Services& s) {
    using directory::AttrChange;
    std::string text = fmt::format(
        "Demo domain {}: accounts john@, jane@, mario@ (passwords john-demo-2026, jane-demo-2026, "
        "mario-demo-2026); john@ has the mobile password {} for ActiveSync and the address book, "
        "and contacts in /Contacts and /Contacts/Suppliers.\n",
        kDomain, kMobilePassword);
    if (s.directory->domain(kDomain)) return text;  // seeded before

    SB_TRY(s.directory->modify_cos(
        directory::kDefaultCos, {{AttrChange::Op::set, "zimbraFeatureMobileSyncEnabled", "TRUE"}}));
    SB_TRY_ASSIGN(auto d, s.directory->create_domain(kDomain));
    for (const auto& u : kUsers) {
        directory::NewAccount na;
        na.address = u.address;
        na.password = u.password;
        na.attrs = {{AttrChange::Op::set, "givenName", u.given},
                    {AttrChange::Op::set, "sn", u.surname},
                    {AttrChange::Op::set, "displayName", fmt::format("{} {}", u.given, u.surname)},
                    {AttrChange::Op::set, "title", u.title},
                    {AttrChange::Op::set, "telephoneNumber", u.phone},
                    {AttrChange::Op::set, "company", "Example Corp"}};
        SB_TRY(s.directory->create_account(na));
    }
    SB_TRY(s.directory->add_alias("john@example.com", "j.doe@example.com"));
    auth::NewCredential mobile;
    mobile.password = kMobilePassword;
    mobile.label = "Demo phone";
    SB_TRY(s.credentials->add("john@example.com", mobile));

    SB_TRY_ASSIGN(auto john, s.directory->account("john@example.com"));
    using mailbox::ContactFields;
    std::vector<ContactFields> contacts = {
        {{"firstName", "Alice"},
         {"lastName", "Bianchi"},
         {"email", "alice.bianchi@partner.example"},
         {"mobilePhone", "+39 333 1234567"},
         {"company", "Partner Srl"},
         {"jobTitle", "Buyer"}},
        {{"firstName", "Bob"},
         {"lastName", "Smith"},
         {"email", "bob@customer.example"},
         {"workPhone", "+44 20 7946 0000"},
         {"company", "Customer Ltd"},
         {"workCity", "London"},
         {"workCountry", "United Kingdom"}},
        {{"firstName", "Chiara"},
         {"lastName", "Verdi"},
         {"email", "chiara@family.example"},
         {"homePhone", "+39 06 1234567"},
         {"birthday", "1985-04-12"},
         {"notes", "Call on Sundays"}},
    };
    SB_TRY(s.mailbox->add_contacts(john.id, mailbox::folder_id::kContacts, contacts));
    SB_TRY_ASSIGN(auto suppliers,
                  s.mailbox->create_folder(john.id, "/Contacts/Suppliers", mailbox::View::contact));
    std::vector<ContactFields> supplier_contacts = {
        {{"firstName", "Dieter"},
         {"lastName", "Müller"},
         {"email", "d.mueller@parts.example"},
         {"company", "Parts GmbH"},
         {"department", "Sales"},
         {"workPhone", "+49 30 1234567"}},
        {{"fullName", "EMEA Distributors Desk"},
         {"email", "emea@distributors.example"},
         {"company", "Distributors SA"}},
    };
    SB_TRY(s.mailbox->add_contacts(john.id, suppliers.id, supplier_contacts));
    return text;
}

}  // namespace sb::server
