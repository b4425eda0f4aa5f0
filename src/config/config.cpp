#include "config/config.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace sb::config {
namespace fs = std::filesystem;

std::string Endpoint::to_string() const {
    if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
    return fmt::format("{}:{}", host, port);
}

namespace {

std::string absolute_from(const std::string& base, const std::string& p) {
    if (p.empty()) return p;
    fs::path path(p);
    if (path.is_absolute()) return path.lexically_normal().string();
    return (fs::path(base) / path).lexically_normal().string();
}

// Walks a TOML table, taking known keys and reporting the first unknown or mistyped one.
class Reader {
  public:
    Reader(const toml::table& t, std::string prefix) : table_(t), prefix_(std::move(prefix)) {}

    Result<void> str(const char* key, std::string& out) {
        return take(
            key,
            [&](const toml::node& n) -> bool {
                if (auto v = n.value<std::string>()) return out = *v, true;
                return false;
            },
            "a string");
    }
    Result<void> boolean(const char* key, bool& out) {
        return take(
            key,
            [&](const toml::node& n) -> bool {
                if (auto v = n.value<bool>()) return out = *v, true;
                return false;
            },
            "true or false");
    }
    Result<void> uint(const char* key, uint32_t& out, uint32_t min, uint32_t max) {
        return take(
            key,
            [&](const toml::node& n) -> bool {
                auto v = n.value<int64_t>();
                if (!v || *v < min || *v > max) return false;
                out = static_cast<uint32_t>(*v);
                return true;
            },
            fmt::format("an integer from {} to {}", min, max));
    }
    Result<void> strings(const char* key, std::vector<std::string>& out) {
        return take(
            key,
            [&](const toml::node& n) -> bool {
                auto* arr = n.as_array();
                if (!arr) return false;
                std::vector<std::string> v;
                for (auto& e : *arr) {
                    auto s = e.value<std::string>();
                    if (!s) return false;
                    v.push_back(*s);
                }
                out = std::move(v);
                return true;
            },
            "an array of strings");
    }
    // "host:port", "[v6]:port", ":port" or "" / "off" (disabled).
    Result<void> endpoint(const char* key, Endpoint& out) {
        std::string text;
        bool present = table_.contains(key);
        SB_TRY(str(key, text));
        if (!present) return {};
        if (text.empty() || text == "off" || text == "disabled") {
            out.enabled = false;
            return {};
        }
        auto colon = text.rfind(':');
        if (colon == std::string::npos)
            return bad(key, "\"host:port\" (e.g. \"0.0.0.0:8636\") or \"off\"");
        std::string host = text.substr(0, colon);
        std::string port = text.substr(colon + 1);
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2);
        if (host.empty()) host = "0.0.0.0";
        char* end = nullptr;
        long p = std::strtol(port.c_str(), &end, 10);
        if (port.empty() || *end || p < 0 || p > 65535)
            return bad(key, "a port from 0 to 65535 after the ':'");
        out = Endpoint{host, static_cast<uint16_t>(p), true};
        return {};
    }
    Result<const toml::table*> sub(const char* key) {
        seen_.insert(key);
        auto* n = table_.get(key);
        if (!n) return nullptr;
        if (!n->is_table()) return bad(key, "a table");
        return n->as_table();
    }
    Result<void> done() const {
        for (auto& [k, v] : table_) {
            if (!seen_.count(std::string(k.str())))
                return fail(Errc::invalid_argument,
                            fmt::format("unknown configuration key '{}{}'", prefix_, k.str()));
        }
        return {};
    }
    std::string name(const char* key) const { return prefix_ + key; }

  private:
    template <class F>
    Result<void> take(const char* key, F&& f, std::string_view expected) {
        seen_.insert(key);
        auto* n = table_.get(key);
        if (!n) return {};
        if (!f(*n)) return bad(key, expected);
        return {};
    }
    tl::unexpected<Error> bad(const char* key, std::string_view expected) const {
        return fail(Errc::invalid_argument,
                    fmt::format("configuration key '{}{}' must be {}", prefix_, key, expected));
    }

    const toml::table& table_;
    std::string prefix_;
    std::set<std::string> seen_;
};

