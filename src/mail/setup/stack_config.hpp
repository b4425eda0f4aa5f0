#pragma once
// Configuration for Dovecot and Postfix that wires them to Switchboard. One generator serves
// both uses:
//  - snippets an admin adds to an existing Dovecot / Postfix (`switchboard mail config ...`);
//  - complete private instances (tests, the demo) that include those same snippets verbatim,
//    so what the tests run is what admins install.
#include <string>
#include <vector>

namespace sb::mail {

struct GeneratedFile {
    std::string name;  // file name, relative to the instance or config directory
    std::string content;
    int mode = 0644;
};

// What the snippets point at.
struct Wiring {
    std::string auth;       // Switchboard's passdb/userdb listener: "/path.sock" or "host:port"
    std::string events;     // Switchboard's push-event listener, "host:port" or "/path.sock"
    std::string socketmap;  // Switchboard's lookup-table listener, "host:port"
    std::string lmtp;       // Dovecot's LMTP, "host:port" (Postfix delivers there)
    std::string dovecot_dir = "/etc/dovecot";  // where the admin puts the Lua scripts
    // Postfix's smtpd_sasl_path: "private/auth" (a socket Dovecot makes in Postfix's queue) or
    // "inet:host:port" (Dovecot's auth service on a TCP port).
    std::string sasl = "private/auth";
    std::string submission;  // Postfix's submission service, "host:port"
};

// A private Dovecot + Postfix pair, everything under `dir`, on loopback ports (root only:
// Dovecot runs its mail processes as `mail_user`, Postfix as postfix).
struct PrivateStack {
    std::string dir;
    std::string imap;                       // "host:port" (STARTTLS)
    std::string pop3;                       // "" = none
    std::string smtp;                       // inbound smtpd, "host:port"
    std::string sasl_port;                  // Dovecot's auth service for Postfix (TCP port)
    std::string cert_file, key_file;        // TLS for IMAP, POP3, SMTP
    std::string mail_user = "nobody";       // owner of the mail files
    std::string name = "switchboard-mail";  // Dovecot instance name
};

// Snippets for an existing installation.
std::vector<GeneratedFile> dovecot_snippet(const Wiring& w);
std::vector<GeneratedFile> postfix_snippet(const Wiring& w);

// Complete configurations of a private instance (dovecot/..., postfix/...), including the
// snippets; `w.dovecot_dir` and `w.sasl` are set from `p`.
std::vector<GeneratedFile> private_dovecot(Wiring w, const PrivateStack& p);
std::vector<GeneratedFile> private_postfix(Wiring w, const PrivateStack& p);

// "host:port" → {host, port} (IPv6 hosts in brackets).
std::pair<std::string, std::string> split_host_port(const std::string& endpoint);

}  // namespace sb::mail
