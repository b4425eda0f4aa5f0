#include "eas/account_settings.hpp"

#include <chrono>
#include <map>
#include <string>

#include "directory/directory.hpp"
#include "store/database.hpp"

namespace sb::eas {

namespace {

int64_t steady_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

constexpr size_t kMaxEntries = 100'000;

}  // namespace

Result<std::shared_ptr<const AccountSettings::Values>> AccountSettings::get(
    const directory::Account& account) {
    uint64_t generation = 0;
    {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(account.id);
        if (it != entries_.end() && steady_ms() - it->second.loaded_at < ttl_ms_)
            return it->second.values;
        generation = generation_;
        ++loads_;
    }
    SB_TRY_ASSIGN(auto all, directory_.effective_all(account));
    std::map<std::string, std::vector<std::string>, std::less<>> attrs;
    for (auto& [name, ev] : all)
        attrs[name] = std::move(ev.values);
    auto values_of = [&](std::string_view name) {
        auto it = attrs.find(name);
        return it == attrs.end() ? std::vector<std::string>() : it->second;
    };
    auto v = std::make_shared<Values>();
    auto sync = values_of("zimbraFeatureMobileSyncEnabled");
    v->mobile_sync = !sync.empty() && directory::is_true(sync.front());
    v->policy = make_policy(values_of);
    std::lock_guard lock(mutex_);
    if (generation == generation_) {
        if (entries_.size() >= kMaxEntries) entries_.clear();
        entries_[account.id] = Entry{v, steady_ms()};
    }
    return std::shared_ptr<const Values>(std::move(v));
}

void AccountSettings::forget() {
    std::lock_guard lock(mutex_);
    ++generation_;
    entries_.clear();
}

void AccountSettings::follow(store::Database& db) {
    subscription_ = db.subscribe([this](const std::vector<store::Change>& changes) {
        for (auto& c : changes)
            if (c.channel == directory::kChannel) return forget();
    });
}

uint64_t AccountSettings::loads() const {
    std::lock_guard lock(mutex_);
    return loads_;
}

}  // namespace sb::eas
