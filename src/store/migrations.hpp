#pragma once
// Versioned schema migrations. Each module owns a list of migrations for its own tables
// (module "core" holds the directory, credentials and mailbox); versions count per module.
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace sb::store {

struct Migration {
    std::string_view module;  // "core", "ldap", "eas", "dirsync" ...
    int version;              // 1, 2, ... within the module
    std::string_view name;
    std::string_view sqlite;      // script for the SQLite backend
    std::string_view postgresql;  // script for the PostgreSQL backend
};

// The core schema (directory, credentials, mailbox).
const std::vector<Migration>& core_migrations();

// Applies the pending migrations of `list` (in order), one transaction each. A database written
// by a newer Switchboard (a version this build does not know) is refused rather than touched.
Result<void> migrate(Database& db, const std::vector<Migration>& list);

// The newest core schema version.
int current_schema_version();

}  // namespace sb::store
