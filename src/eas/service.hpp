#pragma once
// The ActiveSync service: everything a request needs (directory, authenticator, mailbox, devices
// and SyncStates, the Ping hub) and the request pipeline. Built once by the server and shared
// by the HTTPS listener and the admin commands. Blocking (store calls): run it on worker threads.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "eas/account_settings.hpp"
#include "eas/device_checks.hpp"
#include "eas/device_store.hpp"
#include "eas/exchange.hpp"
#include "eas/ping_hub.hpp"
#include "eas/sync/contact_source.hpp"
#include "eas/wbxml/tokenizer.hpp"

namespace sb::directory {
class Directory;
}
namespace sb::auth {
class Authenticator;
}
namespace sb::mailbox {
class Mailbox;
}

namespace sb::eas {

// Limits and tunables that come from the server configuration ([eas] section).
struct Options {
    size_t max_body = 32u << 20;    // bytes of a request body
    int64_t min_heartbeat = 60;     // seconds; Ping / Sync Wait below it get Status 5 / 14
    size_t max_window = 512;        // largest Sync WindowSize honoured (MS-ASCMD 2.2.3.199)
    size_t max_ping_folders = 300;  // Ping Status 6 above it
    size_t max_collections = 300;   // Sync / GetItemEstimate collections in one request
    wbxml::Limits wbxml;            // decoder limits for request bodies
};

// Settings an admin changes at run time (`config set global ...`), re-read every few seconds.
struct Tuning {
    bool instant_notifications = true;  // ZxMobile_UseInstantNotficiations
    int64_t notifications_latency = 0;  // ZxMobile_NotificationsLatency, seconds
    int64_t max_heartbeat = 3540;       // ZxMobile_MaxPingHeartbeat, seconds
};

class Pipeline;

class Service {
  public:
    // `contacts` replaces the mailbox's contacts (tests drive the sync logic with a fake).
    Service(store::Database& db, directory::Directory& directory,
            auth::Authenticator& authenticator, mailbox::Mailbox& mailbox, Options options = {},
            std::unique_ptr<ContactSource> contacts = nullptr);
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    // Handles one request (blocking). A Ping may come back parked (Outcome::wait).
    Outcome handle(Request request);

    store::Database& db() { return db_; }
    directory::Directory& directory() { return directory_; }
    auth::Authenticator& authenticator() { return authenticator_; }
    mailbox::Mailbox& mailbox() { return mailbox_; }
    DeviceStore& devices() { return devices_; }
    ContactSource& contacts() { return *contacts_; }
    PingHub& hub() { return hub_; }
    AccountSettings& settings() { return settings_; }
    DeviceChecks& checks() { return checks_; }
    const Options& options() const { return options_; }
    Tuning tuning();

    // Serializes the commands of one device (iOS races a second SyncKey 0; a Ping and a Sync may
    // overlap): hold the returned lock while a command runs.
    std::unique_lock<std::mutex> lock_device(int64_t account_id, const std::string& device_id);

  private:
    store::Database& db_;
    directory::Directory& directory_;
    auth::Authenticator& authenticator_;
    mailbox::Mailbox& mailbox_;
    Options options_;
    DeviceStore devices_;
    std::unique_ptr<ContactSource> contacts_;
    PingHub hub_;
    AccountSettings settings_;
    DeviceChecks checks_;
    std::unique_ptr<Pipeline> pipeline_;

    std::mutex tuning_mutex_;
    Tuning tuning_;
    std::chrono::steady_clock::time_point tuning_read_{};

    // Striped: two devices rarely share a stripe, and a stripe is held for one command only.
    std::array<std::mutex, 64> device_locks_;
};

}  // namespace sb::eas
