#include "server/server.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "admin/command.hpp"
#include "auth/authenticator.hpp"
#include "auth/credentials.hpp"
#include "core/log.hpp"
#include "core/strings.hpp"
#include "core/tls_identity.hpp"
#include "directory/directory.hpp"
#include "dirsync/service.hpp"
#include "eas/http/listener.hpp"
#include "eas/service.hpp"
#include "ldap/addressbook/address_book.hpp"
#include "ldap/session/address_book_backend.hpp"
#include "ldap/session/ldap_server.hpp"
#include "mail/net/mail_service.hpp"
#include "mail/push/mail_events.hpp"
#include "mail/setup/private_stack.hpp"
#include "mailbox/mailbox.hpp"
#include "server/admin_listener.hpp"
#include "server/demo.hpp"
#include "server/store_bootstrap.hpp"

namespace sb::server {
namespace {

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
    return buf;
}

int fatal(const std::string& message) {
    spdlog::critical("{}", message);
    std::fprintf(stderr, "switchboard: %s\n", message.c_str());
    return 1;
}

Result<void> make_data_dir(const std::string& data_dir) {
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec)
        return fail(Errc::io_error,
                    fmt::format("cannot create data directory {}: {}", data_dir, ec.message()));
    ::chmod(data_dir.c_str(), 0700);
    return {};
}

// The server's certificate and key, the CA clients must trust ("" for a configured pair without
// one) and the certificate's SHA-256 fingerprint.
struct TlsFiles {
    std::string cert, key, ca, sha256;
};

// The configured pair, or a private CA and server certificate made on first start.
Result<TlsFiles> tls_files(const config::TlsConfig& tls, const std::string& data_dir) {
    TlsFiles f{tls.cert_file, tls.key_file, tls.ca_file, {}};
    if (f.cert.empty()) {
        auto hostnames = tls.hostnames;
        if (hostnames.empty()) hostnames.push_back(host_name());
        SB_TRY_ASSIGN(auto id, crypto::ensure_tls_identity(data_dir + "/tls", hostnames));
        f = TlsFiles{id.cert_file, id.key_file, id.ca_cert_file, {}};
        if (id.created)
            spdlog::info("tls: created a private CA and server certificate in {}/tls", data_dir);
    }
    SB_TRY_ASSIGN(f.sha256, crypto::certificate_fingerprint_sha256(f.cert));
    return f;
}

bool ldap_enabled(const config::LdapConfig& ldap) {
    return ldap.ldaps.enabled || ldap.ldap.enabled;
}

addressbook::AddressBookOptions address_book_options(const config::LdapConfig& ldap) {
    addressbook::AddressBookOptions o;
    o.naming_context = ldap.naming_context;
    o.gal_label = ldap.gal_label;
    o.label_attribute = ldap.label_attribute;
    return o;
}

eas::Options eas_options(const config::EasConfig& eas) {
    eas::Options o;
    o.max_body = eas.max_body_bytes;
    o.min_heartbeat = eas.min_heartbeat;
    return o;
}

// The services over the store, each with its own configuration section; no sockets.
struct Modules {
    Modules(store::Database& db, const config::Config& cfg)
        : directory(db),
          credentials(directory),
          authenticator(directory, credentials),
          dirsync(directory, db),
          mailbox(db),
          address_book(db, directory, mailbox, address_book_options(cfg.ldap)),
          eas(db, directory, authenticator, mailbox, eas_options(cfg.eas)) {
        authenticator.set_external_verifier(dirsync.verifier());
        authenticator.set_directory_entry_check(dirsync.entry_check());
    }

    directory::Directory directory;
    auth::Credentials credentials;
    auth::Authenticator authenticator;
    dirsync::DirectorySync dirsync;
    mailbox::Mailbox mailbox;
    addressbook::AddressBook address_book;
    eas::Service eas;
};

admin::Services admin_services(const config::Config& cfg, store::Database& db, Modules& m,
                               const TlsFiles& tls) {
    admin::Services s;
    s.config = &cfg;
    s.db = &db;
    s.directory = &m.directory;
    s.credentials = &m.credentials;
    s.authenticator = &m.authenticator;
    s.mailbox = &m.mailbox;
    s.address_book = &m.address_book;
    s.eas = &m.eas;
    s.dirsync = &m.dirsync;
    s.runtime = {
        {"version", SWITCHBOARD_VERSION},
        {"started", now_ms()},
        {"pid", static_cast<int64_t>(::getpid())},
        {"adminSocket", cfg.admin_socket},
        {"tls",
         {{"certificate", tls.cert}, {"key", tls.key}, {"ca", tls.ca}, {"sha256", tls.sha256}}}};
    return s;
}

