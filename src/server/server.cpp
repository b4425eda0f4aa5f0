#include "server/server.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
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

}  // namespace

int serve(const config::Config& given, const ServeOptions& options) {
    config::Config cfg = given;
    // The demo brings its own Dovecot and Postfix when it can (root, packages installed).
    const std::string demo_mail_missing = options.demo ? demo_mail_unavailable() : "";
    const bool demo_mail = options.demo && demo_mail_missing.empty();
    if (demo_mail) use_demo_mail(cfg);
    if (auto r = log::init(cfg.log_level, cfg.log_file); !r) return fatal(r.error().message);
    std::error_code ec;
    std::filesystem::create_directories(cfg.data_dir, ec);
    if (ec)
        return fatal(
            fmt::format("cannot create data directory {}: {}", cfg.data_dir, ec.message()));
    ::chmod(cfg.data_dir.c_str(), 0700);

    auto db = bootstrap_store(cfg.store);
    if (!db) return fatal(db.error().message);
    directory::Directory directory(**db);
    auth::Credentials credentials(directory);
    auth::Authenticator authenticator(directory, credentials);
    dirsync::DirectorySync dirsync(directory, **db);
    authenticator.set_external_verifier(dirsync.verifier());
    authenticator.set_directory_entry_check(dirsync.entry_check());
    mailbox::Mailbox mailbox(**db);
    // LDAP address book: the in-memory GALs (only when it is served).
    addressbook::AddressBookOptions book_options;
    book_options.naming_context = cfg.ldap.naming_context;
    book_options.gal_label = cfg.ldap.gal_label;
    book_options.label_attribute = cfg.ldap.label_attribute;
    addressbook::AddressBook address_book(**db, directory, mailbox, book_options);
    const bool ldap_enabled = cfg.ldap.ldaps.enabled || cfg.ldap.ldap.enabled;
    if (ldap_enabled)
        if (auto r = address_book.start(); !r) return fatal(r.error().message);
    eas::Options eas_options;
    eas_options.max_body = cfg.eas.max_body_bytes;
    eas_options.min_heartbeat = cfg.eas.min_heartbeat;
    eas::Service eas_service(**db, directory, authenticator, mailbox, eas_options);

    // TLS: the configured pair, or a private CA and server certificate made on first start.
    std::string cert = cfg.tls.cert_file, key = cfg.tls.key_file, ca = cfg.tls.ca_file;
    if (cert.empty()) {
        auto hostnames = cfg.tls.hostnames;
        if (hostnames.empty()) hostnames.push_back(host_name());
        auto id = crypto::ensure_tls_identity(cfg.data_dir + "/tls", hostnames);
        if (!id) return fatal(id.error().message);
        cert = id->cert_file;
        key = id->key_file;
        ca = id->ca_cert_file;
        if (id->created)
            spdlog::info("tls: created a private CA and server certificate in {}/tls",
                         cfg.data_dir);
    }
    auto fingerprint = crypto::certificate_fingerprint_sha256(cert);
    if (!fingerprint) return fatal(fingerprint.error().message);

    admin::Services services;
    services.config = &cfg;
    services.db = db->get();
    services.directory = &directory;
    services.credentials = &credentials;
    services.authenticator = &authenticator;
    services.mailbox = &mailbox;
    services.address_book = &address_book;
    services.eas = &eas_service;
    services.dirsync = &dirsync;
    services.runtime = {
        {"version", SWITCHBOARD_VERSION},
        {"started", now_ms()},
        {"pid", static_cast<int64_t>(::getpid())},
        {"adminSocket", cfg.admin_socket},
        {"tls", {{"certificate", cert}, {"key", key}, {"ca", ca}, {"sha256", *fingerprint}}}};

    std::string demo_text;
    if (options.demo) {
        auto d = seed_demo(services);
        if (!d) return fatal(fmt::format("demo data: {}", d.error().message));
        demo_text = *d;
    }

    boost::asio::io_context io;
    // Every parked Ping holds a socket: allow as many descriptors as the system lets us.
    if (rlimit rl{}; ::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
    std::unique_ptr<eas::Listener> eas_listener;
    if (cfg.eas.https.enabled) {
        eas::ListenerOptions lo;
        lo.host = cfg.eas.https.host;
        lo.port = cfg.eas.https.port;
        lo.cert_file = cert;
        lo.key_file = key;
        lo.max_connections = cfg.eas.max_connections;
        lo.max_body = cfg.eas.max_body_bytes;
        lo.workers = cfg.eas.workers;
        lo.max_queue = cfg.eas.max_queue;
        lo.idle_timeout = cfg.eas.idle_timeout;
        eas_listener = std::make_unique<eas::Listener>(io, eas_service, lo);
        auto bound = eas_listener->start();
        if (!bound) return fatal(bound.error().message);
        services.runtime["listeners"]["eas"] = *bound;
        spdlog::info("eas: ActiveSync on https://{}/Microsoft-Server-ActiveSync", *bound);
    }

    ldap::AddressBookBackend ldap_backend(address_book, authenticator, directory);
    ldap::ServerOptions ldap_options;
    ldap_options.ldaps = cfg.ldap.ldaps;
    ldap_options.ldap = cfg.ldap.ldap;
    ldap_options.cert_file = cert;
    ldap_options.key_file = key;
    ldap_options.max_connections = cfg.ldap.max_connections;
    ldap_options.idle_timeout = cfg.ldap.idle_timeout;
    ldap_options.session.allow_cleartext_bind = cfg.ldap.allow_cleartext_bind;
    ldap_options.session.search.max_size_limit = cfg.ldap.max_size_limit;
    ldap_options.session.search.max_time_limit = cfg.ldap.max_time_limit;
    ldap_options.session.limits.max_message_size = 256 * 1024;  // address-book requests are small
    ldap_options.session.vendor_version = SWITCHBOARD_VERSION;
    ldap::LdapServer ldap_server(io, ldap_backend, ldap_options);
    if (ldap_enabled) {
        if (auto r = ldap_server.start(); !r) return fatal(r.error().message);
        if (auto a = ldap_server.ldaps_address(); !a.empty())
            services.runtime["listeners"]["ldaps"] = a;
        if (auto a = ldap_server.ldap_address(); !a.empty())
            services.runtime["listeners"]["ldap"] = a;
        spdlog::info(
            "ldap: address book on {}{}{}",
            ldap_server.ldaps_address().empty() ? "" : "ldaps://" + ldap_server.ldaps_address(),
            ldap_server.ldaps_address().empty() || ldap_server.ldap_address().empty() ? ""
                                                                                      : " and ",
            ldap_server.ldap_address().empty()
                ? ""
                : "ldap://" + ldap_server.ldap_address() +
                      " (StartTLS, or implicit TLS from the first byte)");
    }

    // Mail bridges: Dovecot's passdb/userdb, Postfix's lookup tables, Dovecot's push events.
    mail::MailService mail_service(io, cfg, authenticator, directory);
    if (auto r = mail_service.start(); !r) return fatal(r.error().message);
    services.mail_events = &mail_service.events();
    services.mail_wiring = &mail_service.wiring();
    services.mail_status = [&mail_service] { return mail_service.status(); };
    for (auto [name, address] : {std::pair{"mailAuth", mail_service.wiring().auth},
                                 std::pair{"mailSocketmap", mail_service.wiring().socketmap},
                                 std::pair{"mailEvents", mail_service.wiring().events}})
        if (!address.empty()) services.runtime["listeners"][name] = address;

    if (demo_mail) {
        demo_text += demo_mail_banner(cfg);
        services.runtime["demoMail"] = demo_mail_dir(cfg);
    } else if (options.demo) {
        spdlog::warn("demo mail: not started: {}", demo_mail_missing);
        demo_text += fmt::format("Mail:         not started ({})\n", demo_mail_missing);
    }

    AdminListener admin_listener(io, services);
    if (auto r = admin_listener.start(cfg.admin_socket); !r) return fatal(r.error().message);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& e, int sig) {
        if (e) return;
        spdlog::info("received signal {}, shutting down", sig);
        admin_listener.stop();
        ldap_server.stop();
        mail_service.stop();
        if (eas_listener) eas_listener->stop();
        io.stop();
    });

    spdlog::info("Switchboard {} ready: store {} ({}), admin socket {}", SWITCHBOARD_VERSION,
                 cfg.store.backend, cfg.store.backend == "sqlite" ? cfg.store.path : "postgresql",
                 cfg.admin_socket);
    spdlog::info("tls: certificate {} (SHA-256 {}){}", cert, *fingerprint,
                 ca.empty() ? "" : ", clients trust " + ca);
    if (options.demo) {
        std::printf("\n%s", demo_text.c_str());
        // Wildcard listeners are reached on the loopback name; the port is what was bound.
        auto port_of = [](const std::string& address) {
            auto colon = address.rfind(':');
            return colon == std::string::npos ? address : address.substr(colon + 1);
        };
        const std::string cli =
            cfg.source.empty() ? "build/switchboard" : "build/switchboard --config " + cfg.source;
        std::printf("Admin CLI:    %s prov gaa\n", cli.c_str());
        if (!ldap_server.ldaps_address().empty())
            std::printf(
                "Address book: %sldapsearch -H ldaps://localhost:%s -x -D john@example.com -w "
                "john-mobile-2026 -b '' '(cn=*)' cn mail\n",
                ca.empty() ? "" : ("LDAPTLS_CACERT=" + ca + " ").c_str(),
                port_of(ldap_server.ldaps_address()).c_str());
        if (services.runtime["listeners"].contains("eas"))
            std::printf(
                "ActiveSync:   server localhost:%s, user john@example.com, password "
                "john-mobile-2026%s\n",
                port_of(services.runtime["listeners"]["eas"].get<std::string>()).c_str(),
                ca.empty() ? "" : (" (phones must trust " + ca + ")").c_str());
        std::printf("Stop with Ctrl-C.\n\n");
        std::fflush(stdout);
    }

    dirsync.start();
    unsigned threads = std::max(2u, std::thread::hardware_concurrency());
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i)
        pool.emplace_back([&] { io.run(); });
    // The demo's Dovecot and Postfix start once the listeners answer: Postfix asks Switchboard
    // where the welcome messages go.
    std::unique_ptr<mail::PrivateMailStack> demo_stack;
    std::thread demo_thread;
    if (demo_mail)
        demo_thread = std::thread([&] {
            auto stack = start_demo_mail(cfg, mail_service.wiring(), cert, key);
            if (!stack) {
                spdlog::error("demo mail: {}", stack.error().message);
                return;
            }
            demo_stack = std::move(*stack);
            spdlog::info("demo mail: Dovecot and Postfix are ready");
        });
    io.run();
    for (auto& t : pool)
        t.join();
    if (demo_thread.joinable()) demo_thread.join();
    if (demo_stack) demo_stack->stop();
    dirsync.stop();
    // Subscribers (authenticator, Ping hub, address book) go out of scope below the store.
    (*db)->unsubscribe_all();
    spdlog::info("Switchboard stopped");
    return 0;
}

}  // namespace sb::server
