// `switchboard mail ...`: the configuration Dovecot and Postfix need to use Switchboard, the
// state of the bridges, and the events Dovecot reported.
#include <fmt/format.h>

#include "admin/commands/common.hpp"
#include "admin/format.hpp"
#include "config/config.hpp"
#include "core/json.hpp"
#include "directory/directory.hpp"
#include "mail/push/mail_events.hpp"
#include "mail/setup/stack_config.hpp"

namespace sb::admin {
namespace {

Result<const mail::Wiring*> wiring(const Services& s) {
    if (!s.mail_wiring)
        return fail(Errc::unavailable, "the mail bridges are not running in this server");
    return s.mail_wiring;
}

Result<std::string> endpoint_option(const std::map<std::string, std::string>& o, const char* name) {
    auto it = o.find(name);
    if (it == o.end()) return std::string();
    if (!config::is_host_port(it->second))
        return fail(Errc::invalid_argument,
                    fmt::format("{} must be HOST:PORT, not '{}'", name, it->second));
    return it->second;
}

Result<Output> config_cmd(Services& s, const Call& c) {
    const std::string& product = c[0];
    if (product != "dovecot" && product != "postfix")
        return fail(Errc::invalid_argument,
                    fmt::format("unknown product '{}': dovecot or postfix", product));
    SB_TRY_ASSIGN(auto o, c.options(1, {"instance", "smtp", "pop3", "sasl", "mailUser",
                                        "dovecotDir", "saslPath"}));
    SB_TRY_ASSIGN(const mail::Wiring* wired, wiring(s));
    mail::Wiring w = *wired;
    if (w.auth.empty() || w.socketmap.empty() || w.events.empty())
        return fail(Errc::unavailable,
                    "a mail listener is off ([mail] auth_listen, socketmap_listen, "
                    "events_listen): Dovecot and Postfix could not reach Switchboard");
    if (auto it = o.find("dovecotDir"); it != o.end()) w.dovecot_dir = it->second;
    if (auto it = o.find("saslPath"); it != o.end()) w.sasl = it->second;

    std::vector<mail::GeneratedFile> files;
    auto instance = o.find("instance");
    if (instance == o.end()) {
        files = product == "dovecot" ? mail::dovecot_snippet(w) : mail::postfix_snippet(w);
    } else {
        mail::PrivateStack p;
        p.dir = instance->second;
        if (p.dir.empty() || p.dir.front() != '/')
            return fail(Errc::invalid_argument, "instance must be an absolute directory");
        p.imap = s.config->mail.imap.to_string();
        SB_TRY_ASSIGN(p.smtp, endpoint_option(o, "smtp"));
        SB_TRY_ASSIGN(p.pop3, endpoint_option(o, "pop3"));
        if (auto it = o.find("sasl"); it != o.end()) p.sasl_port = it->second;
        if (p.sasl_port.empty() || p.sasl_port.find_first_not_of("0123456789") != std::string::npos)
            return fail(
                Errc::invalid_argument,
                "a private instance needs 'sasl PORT' (Dovecot's auth service for Postfix)");
        if (product == "postfix" && p.smtp.empty())
            return fail(Errc::invalid_argument,
                        "a private Postfix needs 'smtp HOST:PORT' (its inbound SMTP service)");
        if (!s.config->mail.mail_user.empty()) p.mail_user = s.config->mail.mail_user;
        if (auto it = o.find("mailUser"); it != o.end()) p.mail_user = it->second;
        p.cert_file = s.runtime["tls"].value("certificate", "");
        p.key_file = s.runtime["tls"].value("key", "");
        files = product == "dovecot" ? mail::private_dovecot(w, p) : mail::private_postfix(w, p);
    }
    nlohmann::json list = nlohmann::json::array();
    std::string text;
    for (const auto& f : files) {
        list.push_back({{"name", f.name}, {"mode", f.mode}, {"content", f.content}});
        text += fmt::format("# ===== {} =====\n{}\n", f.name, f.content);
    }
    return text_output(text, {{"files", list}});
}

Result<Output> events_cmd(Services& s, const Call& c) {
    if (!s.mail_events)
        return fail(Errc::unavailable, "the mail bridges are not running in this server");
    int64_t account_id = 0;
    if (c.size() >= 1) {
        SB_TRY_ASSIGN(auto a, s.directory->account(c[0]));
        account_id = a.id;
    }
    nlohmann::json list = nlohmann::json::array();
    TextBlock t;
    for (const auto& e : s.mail_events->recent(account_id)) {
        std::string flags;
        for (const auto& f : e.flags)
            flags += (flags.empty() ? "" : " ") + f;
        list.push_back({{"seq", e.seq},
                        {"account", e.account},
                        {"kind", std::string(mail::kind_name(e.kind))},
                        {"mailbox", e.mailbox},
                        {"uid", e.uid},
                        {"uidValidity", e.uid_validity},
                        {"flags", flags},
                        {"received", utc_time_text(e.received_ms)}});
        t.row(std::to_string(e.seq),
              fmt::format("{} {} {} {} uid {}{}", utc_time_text(e.received_ms), e.account,
                          mail::kind_name(e.kind), e.mailbox, e.uid,
                          flags.empty() ? "" : " " + flags));
    }
    return text_output(list.empty() ? "no mail events received\n" : t.str(), {{"events", list}});
}

Result<Output> status_cmd(Services& s, const Call&) {
    if (!s.mail_status)
        return fail(Errc::unavailable, "the mail bridges are not running in this server");
    nlohmann::json j = s.mail_status();
    TextBlock t;
    for (auto& [k, v] : j.items()) {
        if (v.is_object()) {
            for (auto& [k2, v2] : v.items())
                t.row(k + "." + k2, v2.is_string() ? v2.get<std::string>() : json_text(v2));
        } else {
            t.row(k, v.is_string() ? v.get<std::string>() : json_text(v));
        }
    }
    return text_output(t.str(), j);
}

}  // namespace

void register_mail(CommandTable& t) {
    t.add({"mail",
           "config",
           "",
           "dovecot|postfix [instance DIR sasl PORT [smtp HOST:PORT] [pop3 HOST:PORT] [mailUser "
           "USER]] [dovecotDir DIR] [saslPath PATH]",
           "the configuration Dovecot or Postfix needs to use Switchboard (snippets, or a "
           "complete private instance under DIR)",
           1,
           {},
           config_cmd});
    t.add({"mail",
           "events",
           "",
           "[ACCOUNT]",
           "the last events Dovecot reported (new mail, flags, expunges, folders)",
           0,
           {},
           events_cmd});
    t.add(
        {"mail", "status", "", "", "the mail bridges' listeners and counters", 0, {}, status_cmd});
}

}  // namespace sb::admin