// Every parked Ping holds a socket: allow as many descriptors as the system lets us.
void raise_descriptor_limit() {
    if (rlimit rl{}; ::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// ActiveSync over HTTPS, when configured; null otherwise.
Result<std::unique_ptr<eas::Listener>> start_eas(boost::asio::io_context& io,
                                                 const config::EasConfig& cfg, const TlsFiles& tls,
                                                 eas::Service& service, nlohmann::json& runtime) {
    if (!cfg.https.enabled) return std::unique_ptr<eas::Listener>{};
    eas::ListenerOptions lo;
    lo.host = cfg.https.host;
    lo.port = cfg.https.port;
    lo.cert_file = tls.cert;
    lo.key_file = tls.key;
    lo.max_connections = cfg.max_connections;
    lo.max_body = cfg.max_body_bytes;
    lo.workers = cfg.workers;
    lo.max_queue = cfg.max_queue;
    lo.idle_timeout = cfg.idle_timeout;
    auto listener = std::make_unique<eas::Listener>(io, service, lo);
    SB_TRY_ASSIGN(auto bound, listener->start());
    runtime["listeners"]["eas"] = bound;
    spdlog::info("eas: ActiveSync on https://{}/Microsoft-Server-ActiveSync", bound);
    return listener;
}

ldap::ServerOptions ldap_options(const config::LdapConfig& cfg, const TlsFiles& tls) {
    ldap::ServerOptions o;
    o.ldaps = cfg.ldaps;
    o.ldap = cfg.ldap;
    o.cert_file = tls.cert;
    o.key_file = tls.key;
    o.max_connections = cfg.max_connections;
    o.idle_timeout = cfg.idle_timeout;
    o.session.allow_cleartext_bind = cfg.allow_cleartext_bind;
    o.session.search.max_size_limit = cfg.max_size_limit;
    o.session.search.max_time_limit = cfg.max_time_limit;
    o.session.limits.max_message_size = 256 * 1024;  // address-book requests are small
    o.session.vendor_version = SWITCHBOARD_VERSION;
    return o;
}

Result<void> start_ldap(ldap::LdapServer& server, nlohmann::json& runtime) {
    SB_TRY(server.start());
    const std::string ldaps = server.ldaps_address(), plain = server.ldap_address();
    if (!ldaps.empty()) runtime["listeners"]["ldaps"] = ldaps;
    if (!plain.empty()) runtime["listeners"]["ldap"] = plain;
    spdlog::info("ldap: address book on {}{}{}", ldaps.empty() ? "" : "ldaps://" + ldaps,
                 ldaps.empty() || plain.empty() ? "" : " and ",
                 plain.empty()
                     ? ""
                     : "ldap://" + plain + " (StartTLS, or implicit TLS from the first byte)");
    return {};
}

// Mail bridges: Dovecot's passdb/userdb, Postfix's lookup tables, Dovecot's push events.
Result<void> start_mail(mail::MailService& mail, admin::Services& services) {
    SB_TRY(mail.start());
    services.mail_events = &mail.events();
    services.mail_wiring = &mail.wiring();
    services.mail_status = [&mail] { return mail.status(); };
    for (auto [name, address] : {std::pair{"mailAuth", mail.wiring().auth},
                                 std::pair{"mailSocketmap", mail.wiring().socketmap},
                                 std::pair{"mailEvents", mail.wiring().events}})
        if (!address.empty()) services.runtime["listeners"][name] = address;
    return {};
}

// The demo's start-up banner: how to reach what it serves.
void print_demo_banner(const std::string& demo_text, const config::Config& cfg, const TlsFiles& tls,
                       const std::string& ldaps_address, const nlohmann::json& listeners) {
    std::printf("\n%s", demo_text.c_str());
    // Wildcard listeners are reached on the loopback name; the port is what was bound.
    auto port_of = [](const std::string& address) {
        auto colon = address.rfind(':');
        return colon == std::string::npos ? address : address.substr(colon + 1);
    };
    const std::string cli =
        cfg.source.empty() ? "build/switchboard" : "build/switchboard --config " + cfg.source;
    std::printf("Admin CLI:    %s prov gaa\n", cli.c_str());
    if (!ldaps_address.empty())
        std::printf(
            "Address book: %sldapsearch -H ldaps://localhost:%s -x -D john@example.com -w "
            "john-mobile-2026 -b '' '(cn=*)' cn mail\n",
            tls.ca.empty() ? "" : ("LDAPTLS_CACERT=" + tls.ca + " ").c_str(),
            port_of(ldaps_address).c_str());
    if (listeners.contains("eas"))
        std::printf(
            "ActiveSync:   server localhost:%s, user john@example.com, password "
            "john-mobile-2026%s\n",
            port_of(listeners["eas"].get<std::string>()).c_str(),
            tls.ca.empty() ? "" : (" (phones must trust " + tls.ca + ")").c_str());
    std::printf("Stop with Ctrl-C.\n\n");
    std::fflush(stdout);
}

// The demo's data and mail (its own Dovecot and Postfix when it can run them).
struct Demo {
    bool enabled = false;
    bool mail = false;
    std::string mail_missing;  // why there is no demo mail
    std::string text;          // the banner's description of the demo data
    std::unique_ptr<mail::PrivateMailStack> stack;
    std::thread thread;
};

Demo prepare_demo(const ServeOptions& options, config::Config& cfg) {
    Demo d;
    d.enabled = options.demo;
    d.mail_missing = options.demo ? demo_mail_unavailable() : "";
    d.mail = options.demo && d.mail_missing.empty();
    if (d.mail) use_demo_mail(cfg);
    return d;
}

Result<void> seed(Demo& demo, admin::Services& services, const config::Config& cfg) {
    if (!demo.enabled) return {};
    auto text = seed_demo(services);
    if (!text) return fail(text.error().code, fmt::format("demo data: {}", text.error().message));
    demo.text = *text;
    if (demo.mail) {
        demo.text += demo_mail_banner(cfg);
        services.runtime["demoMail"] = demo_mail_dir(cfg);
    } else {
        spdlog::warn("demo mail: not started: {}", demo.mail_missing);
        demo.text += fmt::format("Mail:         not started ({})\n", demo.mail_missing);
    }
    return {};
}

// The demo's Dovecot and Postfix start once the listeners answer: Postfix asks Switchboard where
// the welcome messages go.
void start_demo_mail_later(Demo& demo, const config::Config& cfg, const mail::Wiring& wiring,
                           const TlsFiles& tls) {
    if (!demo.mail) return;
    demo.thread = std::thread([&demo, &cfg, &wiring, tls] {
        auto stack = start_demo_mail(cfg, wiring, tls.cert, tls.key);
        if (!stack) {
            spdlog::error("demo mail: {}", stack.error().message);
            return;
        }
        demo.stack = std::move(*stack);
        spdlog::info("demo mail: Dovecot and Postfix are ready");
    });
}

void stop_demo(Demo& demo) {
    if (demo.thread.joinable()) demo.thread.join();
    if (demo.stack) demo.stack->stop();
}

// Runs the io_context on a pool of threads (this one included) until it stops; `started` runs
// once the others serve.
void run_io(boost::asio::io_context& io, const std::function<void()>& started) {
    unsigned threads = std::max(2u, std::thread::hardware_concurrency());
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i)
        pool.emplace_back([&] { io.run(); });
    started();
    io.run();
    for (auto& t : pool)
        t.join();
}

void log_ready(const config::Config& cfg, const TlsFiles& tls) {
    spdlog::info("Switchboard {} ready: store {} ({}), admin socket {}", SWITCHBOARD_VERSION,
                 cfg.store.backend, cfg.store.backend == "sqlite" ? cfg.store.path : "postgresql",
                 cfg.admin_socket);
    spdlog::info("tls: certificate {} (SHA-256 {}){}", tls.cert, tls.sha256,
                 tls.ca.empty() ? "" : ", clients trust " + tls.ca);
}

}  // namespace

