#pragma once
// Directory-sync configuration of one domain: how to reach the company directory (LDAP or
// Active Directory), what to read from it and how to map it to accounts (the keys of MailStore's
// "Generic LDAP Integration", plus Switchboard's own). Admins set keys one by one (`switchboard
// dirsync set DOMAIN KEY VALUE`) or load a TOML table; the store keeps the keys that were set, as
// canonical text (`Settings`), and `parse_config` turns them, with the defaults, into a
// `SyncConfig`.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace sb::dirsync {

// Keys that were set, by canonical key name; multi-valued keys hold their values joined by '\n'.
using Settings = std::map<std::string, std::string>;

enum class Transport { ldap, starttls, ldaps };
std::string_view transport_name(Transport t);

enum class IncrementalMethod { automatic, sync, timestamp, off };
enum class EntryErrorPolicy { stop, skip };
enum class PrimaryAddress { user_name, email };

enum class KeyType : uint8_t {
    text,       // free text
    secret,     // stored, never shown back
    boolean,    // TRUE / FALSE
    integer,    // within [min, max]
    duration,   // "90s", "15m", "1h", "7d" or seconds; within [min, max] seconds
    choice,     // one of `choices` ('|'-separated), canonical spelling stored
    filter,     // an RFC 4515 filter (whitespace between components is tolerated and removed)
    attribute,  // an attribute description
    dn,         // a distinguished name (RFC 4514 syntax is checked loosely)
    list,       // values separated by commas or white space (server names, attribute names)
    names,      // values given one per `set`/`+KEY` (group names may contain commas and spaces)
};

struct KeyDef {
    std::string_view name;
    KeyType type;
    std::string_view fallback;     // default as text ("" = none)
    std::string_view description;  // one line for `dirsync show`
    int64_t min = 0, max = 0;
    std::string_view choices = {};
};

std::span<const KeyDef> all_keys();
// Case-insensitive; also accepts '-' for '_' ("user-filter"). nullptr when unknown.
const KeyDef* find_key(std::string_view name);

// One change from the CLI or a TOML file: set (replace; "" unsets), add or remove a value.
struct SettingChange {
    enum class Op { set, add, remove } op = Op::set;
    std::string key;
    std::string value;
};

// Validates and applies changes; "preset active-directory|openldap" first writes the values of
// MailStore's sample for that directory. Errors name the key and the reason; `settings` is
// unchanged then.
Result<void> apply_changes(Settings& settings, const std::vector<SettingChange>& changes);

// The values of MailStore's configuration sample for a directory type.
Result<Settings> preset(std::string_view name);

// The text an admin sees for a key: its value, "(set)" for a secret, or "" when unset.
std::string shown_value(const Settings& settings, const KeyDef& def);

struct AttributeMapping {
    std::string local;   // directory attribute name on the account (e.g. "telephoneNumber")
    std::string remote;  // company directory attribute (e.g. "telephoneNumber")
};

struct SyncConfig {
    bool enabled = false;
    std::vector<std::string> servers;  // as given: host, host:port or ldap[s]://host[:port]
    Transport transport = Transport::ldap;
    bool ignore_certificate_errors = false;
    std::string ca_file;
    std::string bind_dn;
    std::string bind_password;
    std::string base_dn;  // "" = the rootDSE's defaultNamingContext (or its only naming context)

    std::string user_filter;
    std::string user_name_attribute;
    bool local_part_only = false;
    std::string full_name_attribute;
    std::vector<std::string> email_attributes;
    PrimaryAddress primary_address = PrimaryAddress::user_name;
    std::string id_attribute;  // "" = objectGUID on Active Directory, entryUUID elsewhere
    std::vector<AttributeMapping> attribute_map;

    std::string group_filter;
    std::string group_name_attribute;
    std::string group_description_attribute;
    std::string group_members_attribute;
    std::string member_search_filter;  // with {member}; "" = members are DNs
    std::vector<std::string> groups;   // names or DNs; empty = every user of the user filter
    bool nested_groups = true;

    bool delete_out_of_scope = false;
    int delete_threshold = 10;  // percent of the synced accounts one run may remove
    int64_t delete_grace_period_s = 7 * 86400;
    bool reuse_account_of_deleted_user = false;
    int64_t login_check_interval_s = 300;
    int64_t login_offline_grace_s = 4 * 3600;
    EntryErrorPolicy on_entry_error = EntryErrorPolicy::stop;

    std::string default_cos;                     // "" = the domain's default COS
    std::optional<bool> default_mobile_enabled;  // unset = inherited from the COS

    int64_t interval_s = 3600;
    int64_t full_sync_interval_s = 86400;
    IncrementalMethod incremental = IncrementalMethod::automatic;
    int page_size = 1000;
    int network_timeout_s = 10;
    int search_timeout_s = 120;
    int login_timeout_s = 5;
};

// Settings + defaults → config. Errors name the key (stored settings are validated on write, so
// this fails only on a store written by hand).
Result<SyncConfig> parse_config(const Settings& settings);

// What a run needs besides well-formed keys (a server, a user filter, ...): the first problem,
// phrased for the admin, or success.
Result<void> check_runnable(const SyncConfig& config, std::string_view domain);

// Parses "90s", "15m", "2h", "7d", "1w" or plain seconds.
Result<int64_t> parse_duration(std::string_view text);
std::string format_duration(int64_t seconds);  // "1h", "7d", "90s", "0"

}  // namespace sb::dirsync
