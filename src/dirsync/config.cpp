#include "dirsync/config.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "directory/attributes.hpp"
#include "dirsync/filter_text.hpp"

namespace sb::dirsync {
namespace {

constexpr int64_t kDay = 86400;

// Defaults follow MailStore's generic LDAP integration values; presets fill in its Active
// Directory and OpenLDAP samples.
constexpr KeyDef kKeys[] = {
    {"enabled", KeyType::boolean, "FALSE", "run on the schedule (manual runs work either way)"},
    {"server", KeyType::list, "",
     "directory servers, tried in order: host, host:port or ldap[s]://host[:port]"},
    {"protocol", KeyType::choice, "ldap",
     "ldap (port 389), starttls (LDAP-TLS, port 389) or ldaps (LDAP-SSL, port 636)", 0, 0,
     "ldap|starttls|ldaps"},
    {"ignore_certificate_errors", KeyType::boolean, "FALSE",
     "accept a certificate that does not verify (self-signed, wrong name): encryption without "
     "authentication"},
    {"ca_file", KeyType::text, "",
     "PEM file of the CA(s) that sign the directory's certificate (default: system CAs)"},
    {"bind_dn", KeyType::text, "",
     "administrative DN or user name (AD: user@example.com) used to read the directory"},
    {"bind_password", KeyType::secret, "", "password of bind_dn (never shown)"},
    {"base_dn", KeyType::dn, "",
     "where users and groups are searched (empty: the rootDSE's default naming context)"},
    {"user_filter", KeyType::filter, "(objectClass=person)", "LDAP filter selecting the users"},
    {"user_name_attribute", KeyType::attribute, "uid",
     "attribute with the user name, which becomes the account name (AD: userPrincipalName or "
     "sAMAccountName)"},
    {"local_part_only", KeyType::boolean, "FALSE",
     "use only the part before '@' of the user name and add this domain (AD UPNs of another "
     "domain)"},
    {"full_name_attribute", KeyType::attribute, "displayName",
     "attribute with the full name (falls back to cn)"},
    {"email_attributes", KeyType::list, "mail",
     "attributes with e-mail addresses (AD Exchange: proxyAddresses, SMTP: primary, smtp: "
     "aliases)"},
    {"primary_address", KeyType::choice, "user_name",
     "the account's primary address: user_name, or email (the primary e-mail address when in this "
     "domain)",
     0, 0, "user_name|email"},
    {"id_attribute", KeyType::attribute, "",
     "stable identity of an entry (empty: objectGUID on Active Directory, entryUUID elsewhere)"},
    {"attribute_map", KeyType::list,
     "givenName=givenName,sn=sn,initials=initials,telephoneNumber=telephoneNumber,mobile=mobile,"
     "homePhone=homePhone,pager=pager,facsimileTelephoneNumber=facsimileTelephoneNumber,title="
     "title,"
     "ou=department,company=company,physicalDeliveryOfficeName=physicalDeliveryOfficeName,street="
     "street,"
     "l=l,st=st,postalCode=postalCode,c=c,co=co",
     "account attribute = directory attribute, for the address book fields"},
    {"group_filter", KeyType::filter, "",
     "LDAP filter selecting the groups (empty: groups are not read)"},
    {"group_name_attribute", KeyType::attribute, "cn", "attribute with a group's name"},
    {"group_description_attribute", KeyType::attribute, "description",
     "attribute with a group's description"},
    {"group_members_attribute", KeyType::attribute, "member",
     "attribute with a group's members (member, uniqueMember: DNs; memberUid: names)"},
    {"member_search_filter", KeyType::filter, "",
     "filter that finds a member from a plain name, with {member} (empty: members are DNs)"},
    {"groups", KeyType::names, "",
     "sync only members of these groups (names or DNs; empty: every user of the filter)"},
    {"nested_groups", KeyType::boolean, "TRUE", "members of member groups count too"},
    {"delete_out_of_scope", KeyType::boolean, "FALSE",
     "also delete the accounts of users deleted or no longer in the filter or groups, after the "
     "grace period (they are locked at once either way)"},
    {"delete_threshold", KeyType::integer, "10",
     "a run that would lock or remove more than this percentage of the synced accounts as gone "
     "from the directory stops and reports",
     0, 100},
    {"delete_grace_period", KeyType::duration, "7d",
     "how long a removed user's account stays locked before deletion", 0, 3650 * kDay},
    {"reuse_account_of_deleted_user", KeyType::boolean, "FALSE",
     "a new directory identity (new objectGUID/entryUUID) with the address of an account whose "
     "identity is gone takes that account (mailbox, contacts, devices) over; FALSE: a conflict "
     "to settle with dirsync relink or dirsync retire"},
    {"login_check_interval", KeyType::duration, "5m",
     "how long a check of a linked user's directory entry at login counts: logins (mobile "
     "passwords too) are refused once the entry is gone or disabled",
     0, kDay},
    {"login_offline_grace", KeyType::duration, "4h",
     "while no directory server answers, a linked user last seen in the directory within this "
     "time may still log in with a mobile password (0: refused)",
     0, 30 * kDay},
    {"on_entry_error", KeyType::choice, "stop",
     "an entry that cannot be mapped (missing attribute): stop the run, or skip it (no removals "
     "then)",
     0, 0, "stop|skip"},
    {"default_cos", KeyType::text, "",
     "class of service of new accounts (empty: the domain's default)"},
    {"default_mobile_enabled", KeyType::choice, "",
     "mobile sync (ActiveSync, address book) for new accounts: TRUE, FALSE or empty (from the COS)",
     0, 0, "TRUE|FALSE"},
    {"interval", KeyType::duration, "1h", "time between scheduled runs", 60, 30 * kDay},
    {"full_sync_interval", KeyType::duration, "1d",
     "time between full runs (incremental runs in between)", 60, 365 * kDay},
    {"incremental", KeyType::choice, "auto",
     "incremental runs: auto (RFC 4533 when offered, else modifyTimestamp), sync, timestamp or off",
     0, 0, "auto|sync|timestamp|off"},
    {"page_size", KeyType::integer, "1000", "entries per page of a paged search", 1, 1000},
    {"network_timeout", KeyType::duration, "10s", "connecting to a server", 1, 600},
    {"search_timeout", KeyType::duration, "2m", "one search page or read", 1, 3600},
    {"login_timeout", KeyType::duration, "5s", "a login checked against the directory", 1, 120},
};

std::string canonical_key(std::string_view name) {
    std::string k = to_lower(trim(name));
    std::replace(k.begin(), k.end(), '-', '_');
    return k;
}

bool split_char(char c) {
    return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && split_char(text[i]))
            ++i;
        size_t start = i;
        while (i < text.size() && !split_char(text[i]))
            ++i;
        if (i > start) out.emplace_back(text.substr(start, i - start));
    }
    return out;
}