Result<void> read_section(Reader& top, const char* name, auto&& fn) {
    SB_TRY_ASSIGN(auto t, top.sub(name));
    if (!t) return {};
    Reader r(*t, std::string(name) + ".");
    SB_TRY(fn(r));
    return r.done();
}

Result<toml::table> parse_toml(const std::string& text, const std::string& name) {
    try {
        return toml::parse(text, name);
    } catch (const toml::parse_error& e) {
        return fail(Errc::parse_error, fmt::format("{}:{}:{}: {}", name, e.source().begin.line,
                                                   e.source().begin.column, e.description()));
    }
}

Result<void> read_top_level(Reader& top, Config& c) {
    SB_TRY(top.str("data_dir", c.data_dir));
    SB_TRY(top.str("log_level", c.log_level));
    SB_TRY(top.str("log_file", c.log_file));
    static const std::set<std::string> levels{"trace", "debug",    "info", "warn",
                                              "error", "critical", "off"};
    if (!levels.count(c.log_level))
        return fail(Errc::invalid_argument,
                    "configuration key 'log_level' must be one of trace, debug, info, warn, error, "
                    "critical, off");
    return {};
}

Result<void> read_store(Reader& r, StoreConfig& s) {
    SB_TRY(r.str("backend", s.backend));
    SB_TRY(r.str("path", s.path));
    SB_TRY(r.str("url", s.url));
    if (s.backend != "sqlite" && s.backend != "postgresql")
        return fail(Errc::invalid_argument,
                    "configuration key 'store.backend' must be \"sqlite\" or \"postgresql\"");
    if (s.backend == "postgresql" && s.url.empty())
        return fail(
            Errc::invalid_argument,
            "configuration key 'store.url' is required when store.backend is \"postgresql\"");
    return {};
}

Result<void> read_tls(Reader& r, TlsConfig& t) {
    SB_TRY(r.str("cert", t.cert_file));
    SB_TRY(r.str("key", t.key_file));
    SB_TRY(r.str("ca", t.ca_file));
    return r.strings("hostnames", t.hostnames);
}

Result<void> read_ldap(Reader& r, LdapConfig& l) {
    SB_TRY(r.endpoint("ldaps", l.ldaps));
    SB_TRY(r.endpoint("ldap", l.ldap));
    SB_TRY(r.boolean("allow_cleartext_bind", l.allow_cleartext_bind));
    SB_TRY(r.uint("max_size_limit", l.max_size_limit, 1, 10000000));
    SB_TRY(r.uint("max_time_limit", l.max_time_limit, 1, 3600));
    SB_TRY(r.str("gal_label", l.gal_label));
    SB_TRY(r.str("label_attribute", l.label_attribute));
    SB_TRY(r.str("naming_context", l.naming_context));
    SB_TRY(r.uint("max_connections", l.max_connections, 1, 1000000));
    return r.uint("idle_timeout", l.idle_timeout, 1, 86400);
}

Result<void> read_eas(Reader& r, EasConfig& e) {
    SB_TRY(r.endpoint("https", e.https));
    SB_TRY(r.uint("max_body_bytes", e.max_body_bytes, 1024, 1024u * 1024 * 1024));
    SB_TRY(r.uint("max_connections", e.max_connections, 1, 1000000));
    SB_TRY(r.uint("min_heartbeat", e.min_heartbeat, 1, 3540));
    SB_TRY(r.uint("workers", e.workers, 1, 64));
    SB_TRY(r.uint("max_queue", e.max_queue, 1, 1000000));
    return r.uint("idle_timeout", e.idle_timeout, 5, 3600);
}

Result<void> read_mail(Reader& r, MailConfig& m) {
    SB_TRY(r.endpoint("imap", m.imap));
    SB_TRY(r.endpoint("lmtp", m.lmtp));
    SB_TRY(r.endpoint("submission", m.submission));
    SB_TRY(r.str("auth_listen", m.auth_listen));
    if (m.auth_listen.empty() || m.auth_listen == "off" || m.auth_listen == "disabled")
        m.auth_enabled = false;
    SB_TRY(r.endpoint("socketmap_listen", m.socketmap_listen));
    SB_TRY(r.endpoint("events_listen", m.events_listen));
    SB_TRY(r.str("mail_root", m.mail_root));
    SB_TRY(r.str("mail_user", m.mail_user));
    if (m.mail_root.empty() || m.mail_root.front() != '/')
        return fail(Errc::invalid_argument,
                    "configuration key 'mail.mail_root' must be an absolute path");
    return r.uint("auth_threads", m.auth_threads, 1, 64);
}

