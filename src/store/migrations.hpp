#pragma once
// Versioned schema migrations and their runner. Each module keeps the migrations of its own tables
// in one list (versions count per module); src/server/store_bootstrap.cpp registers every module
// in the order they apply. A script is written once for both backends: where SQLite and
// PostgreSQL differ it says a dialect word, and kDialectWords says what each backend reads. Only
// a conversion of data in place may give each backend a script of its own.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace sb::store {

struct Migration {
    int version;  // 1, 2, ... within the module
    std::string_view name;
    std::string_view script;  // for both backends, with dialect words
    // Only for data converted in place, which the backends cannot do with the same SQL:
    // PostgreSQL's script, and `script` is then SQLite's.
    std::string_view postgresql = {};
    // Data that SQL cannot convert at speed (e.g. decoding base64 on SQLite) is converted by
    // code, in the same transaction, after the script. `dialect` is the backend's.
    Result<void> (*convert)(Tx& tx, std::string_view dialect) = nullptr;
};

struct ModuleMigrations {
    std::string_view module;  // its key in schema_migrations: "core", "dirsync", "eas" ...
    std::vector<Migration> list;
};

// Where the backends differ, scripts say a word in braces; each backend reads its own text.
struct DialectWord {
    std::string_view word;
    std::string_view sqlite;
    std::string_view postgresql;
};
inline constexpr DialectWord kDialectWords[] = {
    // A generated row id (SQLite: the rowid itself, never reused).
    {"{id}", "INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY"},
    // A 64-bit integer column (SQLite's INTEGER is 64-bit).
    {"{int64}", "INTEGER", "BIGINT"},
    // A name compared without case in a unique index.
    {"{nocase_name}", "name COLLATE NOCASE", "lower(name)"},
    // After a table keyed by its primary key alone (SQLite stores it without a rowid).
    {"{without_rowid}", " WITHOUT ROWID", ""},
};

// A script as the backend of `dialect` ("sqlite" or "postgresql") runs it.
std::string expand(std::string_view script, std::string_view dialect);

// The core schema (directory, credentials, mailbox contacts): store::open applies it.
const ModuleMigrations& core_migrations();

// The newest core schema version.
int current_schema_version();

// Applies the pending migrations of a module, in order, one transaction each. A database written
// by a newer Switchboard (a version this build does not know) is refused rather than touched.
Result<void> migrate(Database& db, const ModuleMigrations& module);
// Every module of a registry, in its order.
Result<void> migrate(Database& db, std::span<const ModuleMigrations* const> registry);

}  // namespace sb::store