std::vector<std::string> lines(std::string_view text) {
    std::vector<std::string> out;
    for (auto& v : split(text, '\n'))
        if (!v.empty()) out.push_back(v);
    return out;
}

std::string join_lines(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values)
        out += (out.empty() ? "" : "\n") + v;
    return out;
}

Result<std::string> check_choice(const KeyDef& def, std::string_view value) {
    // Spellings admins know from MailStore's "Protocol" list (LDAP-TLS, LDAP-SSL).
    if (def.name == "protocol") {
        std::string v = to_lower(value);
        if (v == "ldap-tls" || v == "tls" || v == "ldap+tls" || v == "start_tls")
            return std::string("starttls");
        if (v == "ldap-ssl" || v == "ssl") return std::string("ldaps");
    }
    std::string_view rest = def.choices;
    while (!rest.empty()) {
        auto bar = rest.find('|');
        auto choice = rest.substr(0, bar);
        if (iequals(choice, value)) return std::string(choice);
        rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
    }
    std::string list(def.choices);
    std::replace(list.begin(), list.end(), '|', ',');
    return fail(Errc::invalid_argument,
                fmt::format("{} must be one of {}, not '{}'", def.name, list, value));
}

Result<std::string> check_server(std::string_view s) {
    std::string v(s);
    std::string_view rest = v;
    for (std::string_view scheme : {"ldap://", "ldaps://"})
        if (rest.size() >= scheme.size() && iequals(rest.substr(0, scheme.size()), scheme))
            rest.remove_prefix(scheme.size());
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.empty())
        return fail(Errc::invalid_argument, fmt::format("server '{}' has no host name", s));
    if (v.find("ldapi://") == 0)
        return fail(Errc::invalid_argument,
                    "server: ldapi:// (unix sockets) is not supported; give host:port");
    for (char c : rest)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
              c == '[' || c == ']' || c == '_'))
            return fail(
                Errc::invalid_argument,
                fmt::format("server '{}' is not host, host:port or ldap[s]://host[:port]", s));
    return v;
}