Result<void> finish(Config& c, const std::string& base_dir) {
    c.data_dir = absolute_from(base_dir, c.data_dir);
    auto in_data = [&](std::string& p, const char* def) {
        if (p.empty()) p = def;
        p = absolute_from(c.data_dir, p);
    };
    in_data(c.admin_socket, "admin.sock");
    if (c.store.backend == "sqlite") in_data(c.store.path, "switchboard.db");
    if (!c.tls.cert_file.empty()) c.tls.cert_file = absolute_from(base_dir, c.tls.cert_file);
    if (!c.tls.key_file.empty()) c.tls.key_file = absolute_from(base_dir, c.tls.key_file);
    if (!c.tls.ca_file.empty()) c.tls.ca_file = absolute_from(base_dir, c.tls.ca_file);
    if (c.tls.cert_file.empty() != c.tls.key_file.empty())
        return fail(Errc::invalid_argument,
                    "configuration keys 'tls.cert' and 'tls.key' must be given together");
    while (c.mail.mail_root.size() > 1 && c.mail.mail_root.back() == '/')
        c.mail.mail_root.pop_back();
    if (c.mail.auth_enabled && !is_host_port(c.mail.auth_listen)) {
        in_data(c.mail.auth_listen, "dovecot-auth.sock");
        if (c.mail.auth_listen.size() >= 108)
            return fail(Errc::invalid_argument,
                        fmt::format("configuration key 'mail.auth_listen': path too long for a "
                                    "unix socket ({} bytes, at most 107)",
                                    c.mail.auth_listen.size()));
    }
    if (c.admin_socket.size() >= 108)
        return fail(Errc::invalid_argument,
                    fmt::format("configuration key 'admin.socket': path too long for a unix socket "
                                "({} bytes, at most 107)",
                                c.admin_socket.size()));
    return {};
}

}  // namespace

bool is_host_port(const std::string& s) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos || colon + 1 == s.size() || s.front() == '/') return false;
    return s.find_first_not_of("0123456789", colon + 1) == std::string::npos;
}

Config defaults(const std::string& base_dir) {
    Config c;
    c.data_dir = "data";
    (void)finish(c, base_dir);
    return c;
}

Result<Config> load_string(const std::string& text, const std::string& name,
                           const std::string& base_dir) {
    SB_TRY_ASSIGN(auto root, parse_toml(text, name));
    Config c;
    c.data_dir = "data";
    Reader top(root, "");
    SB_TRY(read_top_level(top, c));
    SB_TRY(read_section(top, "admin", [&](Reader& r) { return r.str("socket", c.admin_socket); }));
    SB_TRY(read_section(top, "store", [&](Reader& r) { return read_store(r, c.store); }));
    SB_TRY(read_section(top, "tls", [&](Reader& r) { return read_tls(r, c.tls); }));
    SB_TRY(read_section(top, "ldap", [&](Reader& r) { return read_ldap(r, c.ldap); }));
    SB_TRY(read_section(top, "eas", [&](Reader& r) { return read_eas(r, c.eas); }));
    SB_TRY(read_section(top, "mail", [&](Reader& r) { return read_mail(r, c.mail); }));
    SB_TRY(read_section(top, "demo", [&](Reader& r) {
        return r.uint("mail_port_base", c.demo.mail_port_base, 1024, 64900);
    }));
    SB_TRY(top.done());
    SB_TRY(finish(c, base_dir));
    c.source = name;
    return c;
}

Result<Config> load_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail(Errc::io_error, fmt::format("cannot read configuration file {}: {}", path,
                                                std::strerror(errno)));
    std::stringstream ss;
    ss << in.rdbuf();
    auto base = fs::absolute(path).parent_path().string();
    return load_string(ss.str(), fs::absolute(path).string(), base);
}

Result<Config> resolve(const std::string& cli_path) {
    if (!cli_path.empty()) return load_file(cli_path);
    if (const char* env = std::getenv("SWITCHBOARD_CONFIG"); env && *env) return load_file(env);
    return defaults(fs::current_path().string());
}

}  // namespace sb::config
