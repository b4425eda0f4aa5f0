#include "dirsync/mapping.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <ctime>

#include <fmt/format.h>

#include "core/hex.hpp"
#include "core/utc_time.hpp"
#include "directory/attributes.hpp"
#include "directory/directory.hpp"

namespace sb::dirsync {

const std::vector<std::string>* Entry::values(std::string_view description) const {
    for (const auto& [name, vs] : attrs)
        if (iequals(name, description)) return &vs;
    return nullptr;
}

std::string Entry::first(std::string_view description) const {
    auto* vs = values(description);
    return vs && !vs->empty() ? vs->front() : std::string();
}

bool RootDse::supports_control(std::string_view oid) const {
    return std::find(supported_controls.begin(), supported_controls.end(), oid) !=
           supported_controls.end();
}

Mapping mapping_for(const SyncConfig& c, std::string_view domain, bool active_directory) {
    Mapping m;
    m.domain = to_lower(domain);
    m.user_name_attribute = c.user_name_attribute;
    m.local_part_only = c.local_part_only;
    m.full_name_attribute = c.full_name_attribute;
    m.email_attributes = c.email_attributes;
    m.primary_address = c.primary_address;
    m.id_attribute = !c.id_attribute.empty() ? c.id_attribute
                     : active_directory      ? "objectGUID"
                                             : "entryUUID";
    m.binary_id = iequals(m.id_attribute, "objectGUID");
    // Canonical account attribute names, resolved once (not for every entry of a listing);
    // displayName and cn come from full_name_attribute.
    for (const auto& am : c.attribute_map) {
        const auto* def = directory::find_attr(am.local);
        if (!def || def->name == "displayName" || def->name == "cn") continue;
        std::string local(def->name);
        if (std::any_of(m.attribute_map.begin(), m.attribute_map.end(),
                        [&](const AttributeMapping& x) { return x.local == local; }))
            continue;
        m.attribute_map.push_back({local, am.remote});
    }
    return m;
}

std::vector<std::string> user_attributes(const Mapping& m, std::string_view timestamp_attribute) {
    std::vector<std::string> out;
    auto add = [&](std::string_view a) {
        if (a.empty()) return;
        if (std::none_of(out.begin(), out.end(), [&](auto& o) { return iequals(o, a); }))
            out.emplace_back(a);
    };
    add(m.id_attribute);
    add(m.user_name_attribute);
    add(m.full_name_attribute);
    add("cn");
    for (auto& e : m.email_attributes)
        add(e);
    for (auto& am : m.attribute_map)
        add(am.remote);
    add("userAccountControl");
    add(timestamp_attribute);
    return out;
}

namespace {

bool prefix_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
}

// "SMTP:a@b" → {"SMTP", "a@b"}; nullopt when the value has no type prefix.
std::optional<std::pair<std::string_view, std::string_view>> typed_address(std::string_view v) {
    auto colon = v.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    auto at = v.find('@');
    if (at != std::string_view::npos && at < colon) return std::nullopt;
    for (size_t i = 0; i < colon; ++i)
        if (!prefix_char(v[i])) return std::nullopt;
    return std::make_pair(v.substr(0, colon), v.substr(colon + 1));
}

std::string address_domain(const std::string& a) {
    return a.substr(a.rfind('@') + 1);
}

void add_unique(std::vector<std::string>& list, std::string v) {
    if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(std::move(v));
}

bool printable(std::string_view v) {
    return std::all_of(v.begin(), v.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

tl::unexpected<Error> entry_error(const Entry& e, std::string_view message) {
    return fail(Errc::invalid_argument, fmt::format("entry {}: {}", e.dn, message));
}

Result<std::string> external_id_of(const Entry& e, const Mapping& m) {
    const auto* ids = e.values(m.id_attribute);
    if (!ids || ids->empty() || ids->front().empty())
        return entry_error(
            e, fmt::format("has no {} (the identity attribute, id_attribute)", m.id_attribute));
    const std::string& id = ids->front();
    if (m.binary_id) return id.size() == 16 ? guid_text(id) : to_hex(id);
    if (iequals(m.id_attribute, "entryUUID")) return to_lower(id);
    return printable(id) ? id : to_hex(id);
}

Result<std::string> user_name_of(const Entry& e, const Mapping& m) {
    const auto* names = e.values(m.user_name_attribute);
    if (!names || names->empty() || trim(names->front()).empty())
        return entry_error(e,
                           fmt::format("has no {} (the user-name attribute, user_name_attribute)",
                                       m.user_name_attribute));
    std::string name(trim(names->front()));
    if (!printable(name))
        return entry_error(e, fmt::format("{} contains control characters", m.user_name_attribute));
    return name;
}

// The account name: the user name with this domain unless it already names one.
Result<std::string> address_from_user_name(const Entry& e, const Mapping& m,
                                           const std::string& user_name) {
    std::string address;
    auto at = user_name.rfind('@');
    if (at == std::string::npos) {
        address = user_name + "@" + m.domain;
    } else if (m.local_part_only) {
        address = user_name.substr(0, at) + "@" + m.domain;
    } else {
        address = user_name;
        if (!iequals(address_domain(user_name), m.domain))
            return entry_error(e, fmt::format("{} '{}' is not in {}; set local_part_only TRUE to "
                                              "use '{}@{}'",
                                              m.user_name_attribute, user_name, m.domain,
                                              user_name.substr(0, at), m.domain));
    }
    auto normalized = directory::normalize_address(address);
    if (!normalized)
        return entry_error(
            e, fmt::format("{} '{}' does not make an address: {}", m.user_name_attribute, user_name,
                           normalized.error().message));
    return *normalized;
}

// E-mail addresses: the primary of the first attribute that has one, then every other.
EmailValues emails_of(const Entry& e, const Mapping& m) {
    EmailValues out;
    for (const auto& attr : m.email_attributes) {
        const auto* vs = e.values(attr);
        if (!vs) continue;
        auto parsed = parse_email_values(*vs);
        if (parsed.primary) {
            if (!out.primary)
                out.primary = parsed.primary;
            else
                out.others.push_back(*parsed.primary);
        }
        for (auto& o : parsed.others)
            out.others.push_back(o);
    }
    return out;
}

// The account's address and aliases, from the user name and the e-mail attributes.
void set_addresses(RemoteUser& u, const Mapping& m, const std::string& from_user_name,
                   const EmailValues& emails) {
    const auto& primary = emails.primary;
    u.address = from_user_name;
    if (m.primary_address == PrimaryAddress::email && primary) {
        auto p = directory::normalize_address(*primary);
        if (p && address_domain(*p) == m.domain) u.address = *p;
    }
    auto add_alias = [&](const std::string& a) {
        auto n = directory::normalize_address(a);
        if (!n || *n == u.address) return;
        add_unique(u.aliases, *n);
    };
    if (u.address != from_user_name) add_alias(from_user_name);
    if (primary) add_alias(*primary);
    for (const auto& a : emails.others)
        add_alias(a);
    // The user name is derived only when no e-mail attribute of the entry names it as well.
    if (u.address != from_user_name) {
        auto is_email = [&](const std::string& a) {
            auto n = directory::normalize_address(a);
            return n && *n == from_user_name;
        };
        if (!(primary && is_email(*primary)) &&
            std::none_of(emails.others.begin(), emails.others.end(), is_email))
            u.derived_alias = from_user_name;
    }
}

void set_attributes(RemoteUser& u, const Entry& e, const Mapping& m) {
    u.display_name = std::string(trim(e.first(m.full_name_attribute)));
    if (u.display_name.empty()) u.display_name = std::string(trim(e.first("cn")));
    if (!u.display_name.empty()) {
        u.attrs.emplace_back("displayName", u.display_name);
        u.attrs.emplace_back("cn", u.display_name);
    }
    for (const auto& am : m.attribute_map) {
        std::string v(trim(e.first(am.remote)));
        if (v.empty() || !printable(v) || v.size() > 4096) continue;
        u.attrs.emplace_back(am.local, std::move(v));
    }
}

}  // namespace

EmailValues parse_email_values(const std::vector<std::string>& values) {
    EmailValues out;
    for (const auto& raw : values) {
        std::string_view v = trim(raw);
        if (v.empty()) continue;
        if (auto typed = typed_address(v)) {
            auto [type, addr] = *typed;
            if (trim(addr).empty()) continue;
            // Exchange: upper-case "SMTP" is the primary (reply) address; "smtp" the others.
            if (type == "SMTP" && !out.primary)
                out.primary = to_lower(trim(addr));
            else if (iequals(type, "smtp"))
                out.others.push_back(to_lower(trim(addr)));
            continue;
        }
        if (!out.primary)
            out.primary = to_lower(v);
        else
            out.others.push_back(to_lower(v));
    }
    return out;
}

Result<RemoteUser> map_user(const Entry& e, const Mapping& m) {
    RemoteUser u;
    u.dn = e.dn;
    SB_TRY_ASSIGN(u.external_id, external_id_of(e, m));
    SB_TRY_ASSIGN(u.user_name, user_name_of(e, m));
    SB_TRY_ASSIGN(const auto from_user_name, address_from_user_name(e, m, u.user_name));
    set_addresses(u, m, from_user_name, emails_of(e, m));
    set_attributes(u, e, m);
    SB_TRY_ASSIGN(u.disabled, entry_disabled(e));
    u.modify_timestamp = e.first("modifyTimestamp");
    if (u.modify_timestamp.empty()) u.modify_timestamp = e.first("whenChanged");
    return u;
}

Result<bool> entry_disabled(const Entry& e) {
    const std::string raw = e.first("userAccountControl");
    if (trim(raw).empty()) return false;
    // A 32-bit flag word; Active Directory shows values with bit 31 set as negative numbers.
    const std::string_view uac = trim(raw);
    int64_t flags = 0;
    auto [end, ec] = std::from_chars(uac.data(), uac.data() + uac.size(), flags);
    if (ec != std::errc() || end != uac.data() + uac.size() || flags < INT32_MIN ||
        flags > static_cast<int64_t>(UINT32_MAX))
        return fail(
            Errc::invalid_argument,
            fmt::format("entry {}: {}", e.dn,
                        printable(uac)
                            ? fmt::format("userAccountControl '{}' is not a 32-bit number", uac)
                            : std::string("userAccountControl is not a 32-bit number")));
    return (static_cast<uint32_t>(flags) & kAccountDisable) != 0;
}

std::optional<ValueRange> parse_range(std::string_view description) {
    // Options are separated by ';'; find the one starting with "range=".
    size_t pos = 0;
    std::string_view base;
    std::string rest_options;
    auto semi = description.find(';');
    if (semi == std::string_view::npos) return std::nullopt;
    base = description.substr(0, semi);
    std::optional<std::string_view> range;
    pos = semi + 1;
    while (pos <= description.size()) {
        auto next = description.find(';', pos);
        auto opt = description.substr(
            pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
        if (opt.size() > 6 && iequals(opt.substr(0, 6), "range="))
            range = opt.substr(6);
        else
            rest_options += ";" + std::string(opt);
        if (next == std::string_view::npos) break;
        pos = next + 1;
    }
    if (!range) return std::nullopt;
    auto dash = range->find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto lo_text = range->substr(0, dash), hi_text = range->substr(dash + 1);
    ValueRange r;
    r.attribute = std::string(base) + rest_options;
    auto [p1, e1] = std::from_chars(lo_text.data(), lo_text.data() + lo_text.size(), r.low);
    if (e1 != std::errc() || p1 != lo_text.data() + lo_text.size() || lo_text.empty())
        return std::nullopt;
    if (hi_text != "*") {
        uint64_t hi = 0;
        auto [p2, e2] = std::from_chars(hi_text.data(), hi_text.data() + hi_text.size(), hi);
        if (e2 != std::errc() || p2 != hi_text.data() + hi_text.size() || hi_text.empty() ||
            hi < r.low)
            return std::nullopt;
        r.high = hi;
    }
    return r;
}

std::string range_request(std::string_view attribute, uint64_t low) {
    return fmt::format("{};range={}-*", attribute, low);
}

std::string guid_text(std::string_view b) {
    if (b.size() != 16) return to_hex(b);
    // The first three fields of a GUID are little-endian.
    const std::string canonical{b[3], b[2], b[1],  b[0],  b[5],  b[4],  b[7],  b[6],
                                b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]};
    return uuid_text(canonical);
}

std::optional<std::string> guid_bytes(std::string_view text) {
    std::string digits;
    for (char c : text) {
        if (c == '-' || c == '{' || c == '}') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
        digits += c;
    }
    if (digits.size() != 32) return std::nullopt;
    std::string raw(16, '\0');
    for (size_t i = 0; i < 16; ++i)
        raw[i] = static_cast<char>(std::stoi(digits.substr(i * 2, 2), nullptr, 16));
    // Undo the little-endian first three fields.
    std::string out = raw;
    const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (size_t i = 0; i < 16; ++i)
        out[i] = raw[order[i]];
    return out;
}

std::optional<int64_t> parse_generalized_time(std::string_view t) {
    // YYYYMMDDHHMMSS[.fraction]Z (RFC 4517 3.3.13, as directories write it for timestamps).
    if (t.size() < 15) return std::nullopt;
    for (size_t i = 0; i < 14; ++i)
        if (!std::isdigit(static_cast<unsigned char>(t[i]))) return std::nullopt;
    if (t.back() != 'Z' && t.back() != 'z') return std::nullopt;
    auto num = [&](size_t pos, size_t n) { return std::stoi(std::string(t.substr(pos, n))); };
    std::tm tm{};
    tm.tm_year = num(0, 4) - 1900;
    tm.tm_mon = num(4, 2) - 1;
    tm.tm_mday = num(6, 2);
    tm.tm_hour = num(8, 2);
    tm.tm_min = num(10, 2);
    tm.tm_sec = num(12, 2);
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return std::nullopt;
    return static_cast<int64_t>(timegm(&tm));
}

std::string format_generalized_time(int64_t seconds, bool active_directory) {
    if (!active_directory) return generalized_time(seconds);
    return format_utc(seconds, "%Y%m%d%H%M%S.0Z");
}

std::string dn_key(std::string_view dn) {
    std::string out;
    out.reserve(dn.size());
    bool escaped = false;
    for (size_t i = 0; i < dn.size(); ++i) {
        char c = dn[i];
        if (!escaped && (c == ',' || c == '=' || c == '+')) {
            while (!out.empty() && out.back() == ' ')
                out.pop_back();
            out += c;
            while (i + 1 < dn.size() && dn[i + 1] == ' ')
                ++i;
            continue;
        }
        escaped = !escaped && c == '\\';
        out += ascii_lower(c);
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    size_t start = 0;
    while (start < out.size() && out[start] == ' ')
        ++start;
    return out.substr(start);
}

}  // namespace sb::dirsync