// Validates one value of a key; returns its canonical text.
Result<std::string> check_value(const KeyDef& def, std::string_view raw) {
    std::string_view value = def.type == KeyType::secret ? raw : trim(raw);
    if (value.size() > 16384)
        return fail(Errc::invalid_argument, fmt::format("{}: value too long", def.name));
    switch (def.type) {
        case KeyType::text:
        case KeyType::secret:
            for (char c : value)
                if (c == '\0' || c == '\n')
                    return fail(Errc::invalid_argument,
                                fmt::format("{}: control character in value", def.name));
            return std::string(value);
        case KeyType::boolean:
            if (iequals(value, "TRUE") || value == "1" || iequals(value, "yes") ||
                iequals(value, "enabled"))
                return std::string("TRUE");
            if (iequals(value, "FALSE") || value == "0" || iequals(value, "no") ||
                iequals(value, "disabled"))
                return std::string("FALSE");
            return fail(Errc::invalid_argument,
                        fmt::format("{} must be TRUE or FALSE, not '{}'", def.name, value));
        case KeyType::integer: {
            int64_t v = 0;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
            if (ec != std::errc() || p != value.data() + value.size())
                return fail(Errc::invalid_argument,
                            fmt::format("{} must be an integer, not '{}'", def.name, value));
            if (v < def.min || v > def.max)
                return fail(Errc::invalid_argument,
                            fmt::format("{} must be between {} and {}, not {}", def.name, def.min,
                                        def.max, v));
            return std::to_string(v);
        }
        case KeyType::duration: {
            auto d = parse_duration(value);
            if (!d)
                return fail(Errc::invalid_argument,
                            fmt::format("{}: {}", def.name, d.error().message));
            if (*d < def.min || *d > def.max)
                return fail(Errc::invalid_argument,
                            fmt::format("{} must be between {} and {}, not {}", def.name,
                                        format_duration(def.min), format_duration(def.max),
                                        format_duration(*d)));
            return format_duration(*d);
        }
        case KeyType::choice:
            return check_choice(def, value);
        case KeyType::filter: {
            auto f = normalize_filter(value);
            if (!f)
                return fail(Errc::invalid_argument,
                            fmt::format("{}: {}", def.name, f.error().message));
            if (def.name == "member_search_filter" && f->find("{member}") == std::string::npos)
                return fail(Errc::invalid_argument,
                            "member_search_filter must contain {member}, e.g. "
                            "(&(objectClass=posixAccount)(uid={member}))");
            return std::move(*f);
        }
        case KeyType::attribute:
            if (!valid_attribute(value))
                return fail(Errc::invalid_argument,
                            fmt::format("{}: '{}' is not an attribute name", def.name, value));
            return std::string(value);
        case KeyType::dn:
            for (char c : value)
                if (c == '\0' || c == '\n')
                    return fail(Errc::invalid_argument,
                                fmt::format("{}: control character in DN", def.name));
            if (value.find('=') == std::string_view::npos)
                return fail(
                    Errc::invalid_argument,
                    fmt::format("{}: '{}' is not a DN (e.g. dc=example,dc=com)", def.name, value));
            return std::string(value);
        case KeyType::list:
        case KeyType::names:
            return std::string(value);
    }
    return std::string(value);
}

