#include "mail/net/mail_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "mail/auth/dovecot_auth.hpp"
#include "mail/lookup/postfix_tables.hpp"
#include "mail/net/bridge_listener.hpp"
#include "mail/push/dovecot_push.hpp"
#include "mail/push/mail_events.hpp"
#include "mail/setup/master_secret.hpp"
#include "mail/wire/netstring.hpp"
#include "mail/wire/tab_line.hpp"

namespace sb::mail {

BridgeProtocol tab_line_protocol(
    std::function<std::vector<std::string>(const std::vector<std::string>&)> answer,
    size_t max_line) {
    BridgeProtocol p;
    p.cut = [max_line](std::string_view in) -> Result<Frame> {
        SB_TRY_ASSIGN(auto f, mailwire::decode_line(in, max_line));
        return Frame{f.complete, f.line, f.consumed};
    };
    p.answer = [answer = std::move(answer)](std::string_view request, const std::string&,
                                            bool& close) {
        auto fields = mailwire::split_fields(request);
        std::vector<std::string> reply =
            fields ? answer(*fields) : std::vector<std::string>{"ERROR", fields.error().message};
        close = !reply.empty() && reply[0] == "ERROR";
        return mailwire::join_fields(reply);
    };
    p.refuse = [](const Error& e) { return mailwire::join_fields({"ERROR", e.message}); };
    return p;
}

BridgeProtocol netstring_protocol(std::function<std::string(std::string_view)> answer,
                                  size_t max_payload) {
    BridgeProtocol p;
    p.cut = [max_payload](std::string_view in) -> Result<Frame> {
        SB_TRY_ASSIGN(auto f, mailwire::decode_netstring(in, max_payload));
        return Frame{f.complete, f.payload, f.consumed};
    };
    p.answer = [answer = std::move(answer)](std::string_view request, const std::string&,
                                            bool& close) {
        std::string reply = answer(request);
        close = reply.rfind("PERM ", 0) == 0;
        return mailwire::encode_netstring(reply);
    };
    // socketmap_table(5): PERM is a permanent error of the request.
    p.refuse = [](const Error& e) { return mailwire::encode_netstring("PERM " + e.message); };
    return p;
}

struct MailService::Impl {
    boost::asio::io_context& io;
    const config::Config& cfg;
    auth::Authenticator& authenticator;
    directory::Directory& directory;
    MailEvents events;
    std::unique_ptr<DovecotAuth> dovecot_auth;
    std::unique_ptr<PostfixTables> tables;
    std::unique_ptr<DovecotPush> push;
    std::unique_ptr<BridgeListener> auth_listener, socketmap_listener, events_listener;
    Wiring wiring;
    std::string secret_file;

    Impl(boost::asio::io_context& i, const config::Config& c, auth::Authenticator& a,
         directory::Directory& d)
        : io(i), cfg(c), authenticator(a), directory(d) {}
};

MailService::MailService(boost::asio::io_context& io, const config::Config& config,
                         auth::Authenticator& authenticator, directory::Directory& directory)
    : impl_(std::make_unique<Impl>(io, config, authenticator, directory)) {}

MailService::~MailService() {
    stop();
}

MailEvents& MailService::events() {
    return impl_->events;
}
const Wiring& MailService::wiring() const {
    return impl_->wiring;
}
const std::string& MailService::master_secret_file() const {
    return impl_->secret_file;
}

Result<void> MailService::start() {
    auto& m = impl_->cfg.mail;
    auto& w = impl_->wiring;
    w.lmtp = m.lmtp.to_string();
    w.submission = m.submission.to_string();

    impl_->secret_file = impl_->cfg.data_dir + "/mail-master.secret";
    SB_TRY_ASSIGN(std::string secret, ensure_master_secret(impl_->secret_file));
    impl_->dovecot_auth =
        std::make_unique<DovecotAuth>(impl_->authenticator, impl_->directory,
                                      MailboxLayout{m.mail_root, m.mail_user}, std::move(secret));
    impl_->tables = std::make_unique<PostfixTables>(impl_->directory);
    impl_->push = std::make_unique<DovecotPush>(impl_->directory, impl_->events);

    if (m.auth_enabled) {
        BridgeOptions o;
        o.name = "mail auth";
        o.listen = m.auth_listen;
        o.threads = m.auth_threads;
        o.idle_timeout = 3600;  // Dovecot's auth workers keep their connection
        auto* auth = impl_->dovecot_auth.get();
        impl_->auth_listener = std::make_unique<BridgeListener>(
            impl_->io, o,
            tab_line_protocol([auth](const std::vector<std::string>& r) { return auth->answer(r); },
                              16 * 1024));
        SB_TRY_ASSIGN(w.auth, impl_->auth_listener->start());
        spdlog::info("mail: Dovecot passdb/userdb on {}", w.auth);
    }
    if (m.socketmap_listen.enabled) {
        BridgeOptions o;
        o.name = "mail lookup";
        o.listen = m.socketmap_listen.to_string();
        o.threads = 2;
        auto* tables = impl_->tables.get();
        // Postfix sends "name key" with a key of at most an address; 4 KiB is ample.
        impl_->socketmap_listener = std::make_unique<BridgeListener>(
            impl_->io, o,
            netstring_protocol([tables](std::string_view r) { return tables->answer(r); }, 4096));
        SB_TRY_ASSIGN(w.socketmap, impl_->socketmap_listener->start());
        spdlog::info("mail: Postfix lookup tables (socketmap) on {}", w.socketmap);
    }
    if (m.events_listen.enabled) {
        BridgeOptions o;
        o.name = "mail events";
        o.listen = m.events_listen.to_string();
        o.threads = 1;
        o.max_connections = 4096;  // one per Dovecot mail process that reported a change
        auto* push = impl_->push.get();
        impl_->events_listener = std::make_unique<BridgeListener>(
            impl_->io, o,
            tab_line_protocol([push](const std::vector<std::string>& r) { return push->answer(r); },
                              16 * 1024));
        SB_TRY_ASSIGN(w.events, impl_->events_listener->start());
        spdlog::info("mail: Dovecot push events on {}", w.events);
    }
    return {};
}

void MailService::stop() {
    for (auto* l : {impl_->auth_listener.get(), impl_->socketmap_listener.get(),
                    impl_->events_listener.get()})
        if (l) l->stop();
}

nlohmann::json MailService::status() const {
    nlohmann::json j = nlohmann::json::object();
    auto add = [&](const char* name, const std::string& address, const BridgeListener* l) {
        if (!l) {
            j[name] = {{"listen", "off"}};
            return;
        }
        const auto& c = l->counters();
        j[name] = {{"listen", address},
                   {"connections", c.connections.load()},
                   {"open", c.open.load()},
                   {"requests", c.requests.load()},
                   {"refused", c.refused.load()}};
    };
    add("auth", impl_->wiring.auth, impl_->auth_listener.get());
    add("socketmap", impl_->wiring.socketmap, impl_->socketmap_listener.get());
    add("events", impl_->wiring.events, impl_->events_listener.get());
    j["eventsPublished"] = impl_->events.published();
    j["eventSubscribers"] = impl_->events.subscribers();
    return j;
}

}  // namespace sb::mail
