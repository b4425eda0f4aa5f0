#pragma once
// Server configuration, read from a TOML file. Every key has an embedded default so the server
// runs without any file (SQLite in ./data, self-signed certificate, ports 8636/8389/8443).
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace sb::config {

struct Endpoint {
    std::string host;   // address to bind; "0.0.0.0", "::", "127.0.0.1"
    uint16_t port = 0;  // 0 = ephemeral (tests)
    bool enabled = true;
    std::string to_string() const;
};

struct StoreConfig {
    std::string backend = "sqlite";  // "sqlite" | "postgresql"
    std::string path;                // sqlite database file (absolute after load)
    std::string url;                 // postgresql connection string
};

struct TlsConfig {
    std::string cert_file;  // empty: generated self-signed pair under data_dir/tls
    std::string key_file;
    std::string ca_file;                 // shown to clients that must trust a generated CA
    std::vector<std::string> hostnames;  // names for the generated certificate
};

struct LdapConfig {
    Endpoint ldaps{"0.0.0.0", 8636};
    Endpoint ldap{"0.0.0.0", 8389};
    bool allow_cleartext_bind = false;
    uint32_t max_size_limit = 1000;         // caps the client's sizeLimit
    uint32_t max_time_limit = 60;           // seconds; caps the client's timeLimit
    std::string gal_label = "InternalGAL";  // "<gal_label>/<domain>"
    std::string label_attribute = "physicalDeliveryOfficeName";
    std::string naming_context = "o=switchboard";  // the DN every address-book entry is under
    uint32_t max_connections = 4096;
    uint32_t idle_timeout = 900;  // seconds
};

struct EasConfig {
    Endpoint https{"0.0.0.0", 8443};
    uint32_t max_body_bytes = 32 * 1024 * 1024;
    uint32_t max_connections = 20000;
    uint32_t min_heartbeat = 60;  // seconds; shorter Ping intervals get Status 5 (tests lower it)
    uint32_t workers = 4;         // threads running EAS commands
    uint32_t max_queue = 512;     // requests waiting for or running on a worker; beyond it: 503
    uint32_t idle_timeout = 120;  // seconds between two requests on one connection
};

// Mail (Dovecot + Postfix): where Switchboard finds them, and its listeners for them.
struct MailConfig {
    Endpoint imap{"127.0.0.1", 143};        // Dovecot's IMAP
    Endpoint lmtp{"127.0.0.1", 24};         // Dovecot's LMTP
    Endpoint submission{"127.0.0.1", 587};  // Postfix's submission service
    // Listeners. auth: Dovecot's passdb/userdb (a unix socket path, absolute after load, or
    // host:port); socketmap: Postfix's lookup tables; events: Dovecot's push events.
    std::string auth_listen = "dovecot-auth.sock";
    bool auth_enabled = true;
    Endpoint socketmap_listen{"127.0.0.1", 7025};
    Endpoint events_listen{"127.0.0.1", 7026};
    std::string mail_root = "/var/vmail";  // homes are <mail_root>/<account uuid>
    std::string mail_user;                 // owner of the mail files ("" = Dovecot's mail_uid)
    uint32_t auth_threads = 4;             // threads checking Dovecot's logins
};

// `serve --demo`: its private Dovecot and Postfix listen on mail_port_base + 143 (IMAP), + 110
// (POP3), + 25 (SMTP), + 587 (submission), + 24 (LMTP) and + 12 (Postfix's SASL link).
struct DemoConfig {
    uint32_t mail_port_base = 10000;
};

struct Config {
    std::string source;    // file the config came from, empty for defaults
    std::string data_dir;  // absolute
    std::string log_level = "info";
    std::string log_file;      // empty: stderr
    std::string admin_socket;  // absolute
    StoreConfig store;
    TlsConfig tls;
    LdapConfig ldap;
    EasConfig eas;
    MailConfig mail;
    DemoConfig demo;
};

// Whether a listener setting is "host:port" (else it is a unix socket path).
bool is_host_port(const std::string& s);

// Loads a TOML file; an error names the offending key and the reason.
Result<Config> load_file(const std::string& path);
// Parses TOML text (file name only used in messages); relative paths resolve against base_dir.
Result<Config> load_string(const std::string& text, const std::string& name,
                           const std::string& base_dir);
// The embedded defaults, with data_dir relative to base_dir.
Config defaults(const std::string& base_dir);

// The config the CLI and server use: --config FILE, else $SWITCHBOARD_CONFIG, else defaults.
Result<Config> resolve(const std::string& cli_path);

}  // namespace sb::config
