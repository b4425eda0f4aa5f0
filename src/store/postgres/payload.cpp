#include "store/postgres/payload.hpp"

#include <nlohmann/json.hpp>

#include "core/json.hpp"

namespace sb::store::postgres {
namespace {

using nlohmann::json;

std::string dump(const json& j) {
    // Invalid UTF-8 in a detail must not throw; PostgreSQL would refuse it anyway.
    return json_text(j);
}

}  // namespace

std::vector<std::string> encode_payloads(std::string_view node, const std::vector<Change>& changes,
                                         size_t limit) {
    // Built by hand so each change is measured once: {"changes":[...],"node":"..."}.
    const std::string head = "{\"changes\":[";
    const std::string tail = "],\"node\":" + dump(json(node)) + "}";
    const size_t overhead = head.size() + tail.size();
    std::vector<std::string> out;
    std::string items;
    auto flush = [&] {
        if (items.empty()) return;
        out.push_back(head + items + tail);
        items.clear();
    };
    for (const auto& c : changes) {
        std::string item = dump(json::array({c.channel, c.subject, c.detail}));
        if (overhead + item.size() > limit) item = dump(json::array({c.channel, c.subject, ""}));
        if (overhead + item.size() > limit) continue;  // a channel name of kilobytes: no channel
        if (!items.empty() && overhead + items.size() + 1 + item.size() > limit) flush();
        if (!items.empty()) items += ',';
        items += item;
    }
    flush();
    return out;
}

std::optional<Payload> decode_payload(std::string_view text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    auto node = j.find("node");
    auto list = j.find("changes");
    if (node == j.end() || !node->is_string() || list == j.end() || !list->is_array())
        return std::nullopt;
    Payload p;
    p.node = node->get<std::string>();
    for (const auto& item : *list) {
        if (!item.is_array() || item.size() != 3 || !item[0].is_string() ||
            !item[1].is_number_integer() || !item[2].is_string())
            return std::nullopt;
        p.changes.push_back(
            Change{item[0].get<std::string>(), item[1].get<int64_t>(), item[2].get<std::string>()});
    }
    return p;
}

}  // namespace sb::store::postgres
