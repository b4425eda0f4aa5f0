// Sync (MS-ASCMD 2.2.1.21): items of one or more collections, both ways. An empty request, or a
// Partial one, reuses the collections of the device's last full request (MS-ASCMD 2.2.3.130).
// With Wait (minutes) or HeartbeatInterval (seconds) a request that has nothing to do parks like
// a Ping and is answered when a collection changes, or with an empty response when the interval
// ends (MS-ASCMD 2.2.3.196, 2.2.3.88.2, 2.2.1.21.2).
#include <fmt/format.h>

#include "directory/model.hpp"
#include "eas/commands/command_table.hpp"
#include "eas/commands/hierarchy.hpp"
#include "eas/pipeline.hpp"
#include "eas/service.hpp"
#include "eas/status_map.hpp"
#include "eas/sync/collection_sync.hpp"

namespace sb::eas {

namespace as = wbxml::cp::airsync;
using namespace sync_status;

namespace {

std::string status_only_body(int status, std::optional<int64_t> limit = {}) {
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(as::Sync).element(as::Status, status);
    // MS-ASCMD 2.2.3.92: the allowed bound that the request was outside of.
    if (limit) enc.element(as::Limit, *limit);
    enc.end();
    (void)enc.finish();
    return body;
}

Result<Reply> status_only(int status, std::optional<int64_t> limit = {}) {
    Reply r;
    r.body = status_only_body(status, limit);
    return r;
}

// A request answered with a top-level Status alone, and the bound it was outside of.
struct Refusal {
    int status;
    std::optional<int64_t> limit;
};

Result<Reply> refuse(const Refusal& r) {
    return status_only(r.status, r.limit);
}

// What a Sync asks for, once the cache filled in what it leaves out.
struct SyncRequest {
    std::vector<CollectionRequest> collections;
    size_t budget = SIZE_MAX;             // the request-wide WindowSize (16.0+)
    std::optional<int64_t> wait_seconds;  // Wait or HeartbeatInterval
};

std::optional<int64_t> integer(std::string_view s) {
    if (s.empty() || s.size() > 18) return std::nullopt;
    int64_t v = 0;
    for (char ch : s) {
        if (ch < '0' || ch > '9') return std::nullopt;
        v = v * 10 + (ch - '0');
    }
    return v;
}

// The reply to the collections, in request order (the hierarchy must be known).
Result<Reply> respond(Context& c, const std::vector<CollectionRequest>& requests, size_t budget) {
    // A device that lost its hierarchy (reset) must FolderSync first (MS-ASCMD 2.2.3.177.17, 12).
    SB_TRY_ASSIGN(auto h, load_hierarchy(c));
    if (!h) return status_only(kHierarchyChanged);

    std::string body;
    wbxml::Encoder enc(body);
    enc.start(as::Sync).start(as::Collections);
    for (auto& r : requests) {
        SB_TRY_ASSIGN(auto res, sync_collection(c, r, budget));
        auto frag = wbxml::decode(res.fragment);
        if (!frag) return fail(Errc::internal, "stored sync reply: " + frag.error().message);
        wbxml::encode_element(enc, frag->root());
    }
    enc.end().end();
    return finish(enc, body);
}

// Whether answering now would tell the device nothing: no commands from it, every collection at
// its current SyncKey (no priming, no replay, no bad key) and no server change waiting.
Result<bool> nothing_to_say(Context& c, const std::vector<CollectionRequest>& requests) {
    for (auto& r : requests) {
        if (r.commands) return false;
        auto parsed = parse_sync_key(r.sync_key);
        if (!parsed || parsed->initial || !parsed->key) return false;
        SB_TRY_ASSIGN(auto st, c.service.devices().state(c.account.id, c.device.device_id, r.id));
        if (!st || st->generation != parsed->key->generation || st->key != parsed->key->counter)
            return false;
        SB_TRY_ASSIGN(auto pending,
                      pending_changes(c.service, c.account.id, c.device.device_id, r.id, 1));
        if (!pending || *pending > 0) return false;
    }
    return true;
}

// A parked Sync. It keeps copies of what the request's Context pointed to; changed() and
// answer() run on a worker thread, answer() under the device's lock.
class SyncWait final : public Wait {
  public:
    SyncWait(Service& svc, const Context& c, std::vector<CollectionRequest> requests, size_t budget,
             int64_t seconds)
        : svc_(svc),
          account_(c.account),
          query_(c.query),
          version_(c.version),
          requests_(std::move(requests)),
          budget_(budget) {
        account_id = c.account.id;
        device_id = c.device.device_id;
        heartbeat_seconds = seconds;
    }

