#include "dirsync/login_check.hpp"

#include <algorithm>

namespace sb::dirsync {

std::optional<EntryAnswer> LoginChecks::fresh(int64_t account_id, int64_t now_ms,
                                              const LoginCheckPolicy& policy) const {
    std::lock_guard lock(mutex_);
    auto it = items_.find(account_id);
    if (it == items_.end()) return std::nullopt;
    const EntryAnswer& a = it->second.answer;
    const int64_t keep = a.state == EntryState::present
                             ? policy.interval_ms
                             : std::min(policy.interval_ms, kRefusalRecheckMs);
    // A clock that went backwards makes the answer old, not eternal.
    if (now_ms < a.at_ms || now_ms - a.at_ms >= keep) return std::nullopt;
    return a;
}

std::optional<EntryAnswer> LoginChecks::latest(int64_t account_id) const {
    std::lock_guard lock(mutex_);
    auto it = items_.find(account_id);
    if (it == items_.end()) return std::nullopt;
    return it->second.answer;
}

void LoginChecks::store(int64_t account_id, int64_t domain_id, EntryAnswer answer) {
    std::lock_guard lock(mutex_);
    items_[account_id] = Item{domain_id, std::move(answer)};
}

void LoginChecks::forget_domain(int64_t domain_id) {
    std::lock_guard lock(mutex_);
    std::erase_if(items_, [&](const auto& kv) { return kv.second.domain_id == domain_id; });
}

void LoginChecks::forget(int64_t account_id) {
    std::lock_guard lock(mutex_);
    items_.erase(account_id);
}

bool offline_allowed(int64_t last_present_ms, int64_t now_ms, const LoginCheckPolicy& policy) {
    if (last_present_ms <= 0 || policy.offline_grace_ms <= 0) return false;
    return now_ms >= last_present_ms && now_ms - last_present_ms <= policy.offline_grace_ms;
}

}  // namespace sb::dirsync
