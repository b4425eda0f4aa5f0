#pragma once
// Whether an account linked to a directory entry may still log in, by any path (directory
// password or mobile password, ActiveSync or the LDAP address book): its entry must still match
// the user filter and not be disabled. Full runs may be a day apart, so logins ask the directory
// themselves; the answers are kept per account for `login_check_interval`, and while no
// directory server answers, a "present" answer counts for `login_offline_grace` (so an outage
// does not lock everybody out, and a departed user does not keep access for ever). This is the
// pure part: no directory, no clock.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace sb::dirsync {

enum class EntryState { present, gone, disabled };

struct EntryAnswer {
    EntryState state = EntryState::present;
    int64_t at_ms = 0;   // when the directory (or a full run) said so
    std::string detail;  // for refusals: what was found (or not), where
};

struct LoginCheckPolicy {
    int64_t interval_ms = 5 * 60'000;
    int64_t offline_grace_ms = 4 * 3600'000;
};

// A refusal is asked again after at most this long: a user enabled again in the directory is
// not kept out for a whole interval.
inline constexpr int64_t kRefusalRecheckMs = 60'000;

class LoginChecks {
  public:
    // The last answer for the account while it is still good at `now_ms`; nullopt: ask.
    std::optional<EntryAnswer> fresh(int64_t account_id, int64_t now_ms,
                                     const LoginCheckPolicy& policy) const;
    // The last answer, however old (for when the directory cannot be asked).
    std::optional<EntryAnswer> latest(int64_t account_id) const;
    void store(int64_t account_id, int64_t domain_id, EntryAnswer answer);
    // A run changed accounts, or the configuration changed: ask again.
    void forget_domain(int64_t domain_id);
    void forget(int64_t account_id);

  private:
    struct Item {
        int64_t domain_id;
        EntryAnswer answer;
    };
    mutable std::mutex mutex_;
    std::unordered_map<int64_t, Item> items_;
};

// While no directory server answers: whether a login may go on, given the newest time the entry
// was known to be present (0: never).
bool offline_allowed(int64_t last_present_ms, int64_t now_ms, const LoginCheckPolicy& policy);

}  // namespace sb::dirsync
