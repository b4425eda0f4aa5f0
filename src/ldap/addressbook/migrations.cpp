#include "ldap/addressbook/migrations.hpp"

namespace sb::addressbook {
namespace {

constexpr std::string_view kV1 = R"SQL(
CREATE TABLE ldap_published_books (
  id {id},
  scope TEXT NOT NULL,
  domain_id {int64} NOT NULL DEFAULT 0,
  owner_uuid TEXT NOT NULL,
  owner_id {int64} NOT NULL,
  folder_id {int64} NOT NULL,
  created_at {int64} NOT NULL,
  UNIQUE (scope, domain_id, owner_uuid, folder_id)
);
)SQL";

}  // namespace

const store::ModuleMigrations& ldap_migrations() {
    static const store::ModuleMigrations module{"ldap",
                                                {
                                                    {1, "published address books", kV1},
                                                }};
    return module;
}

}  // namespace sb::addressbook