// Checks every element of a list key and returns them in canonical form.
Result<std::vector<std::string>> check_list(const KeyDef& def,
                                            const std::vector<std::string>& items) {
    std::vector<std::string> out;
    for (const auto& item : items) {
        std::string v;
        if (def.name == "server") {
            SB_TRY_ASSIGN(auto s, check_server(item));
            v = s;
        } else if (def.name == "attribute_map") {
            auto eq = item.find('=');
            std::string local = eq == std::string::npos ? item : item.substr(0, eq);
            std::string remote = eq == std::string::npos ? item : item.substr(eq + 1);
            if (!valid_attribute(local) || !valid_attribute(remote))
                return fail(
                    Errc::invalid_argument,
                    fmt::format("attribute_map: '{}' is not ACCOUNT_ATTRIBUTE=DIRECTORY_ATTRIBUTE",
                                item));
            // Only plain account fields: status, identity and COS are not the directory's to set.
            const auto* attr = directory::find_attr(local);
            if (!attr || !directory::attr_allowed_at(*attr, directory::Scope::account) ||
                attr->storage != directory::AttrStorage::table ||
                attr->type != directory::AttrType::string)
                return fail(
                    Errc::invalid_argument,
                    fmt::format("attribute_map: {} is not an account attribute that holds text",
                                local));
            v = std::string(attr->name) + "=" + remote;
        } else if (def.name == "email_attributes") {
            if (!valid_attribute(item))
                return fail(Errc::invalid_argument,
                            fmt::format("email_attributes: '{}' is not an attribute name", item));
            v = item;
        } else if (def.name == "groups") {
            if (trim(item).empty()) continue;
            v = std::string(trim(item));
        } else {
            v = item;
        }
        bool dup = std::any_of(out.begin(), out.end(),
                               [&](const std::string& o) { return iequals(o, v); });
        if (!dup) out.push_back(std::move(v));
    }
    return out;
}

std::vector<std::string> list_items(const KeyDef& def, std::string_view value) {
    if (def.type == KeyType::names) return {std::string(value)};
    return split_list(value);
}

Result<bool> boolean_of(const Settings& s, std::string_view key);

const std::string* setting(const Settings& s, std::string_view key) {
    auto it = s.find(std::string(key));
    return it == s.end() ? nullptr : &it->second;
}

std::string text_of(const Settings& s, std::string_view key) {
    if (auto* v = setting(s, key)) return *v;
    return std::string(find_key(key)->fallback);
}

std::vector<std::string> list_of(const Settings& s, std::string_view key) {
    const KeyDef* def = find_key(key);
    if (auto* v = setting(s, key)) return lines(*v);
    if (def->type == KeyType::list) return split_list(def->fallback);
    return {};
}

Result<bool> boolean_of(const Settings& s, std::string_view key) {
    return check_value(*find_key(key), text_of(s, key)).map([](const std::string& v) {
        return v == "TRUE";
    });
}

Result<int64_t> number_of(const Settings& s, std::string_view key) {
    const KeyDef* def = find_key(key);
    SB_TRY_ASSIGN(auto v, check_value(*def, text_of(s, key)));
    if (def->type == KeyType::duration) return parse_duration(v);
    return int64_t{std::strtoll(v.c_str(), nullptr, 10)};
}

}  // namespace

std::string_view transport_name(Transport t) {
    switch (t) {
        case Transport::ldap:
            return "ldap";
        case Transport::starttls:
            return "starttls";
        case Transport::ldaps:
            return "ldaps";
    }
    return "ldap";
}

std::span<const KeyDef> all_keys() {
    return kKeys;
}

const KeyDef* find_key(std::string_view name) {
    std::string k = canonical_key(name);
    for (const auto& d : kKeys)
        if (d.name == k) return &d;
    return nullptr;
}