    bool changed() override {
        auto d = svc_.devices().find(account_id, device_id);
        if (!d || !*d) return true;
        if ((*d)->suspended || (*d)->wipe != Wipe::none) return true;
        for (auto& r : requests_) {
            auto pending = pending_changes(svc_, account_id, device_id, r.id, 1);
            if (!pending) return false;  // a store hiccup: look again at the next change
            if (!*pending || **pending > 0) return true;
        }
        return false;
    }

    Response answer(Wake why) override {
        // MS-ASCMD 2.2.1.21.2: no changes → an empty response (headers only); the device keeps
        // its SyncKeys. A newer request of the device, or a stopping server, ends it the same way.
        if (why != Wake::changed) return http_status(200);
        auto lock = svc_.lock_device(account_id, device_id);
        auto d = svc_.devices().find(account_id, device_id);
        if (!d) return http_status(500);
        if (!*d) return wbxml_reply(status_only_body(kHierarchyChanged));
        Device& device = **d;
        if (device.suspended) return http_status(403);
        if (device.wipe != Wipe::none) {
            if (version_ < kV140) return http_status(449);
            return wbxml_reply(status_only_body(status::kRemoteWipeRequested));
        }
        wbxml::Document none;
        Context ctx{svc_, account_, device, query_, version_, none};
        auto reply = respond(ctx, requests_, budget_);
        if (!reply) return http_status(500);
        return wbxml_reply(std::move(reply->body));
    }

  private:
    static Response wbxml_reply(std::string body) {
        Response r = http_status(200);
        r.content_type = "application/vnd.ms-sync.wbxml";
        r.body = std::move(body);
        return r;
    }

