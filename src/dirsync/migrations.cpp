// Module "dirsync": the sync's configuration, links to directory entries, groups, state and
// run history.
#include "dirsync/migrations.hpp"

namespace sb::dirsync {
namespace {

constexpr std::string_view kV1 = R"SQL(
CREATE TABLE dirsync_config (
  domain_id {int64} PRIMARY KEY REFERENCES domains(id) ON DELETE CASCADE,
  settings TEXT NOT NULL,
  updated_at {int64} NOT NULL
);
CREATE TABLE dirsync_links (
  account_id {int64} PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  domain_id {int64} NOT NULL,
  external_id TEXT NOT NULL,
  dn TEXT NOT NULL,
  synced_aliases TEXT NOT NULL DEFAULT '',
  sync_lock TEXT NOT NULL DEFAULT '',
  missing_since {int64} NOT NULL DEFAULT 0,
  linked_at {int64} NOT NULL,
  UNIQUE (domain_id, external_id)
);
CREATE TABLE dirsync_groups (
  domain_id {int64} NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  dn TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  members TEXT NOT NULL DEFAULT '[]',
  member_values {int64} NOT NULL DEFAULT 0,
  selected INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (domain_id, external_id)
);
CREATE TABLE dirsync_state (
  domain_id {int64} PRIMARY KEY REFERENCES domains(id) ON DELETE CASCADE,
  cookie TEXT NOT NULL DEFAULT '',
  high_water TEXT NOT NULL DEFAULT '',
  config_hash TEXT NOT NULL DEFAULT '',
  membership TEXT NOT NULL DEFAULT '',
  last_full_at {int64} NOT NULL DEFAULT 0,
  last_run_at {int64} NOT NULL DEFAULT 0,
  next_run_at {int64} NOT NULL DEFAULT 0
);
CREATE TABLE dirsync_runs (
  id {id},
  domain_id {int64} NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  started_at {int64} NOT NULL,
  report TEXT NOT NULL
);
CREATE INDEX dirsync_runs_domain ON dirsync_runs(domain_id, id);
)SQL";

// v2: what the directory said at the last write, so unchanged users are not compared attribute
// by attribute on every full run.
constexpr std::string_view kV2 = R"SQL(
ALTER TABLE dirsync_links ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE dirsync_links ADD COLUMN synced_at BIGINT NOT NULL DEFAULT 0;
)SQL";

// v3: the alias each entry's user name gives, so an incremental run knows it may give way to
// another entry's e-mail address.
constexpr std::string_view kV3 = R"SQL(
ALTER TABLE dirsync_links ADD COLUMN derived_alias TEXT NOT NULL DEFAULT '';
)SQL";

}  // namespace

const store::ModuleMigrations& migrations() {
    static const store::ModuleMigrations module{
        "dirsync",
        {
            {1, "directory sync: configuration, links, groups, state, runs", kV1},
            {2, "directory sync: entry fingerprints", kV2},
            {3, "directory sync: aliases made from user names", kV3},
        }};
    return module;
}

}  // namespace sb::dirsync
