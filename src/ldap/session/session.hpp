#pragma once
// The protocol logic of one LDAP connection, without I/O: given decoded requests it produces
// the bytes to send and tells the network layer what to do next (send, stream a search, check
// a bind off-thread, start TLS, close). The network layer owns the socket, the framing of the
// byte stream, Abandon and the timers.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ldap/addressbook/search.hpp"
#include "ldap/protocol/message.hpp"
#include "ldap/session/backend.hpp"
#include "ldap/session/refusal.hpp"

namespace sb::ldap {

struct SessionConfig {
    bool allow_cleartext_bind = false;  // simple binds with a password over plain LDAP
    addressbook::SearchSettings search;
    ldapproto::Limits limits;
    std::string vendor_version = "0";
};

class Session {
  public:
    enum class Action {
        send,    // write `out`
        search,  // stream `cursor`, then continue
        bind,    // run Backend::authenticate(bind_name, bind_password) off-thread, then bind_done()
        start_tls,  // write `out`, then the TLS handshake, then tls_started()
        close,      // write `out` (possibly empty), then close the connection
        none,       // nothing to send (Abandon)
    };
    struct Step {
        Action action = Action::none;
        std::string out;
        std::unique_ptr<addressbook::SearchCursor> cursor;
        int32_t message_id = 0;
        std::string bind_name, bind_password;
    };

    Session(Backend& backend, const SessionConfig& config, bool tls, std::string client_address);

    // A complete message as framed from the stream.
    Step handle(const ldapproto::Message& m);
    // A framed message that did not decode (decode_message's error).
    Step handle_malformed(std::string_view frame, const Error& error);
    // The stream cannot be framed any more (framer error): tell the client and close.
    Step fatal(const Error& error);
    Step bind_done(int32_t message_id, std::string_view name, const BindResult& result);
    void tls_started() { tls_ = true; }

    bool tls() const { return tls_; }
    int64_t account_id() const { return account_id_; }
    const std::string& bound_address() const { return address_; }
    const std::string& client_address() const { return client_; }

  private:
    Step bind(const ldapproto::Message& m, const ldapproto::BindRequest& r);
    Step search(const ldapproto::Message& m, const ldapproto::SearchRequest& r);
    Step compare(const ldapproto::Message& m, const ldapproto::CompareRequest& r);
    Step extended(const ldapproto::Message& m, const ldapproto::ExtendedRequest& r);
    Step refused_view(int32_t id, ldapproto::Operation response, const Error& e);
    Step result(int32_t id, ldapproto::Operation response, ldapproto::ResultCode code,
                std::string_view diagnostic, std::string_view matched = {});
    // The answer to a request that failed below the session (refusal.hpp).
    Step refused(int32_t id, ldapproto::Operation response, Failed what, const Error& error);

    Backend& backend_;
    const SessionConfig& config_;
    bool tls_;
    std::string client_;
    int64_t account_id_ = 0;  // 0: anonymous
    std::string address_;
};

// The response operation answering a request operation (nullopt for Unbind and Abandon).
std::optional<ldapproto::Operation> response_of(ldapproto::Operation request);

}  // namespace sb::ldap
