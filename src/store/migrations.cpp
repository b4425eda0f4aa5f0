#include "store/migrations.hpp"

#include <chrono>
#include <string_view>

#include <fmt/format.h>

namespace sb::store {
namespace {

// Schema v1: directory, credentials, mailbox contacts and the change feed.
constexpr std::string_view kV1Sqlite = R"SQL(
CREATE TABLE domains (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE cos (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL UNIQUE,
  domain_id INTEGER NOT NULL REFERENCES domains(id),
  address TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'active',
  password TEXT,
  password_changed_at INTEGER NOT NULL DEFAULT 0,
  auth_source TEXT NOT NULL DEFAULT 'local',
  created_at INTEGER NOT NULL,
  modified_at INTEGER NOT NULL
);
CREATE INDEX accounts_domain ON accounts(domain_id);
CREATE TABLE aliases (
  address TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  domain_id INTEGER NOT NULL REFERENCES domains(id)
);
CREATE INDEX aliases_account ON aliases(account_id);
CREATE INDEX aliases_domain ON aliases(domain_id);
CREATE TABLE attrs (
  scope TEXT NOT NULL,
  owner_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  value TEXT NOT NULL,
  PRIMARY KEY (scope, owner_id, name, seq)
);
CREATE TABLE credentials (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  public_id TEXT NOT NULL,
  services TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  hash TEXT NOT NULL,
  generated INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, public_id)
);
CREATE TABLE mailboxes (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  modseq INTEGER NOT NULL DEFAULT 0,
  next_item_id INTEGER NOT NULL DEFAULT 257
);
CREATE TABLE folders (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id INTEGER NOT NULL,
  parent_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  view TEXT NOT NULL DEFAULT '',
  modseq INTEGER NOT NULL,
  PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX folders_name ON folders(account_id, parent_id, name COLLATE NOCASE);
CREATE TABLE contacts (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id INTEGER NOT NULL,
  folder_id INTEGER NOT NULL,
  fields TEXT NOT NULL,
  modseq INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  modified_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, id)
);
CREATE INDEX contacts_folder ON contacts(account_id, folder_id);
CREATE INDEX contacts_modseq ON contacts(account_id, modseq);
CREATE TABLE tombstones (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  folder_id INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  deleted_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, id)
);
CREATE INDEX tombstones_modseq ON tombstones(account_id, modseq);
)SQL";

constexpr std::string_view kV1Postgres = R"SQL(
CREATE TABLE domains (
  id BIGSERIAL PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);
CREATE TABLE cos (
  id BIGSERIAL PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);
CREATE TABLE accounts (
  id BIGSERIAL PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  domain_id BIGINT NOT NULL REFERENCES domains(id),
  address TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'active',
  password TEXT,
  password_changed_at BIGINT NOT NULL DEFAULT 0,
  auth_source TEXT NOT NULL DEFAULT 'local',
  created_at BIGINT NOT NULL,
  modified_at BIGINT NOT NULL
);
CREATE INDEX accounts_domain ON accounts(domain_id);
CREATE TABLE aliases (
  address TEXT PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  domain_id BIGINT NOT NULL REFERENCES domains(id)
);
CREATE INDEX aliases_account ON aliases(account_id);
CREATE INDEX aliases_domain ON aliases(domain_id);
CREATE TABLE attrs (
  scope TEXT NOT NULL,
  owner_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  value TEXT NOT NULL,
  PRIMARY KEY (scope, owner_id, name, seq)
);
CREATE TABLE credentials (
  id BIGSERIAL PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  public_id TEXT NOT NULL,
  services TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  hash TEXT NOT NULL,
  generated INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  UNIQUE (account_id, public_id)
);
CREATE TABLE mailboxes (
  account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  modseq BIGINT NOT NULL DEFAULT 0,
  next_item_id BIGINT NOT NULL DEFAULT 257
);
CREATE TABLE folders (
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id BIGINT NOT NULL,
  parent_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  view TEXT NOT NULL DEFAULT '',
  modseq BIGINT NOT NULL,
  PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX folders_name ON folders(account_id, parent_id, lower(name));
CREATE TABLE contacts (
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id BIGINT NOT NULL,
  folder_id BIGINT NOT NULL,
  fields TEXT NOT NULL,
  modseq BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  modified_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, id)
);
CREATE INDEX contacts_folder ON contacts(account_id, folder_id);
CREATE INDEX contacts_modseq ON contacts(account_id, modseq);
CREATE TABLE tombstones (
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id BIGINT NOT NULL,
  kind TEXT NOT NULL,
  folder_id BIGINT NOT NULL,
  modseq BIGINT NOT NULL,
  deleted_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, id)
);
CREATE INDEX tombstones_modseq ON tombstones(account_id, modseq);
)SQL";

