#pragma once
// Runs a private Dovecot and Postfix (PrivateStack, configured by stack_config) as child
// daemons for the demo: writes their configurations, starts them, waits (bounded) until they
// listen, and stops them. Needs root, as Dovecot and Postfix start as root and drop privileges.
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "mail/setup/stack_config.hpp"

namespace sb::mail {

class PrivateMailStack {
  public:
    // Errors name the step that failed and where its log is.
    static Result<std::unique_ptr<PrivateMailStack>> start(const PrivateStack& stack,
                                                           const Wiring& wiring);
    ~PrivateMailStack();
    void stop();

  private:
    explicit PrivateMailStack(PrivateStack s) : stack_(std::move(s)) {}
    PrivateStack stack_;
    bool running_ = false;
};

// Whether this process can run a private stack ("" = yes, else why not).
std::string private_stack_unavailable();

// Delivers one message over SMTP (or LMTP when `lmtp`) to host:port; every step is bounded by
// `timeout_s`. Errors carry the server's answer.
Result<void> deliver(const std::string& endpoint, bool lmtp, const std::string& from,
                     const std::vector<std::string>& recipients, const std::string& message,
                     int timeout_s = 30);

}  // namespace sb::mail
