#pragma once
// The attribute schema: every attribute an admin can read or set, with Zimbra/Carbonio names.
// Inherited attributes resolve account → COS → domain → global → built-in default at read time.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sb::directory {

enum class Scope : uint8_t { global = 1, domain = 2, cos = 4, account = 8 };
constexpr uint8_t operator|(Scope a, Scope b) {
    return uint8_t(a) | uint8_t(b);
}
constexpr uint8_t operator|(uint8_t a, Scope b) {
    return a | uint8_t(b);
}
std::string_view scope_name(Scope s);

enum class AttrType : uint8_t {
    boolean,  // TRUE / FALSE
    integer,  // with min/max
    string,
    enumeration,
    cos_ref,      // a COS, given by name or id; stored as the COS id (uuid)
    account_ref,  // an account, given by address, alias or id; stored as the account id (uuid)
};

// How the attribute is stored: most live in the attribute table; a few are columns or derived.
enum class AttrStorage : uint8_t {
    table,     // attrs table, at the scopes it allows
    status,    // zimbraAccountStatus ↔ accounts.status
    identity,  // read-only values derived from the account (zimbraId, mail, zimbraMailAlias, ...)
};

struct AttrDef {
    std::string_view name;
    AttrType type;
    uint8_t scopes;                 // Scope bits where it may be set
    bool inherited;                 // resolved through the inheritance chain
    bool multi;                     // several values
    std::string_view cos_default;   // written on every new COS ("" = none)
    std::string_view builtin;       // value when nothing sets it ("" = unset)
    int64_t min = 0, max = 0;       // integer bounds (inclusive) when min < max
    std::string_view choices = {};  // enumeration: values separated by '|'
    std::string_view alias = {};    // another accepted name (e.g. "department" for "ou")
    AttrStorage storage = AttrStorage::table;
    // Known but not enforced yet: what is missing before a value could have an effect. Such an
    // attribute cannot be given a value (a setting that is stored but ignored would mislead).
    std::string_view pending = {};
};

// Case-insensitive lookup by name or alias; nullptr when unknown.
const AttrDef* find_attr(std::string_view name);
std::span<const AttrDef> all_attrs();

// Checks and normalises a value for the attribute (TRUE/FALSE upper case, integers in range,
// enumerations in their canonical case). cos_ref values are resolved by the caller.
Result<std::string> normalize_value(const AttrDef& def, std::string_view value);

bool attr_allowed_at(const AttrDef& def, Scope scope);

// Whether code reads the attribute; false for the ones that are known but not enforced yet.
inline bool attr_enforced(const AttrDef& def) {
    return def.pending.empty();
}

// The value of a boolean attribute as a bool ("TRUE" → true).
inline bool is_true(std::string_view v) {
    return v == "TRUE";
}

}  // namespace sb::directory
