#include "eas/commands/hierarchy.hpp"

#include <charconv>

#include "eas/service.hpp"
#include "eas/state_codec.hpp"

namespace sb::eas {

Result<std::optional<Hierarchy>> load_hierarchy(Context& c) {
    SB_TRY_ASSIGN(auto s, c.service.devices().state(c.account.id, c.device.device_id, ""));
    if (!s) return std::optional<Hierarchy>();
    SB_TRY_ASSIGN(auto held, decode_folders(s->holdings));
    return std::optional<Hierarchy>(Hierarchy{std::move(*s), std::move(held)});
}

bool is_current(const Hierarchy& h, std::string_view key) {
    auto p = parse_sync_key(key);
    return p && p->key && p->key->generation == h.state.generation &&
           p->key->counter == h.state.key;
}

Result<void> advance(Context& c, Hierarchy& h) {
    h.state.key += 1;
    h.state.prev_key = 0;
    h.state.prev_reply.clear();
    h.state.holdings = encode_folders(h.held);
    return c.service.devices().put_state(c.account.id, c.device.device_id, h.state);
}

std::optional<int64_t> folder_id_of(std::string_view s) {
    int64_t id = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), id);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || id <= 0)
        return std::nullopt;
    return id;
}

}  // namespace sb::eas
