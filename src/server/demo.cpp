#include "server/demo.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "admin/command.hpp"
#include "auth/credentials.hpp"
#include "config/config.hpp"
#include "core/digest.hpp"
#include "core/random.hpp"
#include "directory/directory.hpp"
#include "mail/setup/private_stack.hpp"
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

constexpr const char* kLoopback = "127.0.0.1";

// The demo's Dovecot and Postfix listen on [demo] mail_port_base + the service's usual port
// (10143 for IMAP by default), so they never meet a system-wide instance.
struct DemoPorts {
    int imap, pop3, lmtp, smtp, submission, sasl;
};
DemoPorts ports_of(const config::Config& c) {
    const int base = static_cast<int>(c.demo.mail_port_base);
    return {base + 143, base + 110, base + 24, base + 25, base + 587, base + 12};
}

// Outside data_dir (mode 0700) and outside the checkout (often under /root, 0700): Dovecot's mail
// processes run as nobody and must reach the mailboxes. One folder per data directory.
std::string mail_dir_of(const config::Config& c) {
    return "/var/lib/switchboard-demo/" + to_hex(crypto::sha256(c.data_dir)).substr(0, 12);
}

std::string welcome_message(const DemoUser& u, const DemoPorts& ports) {
    return fmt::format(
        "From: Switchboard <postmaster@{domain}>\r\n"
        "To: {given} {surname} <{address}>\r\n"
        "Subject: Welcome to Switchboard, {given}\r\n"
        "Message-ID: <{id}@{domain}>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Hello {given},\r\n"
        "\r\n"
        "this message went through the demo's Postfix, which asked Switchboard where {address}\r\n"
        "lives, and was delivered by LMTP into the demo's Dovecot.\r\n"
        "\r\n"
        "Read it with any IMAP client on localhost:{imap} (STARTTLS) and send on\r\n"
        "localhost:{submission} (STARTTLS, login required), with {address} and your account\r\n"
        "password; a mobile password is refused there, as it is everywhere but ActiveSync and\r\n"
        "the address book.\r\n",
        fmt::arg("domain", kDomain), fmt::arg("given", u.given), fmt::arg("surname", u.surname),
        fmt::arg("address", u.address), fmt::arg("id", crypto::uuid_v4()),
        fmt::arg("imap", ports.imap), fmt::arg("submission", ports.submission));
}

}  // namespace

std::string demo_mail_dir(const config::Config& c) {
    return mail_dir_of(c);
}

std::string demo_mail_unavailable() {
    return mail::private_stack_unavailable();
}

void use_demo_mail(config::Config& c) {
    const DemoPorts ports = ports_of(c);
    c.mail.imap = {kLoopback, static_cast<uint16_t>(ports.imap)};
    c.mail.lmtp = {kLoopback, static_cast<uint16_t>(ports.lmtp)};
    c.mail.submission = {kLoopback, static_cast<uint16_t>(ports.submission)};
    c.mail.mail_root = mail_dir_of(c) + "/mailboxes";
    c.mail.mail_user.clear();  // the private Dovecot's mail_uid (nobody)
}

Result<std::unique_ptr<mail::PrivateMailStack>> start_demo_mail(const config::Config& c,
                                                                const mail::Wiring& wiring,
                                                                const std::string& cert_file,
                                                                const std::string& key_file) {
    namespace fs = std::filesystem;
    mail::PrivateStack p;
    p.dir = mail_dir_of(c);
    p.imap = c.mail.imap.to_string();
    const DemoPorts ports = ports_of(c);
    p.pop3 = fmt::format("{}:{}", kLoopback, ports.pop3);
    p.smtp = fmt::format("{}:{}", kLoopback, ports.smtp);
    p.sasl_port = std::to_string(ports.sasl);
    p.cert_file = cert_file;
    p.key_file = key_file;
    p.name = fmt::format("switchboard-demo-{}", ::getpid());
    const bool first_start = !fs::exists(c.mail.mail_root);
    std::error_code ec;
    fs::create_directories(c.mail.mail_root, ec);
    if (ec)
        return fail(Errc::io_error,
                    fmt::format("cannot create {}: {}", c.mail.mail_root, ec.message()));
    // The private Dovecot writes mail as `nobody` (p.mail_user); homes are made below this.
    if (passwd* pw = ::getpwnam(p.mail_user.c_str());
        !pw || ::chown(c.mail.mail_root.c_str(), pw->pw_uid, pw->pw_gid) != 0 ||
        ::chmod(c.mail.mail_root.c_str(), 0700) != 0)
        return fail(Errc::io_error, fmt::format("cannot give {} to the mail user {}",
                                                c.mail.mail_root, p.mail_user));
    SB_TRY_ASSIGN(auto stack, mail::PrivateMailStack::start(p, wiring));
    if (first_start || !fs::exists(p.dir + "/welcome-delivered")) {
        for (const auto& u : kUsers)
            SB_TRY(mail::deliver(p.smtp, false, fmt::format("postmaster@{}", kDomain), {u.address},
                                 welcome_message(u, ports)));
        std::ofstream(p.dir + "/welcome-delivered") << "yes\n";
        spdlog::info("demo mail: welcome messages delivered through Postfix to every demo account");
    }
    return stack;
}

std::string demo_mail_banner(const config::Config& c) {
    return fmt::format(
        "Mail:         IMAP localhost:{} and POP3 localhost:{} (STARTTLS), SMTP submission "
        "localhost:{} (STARTTLS + login), inbound SMTP localhost:{}; user john@example.com, "
        "password john-demo-2026 (a private Dovecot and Postfix in {})\n",
        ports_of(c).imap, ports_of(c).pop3, ports_of(c).submission, ports_of(c).smtp,
        mail_dir_of(c));
}

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
