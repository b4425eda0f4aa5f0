#pragma once
#include <memory>
#include <string>

#include "core/error.hpp"

namespace sb::admin {
struct Services;
}
namespace sb::config {
struct Config;
}
namespace sb::mail {
struct Wiring;
class PrivateMailStack;
}  // namespace sb::mail

namespace sb::server {

// Creates the demo domain (example.com) with accounts, a mobile password and contacts, unless it
// exists already. Returns a description of the demo data for the start-up banner.
Result<std::string> seed_demo(admin::Services& services);

// The demo's mail: a private Dovecot and Postfix under /var/lib/switchboard-demo/<id of the
// data directory> on loopback ports
// (IMAP 10143, POP3 10110, SMTP 10025, submission 10587, LMTP 10024), run as child daemons.
// Why it cannot run here ("" = it can: root, with Dovecot and Postfix installed).
std::string demo_mail_unavailable();
// Points the [mail] settings at the demo's instances; before the mail bridges start.
void use_demo_mail(config::Config& config);
// The start-up banner's line about mail.
std::string demo_mail_banner(const config::Config& config);
// Where the demo's Dovecot and Postfix keep their configuration, queue, logs and mailboxes.
std::string demo_mail_dir(const config::Config& config);
// Starts the instances and, on their first start, delivers a welcome message to every demo
// account through Postfix (socketmap lookups, LMTP into Dovecot). Needs the mail bridges
// running (Postfix asks them where the messages go).
Result<std::unique_ptr<mail::PrivateMailStack>> start_demo_mail(const config::Config& config,
                                                                const mail::Wiring& wiring,
                                                                const std::string& cert_file,
                                                                const std::string& key_file);

}  // namespace sb::server
