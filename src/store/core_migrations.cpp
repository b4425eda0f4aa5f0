// Module "core": the directory, credentials, mailbox contacts and the change feed.
#include "store/migrations.hpp"

namespace sb::store {
namespace {

constexpr std::string_view kV1 = R"SQL(
CREATE TABLE domains (
  id {id},
  uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  created_at {int64} NOT NULL
);
CREATE TABLE cos (
  id {id},
  uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  created_at {int64} NOT NULL
);
CREATE TABLE accounts (
  id {id},
  uuid TEXT NOT NULL UNIQUE,
  domain_id {int64} NOT NULL REFERENCES domains(id),
  address TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'active',
  password TEXT,
  password_changed_at {int64} NOT NULL DEFAULT 0,
  auth_source TEXT NOT NULL DEFAULT 'local',
  created_at {int64} NOT NULL,
  modified_at {int64} NOT NULL
);
CREATE INDEX accounts_domain ON accounts(domain_id);
CREATE TABLE aliases (
  address TEXT PRIMARY KEY,
  account_id {int64} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  domain_id {int64} NOT NULL REFERENCES domains(id)
);
CREATE INDEX aliases_account ON aliases(account_id);
CREATE INDEX aliases_domain ON aliases(domain_id);
CREATE TABLE attrs (
  scope TEXT NOT NULL,
  owner_id {int64} NOT NULL,
  name TEXT NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  value TEXT NOT NULL,
  PRIMARY KEY (scope, owner_id, name, seq)
);
CREATE TABLE credentials (
  id {id},
  account_id {int64} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  public_id TEXT NOT NULL,
  services TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  hash TEXT NOT NULL,
  generated INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at {int64} NOT NULL,
  UNIQUE (account_id, public_id)
);
CREATE TABLE mailboxes (
  account_id {int64} PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  modseq {int64} NOT NULL DEFAULT 0,
  next_item_id {int64} NOT NULL DEFAULT 257
);
CREATE TABLE folders (
  account_id {int64} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id {int64} NOT NULL,
  parent_id {int64} NOT NULL,
  name TEXT NOT NULL,
  view TEXT NOT NULL DEFAULT '',
  modseq {int64} NOT NULL,
  PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX folders_name ON folders(account_id, parent_id, {nocase_name});
CREATE TABLE contacts (
  account_id {int64} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id {int64} NOT NULL,
  folder_id {int64} NOT NULL,
  fields TEXT NOT NULL,
  modseq {int64} NOT NULL,
  created_at {int64} NOT NULL,
  modified_at {int64} NOT NULL,
  PRIMARY KEY (account_id, id)
);
CREATE INDEX contacts_folder ON contacts(account_id, folder_id);
CREATE INDEX contacts_modseq ON contacts(account_id, modseq);
CREATE TABLE tombstones (
  account_id {int64} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id {int64} NOT NULL,
  kind TEXT NOT NULL,
  folder_id {int64} NOT NULL,
  modseq {int64} NOT NULL,
  deleted_at {int64} NOT NULL,
  PRIMARY KEY (account_id, id)
);
CREATE INDEX tombstones_modseq ON tombstones(account_id, modseq);
)SQL";

}  // namespace

const ModuleMigrations& core_migrations() {
    static const ModuleMigrations module{"core",
                                         {
                                             {1, "directory, credentials, contacts", kV1},
                                         }};
    return module;
}

int current_schema_version() {
    return core_migrations().list.back().version;
}

}  // namespace sb::store
