#pragma once
// The company-directory client on libldap: failover over several servers, LDAP / StartTLS /
// LDAPS with a TLS context of its own per connection, referrals off, a time bound on every
// network call, paged searches (RFC 2696) and RFC 4533 refreshOnly synchronisation.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "dirsync/config.hpp"
#include "dirsync/source.hpp"

namespace sb::dirsync {

struct ConnectOptions {
    std::vector<std::string> servers;  // host, host:port or ldap[s]://host[:port]
    Transport transport = Transport::ldap;
    bool ignore_certificate_errors = false;
    std::string ca_file;
    std::string bind_dn;  // "" = anonymous
    std::string bind_password;
    int network_timeout_s = 10;     // connecting (TCP and TLS handshake)
    int operation_timeout_s = 120;  // waiting for any one answer
};

ConnectOptions connect_options(const SyncConfig& config, int operation_timeout_s);

// "dc1.example.com" → "ldap://dc1.example.com:389" (or ldaps://...:636).
std::string server_uri(std::string_view server, Transport transport);

// Connects and binds to the first server that answers. A refused bind (wrong DN or password) is
// not retried on the other servers: it would only count more failures against the account.
// Errors: auth_failed (bind refused), unavailable (no server reachable; every server's reason is
// named), invalid_argument (unusable CA file).
Result<std::unique_ptr<Source>> connect(const ConnectOptions& options);

// Binds as `dn` with `password` on a connection of its own, to the first server that answers:
// true when the directory accepts, false when it answers invalidCredentials (or refuses the
// account, e.g. disabled). An empty password is refused here without any bind (RFC 4513 5.1.2:
// it would be an unauthenticated bind that "succeeds"). Errors: unavailable.
Result<bool> check_password(const ConnectOptions& options, const std::string& dn,
                            std::string_view password);

}  // namespace sb::dirsync
