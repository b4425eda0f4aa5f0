#pragma once
// The Lua scripts Dovecot runs for Switchboard: its passdb/userdb (auth worker processes) and
// its push-notification driver (mail processes: imap, pop3, lmtp).
#include <string>

namespace sb::mail {

// `endpoint`: "/path/of/unix.socket" or "host:port".
std::string dovecot_auth_lua(const std::string& endpoint);
std::string dovecot_push_lua(const std::string& endpoint);

}  // namespace sb::mail