Result<Settings> preset(std::string_view name) {
    std::string n = canonical_key(name);
    // MailStore's "Configuration Samples" for Active Directory and OpenLDAP.
    if (n == "active_directory" || n == "activedirectory" || n == "ad") {
        return Settings{{"user_filter", "(&(objectCategory=User)(proxyAddresses=*))"},
                        {"user_name_attribute", "userPrincipalName"},
                        {"local_part_only", "TRUE"},
                        {"full_name_attribute", "displayName"},
                        {"email_attributes", "proxyAddresses"},
                        {"group_filter", "(objectCategory=Group)"},
                        {"group_name_attribute", "cn"},
                        {"group_description_attribute", "description"},
                        {"group_members_attribute", "member"},
                        {"id_attribute", "objectGUID"}};
    }
    if (n == "openldap" || n == "posix") {
        return Settings{{"user_filter", "(objectClass=posixAccount)"},
                        {"user_name_attribute", "uid"},
                        {"full_name_attribute", "displayName"},
                        {"email_attributes", "mail"},
                        {"group_filter", "(objectClass=posixGroup)"},
                        {"group_name_attribute", "cn"},
                        {"group_description_attribute", "description"},
                        {"group_members_attribute", "memberUid"},
                        {"member_search_filter",
                         "(|(&(objectClass=posixAccount)(uid={member}))(&(objectClass=posixGroup)("
                         "cn={member})))"},
                        {"id_attribute", "entryUUID"}};
    }
    return fail(Errc::invalid_argument,
                fmt::format("unknown preset '{}' (active-directory or openldap)", name));
}

Result<void> apply_changes(Settings& settings, const std::vector<SettingChange>& changes) {
    Settings next = settings;
    for (const auto& ch : changes) {
        if (canonical_key(ch.key) == "preset") {
            if (ch.op != SettingChange::Op::set)
                return fail(Errc::invalid_argument, "preset is set, not added or removed");
            SB_TRY_ASSIGN(auto p, preset(ch.value));
            for (auto& [k, v] : p)
                next[k] = v;
            continue;
        }
        const KeyDef* def = find_key(ch.key);
        if (!def)
            return fail(
                Errc::invalid_argument,
                fmt::format("unknown dirsync key '{}' (see: switchboard dirsync show DOMAIN)",
                            ch.key));
        const std::string name(def->name);
        const bool multi = def->type == KeyType::list || def->type == KeyType::names;
        if (ch.op != SettingChange::Op::set && !multi)
            return fail(Errc::invalid_argument,
                        fmt::format("{} has one value: set it without '+' or '-'", name));
        if (!multi) {
            if (trim(ch.value).empty() && def->type != KeyType::secret) {
                next.erase(name);
                continue;
            }
            if (ch.value.empty()) {
                next.erase(name);
                continue;
            }
            SB_TRY_ASSIGN(auto v, check_value(*def, ch.value));
            next[name] = v;
            continue;
        }
        SB_TRY_ASSIGN(auto items, check_list(*def, list_items(*def, ch.value)));
        std::vector<std::string> current = list_of(next, name);
        if (ch.op == SettingChange::Op::set) {
            current = items;
            if (current.empty() && def->type == KeyType::list && !def->fallback.empty()) {
                // An empty list is a value of its own for lists with a default ("no e-mail
                // attributes").
                next[name] = "";
                continue;
            }
        } else if (ch.op == SettingChange::Op::add) {
            for (auto& i : items)
                if (std::none_of(current.begin(), current.end(),
                                 [&](auto& c) { return iequals(c, i); }))
                    current.push_back(i);
        } else {
            for (auto& i : items) {
                auto it = std::find_if(current.begin(), current.end(),
                                       [&](auto& c) { return iequals(c, i); });
                if (it == current.end())
                    return fail(Errc::invalid_argument,
                                fmt::format("{} has no value '{}'", name, i));
                current.erase(it);
            }
        }
        if (current.empty() && def->fallback.empty())
            next.erase(name);
        else
            next[name] = join_lines(current);
    }
    // The whole result must make sense together, not only each value.
    SB_TRY(parse_config(next));
    settings = std::move(next);
    return {};
}

std::string shown_value(const Settings& settings, const KeyDef& def) {
    auto it = settings.find(std::string(def.name));
    if (def.type == KeyType::secret)
        return it == settings.end() || it->second.empty() ? "" : "(set)";
    if (it == settings.end()) return "";
    if (def.type == KeyType::list || def.type == KeyType::names) {
        auto vs = lines(it->second);
        std::string out;
        for (auto& v : vs)
            out += (out.empty() ? "" : def.type == KeyType::names ? "; " : ", ") + v;
        return out;
    }
    return it->second;
}

