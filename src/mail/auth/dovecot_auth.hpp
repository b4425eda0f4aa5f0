#pragma once
// Answers Dovecot's passdb and userdb (the Lua scripts of src/mail/setup) from Switchboard's
// directory and authenticator, one request line at a time. Requests (fields of a tab line,
// src/mail/wire/tab_line.hpp):
//   PASS    service login client-ip password       a user's login (IMAP, POP3, SMTP AUTH ...)
//   MASTER  service master target client-ip secret  "target*master" (Switchboard's own access)
//   USER    service login                           userdb: where the mailbox is
// Answers:
//   OK      user [key=value]...      user = the account's primary address (aliases and the
//                                    case typed at login become the one mailbox name)
//   FAIL    denied|temp reason       denied: wrong secret, unknown, locked...; temp: throttled
//                                    or the store/company directory is unreachable
//   NOTFOUND reason                  USER only: no such mailbox
//   ERROR   reason                   malformed request (the connection is closed after it)
// Every refusal is logged with the account, the service, the client address and the reason.
#include <string>
#include <string_view>
#include <vector>

namespace sb::auth {
class Authenticator;
}
namespace sb::directory {
class Directory;
struct Account;
}  // namespace sb::directory

namespace sb::mail {

// Where mailboxes live: the userdb answers home = <root>/<account uuid>, so a renamed account
// keeps its mail; `user` (optional) is the system user the mail files belong to.
struct MailboxLayout {
    std::string root;
    std::string user;
};

inline constexpr std::string_view kMasterUser = "master";

class DovecotAuth {
  public:
    DovecotAuth(auth::Authenticator& authenticator, directory::Directory& directory,
                MailboxLayout layout, std::string master_secret);

    // One request's fields → the answer's fields. Never throws.
    std::vector<std::string> answer(const std::vector<std::string>& request);

    std::string home_of(const directory::Account& account) const;

  private:
    std::vector<std::string> pass(const std::vector<std::string>& r);
    std::vector<std::string> master(const std::vector<std::string>& r);
    std::vector<std::string> user(const std::vector<std::string>& r);
    std::vector<std::string> user_fields(const directory::Account& account) const;

    auth::Authenticator& authenticator_;
    directory::Directory& directory_;
    MailboxLayout layout_;
    std::string master_secret_;
};

// Whether Dovecot's client address is the local host (127.0.0.0/8, ::1, ::ffff:127.x.y.z).
bool is_loopback_address(std::string_view ip);

}  // namespace sb::mail
