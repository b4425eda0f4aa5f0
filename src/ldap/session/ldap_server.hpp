#pragma once
// The LDAP listeners, TLS 1.2 or newer only: LDAPS (implicit TLS), and the LDAP port, which
// serves plain LDAP with StartTLS and implicit TLS alike, told apart by the first byte a client
// sends (clients configured for "SSL" on the LDAP port work).
// Each connection is a few coroutines on its own strand: a reader that frames requests as bytes
// arrive (split anywhere), an executor that answers them in order and streams search results in
// bounded batches, and a watchdog for the idle timeout. Abandon stops a running search between
// batches. Password checks run on a small thread pool, never on the network threads.
#include <cstdint>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "core/error.hpp"
#include "ldap/session/session.hpp"

namespace boost::asio {
class io_context;
}

namespace sb::ldap {

struct ServerOptions {
    config::Endpoint ldaps{"0.0.0.0", 8636};
    config::Endpoint ldap{"0.0.0.0", 8389};  // plain + StartTLS, or implicit TLS
    std::string cert_file, key_file;         // PEM
    uint32_t max_connections = 4096;
    uint32_t idle_timeout = 900;         // seconds without a request (and nothing running)
    uint32_t handshake_timeout = 30;     // seconds to complete a TLS handshake
    size_t max_queued_bytes = 1u << 20;  // requests read ahead but not yet answered
    unsigned auth_threads = 2;
    SessionConfig session;
};

class LdapServer {
  public:
    LdapServer(boost::asio::io_context& io, Backend& backend, ServerOptions options);
    ~LdapServer();
    LdapServer(const LdapServer&) = delete;
    LdapServer& operator=(const LdapServer&) = delete;

    // Loads the certificate and binds the enabled endpoints; errors name the endpoint or file.
    Result<void> start();
    // Closes the listeners and every connection.
    void stop();

    // "127.0.0.1:8636" as bound (the real port when 0 was configured); "" when disabled.
    std::string ldaps_address() const;
    std::string ldap_address() const;
    size_t connections() const;

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace sb::ldap
