#include "store/postgres/settings.hpp"

#include <libpq-fe.h>

#include <cctype>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "core/hex.hpp"

namespace sb::store::postgres {
namespace {

const char* const kOwnKeys[] = {"pool_size", "pool_timeout", "statement_timeout", "write_attempts"};

bool own_key(std::string_view k) {
    for (const char* o : kOwnKeys)
        if (k == o) return true;
    return false;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
            hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// RFC 3986-style URI (libpq 34.1.1.2): only the query string carries keys we may remove.
Result<std::string> split_uri(std::string_view url, std::map<std::string, std::string>& own) {
    size_t q = url.find('?');
    if (q == std::string_view::npos) return std::string(url);
    std::string kept(url.substr(0, q));
    char sep = '?';
    std::string_view query = url.substr(q + 1);
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (part.empty()) continue;
        size_t eq = part.find('=');
        std::string key = percent_decode(part.substr(0, eq));
        if (own_key(key)) {
            if (eq == std::string_view::npos)
                return fail(Errc::invalid_argument,
                            fmt::format("store.url: '{}' needs a value", key));
            own[key] = percent_decode(part.substr(eq + 1));
            continue;
        }
        kept += sep;
        kept.append(part);
        sep = '&';
    }
    return kept;
}

// Keyword/value form (libpq 34.1.1.1): key = value, value optionally single-quoted with
// backslash escapes.
Result<std::string> split_keywords(std::string_view s, std::map<std::string, std::string>& own) {
    std::string kept;
    size_t i = 0;
    auto skip_space = [&] {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
            ++i;
    };
    for (;;) {
        skip_space();
        if (i >= s.size()) break;
        size_t key_start = i;
        while (i < s.size() && s[i] != '=' && !std::isspace(static_cast<unsigned char>(s[i])))
            ++i;
        std::string key(s.substr(key_start, i - key_start));
        skip_space();
        if (i >= s.size() || s[i] != '=')
            return fail(Errc::invalid_argument,
                        fmt::format("store.url: missing '=' after '{}'", key));
        ++i;
        skip_space();
        std::string value;
        if (i < s.size() && s[i] == '\'') {
            ++i;
            bool closed = false;
            while (i < s.size()) {
                char c = s[i++];
                if (c == '\\' && i < s.size()) {
                    value += s[i++];
                } else if (c == '\'') {
                    closed = true;
                    break;
                } else {
                    value += c;
                }
            }
            if (!closed)
                return fail(Errc::invalid_argument,
                            fmt::format("store.url: unterminated quoted value of '{}'", key));
        } else {
            while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) {
                if (s[i] == '\\' && i + 1 < s.size()) ++i;
                value += s[i++];
            }
        }
        if (own_key(key)) {
            own[key] = value;
            continue;
        }
        std::string quoted;
        for (char c : value) {
            if (c == '\'' || c == '\\') quoted += '\\';
            quoted += c;
        }
        if (!kept.empty()) kept += ' ';
        kept += fmt::format("{}='{}'", key, quoted);
    }
    return kept;
}

Result<double> number(const std::map<std::string, std::string>& own, const char* key, double lo,
                      double hi, double fallback) {
    auto it = own.find(key);
    if (it == own.end()) return fallback;
    double v = 0;
    auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    if (ec != std::errc() || p != it->second.data() + it->second.size() || v < lo || v > hi)
        return fail(Errc::invalid_argument,
                    fmt::format("store.url: {} must be a number from {} to {}, not '{}'", key, lo,
                                hi, it->second));
    return v;
}

}  // namespace

Result<Settings> parse_settings(std::string_view url) {
    std::map<std::string, std::string> own;
    const bool uri = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
    SB_TRY_ASSIGN(auto conninfo, uri ? split_uri(url, own) : split_keywords(url, own));

    Settings s;
    s.conninfo = std::move(conninfo);
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(s.conninfo.c_str(), &err);
    if (!opts) {
        std::string msg = err ? err : "out of memory";
        PQfreemem(err);
        while (!msg.empty() && std::isspace(static_cast<unsigned char>(msg.back())))
            msg.pop_back();
        return fail(Errc::invalid_argument, fmt::format("store.url: {}", msg));
    }
    std::map<std::string, std::string> given;
    for (auto* o = opts; o->keyword; ++o)
        if (o->val && *o->val) given[o->keyword] = o->val;
    PQconninfoFree(opts);
    auto get = [&](const char* k, std::string fallback) {
        auto it = given.find(k);
        return it == given.end() ? fallback : it->second;
    };
    s.server = fmt::format("{}:{}/{}", get("host", get("hostaddr", "localhost")),
                           get("port", "5432"), get("dbname", get("user", "postgres")));
    if (auto it = given.find("connect_timeout"); it != given.end()) {
        // libpq: zero or negative waits forever; values below 2 count as 2.
        long v = std::strtol(it->second.c_str(), nullptr, 10);
        s.connect_timeout = v <= 0 ? std::chrono::milliseconds::max()
                                   : std::chrono::milliseconds(std::max(v, 2L) * 1000);
    }

    SB_TRY_ASSIGN(auto pool_size, number(own, "pool_size", 1, 1000, s.pool_size));
    s.pool_size = static_cast<int>(pool_size);
    SB_TRY_ASSIGN(auto pool_timeout, number(own, "pool_timeout", 0.001, 3600, 10));
    s.pool_timeout = std::chrono::milliseconds(static_cast<int64_t>(pool_timeout * 1000));
    SB_TRY_ASSIGN(auto attempts, number(own, "write_attempts", 1, 1000, s.write_attempts));
    s.write_attempts = static_cast<int>(attempts);
    if (auto it = own.find("statement_timeout"); it != own.end()) {
        // Passed to SET, so only a number with an optional unit (PostgreSQL 20.1.1).
        for (char c : it->second)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != ' ')
                return fail(Errc::invalid_argument,
                            fmt::format("store.url: statement_timeout must look like 30s, "
                                        "500ms or 0, not '{}'",
                                        it->second));
        if (it->second.empty())
            return fail(Errc::invalid_argument, "store.url: statement_timeout is empty");
        s.statement_timeout = it->second;
    }
    return s;
}

const ConnectDefaults& connect_defaults() {
    static const ConnectDefaults d = {
        {"connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
         "keepalives_count", "application_name"},
        {"10", "1", "30", "10", "3", "switchboard"},
    };
    return d;
}

}  // namespace sb::store::postgres
