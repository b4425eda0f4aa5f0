#pragma once
// Switchboard's side of the mail platform at run time: the master secret, and the listeners
// for Dovecot's passdb/userdb, Postfix's lookup tables and Dovecot's push events, with the
// events published in-process (MailEvents).
#include <memory>
#include <string>

#include <functional>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/error.hpp"
#include "mail/setup/stack_config.hpp"

namespace boost::asio {
class io_context;
}
namespace sb::config {
struct Config;
}
namespace sb::auth {
class Authenticator;
}
namespace sb::directory {
class Directory;
}

namespace sb::mail {

class MailEvents;
struct BridgeProtocol;

class MailService {
  public:
    MailService(boost::asio::io_context& io, const config::Config& config,
                auth::Authenticator& authenticator, directory::Directory& directory);
    ~MailService();

    // Reads or creates the master secret and starts the configured listeners.
    Result<void> start();
    void stop();

    MailEvents& events();
    // What Dovecot and Postfix must point at: the bound listener addresses and the config.
    const Wiring& wiring() const;
    // Listener addresses and counters for `server status` and `mail status`.
    nlohmann::json status() const;
    const std::string& master_secret_file() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The codecs wrapped for the listener: tab lines answered field by field, netstrings.
BridgeProtocol tab_line_protocol(
    std::function<std::vector<std::string>(const std::vector<std::string>&)> answer,
    size_t max_line);
BridgeProtocol netstring_protocol(std::function<std::string(std::string_view)> answer,
                                  size_t max_payload);

}  // namespace sb::mail
