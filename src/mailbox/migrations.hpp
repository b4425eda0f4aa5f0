#pragma once
// The mailbox module's own migrations (module "mailbox" of the migration registry): indexes the
// mailbox's reads rely on. Its tables are in the core schema.
#include "store/migrations.hpp"

namespace sb::mailbox {

const store::ModuleMigrations& migrations();

}  // namespace sb::mailbox
