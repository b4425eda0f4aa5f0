#pragma once
#include <memory>
#include <string>

#include "store/database.hpp"

namespace sb::store::sqlite {

// The embedded backend: one SQLite file in WAL mode. One connection serialised by a mutex; SQLite
// has a single writer anyway, and hot read paths (address book, sync) are served from memory.
Result<std::unique_ptr<Database>> open(const std::string& path);

}  // namespace sb::store::sqlite
