#pragma once
// Receives the events Dovecot's push-notification Lua driver sends (src/mail/setup/push.lua),
// one tab line per event, and publishes them to MailEvents:
//   EVENT kind account-uuid user mailbox uid uid-validity [flags]
// kind: new, append, flags, expunge, mailbox; account-uuid: the userdb's switchboard_account
// field ("" for a mailbox the userdb did not answer: the user name is looked up instead);
// flags: space-separated, for "flags". Answers: "OK", "FAIL reason" (understood but not
// published: e.g. no such account), "ERROR reason" (malformed; the connection is closed).
#include <string>
#include <vector>

namespace sb::directory {
class Directory;
}

namespace sb::mail {

class MailEvents;

class DovecotPush {
  public:
    DovecotPush(directory::Directory& directory, MailEvents& events)
        : directory_(directory), events_(events) {}

    std::vector<std::string> answer(const std::vector<std::string>& request);

  private:
    directory::Directory& directory_;
    MailEvents& events_;
};

}  // namespace sb::mail