int serve(const config::Config& given, const ServeOptions& options) {
    config::Config cfg = given;
    Demo demo = prepare_demo(options, cfg);
    if (auto r = log::init(cfg.log_level, cfg.log_file); !r) return fatal(r.error().message);
    if (auto r = make_data_dir(cfg.data_dir); !r) return fatal(r.error().message);
    auto db = bootstrap_store(cfg.store);
    if (!db) return fatal(db.error().message);
    Modules modules(**db, cfg);
    if (ldap_enabled(cfg.ldap))
        if (auto r = modules.address_book.start(); !r) return fatal(r.error().message);
    auto tls = tls_files(cfg.tls, cfg.data_dir);
    if (!tls) return fatal(tls.error().message);
    admin::Services services = admin_services(cfg, **db, modules, *tls);
    if (auto r = seed(demo, services, cfg); !r) return fatal(r.error().message);

    boost::asio::io_context io;
    raise_descriptor_limit();
    auto eas_listener = start_eas(io, cfg.eas, *tls, modules.eas, services.runtime);
    if (!eas_listener) return fatal(eas_listener.error().message);
    ldap::AddressBookBackend ldap_backend(modules.address_book, modules.authenticator,
                                          modules.directory);
    ldap::LdapServer ldap_server(io, ldap_backend, ldap_options(cfg.ldap, *tls));
    if (ldap_enabled(cfg.ldap))
        if (auto r = start_ldap(ldap_server, services.runtime); !r) return fatal(r.error().message);
    mail::MailService mail_service(io, cfg, modules.authenticator, modules.directory);
    if (auto r = start_mail(mail_service, services); !r) return fatal(r.error().message);
    AdminListener admin_listener(io, services);
    if (auto r = admin_listener.start(cfg.admin_socket); !r) return fatal(r.error().message);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& e, int sig) {
        if (e) return;
        spdlog::info("received signal {}, shutting down", sig);
        admin_listener.stop();
        ldap_server.stop();
        mail_service.stop();
        if (*eas_listener) (*eas_listener)->stop();
        io.stop();
    });
    log_ready(cfg, *tls);
    if (demo.enabled)
        print_demo_banner(demo.text, cfg, *tls, ldap_server.ldaps_address(),
                          services.runtime["listeners"]);
    modules.dirsync.start();
    run_io(io, [&] { start_demo_mail_later(demo, cfg, mail_service.wiring(), *tls); });
    stop_demo(demo);
    modules.dirsync.stop();
    // Subscribers (authenticator, Ping hub, address book) go out of scope below the store.
    (*db)->unsubscribe_all();
    spdlog::info("Switchboard stopped");
    return 0;
}

}  // namespace sb::server
