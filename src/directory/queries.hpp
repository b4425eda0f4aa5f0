#pragma once
// Transaction-level directory operations shared by the Directory service files. Internal.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "directory/directory.hpp"

namespace sb::directory::detail {

using store::Tx;

Result<std::optional<Domain>> find_domain(Tx& tx, std::string_view name_or_uuid);
Result<Domain> require_domain(Tx& tx, std::string_view name_or_uuid);
Result<std::optional<Cos>> find_cos(Tx& tx, std::string_view name_or_uuid);
Result<Cos> require_cos(Tx& tx, std::string_view name_or_uuid);
Result<std::optional<Account>> find_account(Tx& tx, std::string_view key);
Result<Account> require_account(Tx& tx, std::string_view key);
Result<Account> account_by_id(Tx& tx, int64_t id);
// not_found unless `address` is free (neither an account nor an alias); already_exists otherwise.
Result<void> require_free_address(Tx& tx, const std::string& address);
Result<AttrMap> load_attrs(Tx& tx, Scope scope, int64_t owner);
// Validates and applies changes at one scope. Account status changes update the account row.
// `fresh`: the owner was just created and has no values yet (bulk import fast path).
Result<void> apply_attrs(Tx& tx, Scope scope, int64_t owner, const std::vector<AttrChange>& changes,
                         bool fresh = false);
Result<void> touch_account(Tx& tx, int64_t id);

// Everything needed to resolve inherited attributes of one account.
struct Chain {
    AttrMap account, cos, domain, global;
    std::string cos_name, domain_name;
};
Result<Chain> load_chain(Tx& tx, const Account& a);
EffectiveValue resolve(const Chain& chain, const Account& a, const AttrDef& def);

}  // namespace sb::directory::detail
