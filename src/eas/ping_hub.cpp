#include "eas/ping_hub.hpp"

#include "eas/device_store.hpp"
#include "mailbox/mailbox.hpp"

namespace sb::eas {

PingHub::Token PingHub::park(int64_t account_id, const std::string& device_id, Callback signal) {
    auto token = std::make_shared<Waiter>(Waiter{account_id, device_id, std::move(signal)});
    Token older;
    {
        std::lock_guard lock(mutex_);
        auto& slot = waiters_[{account_id, device_id}];
        older = std::move(slot);
        slot = token;
    }
    if (older) older->signal(Signal::superseded);
    return token;
}

void PingHub::leave(const Token& token) {
    std::lock_guard lock(mutex_);
    auto it = waiters_.find({token->account_id, token->device_id});
    if (it != waiters_.end() && it->second == token) waiters_.erase(it);
}

void PingHub::notify(int64_t account_id) {
    std::vector<Token> hit;
    {
        std::lock_guard lock(mutex_);
        if (account_id == 0) {
            for (auto& [k, t] : waiters_)
                hit.push_back(t);
        } else {
            for (auto it = waiters_.lower_bound({account_id, std::string()});
                 it != waiters_.end() && it->first.first == account_id; ++it)
                hit.push_back(it->second);
        }
    }
    for (auto& t : hit)
        t->signal(Signal::changed);
}

void PingHub::shutdown() {
    std::map<std::pair<int64_t, std::string>, Token> all;
    {
        std::lock_guard lock(mutex_);
        all.swap(waiters_);
    }
    for (auto& [k, t] : all)
        t->signal(Signal::shutdown);
}

void PingHub::kick(int64_t account_id, const std::string& device_id) {
    Token t;
    {
        std::lock_guard lock(mutex_);
        auto it = waiters_.find({account_id, device_id});
        if (it == waiters_.end()) return;
        t = std::move(it->second);
        waiters_.erase(it);
    }
    t->signal(Signal::superseded);
}

size_t PingHub::size() const {
    std::lock_guard lock(mutex_);
    return waiters_.size();
}

void PingHub::follow(store::Database& db) {
    subscription_ = db.subscribe([this](const std::vector<store::Change>& changes) {
        for (auto& c : changes) {
            if (c.channel == mailbox::kChannel) {
                notify(c.subject);
            } else if (c.channel == kChannel && c.detail != "device") {
                // An admin changed the device (reset, wipe, suspend): answer its Ping now so the
                // next request meets the new state.
                std::vector<Token> hit;
                {
                    std::lock_guard lock(mutex_);
                    for (auto& [k, t] : waiters_)
                        if (c.subject == 0 || k.first == c.subject) hit.push_back(t);
                }
                for (auto& t : hit)
                    t->signal(Signal::changed);
            }
        }
    });
}

}  // namespace sb::eas
