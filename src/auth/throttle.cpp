#include "auth/throttle.hpp"

#include <algorithm>

namespace sb::auth {

int64_t Throttle::wait_ms(const std::string& key, int64_t now) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return 0;
    return std::max<int64_t>(0, it->second.blocked_until - now);
}

void Throttle::failure(const std::string& key, int64_t now, const ThrottlePolicy& p) {
    std::lock_guard lock(mutex_);
    longest_window_ms_ = std::max(longest_window_ms_, std::max(p.window_ms, p.max_delay_ms));
    if (entries_.size() >= max_entries_ && !entries_.count(key)) prune(now);
    auto& e = entries_[key];
    if (e.failures == 0 || now - e.window_start > p.window_ms) {
        e.failures = 0;
        e.window_start = now;
    }
    ++e.failures;
    if (e.failures >= p.limit) {
        // The shift is bounded so that the doubling cannot overflow before the cap applies.
        int excess = std::min(e.failures - p.limit, 20);
        int64_t delay = std::min<int64_t>(p.initial_delay_ms << excess, p.max_delay_ms);
        e.blocked_until = now + delay;
    }
}

void Throttle::success(const std::string& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
}

void Throttle::clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
}

void Throttle::prune(int64_t now) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        bool stale =
            now - it->second.window_start > longest_window_ms_ && it->second.blocked_until <= now;
        it = stale ? entries_.erase(it) : std::next(it);
    }
    // Still full (an attack from many addresses): forget the oldest half rather than grow.
    if (entries_.size() >= max_entries_) {
        size_t drop = entries_.size() / 2;
        for (auto it = entries_.begin(); it != entries_.end() && drop > 0; --drop)
            it = entries_.erase(it);
    }
}

}  // namespace sb::auth
