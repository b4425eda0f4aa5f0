#pragma once
// The secret of Dovecot's master user ("user*master"), with which Switchboard opens any mailbox
// as its user. Generated once, kept in data_dir (mode 0600) and never shown by the CLI; Dovecot
// does not know it: the master passdb asks Switchboard, which also requires a loopback client.
#include <string>

#include "core/error.hpp"

namespace sb::mail {

// Reads `path`, or creates it with a new random secret. Refuses a file others may read.
Result<std::string> ensure_master_secret(const std::string& path);

}  // namespace sb::mail
