#include "mail/push/mail_events.hpp"

#include <fmt/format.h>

#include "core/strings.hpp"

namespace sb::mail {

std::string_view kind_name(MailEventKind k) {
    switch (k) {
        case MailEventKind::message_new:
            return "new";
        case MailEventKind::message_append:
            return "append";
        case MailEventKind::flags_changed:
            return "flags";
        case MailEventKind::message_expunged:
            return "expunge";
        case MailEventKind::mailbox_changed:
            return "mailbox";
    }
    return "?";
}

Result<MailEventKind> parse_kind(std::string_view name) {
    for (auto k :
         {MailEventKind::message_new, MailEventKind::message_append, MailEventKind::flags_changed,
          MailEventKind::message_expunged, MailEventKind::mailbox_changed})
        if (name == kind_name(k)) return k;
    return fail(Errc::invalid_argument,
                fmt::format("unknown event kind '{}' (new, append, flags, expunge, mailbox)",
                            name.substr(0, 32)));
}

MailEvents::Subscription& MailEvents::Subscription::operator=(Subscription&& o) noexcept {
    if (this != &o) {
        reset();
        owner_ = o.owner_;
        id_ = o.id_;
        o.owner_ = nullptr;
    }
    return *this;
}

void MailEvents::Subscription::reset() {
    if (owner_) owner_->unsubscribe(id_);
    owner_ = nullptr;
}

MailEvents::Subscription MailEvents::subscribe(int64_t account_id, Callback callback) {
    std::unique_lock lock(subscribers_mutex_);
    const uint64_t id = next_id_++;
    by_account_.emplace(account_id, std::make_pair(id, std::move(callback)));
    account_of_[id] = account_id;
    return Subscription(this, id);
}

void MailEvents::unsubscribe(uint64_t id) {
    std::unique_lock lock(subscribers_mutex_);
    auto it = account_of_.find(id);
    if (it == account_of_.end()) return;
    auto [first, last] = by_account_.equal_range(it->second);
    for (auto s = first; s != last; ++s)
        if (s->second.first == id) {
            by_account_.erase(s);
            break;
        }
    account_of_.erase(it);
}

void MailEvents::publish(MailEvent event) {
    {
        std::lock_guard lock(recent_mutex_);
        event.seq = ++seq_;
        if (!event.received_ms) event.received_ms = now_ms();
        recent_.push_back(event);
        while (recent_.size() > recent_capacity_)
            recent_.pop_front();
    }
    std::shared_lock lock(subscribers_mutex_);
    auto [first, last] = by_account_.equal_range(event.account_id);
    for (auto s = first; s != last; ++s)
        s->second.second(event);
}

std::vector<MailEvent> MailEvents::recent(int64_t account_id) const {
    std::lock_guard lock(recent_mutex_);
    std::vector<MailEvent> out;
    for (const auto& e : recent_)
        if (account_id == 0 || e.account_id == account_id) out.push_back(e);
    return out;
}

uint64_t MailEvents::published() const {
    std::lock_guard lock(recent_mutex_);
    return seq_;
}

size_t MailEvents::subscribers() const {
    std::shared_lock lock(subscribers_mutex_);
    return account_of_.size();
}

}  // namespace sb::mail