namespace {

Result<void> read_flag(const Settings& s, std::string_view key, bool& out) {
    SB_TRY_ASSIGN(out, boolean_of(s, key));
    return {};
}

template <class T>
Result<void> read_number(const Settings& s, std::string_view key, T& out) {
    SB_TRY_ASSIGN(auto n, number_of(s, key));
    out = static_cast<T>(n);
    return {};
}

// A key with a fixed set of values, or "" when unset.
Result<std::string> read_choice(const Settings& s, std::string_view key) {
    std::string v = text_of(s, key);
    if (v.empty()) return v;
    return check_value(*find_key(key), v);
}

Result<void> check_keys_known(const Settings& s) {
    for (const auto& [k, v] : s)
        if (!find_key(k))
            return fail(Errc::invalid_argument,
                        fmt::format("unknown dirsync key '{}' in the store", k));
    return {};
}

// A server given as a URI must agree with `protocol`.
Result<void> check_server_uris(const SyncConfig& c) {
    for (const auto& srv : c.servers) {
        bool ldaps_uri = srv.size() >= 8 && iequals(std::string_view(srv).substr(0, 8), "ldaps://");
        bool ldap_uri = srv.size() >= 7 && iequals(std::string_view(srv).substr(0, 7), "ldap://");
        if (ldaps_uri && c.transport != Transport::ldaps)
            return fail(
                Errc::invalid_argument,
                fmt::format("server {} is an ldaps:// URI but protocol is {}; set protocol ldaps",
                            srv, transport_name(c.transport)));
        if (ldap_uri && c.transport == Transport::ldaps)
            return fail(Errc::invalid_argument,
                        fmt::format("server {} is an ldap:// URI but protocol is ldaps; write "
                                    "ldaps:// or just the host",
                                    srv));
    }
    return {};
}

Result<void> parse_connection(const Settings& s, SyncConfig& c) {
    SB_TRY(read_flag(s, "enabled", c.enabled));
    SB_TRY_ASSIGN(c.servers, check_list(*find_key("server"), list_of(s, "server")));
    SB_TRY_ASSIGN(auto proto, read_choice(s, "protocol"));
    c.transport = proto == "ldaps"      ? Transport::ldaps
                  : proto == "starttls" ? Transport::starttls
                                        : Transport::ldap;
    SB_TRY(check_server_uris(c));
    SB_TRY(read_flag(s, "ignore_certificate_errors", c.ignore_certificate_errors));
    c.ca_file = text_of(s, "ca_file");
    c.bind_dn = text_of(s, "bind_dn");
    c.bind_password = text_of(s, "bind_password");
    return {};
}

Result<void> parse_users(const Settings& s, SyncConfig& c) {
    c.base_dn = text_of(s, "base_dn");
    c.user_filter = text_of(s, "user_filter");
    c.user_name_attribute = text_of(s, "user_name_attribute");
    SB_TRY(read_flag(s, "local_part_only", c.local_part_only));
    c.full_name_attribute = text_of(s, "full_name_attribute");
    c.email_attributes = list_of(s, "email_attributes");
    SB_TRY_ASSIGN(auto primary, read_choice(s, "primary_address"));
    c.primary_address = primary == "email" ? PrimaryAddress::email : PrimaryAddress::user_name;
    c.id_attribute = text_of(s, "id_attribute");
    for (const auto& m : list_of(s, "attribute_map")) {
        auto eq = m.find('=');
        c.attribute_map.push_back(
            {m.substr(0, eq), eq == std::string::npos ? m : m.substr(eq + 1)});
    }
    return {};
}

Result<void> parse_groups(const Settings& s, SyncConfig& c) {
    c.group_filter = text_of(s, "group_filter");
    c.group_name_attribute = text_of(s, "group_name_attribute");
    c.group_description_attribute = text_of(s, "group_description_attribute");
    c.group_members_attribute = text_of(s, "group_members_attribute");
    c.member_search_filter = text_of(s, "member_search_filter");
    c.groups = list_of(s, "groups");
    return read_flag(s, "nested_groups", c.nested_groups);
}

// What happens to accounts: removal, login checks, entry errors, new accounts' defaults.
Result<void> parse_account_rules(const Settings& s, SyncConfig& c) {
    SB_TRY(read_flag(s, "delete_out_of_scope", c.delete_out_of_scope));
    SB_TRY(read_number(s, "delete_threshold", c.delete_threshold));
    SB_TRY(read_number(s, "delete_grace_period", c.delete_grace_period_s));
    SB_TRY(read_flag(s, "reuse_account_of_deleted_user", c.reuse_account_of_deleted_user));
    SB_TRY(read_number(s, "login_check_interval", c.login_check_interval_s));
    SB_TRY(read_number(s, "login_offline_grace", c.login_offline_grace_s));
    SB_TRY_ASSIGN(auto on_error, read_choice(s, "on_entry_error"));
    c.on_entry_error = on_error == "skip" ? EntryErrorPolicy::skip : EntryErrorPolicy::stop;
    c.default_cos = text_of(s, "default_cos");
    SB_TRY_ASSIGN(const auto mobile, read_choice(s, "default_mobile_enabled"));
    if (!mobile.empty()) c.default_mobile_enabled = mobile == "TRUE";
    return {};
}

Result<void> parse_schedule(const Settings& s, SyncConfig& c) {
    SB_TRY(read_number(s, "interval", c.interval_s));
    SB_TRY(read_number(s, "full_sync_interval", c.full_sync_interval_s));
    SB_TRY_ASSIGN(auto inc, read_choice(s, "incremental"));
    c.incremental = inc == "sync"        ? IncrementalMethod::sync
                    : inc == "timestamp" ? IncrementalMethod::timestamp
                    : inc == "off"       ? IncrementalMethod::off
                                         : IncrementalMethod::automatic;
    SB_TRY(read_number(s, "page_size", c.page_size));
    SB_TRY(read_number(s, "network_timeout", c.network_timeout_s));
    SB_TRY(read_number(s, "search_timeout", c.search_timeout_s));
    SB_TRY(read_number(s, "login_timeout", c.login_timeout_s));
    return {};
}

}  // namespace

