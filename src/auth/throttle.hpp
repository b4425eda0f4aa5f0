#pragma once
// Slows down password guessing: after `limit` failures within `window`, a key (an account, or a
// client address) is refused for a delay that doubles with every further failure, up to
// `max_delay`. Entries expire on their own; memory is bounded.
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sb::auth {

struct ThrottlePolicy {
    int limit = 10;
    int64_t window_ms = 900'000;
    int64_t initial_delay_ms = 1'000;  // the first block; each further failure doubles it
    int64_t max_delay_ms = 900'000;
};

class Throttle {
  public:
    explicit Throttle(size_t max_entries = 200'000) : max_entries_(max_entries) {}
    // Milliseconds the key must still wait (0 = may try now).
    int64_t wait_ms(const std::string& key, int64_t now_ms);
    void failure(const std::string& key, int64_t now_ms, const ThrottlePolicy& p);
    void success(const std::string& key);
    void clear();

  private:
    struct Entry {
        int failures = 0;
        int64_t window_start = 0;
        int64_t blocked_until = 0;
    };
    void prune(int64_t now_ms);
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
    size_t max_entries_;
    int64_t longest_window_ms_ = 0;
};

}  // namespace sb::auth
