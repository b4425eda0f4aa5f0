#pragma once
// The LDAP address book's tables (module "ldap" of the migration registry): published books.
#include "store/migrations.hpp"

namespace sb::addressbook {

const store::ModuleMigrations& ldap_migrations();

}  // namespace sb::addressbook
