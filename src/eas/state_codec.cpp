#include "eas/state_codec.hpp"

#include <nlohmann/json.hpp>

#include "core/json.hpp"

namespace sb::eas {

using nlohmann::json;

namespace {

std::optional<int64_t> integer_at(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int64_t>();
}

}  // namespace

// {"sync": [{"id": "5"}, ...], "sync_wait": 300,
//  "ping": {"heartbeat": 480, "folders": [{"id": "5", "class": "Contacts"}, ...]}}
std::string encode_cache(const DeviceCache& cache) {
    json j = json::object();
    if (!cache.sync_collections.empty()) {
        json list = json::array();
        for (auto& id : cache.sync_collections)
            list.push_back({{"id", id}});
        j["sync"] = std::move(list);
    }
    if (cache.sync_wait) j["sync_wait"] = *cache.sync_wait;
    if (cache.ping_heartbeat || !cache.ping_folders.empty()) {
        json folders = json::array();
        for (auto& f : cache.ping_folders)
            folders.push_back({{"id", f.id}, {"class", f.cls}});
        json ping = {{"folders", std::move(folders)}};
        if (cache.ping_heartbeat) ping["heartbeat"] = *cache.ping_heartbeat;
        j["ping"] = std::move(ping);
    }
    return json_text(j);
}

DeviceCache decode_cache(std::string_view text) {
    DeviceCache cache;
    if (text.empty()) return cache;
    auto j = json::parse(text, nullptr, false);
    if (!j.is_object()) return cache;
    if (auto sync = j.find("sync"); sync != j.end() && sync->is_array())
        for (auto& e : *sync)
            if (e.is_object()) cache.sync_collections.push_back(e.value("id", ""));
    cache.sync_wait = integer_at(j, "sync_wait");
    if (auto ping = j.find("ping"); ping != j.end() && ping->is_object()) {
        cache.ping_heartbeat = integer_at(*ping, "heartbeat");
        if (auto folders = ping->find("folders"); folders != ping->end() && folders->is_array())
            for (auto& f : *folders)
                if (f.is_object())
                    cache.ping_folders.push_back({f.value("id", ""), f.value("class", "")});
    }
    return cache;
}

std::string encode_info(const std::map<std::string, std::string>& info) {
    json j = json::object();
    for (auto& [k, v] : info)
        j[k] = v;
    return json_text(j);
}

std::map<std::string, std::string> decode_info(std::string_view text) {
    std::map<std::string, std::string> info;
    auto j = json::parse(text, nullptr, false);
    if (!j.is_object()) return info;
    for (auto& [k, v] : j.items())
        if (v.is_string()) info[k] = v.get<std::string>();
    return info;
}

// {"window": 100, "conflict": 1, "body": {"type": 1, "trunc": -1, "aon": false},
//  "supported": ["firstName", ...]}
std::string encode_options(const CollectionOptions& o) {
    json j = {{"window", o.window}, {"conflict", o.conflict}};
    if (o.body)
        j["body"] = {
            {"type", o.body->type}, {"trunc", o.body->truncation}, {"aon", o.body->all_or_none}};
    if (o.supported) j["supported"] = *o.supported;
    return json_text(j);
}

CollectionOptions decode_options(std::string_view text) {
    CollectionOptions o;
    auto j = json::parse(text, nullptr, false);
    if (!j.is_object()) return o;
    o.window = j.value("window", size_t(100));
    o.conflict = j.value("conflict", 1);
    if (auto body = j.find("body"); body != j.end() && body->is_object()) {
        BodyPreference b;
        b.type = body->value("type", 1);
        b.truncation = body->value("trunc", int64_t(-1));
        b.all_or_none = body->value("aon", false);
        o.body = b;
    }
    if (auto supported = j.find("supported"); supported != j.end() && supported->is_array()) {
        std::set<std::string> s;
        for (auto& v : *supported)
            if (v.is_string()) s.insert(v.get<std::string>());
        o.supported = std::move(s);
    }
    return o;
}

// {"<folder id>": "<signature>", ...}
std::string encode_folders(const FolderSet& folders) {
    json j = json::object();
    for (auto& [id, v] : folders)
        j[std::to_string(id)] = v;
    return json_text(j);
}

Result<FolderSet> decode_folders(std::string_view text) {
    FolderSet out;
    if (text.empty()) return out;
    auto j = json::parse(text, nullptr, false);
    if (!j.is_object()) return fail(Errc::internal, "corrupt folder set");
    for (auto& [k, v] : j.items()) {
        if (!v.is_string()) return fail(Errc::internal, "corrupt folder set");
        out[std::stoll(k)] = v.get<std::string>();
    }
    return out;
}

}  // namespace sb::eas
