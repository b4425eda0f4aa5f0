#pragma once
// Mobile devices and their SyncStates, kept in the store (module "eas" migrations), so that a
// restart of the server changes nothing for a phone. One row per (account, device id) in
// eas_devices; one row per (account, device id, collection) in eas_sync_states, where the
// collection "" is the folder hierarchy.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "eas/sync/collection_options.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace sb::eas {

inline constexpr std::string_view kChannel = "eas";  // store change channel of device updates

// The module's schema migrations (apply with store::migrate after the core schema).
const store::ModuleMigrations& migrations();

enum class Wipe { none, full, account_only };
std::string_view wipe_name(Wipe w);  // "", "full", "account"

// A folder a Ping watches: its ServerId and Class as the device sent them.
struct PingFolder {
    std::string id;
    std::string cls;

    bool operator==(const PingFolder&) const = default;
};

// What the device's last full requests asked for: an empty Sync or Ping reuses it (MS-ASCMD
// 2.2.1.21.1, 2.2.1.13).
struct DeviceCache {
    std::vector<std::string> sync_collections;  // the last full Sync's collections, in its order
    std::optional<int64_t> sync_wait;           // its Wait or HeartbeatInterval, in seconds
    std::optional<int64_t> ping_heartbeat;      // the last Ping's HeartbeatInterval, in seconds
    std::vector<PingFolder> ping_folders;       // and its folders

    bool operator==(const DeviceCache&) const = default;
};

struct Device {
    int64_t account_id = 0;
    std::string device_id;
    std::string device_type;
    std::string user_agent;
    std::string protocol_version;  // "14.1"
    int64_t first_seen = 0;        // ms since the epoch
    int64_t last_seen = 0;
    std::string last_command;
    // From Settings DeviceInformation or Provision: Model, IMEI, FriendlyName, OS, OSLanguage,
    // PhoneNumber, MobileOperator, UserAgent (MS-ASCMD 2.2.3.53).
    std::map<std::string, std::string> info;
    bool suspended = false;
    uint32_t policy_key = 0;          // the key the device acknowledged (phase 2)
    uint32_t pending_policy_key = 0;  // the temporary key of phase 1
    std::string policy_hash;          // the policy the device acknowledged
    int64_t provisioned_at = 0;
    Wipe wipe = Wipe::none;
    int64_t wipe_requested_at = 0;
    int64_t wipe_sent_at = 0;
    int64_t wipe_acknowledged_at = 0;
    int wipe_ack_status = 0;  // MS-ASPROV 2.2.2.54.3: 1 wiped, 2 failed
    DeviceCache cache;
};

// What a Sync with Adds is about to do, stored before the first Add reaches the mailbox: after a
// crash, the resent request finds the contacts it already made since `modseq` (see
// collection_sync.hpp).
struct SyncIntent {
    int64_t key = 0;     // the SyncKey counter the request answers
    int64_t modseq = 0;  // the mailbox's modseq before its Adds

    bool operator==(const SyncIntent&) const = default;
};

// One SyncState: the SyncKey counter of a collection, where the device is in the collection's
// items, and the reply that led to it (a resent previous SyncKey is answered with it again).
// The items a device holds are rows of their own (HeldDelta), written with the state.
struct SyncState {
    static constexpr int64_t kDownloaded = -1;

    std::string collection;  // "" = folder hierarchy
    std::string generation;  // changes when the collection is primed again (SyncKey 0)
    int64_t key = 0;         // current SyncKey counter (the device's next request carries it)
    std::string holdings;    // the folder hierarchy: serialized FolderSet ("" for collections)
    int64_t prev_key = 0;    // the SyncKey the cached reply answered (0 = none)
    std::string prev_reply;  // WBXML of the reply fragment, replayed for prev_key
    std::optional<SyncIntent> intent;  // an interrupted request's intent (crash recovery)
    CollectionOptions options;         // the collection's last request options (empty Sync)
    int64_t modified_at = 0;
    // The initial download goes through the folder in item id order: it goes on after this id,
    // or is over (kDownloaded).
    int64_t download_after = kDownloaded;
    // The change feed (mailbox modseq) is followed from here: every change up to it has been
    // sent or found to concern the device not.
    int64_t feed_modseq = 0;
    size_t held_items = 0;  // filled by states() only: how many items the device holds
};

