#pragma once
#include <memory>
#include <string>

#include "store/database.hpp"

namespace sb::store::sqlite {

// The embedded backend: one SQLite file in WAL mode. Writes go through one connection in turn
// (SQLite has a single writer anyway); each concurrent read transaction has a connection of its
// own from a small pool, so readers wait neither for each other nor for a commit.
Result<std::unique_ptr<Database>> open(const std::string& path);

}  // namespace sb::store::sqlite
