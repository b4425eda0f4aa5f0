#pragma once
// Postfix's lookup tables answered live from the directory (socketmap_table(5): the request
// "<name> <key>", the answer "OK <value>", "NOTFOUND ", "TEMP <reason>" or "PERM <reason>").
// Every lookup reads the directory, so an account or alias routes mail the moment the command
// that created it returns; nothing is cached here.
//   domains    virtual_mailbox_domains  a domain of the directory      → the domain
//   mailboxes  virtual_mailbox_maps     an account's primary address   → "<uuid>/"
//   aliases    virtual_alias_maps       an alias                       → the primary address
//   senders    smtpd_sender_login_maps  an address of an account       → the SASL logins that
//                                       may send as it (the primary address and the aliases)
// Closed accounts receive nothing and send nothing: they are not found.
#include <string>
#include <string_view>

namespace sb::directory {
class Directory;
}

namespace sb::mail {

class PostfixTables {
  public:
    explicit PostfixTables(directory::Directory& directory) : directory_(directory) {}

    // The answer to one socketmap request (the payload of its netstring). Never throws.
    std::string answer(std::string_view request);

  private:
    std::string domains(std::string_view key);
    std::string mailboxes(std::string_view key);
    std::string aliases(std::string_view key);
    std::string senders(std::string_view key);

    directory::Directory& directory_;
};

}  // namespace sb::mail