// What a request changes in the items a device holds in one collection: item id → the version
// (mailbox modseq) of the copy it holds now, or nullopt when it holds it no more.
struct HeldDelta {
    bool clear = false;  // forget everything held before (priming)
    std::map<int64_t, std::optional<int64_t>> items;
};

struct DeviceKey {
    int64_t account_id = 0;
    std::string device_id;
};

class DeviceStore {
  public:
    explicit DeviceStore(store::Database& db) : db_(db) {}

    // Registers a device on first contact, otherwise updates what it tells about itself. The
    // last-seen time is kept to kLastSeenResolutionMs: a request that changes nothing else within
    // it writes nothing.
    static constexpr int64_t kLastSeenResolutionMs = 60'000;
    Result<Device> touch(int64_t account, std::string_view device_id, std::string_view device_type,
                         std::string_view user_agent, std::string_view protocol_version,
                         std::string_view command);
    Result<std::optional<Device>> find(int64_t account, std::string_view device_id);
    Result<std::vector<Device>> list(int64_t account);
    Result<std::vector<Device>> all();
    // Merges device information (Settings DeviceInformation, Provision).
    Result<void> set_info(int64_t account, std::string_view device_id,
                          const std::map<std::string, std::string>& info);
    // Returns the number of devices changed (device_id nullopt = every device of the account).
    Result<int64_t> set_suspended(int64_t account, std::optional<std::string_view> device_id,
                                  bool suspended);
    // Forgets the device: its row and every SyncState. Returns false when it was unknown.
    Result<bool> remove(int64_t account, std::string_view device_id);
    // Drops the SyncStates (the device starts over at SyncKey 0); keeps the device and its
    // provisioning. Returns the number of devices reset.
    Result<int64_t> reset(int64_t account, std::optional<std::string_view> device_id);
    Result<void> request_wipe(int64_t account, std::string_view device_id, Wipe kind);
    Result<void> wipe_sent(int64_t account, std::string_view device_id);
    Result<void> wipe_acknowledged(int64_t account, std::string_view device_id, int status);
    Result<void> set_pending_policy_key(int64_t account, std::string_view device_id, uint32_t key);
    Result<void> set_policy_key(int64_t account, std::string_view device_id, uint32_t key,
                                std::string_view policy_hash);
    Result<void> set_cache(int64_t account, std::string_view device_id, const DeviceCache& cache);
    // Deletes devices not seen since `before_ms` with their states; returns the devices removed.
    Result<int64_t> purge(int64_t before_ms);

    Result<std::optional<SyncState>> state(int64_t account, std::string_view device_id,
                                           std::string_view collection);
    Result<std::vector<SyncState>> states(int64_t account, std::string_view device_id);
    // Writes a state and, in the same transaction, the change to the items the device holds.
    // The commit survives a crash of the process; one of the machine may lose it (the device
    // then syncs the collection again), see store::Database::write_relaxed.
    Result<void> put_state(int64_t account, std::string_view device_id, const SyncState& s,
                           const HeldDelta& held = {});
    // The versions of those of `ids` that the device holds in the collection.
    Result<std::map<int64_t, int64_t>> held(int64_t account, std::string_view device_id,
                                            std::string_view collection,
                                            const std::vector<int64_t>& ids);
    // Drops every collection state of a device except the hierarchy (FolderSync 0 drops all).
    Result<void> drop_states(int64_t account, std::string_view device_id, bool hierarchy_too);
    Result<void> drop_state(int64_t account, std::string_view device_id,
                            std::string_view collection);

    store::Database& db() { return db_; }

  private:
    store::Database& db_;
};

}  // namespace sb::eas