Result<SyncConfig> parse_config(const Settings& s) {
    SB_TRY(check_keys_known(s));
    SyncConfig c;
    SB_TRY(parse_connection(s, c));
    SB_TRY(parse_users(s, c));
    SB_TRY(parse_groups(s, c));
    SB_TRY(parse_account_rules(s, c));
    SB_TRY(parse_schedule(s, c));
    if (!c.groups.empty() && c.group_filter.empty())
        return fail(Errc::invalid_argument,
                    "groups needs group_filter (e.g. (objectClass=groupOfNames)) to find the "
                    "groups by name");
    return c;
}

Result<void> check_runnable(const SyncConfig& c, std::string_view domain) {
    if (c.servers.empty())
        return fail(
            Errc::invalid_argument,
            fmt::format(
                "directory sync of {} has no server: switchboard dirsync set {} server HOST",
                domain, domain));
    if (c.user_filter.empty())
        return fail(Errc::invalid_argument,
                    fmt::format("directory sync of {} has no user_filter", domain));
    if (!c.bind_dn.empty() && c.bind_password.empty())
        return fail(Errc::invalid_argument,
                    fmt::format("directory sync of {}: bind_dn is set but bind_password is empty; "
                                "an empty password "
                                "would be an anonymous bind (RFC 4513 5.1.2), so it is refused",
                                domain));
    return {};
}

Result<int64_t> parse_duration(std::string_view text) {
    std::string_view t = trim(text);
    if (t.empty()) return fail(Errc::invalid_argument, "empty duration");
    int64_t unit = 1;
    switch (ascii_lower(t.back())) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = kDay;
            break;
        case 'w':
            unit = 7 * kDay;
            break;
        default:
            unit = 0;
    }
    if (unit)
        t.remove_suffix(1);
    else
        unit = 1;
    int64_t v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || p != t.data() + t.size() || v < 0 || v > INT64_MAX / unit)
        return fail(Errc::invalid_argument,
                    fmt::format("'{}' is not a duration (e.g. 90s, 15m, 1h, 7d)", text));
    return v * unit;
}

std::string format_duration(int64_t s) {
    if (s == 0) return "0";
    if (s % kDay == 0) return fmt::format("{}d", s / kDay);
    if (s % 3600 == 0) return fmt::format("{}h", s / 3600);
    if (s % 60 == 0) return fmt::format("{}m", s / 60);
    return fmt::format("{}s", s);
}

}  // namespace sb::dirsync
