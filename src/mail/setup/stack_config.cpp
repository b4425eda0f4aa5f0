#include "mail/setup/stack_config.hpp"

#include <fmt/format.h>

#include "mail/setup/lua_scripts.hpp"

namespace sb::mail {

std::pair<std::string, std::string> split_host_port(const std::string& endpoint) {
    auto colon = endpoint.rfind(':');
    if (colon == std::string::npos) return {endpoint, ""};
    std::string host = endpoint.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    return {host, endpoint.substr(colon + 1)};
}

namespace {

std::string socketmap(const Wiring& w, const char* table) {
    const auto [host, port] = split_host_port(w.socketmap);
    return fmt::format("socketmap:inet:{}:{}:{}", host, port, table);
}

// main.cf lines for the lookup tables, delivery and SASL.
std::string postfix_main_lines(const Wiring& w) {
    const auto [lhost, lport] = split_host_port(w.lmtp);
    return fmt::format(
        "# Switchboard: addresses, delivery and logins (`switchboard mail config postfix`).\n"
        "# Every lookup asks Switchboard, so new accounts and aliases route mail at once.\n"
        "virtual_mailbox_domains = {}\n"
        "virtual_mailbox_maps = {}\n"
        "virtual_alias_maps = {}\n"
        "virtual_transport = lmtp:inet:{}:{}\n"
        "# Who may send as an address: its account, logged in with SASL (see master.cf).\n"
        "smtpd_sender_login_maps = {}\n"
        "# SASL logins are checked by Dovecot, which asks Switchboard.\n"
        "smtpd_sasl_type = dovecot\n"
        "smtpd_sasl_path = {}\n"
        "smtpd_sasl_authenticated_header = no\n"
        "# Refuse unknown recipients at RCPT, not by bounce.\n"
        "smtpd_reject_unlisted_recipient = yes\n",
        socketmap(w, "domains"), socketmap(w, "mailboxes"), socketmap(w, "aliases"), lhost, lport,
        socketmap(w, "senders"), w.sasl);
}

// The submission service: SASL over TLS only; a logged-in user sends only as their addresses.
std::string postfix_submission_service(const std::string& address) {
    return fmt::format(
        "{} inet n - n - - smtpd\n"
        "  -o syslog_name=postfix/submission\n"
        "  -o smtpd_tls_security_level=encrypt\n"
        "  -o smtpd_tls_auth_only=yes\n"
        "  -o smtpd_sasl_auth_enable=yes\n"
        "  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n"
        "  -o smtpd_helo_restrictions=\n"
        "  -o smtpd_sender_restrictions=reject_sender_login_mismatch,permit_sasl_authenticated,"
        "reject\n"
        "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n"
        "  -o smtpd_recipient_restrictions=\n",
        address);
}

std::string dovecot_main(const Wiring& w) {
    return fmt::format(
        "# Switchboard: accounts, passwords and push events (`switchboard mail config dovecot`).\n"
        "# Logins (IMAP, POP3, and SMTP through Postfix) and userdb lookups are answered by\n"
        "# Switchboard; its own access to mailboxes logs in as \"user*master\".\n"
        "auth_master_user_separator = *\n"
        "auth_mechanisms = plain login\n"
        "# No auth cache: a locked account or a changed password takes effect at once\n"
        "# (Switchboard caches successful checks itself and drops them on every change).\n"
        "auth_cache_size = 0\n"
        "passdb {{\n"
        "  driver = lua\n"
        "  master = yes\n"
        "  args = file={dir}/switchboard-auth.lua blocking=yes\n"
        "}}\n"
        "passdb {{\n"
        "  driver = lua\n"
        "  args = file={dir}/switchboard-auth.lua blocking=yes\n"
        "}}\n"
        "userdb {{\n"
        "  driver = lua\n"
        "  args = file={dir}/switchboard-auth.lua blocking=yes\n"
        "}}\n"
        "# Mailboxes are homes named by the account's immutable id (the userdb answers home=).\n"
        "mail_location = maildir:~/Maildir\n"
        "# mail_lua must come before push_notification_lua, or the Lua driver does not load.\n"
        "mail_plugins = $mail_plugins mail_lua notify push_notification push_notification_lua\n"
        "plugin {{\n"
        "  push_notification_driver = lua:file={dir}/switchboard-push.lua\n"
        "}}\n",
        fmt::arg("dir", w.dovecot_dir));
}

// The private instance's paths, protocols, TLS, users and login behaviour.
std::string private_dovecot_settings(const std::string& dir, const PrivateStack& p,
                                     const std::string& ihost) {
    return fmt::format(
        "# A private Dovecot for Switchboard (tests, demo): generated, do not edit.\n"
        "base_dir = {dir}/run\n"
        "state_dir = {dir}/state\n"
        "log_path = {dir}/dovecot.log\n"
        "instance_name = {name}\n"
        "protocols = {protocols}\n"
        "listen = {ihost}\n"
        "ssl = yes\n"
        "ssl_cert = <{cert}\n"
        "ssl_key = <{key}\n"
        "ssl_min_protocol = TLSv1.2\n"
        "default_internal_user = dovecot\n"
        "default_login_user = dovenull\n"
        "mail_uid = {user}\n"
        "mail_gid = {group}\n"
        "first_valid_uid = 1\n"
        "mail_privileged_group =\n"
        "lmtp_save_to_detail_mailbox = no\n"
        "# Switchboard throttles failed logins itself (per account and client address); Dovecot's\n"
        "# fixed delay after each failure would only slow the tests down.\n"
        "auth_failure_delay = 0\n",
        fmt::arg("dir", dir), fmt::arg("name", p.name),
        fmt::arg("protocols", p.pop3.empty() ? "imap lmtp" : "imap lmtp pop3"),
        fmt::arg("ihost", ihost), fmt::arg("cert", p.cert_file), fmt::arg("key", p.key_file),
        fmt::arg("user", p.mail_user),
        fmt::arg("group", p.mail_user == "nobody" ? "nogroup" : p.mail_user));
}

std::string private_dovecot_namespace() {
    return "namespace inbox {\n"
           "  inbox = yes\n"
           "  mailbox Drafts {\n    special_use = \\Drafts\n    auto = subscribe\n  }\n"
           "  mailbox Sent {\n    special_use = \\Sent\n    auto = subscribe\n  }\n"
           "  mailbox Trash {\n    special_use = \\Trash\n    auto = subscribe\n  }\n"
           "  mailbox Junk {\n    special_use = \\Junk\n    auto = subscribe\n  }\n"
           "}\n";
}

// POP3 on its configured address, when there is one.
std::string private_dovecot_pop3(const PrivateStack& p) {
    if (p.pop3.empty()) return "";
    const auto [phost, pport] = split_host_port(p.pop3);
    return fmt::format(
        "service pop3-login {{\n"
        "  inet_listener pop3 {{\n    address = {}\n    port = {}\n  }}\n"
        "  inet_listener pop3s {{\n    port = 0\n  }}\n"
        "}}\n",
        phost, pport);
}

std::string private_dovecot_services(const Wiring& w, const PrivateStack& p,
                                     const std::string& ihost, const std::string& iport) {
    const auto [lhost, lport] = split_host_port(w.lmtp);
    return fmt::format(
        "# Login processes in high-performance mode (each serves many connections) and imap\n"
        "# processes reused across sessions: a fork and exec per login would cap the logins/s.\n"
        "service imap-login {{\n"
        "  inet_listener imap {{\n    address = {ihost}\n    port = {iport}\n  }}\n"
        "  inet_listener imaps {{\n    port = 0\n  }}\n"
        "  service_count = 0\n"
        "  process_min_avail = 2\n"
        "}}\n"
        "service imap {{\n"
        "  service_count = 100\n"
        "  process_min_avail = 2\n"
        "}}\n"
        "{pop3}"
        "service lmtp {{\n"
        "  inet_listener lmtp {{\n    address = {lhost}\n    port = {lport}\n  }}\n"
        "  unix_listener lmtp {{\n    mode = 0600\n  }}\n"
        "}}\n"
        "# Postfix's SASL (smtpd_sasl_path = inet:{ihost}:{sport}).\n"
        "service auth {{\n"
        "  inet_listener sasl {{\n    address = {ihost}\n    port = {sport}\n  }}\n"
        "}}\n"
        "# Dovecot's per-address auth penalty (anvil) delays the next login after a failure; the\n"
        "# throttle of Switchboard decides instead (mode 0 disables the penalty socket).\n"
        "service anvil {{\n"
        "  unix_listener anvil-auth-penalty {{\n    mode = 0\n  }}\n"
        "}}\n"
        "service stats {{\n"
        "  unix_listener stats-reader {{\n    mode = 0600\n  }}\n"
        "  unix_listener stats-writer {{\n    mode = 0666\n  }}\n"
        "}}\n",
        fmt::arg("ihost", ihost), fmt::arg("iport", iport),
        fmt::arg("pop3", private_dovecot_pop3(p)), fmt::arg("lhost", lhost),
        fmt::arg("lport", lport), fmt::arg("sport", p.sasl_port));
}

}  // namespace

std::vector<GeneratedFile> dovecot_snippet(const Wiring& w) {
    return {
        {"conf.d/90-switchboard.conf", dovecot_main(w), 0644},
        // Apart, so a private instance (which includes the file above) never touches Postfix's
        // queue directory.
        {"conf.d/91-switchboard-postfix-sasl.conf",
         "# Postfix's SASL (smtpd_sasl_type = dovecot, smtpd_sasl_path = private/auth): SMTP\n"
         "# logins go through the passdb of 90-switchboard.conf.\n"
         "service auth {\n"
         "  unix_listener /var/spool/postfix/private/auth {\n"
         "    mode = 0660\n"
         "    user = postfix\n"
         "    group = postfix\n"
         "  }\n"
         "}\n",
         0644},
        // Holds no secret; Dovecot's auth process (default_internal_user) reads it.
        {"switchboard-auth.lua", dovecot_auth_lua(w.auth), 0644},
        {"switchboard-push.lua", dovecot_push_lua(w.events), 0644},
    };
}

std::vector<GeneratedFile> postfix_snippet(const Wiring& w) {
    return {
        {"main.cf", postfix_main_lines(w), 0644},
        {"master.cf",
         "# Switchboard: mail submission (port 587) with SASL through Dovecot.\n" +
             postfix_submission_service(w.submission),
         0644},
    };
}

std::vector<GeneratedFile> private_dovecot(Wiring w, const PrivateStack& p) {
    const std::string dir = p.dir + "/dovecot";
    w.dovecot_dir = dir;
    const auto [ihost, iport] = split_host_port(p.imap);
    std::string conf = private_dovecot_settings(dir, p, ihost) + private_dovecot_namespace() +
                       private_dovecot_services(w, p, ihost, iport) +
                       fmt::format("!include {}/conf.d/90-switchboard.conf\n", dir);
    auto files = dovecot_snippet(w);
    for (auto& f : files)
        f.name = "dovecot/" + f.name;
    files.insert(files.begin(), GeneratedFile{"dovecot/dovecot.conf", std::move(conf), 0644});
    return files;
}

std::vector<GeneratedFile> private_postfix(Wiring w, const PrivateStack& p) {
    const std::string dir = p.dir + "/postfix";
    const auto [ihost, iport] = split_host_port(p.imap);
    w.sasl = fmt::format("inet:{}:{}", ihost, p.sasl_port);
    std::string main = fmt::format(
        "# A private Postfix for Switchboard (tests, demo): generated, do not edit.\n"
        "compatibility_level = 3.6\n"
        "queue_directory = {dir}/queue\n"
        "data_directory = {dir}/data\n"
        "mail_owner = postfix\n"
        "myhostname = localhost\n"
        "mydomain = localdomain\n"
        "mydestination =\n"
        "inet_interfaces = {ihost}\n"
        "inet_protocols = ipv4\n"
        "mynetworks = {ihost}/32\n"
        "maillog_file = {dir}/postfix.log\n"
        "maillog_file_prefixes = {dir}\n"
        "smtputf8_enable = no\n"
        "biff = no\n"
        "alias_maps =\n"
        "alias_database =\n"
        "# Nothing leaves this instance: mail for other domains is refused.\n"
        "default_transport = error:this private instance delivers only to its own domains\n"
        "relay_transport = error:this private instance delivers only to its own domains\n"
        "smtpd_relay_restrictions = reject_unauth_destination\n"
        "smtpd_tls_cert_file = {cert}\n"
        "smtpd_tls_key_file = {key}\n"
        "smtpd_tls_security_level = may\n"
        "smtpd_tls_mandatory_protocols = >=TLSv1.2\n"
        "smtpd_tls_protocols = >=TLSv1.2\n"
        "{snippet}",
        fmt::arg("dir", dir), fmt::arg("ihost", ihost), fmt::arg("cert", p.cert_file),
        fmt::arg("key", p.key_file), fmt::arg("snippet", postfix_main_lines(w)));
    std::string master = fmt::format(
        "# A private Postfix for Switchboard (tests, demo): generated, do not edit.\n"
        "{smtp} inet n - n - - smtpd\n"
        "{submission}"
        "pickup    unix  n       -       n       60      1       pickup\n"
        "cleanup   unix  n       -       n       -       0       cleanup\n"
        "qmgr      unix  n       -       n       300     1       qmgr\n"
        "tlsmgr    unix  -       -       n       1000?   1       tlsmgr\n"
        "rewrite   unix  -       -       n       -       -       trivial-rewrite\n"
        "bounce    unix  -       -       n       -       0       bounce\n"
        "defer     unix  -       -       n       -       0       bounce\n"
        "trace     unix  -       -       n       -       0       bounce\n"
        "verify    unix  -       -       n       -       1       verify\n"
        "flush     unix  n       -       n       1000?   0       flush\n"
        "proxymap  unix  -       -       n       -       -       proxymap\n"
        "proxywrite unix -       -       n       -       1       proxymap\n"
        "smtp      unix  -       -       n       -       -       smtp\n"
        "relay     unix  -       -       n       -       -       smtp\n"
        "showq     unix  n       -       n       -       -       showq\n"
        "error     unix  -       -       n       -       -       error\n"
        "retry     unix  -       -       n       -       -       error\n"
        "discard   unix  -       -       n       -       -       discard\n"
        "lmtp      unix  -       -       n       -       -       lmtp\n"
        "anvil     unix  -       -       n       -       1       anvil\n"
        "scache    unix  -       -       n       -       1       scache\n"
        "postlog   unix-dgram n  -       n       -       1       postlogd\n",
        fmt::arg("smtp", p.smtp), fmt::arg("submission", postfix_submission_service(w.submission)));
    return {{"postfix/main.cf", std::move(main), 0644},
            {"postfix/master.cf", std::move(master), 0644}};
}

}  // namespace sb::mail
