// Sync (MS-ASCMD 2.2.1.21): items of one or more collections, both ways. An empty request, or a
// Partial one, reuses the collections of the device's last full request (MS-ASCMD 2.2.3.130).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "eas/commands/command_table.hpp"
#include "eas/commands/hierarchy.hpp"
#include "eas/service.hpp"
#include "eas/sync/collection_sync.hpp"

namespace sb::eas {

namespace as = wbxml::cp::airsync;

namespace {

// MS-ASCMD 2.2.3.177.17
constexpr int kProtocolError = 4;
constexpr int kHierarchyChanged = 12;
constexpr int kIncompleteRequest = 13;
constexpr int kTooManyCollections = 15;

Result<Reply> status_only(int status) {
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(as::Sync).element(as::Status, status).end();
    return finish(enc, body);
}

nlohmann::json load_cache(const Device& d) {
    auto j = nlohmann::json::parse(d.cache.empty() ? std::string("{}") : d.cache, nullptr, false);
    return j.is_object() ? j : nlohmann::json::object();
}

}  // namespace

Result<Reply> run_sync(Context& c) {
    auto& svc = c.service;
    auto root = c.request.root();
    nlohmann::json cache = load_cache(c.device);
    // The collections of the last full request: id → window (the rest of the options live in
    // each collection's SyncState).
    nlohmann::json cached = cache.contains("sync") && cache["sync"].is_array() ? cache["sync"] : nlohmann::json::array();

    std::vector<CollectionRequest> requests;
    size_t budget = SIZE_MAX;
    bool partial = root && root.has_child(as::Partial);
    if (root) {
        if (auto w = root.child_value(as::WindowSize)) {
            auto n = std::strtoll(std::string(*w).c_str(), nullptr, 10);
            if (n > 0) budget = std::min<size_t>(static_cast<size_t>(n), svc.options().max_window);
        }
        if (auto cols = root.child(as::Collections)) {
            for (auto e : cols.children(as::Collection)) {
                auto r = parse_collection(e, svc.options().max_window);
                if (!r) return status_only(kProtocolError);
                requests.push_back(std::move(*r));
            }
        }
    }
    if (!root || (partial && requests.empty()) || requests.empty()) {
        if (root && !partial && !root.has_child(as::Collections) && root.first_child()) {
            // Only Wait / HeartbeatInterval / WindowSize: also served from the cache.
        }
        if (cached.empty()) return status_only(kIncompleteRequest);
    }
    // Collections the request leaves out come from the cache (empty or Partial request).
    if (!root || partial || requests.empty()) {
        for (auto& e : cached) {
            std::string id = e.value("id", "");
            bool given = false;
            for (auto& r : requests) given = given || r.id == id;
            if (given || id.empty()) continue;
            auto st = svc.devices().state(c.account.id, c.device.device_id, id);
            if (!st) return tl::unexpected(st.error());
            if (!*st) continue;
            CollectionRequest r;
            r.id = id;
            r.sync_key = SyncKey{(*st)->generation, (*st)->key}.text();
            requests.push_back(std::move(r));
        }
        if (requests.empty()) return status_only(kIncompleteRequest);
    }
    if (requests.size() > svc.options().max_collections) return status_only(kTooManyCollections);

    // A device that lost its hierarchy (reset) must FolderSync first (MS-ASCMD 2.2.3.177.17, 12).
    auto h = load_hierarchy(c);
    if (!h) return tl::unexpected(h.error());
    if (!*h) return status_only(kHierarchyChanged);

    std::string body;
    wbxml::Encoder enc(body);
    enc.start(as::Sync).start(as::Collections);
    std::vector<std::string> fragments;
    for (auto& r : requests) {
        auto res = sync_collection(c, r, budget);
        if (!res) return tl::unexpected(res.error());
        auto frag = wbxml::decode(res->fragment);
        if (!frag) return fail(Errc::internal, "stored sync reply: " + frag.error().message);
        wbxml::encode_element(enc, frag->root());
    }
    enc.end().end();

    if (root && !requests.empty()) {
        nlohmann::json list = nlohmann::json::array();
        for (auto& r : requests) list.push_back({{"id", r.id}});
        cache["sync"] = list;
        SB_TRY(svc.devices().set_cache(c.account.id, c.device.device_id, cache.dump()));
    }
    return finish(enc, body);
}

}  // namespace sb::eas
