#pragma once
// The one inheritance rule of the directory. An inherited attribute of an account takes the first
// value found on the account, its class of service, its domain, the global settings, then the
// attribute's built-in default. The account's COS is the one its zimbraCOSId names, else its
// domain's zimbraDomainDefaultCOSId, else "default" (also when the named COS no longer exists).
// Directory::effective loads the levels of one account; caches that mirror the directory (the
// address book) load every level once (DirectoryReader::setting_levels) and resolve many accounts.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "directory/attributes.hpp"
#include "directory/model.hpp"

namespace sb::directory {

inline constexpr std::string_view kDefaultCos = "default";

// A level above the account (a domain or a class of service) with its own attribute values.
struct Level {
    int64_t id = 0;
    std::string uuid;
    std::string name;
    AttrMap attrs;
};

// Where a resolved value comes from.
enum class Origin : uint8_t { none, account, cos, domain, global, builtin };

// An attribute's value for one account. It points into the maps it was resolved from.
struct Resolved {
    Origin origin = Origin::none;
    const std::vector<std::string>* values = nullptr;  // set unless none or builtin
    std::string_view builtin;                          // the default, for builtin
    std::string_view level;                            // the COS or domain name

    // The first value, "" when there is none.
    std::string_view first() const;
    // For `prov ga`: the values and "account", "cos <name>", "domain <name>", "global", "default".
    EffectiveValue effective() const;
};

// The levels accounts inherit from: domains, classes of service and the global settings; all of
// them, or just those of one account.
class SettingLevels {
  public:
    void add_domain(Level domain);
    void add_cos(Level cos);
    AttrMap& global() { return global_; }
    // The account an account_ref setting (zimbraGalAccountId) names by uuid, when it exists.
    void add_account_ref(std::string uuid, int64_t account_id);
    std::optional<int64_t> account_ref(std::string_view uuid) const;

    const std::map<int64_t, Level>& domains() const { return domains_; }
    const Level* domain(int64_t id) const;
    // The COS an account with these own values, in this domain, inherits from.
    const Level* cos_of(const AttrMap& account, const Level* domain) const;
    // The value of `def` for an account with these own values, in domain `domain_id`.
    Resolved resolve(const AttrMap& account, int64_t domain_id, const AttrDef& def) const;

  private:
    std::map<int64_t, Level> domains_;
    std::map<int64_t, Level> cos_;
    std::map<std::string, int64_t, std::less<>> cos_keys_;  // COS ids by name and by uuid
    AttrMap global_;
    std::map<std::string, int64_t, std::less<>> account_refs_;
};

// The COS name or uuid an account's values name: its own, else its domain's default, else
// "default".
std::string_view cos_key(const AttrMap& account, const AttrMap* domain);

// The value of an identity or status attribute (zimbraId, mail, zimbraAccountStatus...), which
// the account row holds rather than the attribute table.
EffectiveValue account_value(const Account& account, const AttrDef& def);

}  // namespace sb::directory
