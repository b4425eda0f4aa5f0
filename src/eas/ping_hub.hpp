#pragma once
// Where parked Pings wait: at most one per (account, device) — a newer Ping ends the older — and
// every store change of an account's mailbox signals that account's waiters. The hub knows no
// sockets or timers: a waiter is a callback that the HTTP layer turns into a timer cancel on the
// connection's strand. Thread-safe; callbacks run on the caller's thread and must be short.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace sb::eas {

enum class Signal : uint8_t { changed, superseded, shutdown };

class PingHub {
  public:
    using Callback = std::function<void(Signal)>;
    struct Waiter {
        int64_t account_id = 0;
        std::string device_id;
        Callback signal;
    };
    using Token = std::shared_ptr<Waiter>;

    // Parks a waiter; an earlier waiter of the same device is told it is superseded.
    Token park(int64_t account_id, const std::string& device_id, Callback signal);
    // Removes a waiter (no-op if it was already replaced).
    void leave(const Token& token);
    // Signals every waiter of the account (0 = all accounts).
    void notify(int64_t account_id);
    // Ends every waiter (server shutdown) and the ones of one device (reset, suspend, wipe).
    void shutdown();
    void kick(int64_t account_id, const std::string& device_id);
    size_t size() const;

    // Follows the store's committed changes: mailbox changes signal the account's waiters and
    // device changes (reset, wipe, suspend) end the account's waiters so they see it at once.
    void follow(store::Database& db);

  private:
    mutable std::mutex mutex_;
    std::map<std::pair<int64_t, std::string>, Token> waiters_;
    store::Subscription subscription_;  // last: ends before the state it touches
};

}  // namespace sb::eas