    Service& svc_;
    directory::Account account_;
    Query query_;
    Version version_;
    std::vector<CollectionRequest> requests_;
    size_t budget_;
};

size_t window_budget(wbxml::Element root, Service& svc) {
    if (auto w = root.child_value(as::WindowSize)) {
        auto n = std::strtoll(std::string(*w).c_str(), nullptr, 10);
        if (n > 0) return std::min<size_t>(static_cast<size_t>(n), svc.options().max_window);
    }
    return SIZE_MAX;
}

// MS-ASCMD 2.2.3.196 Wait (minutes, 1-59) and 2.2.3.88.2 HeartbeatInterval (seconds, 60-3540):
// one or the other (both → Status 4); outside the bounds → Status 14 with the Limit.
std::optional<Refusal> read_wait(wbxml::Element root, Service& svc,
                                 std::optional<int64_t>& seconds) {
    auto wait = root.child_value(as::Wait);
    auto heartbeat = root.child_value(as::HeartbeatInterval);
    if (wait && heartbeat) return Refusal{kProtocolError, {}};
    int64_t min_s = svc.options().min_heartbeat;
    int64_t max_s = std::max(min_s, svc.tuning().max_heartbeat);
    if (wait) {
        auto m = integer(*wait);
        if (!m) return Refusal{kProtocolError, {}};
        int64_t min_m = std::max<int64_t>(1, (min_s + 59) / 60),
                max_m = std::max(min_m, std::min<int64_t>(59, max_s / 60));
        if (*m < min_m) return Refusal{kBadWaitInterval, min_m};
        if (*m > max_m) return Refusal{kBadWaitInterval, max_m};
        seconds = *m * 60;
    } else if (heartbeat) {
        auto s = integer(*heartbeat);
        if (!s) return Refusal{kProtocolError, {}};
        if (*s < min_s) return Refusal{kBadWaitInterval, min_s};
        if (*s > max_s) return Refusal{kBadWaitInterval, max_s};
        seconds = *s;
    }
    return std::nullopt;
}

std::optional<Refusal> read_collections(wbxml::Element root, Service& svc,
                                        std::vector<CollectionRequest>& out) {
    if (auto cols = root.child(as::Collections)) {
        for (auto e : cols.children(as::Collection)) {
            auto r = parse_collection(e, svc.options().max_window);
            if (!r) return Refusal{kProtocolError, {}};
            out.push_back(std::move(*r));
        }
    }
    return std::nullopt;
}

// The collections a request leaves out (an empty or Partial one, MS-ASCMD 2.2.3.130) are those
// of the last full request, at their current SyncKeys.
Result<std::optional<Refusal>> complete_from_cache(Context& c, bool leaves_out,
                                                   std::vector<CollectionRequest>& requests) {
    const std::vector<std::string>& cached = c.device.cache.sync_collections;
    if (requests.empty() && cached.empty()) return std::optional<Refusal>({kIncompleteRequest, {}});
    if (!leaves_out && !requests.empty()) return std::optional<Refusal>();
    for (const std::string& id : cached) {
        bool given = false;
        for (auto& r : requests)
            given = given || r.id == id;
        if (given || id.empty()) continue;
        SB_TRY_ASSIGN(auto st, c.service.devices().state(c.account.id, c.device.device_id, id));
        if (!st) continue;
        CollectionRequest r;
        r.id = id;
        r.sync_key = SyncKey{st->generation, st->key}.text();
        requests.push_back(std::move(r));
    }
    if (requests.empty()) return std::optional<Refusal>({kIncompleteRequest, {}});
    return std::optional<Refusal>();
}

// A full request becomes the one an empty request repeats.
Result<void> remember_request(Context& c, const SyncRequest& req) {
    DeviceCache cache = c.device.cache;
    cache.sync_collections.clear();
    for (auto& r : req.collections)
        cache.sync_collections.push_back(r.id);
    cache.sync_wait = req.wait_seconds;
    if (cache == c.device.cache) return {};
    return c.service.devices().set_cache(c.account.id, c.device.device_id, cache);
}

// A request with an interval and nothing to say now parks until something changes.
Result<std::optional<Reply>> park_if_quiet(Context& c, SyncRequest& req) {
    SB_TRY_ASSIGN(auto h, load_hierarchy(c));
    if (!h) return std::optional<Reply>();
    SB_TRY_ASSIGN(auto quiet, nothing_to_say(c, req.collections));
    if (!quiet) return std::optional<Reply>();
    Reply r;
    r.wait = std::make_shared<SyncWait>(c.service, c, std::move(req.collections), req.budget,
                                        *req.wait_seconds);
    return std::optional<Reply>(std::move(r));
}

}  // namespace

Result<Reply> run_sync(Context& c) {
    auto root = c.request.root();
    SyncRequest req;
    if (root) {
        req.budget = window_budget(root, c.service);
        if (auto refused = read_wait(root, c.service, req.wait_seconds)) return refuse(*refused);
        if (auto refused = read_collections(root, c.service, req.collections))
            return refuse(*refused);
    } else {
        // An empty request is the cached one again, interval included (MS-ASCMD 2.2.1.21.1).
        req.wait_seconds = c.device.cache.sync_wait;
    }
    const bool leaves_out = !root || root.has_child(as::Partial);
    SB_TRY_ASSIGN(auto refused, complete_from_cache(c, leaves_out, req.collections));
    if (refused) return refuse(*refused);
    const size_t max = c.service.options().max_collections;
    if (req.collections.size() > max)
        return status_only(kTooManyCollections, static_cast<int64_t>(max));
    if (root) SB_TRY(remember_request(c, req));
    if (req.wait_seconds) {
        SB_TRY_ASSIGN(auto parked, park_if_quiet(c, req));
        if (parked) return std::move(*parked);
    }
    return respond(c, req.collections, req.budget);
}

}  // namespace sb::eas
