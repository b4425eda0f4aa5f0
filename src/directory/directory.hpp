#pragma once
// The directory: domains, classes of service, accounts, aliases and their attributes, kept in
// the store. Every change is one transaction and raises a "directory" change notification with
// the account id (0 when many accounts may be affected), which caches and indexes follow.
// Only the directory runs SQL on its tables (tools/check_table_owners.py); other modules use this
// class, or DirectoryReader and AccountWriter inside transactions of their own.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "directory/account_writer.hpp"
#include "directory/attributes.hpp"
#include "directory/inheritance.hpp"
#include "directory/model.hpp"
#include "directory/reader.hpp"
#include "store/database.hpp"

namespace sb::directory {

class Directory {
  public:
    explicit Directory(store::Database& db) : db_(db) {}

    // Creates the default COS (with COS defaults) when missing. Called at start-up.
    Result<void> ensure_defaults();

    // domains
    Result<Domain> create_domain(std::string_view name, const std::vector<AttrChange>& attrs = {});
    Result<Domain> domain(std::string_view name_or_uuid);
    Result<std::vector<Domain>> domains();
    Result<void> modify_domain(std::string_view name, const std::vector<AttrChange>& attrs);
    Result<void> delete_domain(std::string_view name);

    // classes of service
    Result<Cos> create_cos(std::string_view name, const std::vector<AttrChange>& attrs = {});
    Result<Cos> cos(std::string_view name_or_uuid);
    Result<std::vector<Cos>> all_cos();
    Result<void> modify_cos(std::string_view name, const std::vector<AttrChange>& attrs);
    Result<void> delete_cos(std::string_view name);

    // accounts; `key` is the primary address, an alias or the uuid
    Result<Account> create_account(const NewAccount& a);
    // Creates many accounts in one transaction: all or none (LDIF import).
    Result<size_t> create_accounts(const std::vector<NewAccount>& accounts);
    Result<Account> account(std::string_view key);
    Result<Account> account_by_id(int64_t id);
    Result<std::vector<Account>> accounts(std::optional<std::string_view> domain = std::nullopt);
    Result<int64_t> account_count();
    Result<void> modify_account(std::string_view key, const std::vector<AttrChange>& attrs);
    Result<void> delete_account(std::string_view key);
    Result<Account> rename_account(std::string_view key, std::string_view new_address);
    Result<void> set_password(std::string_view key, std::string_view plain);
    Result<void> add_alias(std::string_view key, std::string_view alias);
    Result<void> remove_alias(std::string_view key, std::string_view alias);
    // The stored password hash of an account ("" when none), for the authenticator.
    Result<std::string> password_hash(int64_t account_id);
    // Replaces the stored hash when it still equals `expected` (upgrade after a login).
    Result<void> upgrade_password_hash(int64_t account_id, std::string_view expected,
                                       std::string_view hash);

    // attributes
    Result<AttrMap> own_attrs(Scope scope, int64_t owner_id);
    // The effective value of an attribute for an account, and where it comes from.
    Result<EffectiveValue> effective(const Account& account, std::string_view attr);
    // Every attribute with a value for the account (own values and inherited ones).
    Result<std::vector<std::pair<std::string, EffectiveValue>>> effective_all(
        const Account& account);
    // Whether mobile sync (ActiveSync, LDAP address book) is enabled for the account.
    Result<bool> mobile_sync_enabled(const Account& account);

    // Bulk reads for caches that mirror the directory (DirectoryReader in one transaction).
    Result<SettingLevels> setting_levels();
    Result<std::vector<AccountAttrs>> accounts_with_attrs(
        std::optional<std::span<const int64_t>> ids, std::span<const std::string> attrs);

    // global settings (`config set global KEY VALUE`)
    Result<void> set_global(const std::vector<AttrChange>& attrs);
    Result<EffectiveValue> global(std::string_view attr);

    store::Database& db() { return db_; }

  private:
    store::Database& db_;
};

// Lower-cases and checks an address (local@domain). Errors name the problem.
Result<std::string> normalize_address(std::string_view address);
// Checks a domain name (labels of letters, digits, '-').
Result<std::string> normalize_domain(std::string_view name);

}  // namespace sb::directory
