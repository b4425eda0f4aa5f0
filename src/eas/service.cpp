#include "eas/service.hpp"

#include <functional>

#include "directory/directory.hpp"
#include "eas/pipeline.hpp"

namespace sb::eas {

Service::Service(store::Database& db, directory::Directory& directory,
                 auth::Authenticator& authenticator, mailbox::Mailbox& mailbox, Options options,
                 std::unique_ptr<ContactSource> contacts)
    : db_(db),
      directory_(directory),
      authenticator_(authenticator),
      mailbox_(mailbox),
      options_(std::move(options)),
      devices_(db),
      contacts_(contacts ? std::move(contacts) : std::make_unique<MailboxContacts>(mailbox)),
      settings_(directory),
      pipeline_(std::make_unique<Pipeline>(*this)) {
    hub_.follow(db);
    settings_.follow(db);
}

Service::~Service() = default;

Outcome Service::handle(Request request) {
    return pipeline_->handle(std::move(request));
}

Tuning Service::tuning() {
    std::lock_guard lock(tuning_mutex_);
    auto now = std::chrono::steady_clock::now();
    if (now - tuning_read_ < std::chrono::seconds(2)) return tuning_;
    tuning_read_ = now;
    auto read = [&](std::string_view name) -> std::string {
        auto v = directory_.global(name);
        return v && !v->values.empty() ? v->values.front() : std::string();
    };
    if (auto v = read("ZxMobile_UseInstantNotficiations"); !v.empty())
        tuning_.instant_notifications = v == "TRUE";
    if (auto v = read("ZxMobile_NotificationsLatency"); !v.empty())
        tuning_.notifications_latency = std::strtoll(v.c_str(), nullptr, 10);
    if (auto v = read("ZxMobile_MaxPingHeartbeat"); !v.empty())
        tuning_.max_heartbeat = std::strtoll(v.c_str(), nullptr, 10);
    return tuning_;
}

std::unique_lock<std::mutex> Service::lock_device(int64_t account_id,
                                                  const std::string& device_id) {
    size_t h = std::hash<std::string>()(device_id) ^ (std::hash<int64_t>()(account_id) * 31);
    return std::unique_lock<std::mutex>(device_locks_[h % device_locks_.size()]);
}

}  // namespace sb::eas