// Nodes of a cluster may start together against one PostgreSQL database: every migration
// transaction first takes this transaction-scoped advisory lock, so they migrate one at a time.
constexpr int64_t kMigrationLock = 0x53424d4947524154;  // "SBMIGRAT"

Result<void> lock_migrations(Database& db, Tx& tx) {
    if (db.dialect() != "postgresql") return {};
    return tx.query("SELECT pg_advisory_xact_lock(?)", {kMigrationLock}).map([](Rows) {});
}

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

const std::vector<Migration>& core_migrations() {
    static const std::vector<Migration> list = {
        {"core", 1, "directory, credentials, contacts", kV1Sqlite, kV1Postgres},
    };
    return list;
}

int current_schema_version() {
    return core_migrations().back().version;
}

Result<void> migrate(Database& db, const std::vector<Migration>& list) {
    SB_TRY(db.write([&](Tx& tx) -> Result<void> {
        SB_TRY(lock_migrations(db, tx));
        return tx.script(
            "CREATE TABLE IF NOT EXISTS schema_migrations (module TEXT NOT NULL, version INTEGER "
            "NOT NULL, "
            "name TEXT NOT NULL, applied_at BIGINT NOT NULL, PRIMARY KEY (module, version))");
    }));
    if (list.empty()) return {};
    const std::string module(list.front().module);
    int64_t have = 0;
    SB_TRY(db.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(
            auto v,
            tx.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE module = ?",
                      {module}));
        have = v;
        return {};
    }));
    if (have > list.back().version)
        return fail(
            Errc::unavailable,
            fmt::format(
                "the database has {} schema version {}, newer than this Switchboard knows ({}); "
                "run a newer Switchboard or restore a backup",
                module, have, list.back().version));
    for (const auto& m : list) {
        if (m.version <= have) continue;
        auto sql = db.dialect() == "postgresql" ? m.postgresql : m.sqlite;
        bool applied_elsewhere = false;
        auto r = db.write([&](Tx& tx) -> Result<void> {
            applied_elsewhere = false;
            SB_TRY(lock_migrations(db, tx));
            // Another node may have applied it since `have` was read.
            SB_TRY_ASSIGN(
                auto done,
                tx.scalar("SELECT COUNT(*) FROM schema_migrations WHERE module = ? AND version = ?",
                          {module, int64_t{m.version}}));
            if (done > 0) return {};
            // Recorded before the script runs, so a node whose snapshot predates another node's
            // commit of the same migration fails here (unique key) instead of in the script.
            auto recorded = tx.exec(
                "INSERT INTO schema_migrations (module, version, name, applied_at) VALUES (?, ?, "
                "?, ?)",
                {module, int64_t{m.version}, std::string(m.name), now_ms()});
            if (!recorded) {
                applied_elsewhere = recorded.error().code == Errc::already_exists;
                return tl::unexpected(recorded.error());
            }
            return tx.script(sql);
        });
        if (!r && applied_elsewhere) continue;
        if (!r)
            return fail(r.error().code, fmt::format("schema migration {} {} ({}) failed: {}",
                                                    module, m.version, m.name, r.error().message));
    }
    return {};
}

}  // namespace sb::store
