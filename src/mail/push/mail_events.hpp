#pragma once
// Mail changes that Dovecot reports (new mail, flag changes, expunges, folder changes), published
// in-process to whoever waits on an account: the ActiveSync Ping subscribes per account, and a
// parked Ping costs a callback here, never an IMAP connection.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sb::mail {

enum class MailEventKind {
    message_new,       // delivered (LMTP, LDA)
    message_append,    // added by a client (IMAP APPEND, a copy or move into the folder)
    flags_changed,     // \Seen, \Flagged, keywords ...
    message_expunged,  // removed for good
    mailbox_changed,   // a folder was created, deleted, renamed, (un)subscribed
};
std::string_view kind_name(MailEventKind k);
Result<MailEventKind> parse_kind(std::string_view name);

struct MailEvent {
    uint64_t seq = 0;  // increasing per process, set by publish()
    int64_t account_id = 0;
    std::string account;  // primary address when published
    MailEventKind kind = MailEventKind::message_new;
    std::string mailbox;  // IMAP name, e.g. "INBOX" or "Archive/2026"
    uint32_t uid = 0;     // 0 for mailbox_changed
    uint32_t uid_validity = 0;
    uint64_t modseq = 0;             // 0: Dovecot 2.3's push-notification events carry none
    std::vector<std::string> flags;  // flags_changed: the flags and keywords set afterwards
    int64_t received_ms = 0;
};

class MailEvents {
  public:
    using Callback = std::function<void(const MailEvent&)>;

    // Unsubscribes when destroyed; after that no callback of it runs any more.
    class Subscription {
      public:
        Subscription() = default;
        Subscription(Subscription&& o) noexcept : owner_(o.owner_), id_(o.id_) {
            o.owner_ = nullptr;
        }
        Subscription& operator=(Subscription&& o) noexcept;
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;
        ~Subscription() { reset(); }
        void reset();
        explicit operator bool() const { return owner_ != nullptr; }

      private:
        friend class MailEvents;
        Subscription(MailEvents* owner, uint64_t id) : owner_(owner), id_(id) {}
        MailEvents* owner_ = nullptr;
        uint64_t id_ = 0;
    };

    explicit MailEvents(size_t recent_capacity = 1000) : recent_capacity_(recent_capacity) {}

    // Calls `callback` for every event of the account from now on, on the thread that publishes
    // it (keep it short; it must not subscribe or unsubscribe itself).
    [[nodiscard]] Subscription subscribe(int64_t account_id, Callback callback);
    void publish(MailEvent event);

    // The last events received (all accounts, or one), oldest first, for `mail events`.
    std::vector<MailEvent> recent(int64_t account_id = 0) const;
    uint64_t published() const;
    size_t subscribers() const;

  private:
    void unsubscribe(uint64_t id);

    mutable std::shared_mutex subscribers_mutex_;  // held shared while callbacks run
    std::multimap<int64_t, std::pair<uint64_t, Callback>> by_account_;
    std::map<uint64_t, int64_t> account_of_;
    uint64_t next_id_ = 1;

    mutable std::mutex recent_mutex_;
    std::deque<MailEvent> recent_;
    size_t recent_capacity_;
    uint64_t seq_ = 0;
};

}  // namespace sb::mail
