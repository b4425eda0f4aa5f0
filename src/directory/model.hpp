#pragma once
// Directory entities as the rest of the server sees them.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.hpp"

namespace sb::directory {

struct Domain {
    int64_t id = 0;
    std::string uuid;
    std::string name;
    int64_t created_at = 0;
};

struct Cos {
    int64_t id = 0;
    std::string uuid;
    std::string name;
    int64_t created_at = 0;
};

enum class AccountStatus { active, locked, closed };
std::string_view status_name(AccountStatus s);
// The stored name of a status ("active", "locked", "closed"); anything else reads as active.
AccountStatus parse_status(std::string_view name);

struct Account {
    int64_t id = 0;
    std::string uuid;
    int64_t domain_id = 0;
    std::string domain;   // domain name
    std::string address;  // primary address, lower case
    AccountStatus status = AccountStatus::active;
    std::string auth_source;  // "local" or "directory"
    bool has_password = false;
    std::vector<std::string> aliases;
    int64_t created_at = 0;
    int64_t modified_at = 0;
};

// Attribute values by name (case-insensitive); a single-valued attribute has one value.
using AttrMap = std::map<std::string, std::vector<std::string>, ILess>;

// One requested change from the CLI: "name value" sets, "+name value" adds a value to a
// multi-valued attribute, "-name value" removes one; an empty value with set removes the attribute.
struct AttrChange {
    enum class Op { set, add, remove } op = Op::set;
    std::string name;
    std::string value;
};

// A new account as the LDIF importer, `prov ca` and the directory sync describe it.
struct NewAccount {
    std::string address;
    std::string password;           // plain text, hashed with argon2id ("" = no password)
    std::string imported_password;  // a stored hash to keep as is ({SSHA}...), or plain to hash
    std::vector<AttrChange> attrs;
    std::vector<std::string> aliases;
    std::string context;  // prefixed to errors in bulk creation, e.g. "line 17"
    AccountStatus status = AccountStatus::active;
    std::string auth_source = "local";  // "directory": passwords are checked by the directory sync
};

// Where an effective value came from, for `prov ga ACCOUNT ATTR`.
struct EffectiveValue {
    std::vector<std::string> values;  // empty: no value anywhere
    std::string source;  // "account", "cos <name>", "domain <name>", "global", "default"
};

}  // namespace sb::directory
