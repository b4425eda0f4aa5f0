#include "server/store_bootstrap.hpp"

#include "directory/directory.hpp"
#include "dirsync/migrations.hpp"
#include "eas/device_store.hpp"
#include "ldap/addressbook/migrations.hpp"
#include "mailbox/migrations.hpp"

namespace sb::server {

std::span<const store::ModuleMigrations* const> migration_registry() {
    static const store::ModuleMigrations* const registry[] = {
        &store::core_migrations(),        // directory, credentials, mailbox contacts
        &dirsync::migrations(),           // directory sync
        &mailbox::migrations(),           // mailbox indexes
        &addressbook::ldap_migrations(),  // published address books
        &eas::migrations(),               // mobile devices and SyncStates
    };
    return registry;
}

Result<std::unique_ptr<store::Database>> bootstrap_store(const config::StoreConfig& config) {
    SB_TRY_ASSIGN(auto db, store::open({config.backend, config.path, config.url}));
    SB_TRY(store::migrate(*db, migration_registry()));
    SB_TRY(directory::Directory(*db).ensure_defaults());
    return db;
}

}  // namespace sb::server
