#pragma once
// Store bootstrap: the configured backend, every module's schema at this build's version (the
// migration registry) and the directory's defaults, before any service uses the store.
#include <memory>
#include <span>

#include "config/config.hpp"
#include "core/error.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace sb::server {

// Every module's migrations, in the order they apply: a module's tables may reference the tables
// of the modules before it.
std::span<const store::ModuleMigrations* const> migration_registry();

Result<std::unique_ptr<store::Database>> bootstrap_store(const config::StoreConfig& config);

}  // namespace sb::server
