// Ping (MS-ASCMD 2.2.1.13): park until a watched folder changes or the heartbeat runs out.
// One Ping per user+device (a newer one ends the older, see PingHub); an empty Ping, or one
// without folders or interval, reuses the device's last ones.
#include "eas/commands/command_table.hpp"
#include "eas/commands/hierarchy.hpp"
#include "eas/pipeline.hpp"
#include "eas/service.hpp"
#include "eas/state_codec.hpp"
#include "eas/sync/collection_sync.hpp"

namespace sb::eas {

namespace pg = wbxml::cp::ping;

namespace {

// MS-ASCMD 2.2.3.177.11
constexpr int kExpired = 1, kChanges = 2, kMissing = 3, kBadRequest = 4, kBadHeartbeat = 5,
              kTooManyFolders = 6, kHierarchy = 7;

std::string status_body(int status, std::optional<int64_t> heartbeat = {},
                        std::optional<size_t> max_folders = {},
                        const std::vector<std::string>& folders = {}) {
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(pg::Ping).element(pg::Status, status);
    if (heartbeat) enc.element(pg::HeartbeatInterval, *heartbeat);
    if (max_folders) enc.element(pg::MaxFolders, *max_folders);
    if (!folders.empty()) {
        enc.start(pg::Folders);
        for (auto& f : folders)
            enc.element(pg::Folder, f);
        enc.end();
    }
    enc.end();
    (void)enc.finish();
    return body;
}

Reply reply(std::string body) {
    Reply r;
    r.body = std::move(body);
    return r;
}

// What the parked Ping watches; changed() and answer() run on a worker thread.
class PingWait final : public Wait {
  public:
    PingWait(Service& svc, int64_t account, std::string device, std::vector<PingFolder> folders,
             int64_t heartbeat, Version version)
        : svc_(svc), folders_(std::move(folders)), version_(version) {
        account_id = account;
        device_id = std::move(device);
        heartbeat_seconds = heartbeat;
    }

    bool changed() override {
        last_ = evaluate();
        return last_->status != kExpired;
    }

    Response answer(Wake why) override {
        // A wake-up answers with what changed() just found (no second look at the store).
        Evaluation r;
        if (why == Wake::changed && last_)
            r = std::move(*last_);
        else if (why == Wake::heartbeat)
            r = evaluate();
        if (r.http != 200) return http_status(r.http);
        if (r.status == kWipe) {
            if (version_ < kV140) return http_status(449);
            r.status = status::kRemoteWipeRequested;
        }
        Response out = http_status(200);
        out.content_type = "application/vnd.ms-sync.wbxml";
        out.body = status_body(r.status, {}, {}, r.folders);
        return out;
    }

  private:
    static constexpr int kWipe = -1;
    struct Evaluation {
        int status = kExpired;
        std::vector<std::string> folders;
        int http = 200;
    };

    Evaluation evaluate() {
        Evaluation e;
        auto d = svc_.devices().find(account_id, device_id);
        if (!d || !*d) {
            e.status = kHierarchy;
            return e;
        }
        if ((*d)->suspended) {
            e.http = 403;
            e.status = kChanges;
            return e;
        }
        if ((*d)->wipe != Wipe::none) {
            e.status = kWipe;
            return e;
        }
        auto h = svc_.devices().state(account_id, device_id, "");
        if (!h || !*h) {
            e.status = kHierarchy;
            return e;
        }
        auto held = decode_folders((*h)->holdings);
        auto now = eas_folders(svc_.mailbox(), account_id);
        if (held && now && *held != folder_set(*now)) {
            e.status = kHierarchy;
            return e;
        }
        for (auto& f : folders_) {
            auto p = pending_changes(svc_, account_id, device_id, f.id, 1);
            if (p && *p && **p > 0) e.folders.push_back(f.id);
        }
        if (!e.folders.empty()) e.status = kChanges;
        return e;
    }

    Service& svc_;
    std::vector<PingFolder> folders_;
    Version version_;
    std::optional<Evaluation> last_;
};

}  // namespace

Result<Reply> run_ping(Context& c) {
    auto& svc = c.service;
    auto root = c.request.root();
    std::optional<int64_t> heartbeat;
    std::vector<PingFolder> folders;
    if (root) {
        if (auto hb = root.child_value(pg::HeartbeatInterval)) {
            char* end = nullptr;
            std::string t(*hb);
            long long v = std::strtoll(t.c_str(), &end, 10);
            if (t.empty() || *end) return reply(status_body(kBadRequest));
            heartbeat = v;
        }
        if (auto fs = root.child(pg::Folders)) {
            for (auto f : fs.children(pg::Folder)) {
                std::string id(f.child_text(pg::Id));
                if (id.empty()) return reply(status_body(kBadRequest));
                folders.push_back({id, std::string(f.child_text(pg::Class))});
            }
        }
    }
    if (!heartbeat) heartbeat = c.device.cache.ping_heartbeat;
    if (folders.empty()) folders = c.device.cache.ping_folders;
    if (!heartbeat || folders.empty()) return reply(status_body(kMissing));

    // MS-ASCMD 2.2.3.84.2: outside the bounds → Status 5 with the nearest allowed value.
    auto tuning = svc.tuning();
    int64_t min_hb = svc.options().min_heartbeat;
    int64_t max_hb = std::max(min_hb, tuning.max_heartbeat);
    if (*heartbeat < min_hb) return reply(status_body(kBadHeartbeat, min_hb));
    if (*heartbeat > max_hb) return reply(status_body(kBadHeartbeat, max_hb));
    if (folders.size() > svc.options().max_ping_folders)
        return reply(status_body(kTooManyFolders, {}, svc.options().max_ping_folders));

    // Every folder must be one the device got from FolderSync.
    SB_TRY_ASSIGN(auto h, load_hierarchy(c));
    if (!h) return reply(status_body(kHierarchy));
    for (auto& f : folders) {
        auto id = folder_id_of(f.id);
        if (!id || !h->held.count(*id)) return reply(status_body(kHierarchy));
    }

    DeviceCache cache = c.device.cache;
    cache.ping_heartbeat = heartbeat;
    cache.ping_folders = folders;
    if (cache != c.device.cache)
        SB_TRY(svc.devices().set_cache(c.account.id, c.device.device_id, cache));

    auto wait = std::make_shared<PingWait>(svc, c.account.id, c.device.device_id,
                                           std::move(folders), *heartbeat, c.version);
    // Changes already waiting: answer at once.
    if (wait->changed()) {
        auto resp = wait->answer(Wake::changed);
        Reply r;
        r.http_status = resp.status;
        r.body = std::move(resp.body);
        return r;
    }
    Reply r;
    r.wait = std::move(wait);
    return r;
}

}  // namespace sb::eas
