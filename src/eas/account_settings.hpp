#pragma once
// What every ActiveSync request of an account needs from the directory: whether the account may
// sync and its provisioning policy. Both come from one load of the account's attribute chain
// (account → COS → domain → global) and are kept until the directory changes. An entry also
// expires after a while, so that a cluster node that missed a change notification is wrong for
// that long at most.
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/error.hpp"
#include "eas/provision/policy.hpp"
#include "store/database.hpp"

namespace sb::eas {

class AccountSettings {
  public:
    struct Values {
        bool mobile_sync = false;  // zimbraFeatureMobileSyncEnabled
        Policy policy;
    };

    explicit AccountSettings(directory::Directory& directory, int64_t ttl_ms = 60'000)
        : directory_(directory), ttl_ms_(ttl_ms) {}

    Result<std::shared_ptr<const Values>> get(const directory::Account& account);
    // Forgets every account: a change of a COS, a domain or a global value concerns many.
    void forget();
    // Forgets on every committed directory change (this node's and, on PostgreSQL, the others').
    void follow(store::Database& db);
    // How many times the directory was read (tests).
    uint64_t loads() const;

  private:
    struct Entry {
        std::shared_ptr<const Values> values;
        int64_t loaded_at = 0;  // steady clock, ms
    };

    directory::Directory& directory_;
    const int64_t ttl_ms_;
    mutable std::mutex mutex_;
    uint64_t generation_ = 0;  // moved on by forget(): a load that began before is not kept
    uint64_t loads_ = 0;
    std::unordered_map<int64_t, Entry> entries_;
    store::Subscription subscription_;  // last: ends before the state it touches
};

}  // namespace sb::eas
