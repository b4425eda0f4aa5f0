#pragma once
// From a directory entry to what the account should look like: the pure part of the sync,
// unit-tested without a directory.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "dirsync/config.hpp"
#include "dirsync/source.hpp"

namespace sb::dirsync {

// Active Directory's userAccountControl flag ACCOUNTDISABLE (MS-ADTS 2.2.16).
inline constexpr int64_t kAccountDisable = 0x2;
inline constexpr std::string_view kAdCapability = "1.2.840.113556.1.4.800";
// LDAP_MATCHING_RULE_IN_CHAIN (MS-ADTS 3.1.1.3.4.4.3): transitive group membership on AD.
inline constexpr std::string_view kInChainRule = "1.2.840.113556.1.4.1941";
// RFC 4533 content synchronisation request control.
inline constexpr std::string_view kSyncControl = "1.3.6.1.4.1.4203.1.9.1.1";
// RFC 2696 simple paged results.
inline constexpr std::string_view kPagedControl = "1.2.840.113556.1.4.319";

// What a user entry maps to, after the config is applied for one domain.
struct Mapping {
    std::string domain;
    std::string user_name_attribute;
    bool local_part_only = false;
    std::string full_name_attribute;
    std::vector<std::string> email_attributes;
    PrimaryAddress primary_address = PrimaryAddress::user_name;
    std::string id_attribute;  // resolved: never empty
    bool binary_id = false;    // objectGUID: 16 bytes, shown as a GUID
    std::vector<AttributeMapping> attribute_map;
};

Mapping mapping_for(const SyncConfig& config, std::string_view domain, bool active_directory);
// The attributes a user search asks for (including operational ones such as entryUUID).
std::vector<std::string> user_attributes(const Mapping& m, std::string_view timestamp_attribute);

struct RemoteUser {
    std::string external_id;  // entryUUID, GUID text of objectGUID, or the id attribute's value
    std::string dn;
    std::string user_name;             // the user-name attribute's value as the directory has it
    std::string address;               // the account's primary address (lower case)
    std::vector<std::string> aliases;  // other addresses of the user (lower case, no duplicates)
    // The one alias made from the user name (primary_address email: the UPN's local part in this
    // domain), "" when none. It is a login name, not a mail address of the directory: an address
    // from email_attributes wins over it (it is also in `aliases`).
    std::string derived_alias;
    std::string display_name;
    std::vector<std::pair<std::string, std::string>> attrs;  // account attribute → value
    bool disabled = false;
    std::string modify_timestamp;  // as the directory wrote it ("" when not returned)
};

// Maps one user entry. Errors name the entry's DN, the attribute and the reason.
Result<RemoteUser> map_user(const Entry& entry, const Mapping& m);
// The entry's Active Directory ACCOUNTDISABLE flag (false without userAccountControl). A value
// that is not a 32-bit number is an error naming the entry: guessing "enabled" could let a
// disabled user in.
Result<bool> entry_disabled(const Entry& entry);

// E-mail values of one attribute. AD proxyAddresses: "SMTP:" marks the primary address,
// "smtp:" the others, any other prefix (X500:, SIP:, x400:) is not an e-mail address.
struct EmailValues {
    std::optional<std::string> primary;
    std::vector<std::string> others;
};
EmailValues parse_email_values(const std::vector<std::string>& values);

// "member;range=0-1499" → {attribute "member", low 0, high 1499}; "member;range=1500-*" → high
// unset (the last range). Active Directory's range retrieval (MS-ADTS 3.1.1.3.1.3.3).
struct ValueRange {
    std::string attribute;  // the description without the range option
    uint64_t low = 0;
    std::optional<uint64_t> high;
};
std::optional<ValueRange> parse_range(std::string_view description);
// The description asking for the values from `low` on: "member;range=1500-*".
std::string range_request(std::string_view attribute, uint64_t low);

// objectGUID bytes → "f81d4fae-7dec-11d0-a765-00a0c91e6bf6" (the first three fields are stored
// little-endian, MS-DTYP 2.3.4.2).
std::string guid_text(std::string_view bytes);
// The inverse, for searching by objectGUID; nullopt when the text is not a GUID.
std::optional<std::string> guid_bytes(std::string_view text);

// GeneralizedTime ("20261125171241Z", "20261125171241.0Z") ↔ seconds since the epoch (UTC).
std::optional<int64_t> parse_generalized_time(std::string_view text);
std::string format_generalized_time(int64_t seconds, bool active_directory);

// Lower-cased DN with the spaces around ',' '=' '+' removed: good enough to match member values
// against entry DNs returned by the same server.
std::string dn_key(std::string_view dn);

}  // namespace sb::dirsync
