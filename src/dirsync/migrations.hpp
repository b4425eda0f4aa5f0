#pragma once
// The directory sync's tables (module "dirsync" of the migration registry).
#include "store/migrations.hpp"

namespace sb::dirsync {

const store::ModuleMigrations& migrations();

}  // namespace sb::dirsync
