#pragma once
#include "store/database.hpp"

namespace sb::store {

// Brings the schema to the newest version, one transaction per migration. A database written by
// a newer Switchboard (unknown version) is refused rather than touched.
Result<void> migrate(Database& db);

// The version migrate() produces.
int current_schema_version();

}  // namespace sb::store
