#pragma once
// Reads of the directory inside a transaction the caller owns: single objects, and bulk reads
// (one query per table, not per account, so 100,000 accounts load in seconds) for the modules
// that keep their own view of the accounts (the address book, the directory sync).
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "directory/inheritance.hpp"
#include "directory/model.hpp"
#include "store/database.hpp"

namespace sb::directory {

// An account with its own values of some attributes (not the inherited ones).
struct AccountAttrs {
    Account account;
    AttrMap attrs;
};

// The account an address belongs to: its id, primary address and where it logs in.
struct AddressHolder {
    int64_t account_id = 0;
    std::string address;
    std::string auth_source;
};

class DirectoryReader {
  public:
    explicit DirectoryReader(store::Tx& tx) : tx_(tx) {}

    // find_* give nullopt for a missing object; the others fail with not_found.
    Result<std::optional<Domain>> find_domain(std::string_view name_or_uuid);
    Result<Domain> domain(std::string_view name_or_uuid);
    Result<std::vector<Domain>> domains();  // by name
    Result<std::optional<Cos>> find_cos(std::string_view name_or_uuid);
    Result<Cos> cos(std::string_view name_or_uuid);
    Result<std::vector<Cos>> all_cos();  // by name
    // `key`: the primary address, an alias or the uuid.
    Result<std::optional<Account>> find_account(std::string_view key);
    Result<Account> account(std::string_view key);
    Result<Account> account_by_id(int64_t id);
    // The account an alias belongs to.
    Result<std::optional<int64_t>> alias_holder(const std::string& alias);
    // By address; every account, or those of one domain.
    Result<std::vector<Account>> accounts_by_address(std::optional<int64_t> domain_id);
    Result<int64_t> account_count();
    Result<AttrMap> own_attrs(Scope scope, int64_t owner);

    // Every domain, COS and the global settings, for resolving the attributes of many accounts.
    Result<SettingLevels> setting_levels();
    // Just the levels one account inherits from.
    Result<SettingLevels> levels_of(const Account& account, const AttrMap& own);
    // Accounts in id order, with their aliases and their own values of `attrs` (none when
    // empty): every account, or those of `ids` (missing ones are left out).
    Result<std::vector<AccountAttrs>> accounts(std::optional<std::span<const int64_t>> ids,
                                               std::span<const std::string> attrs = {});
    // The holder of an address (its primary address or an alias), in one query.
    Result<std::optional<AddressHolder>> holder_of(const std::string& address);
    // Every address on the server with its holder: primary addresses first, then aliases.
    Result<std::vector<std::pair<std::string, AddressHolder>>> address_holders();
    // The own values of `attrs` of the accounts `ids`, by account id.
    Result<std::unordered_map<int64_t, AttrMap>> account_attrs(std::span<const int64_t> ids,
                                                               std::span<const std::string> attrs);

  protected:
    Result<std::optional<Account>> select_account(std::string_view where, store::Value v);
    Result<void> name_domains(std::vector<AccountAttrs>& accounts);
    // Hands every (owner_id, name, value) row of `attrs` to `add`, in owner, name and value
    // order; nullopt: of every account.
    using AttrRowSink = std::function<void(int64_t owner, const store::Row& row)>;
    Result<void> scan_account_attrs(std::optional<std::span<const int64_t>> ids,
                                    std::span<const std::string> attrs, const AttrRowSink& add);

    store::Tx& tx_;
};

}  // namespace sb::directory
