#include "eas/sync/sync_key.hpp"

#include <charconv>

#include <fmt/format.h>

#include "core/random.hpp"

namespace sb::eas {

std::string SyncKey::text() const {
    return fmt::format("{{{}}}{}", generation, counter);
}

Result<ParsedSyncKey> parse_sync_key(std::string_view text) {
    ParsedSyncKey p;
    if (text == "0") {
        p.initial = true;
        return p;
    }
    // MS-ASCMD 2.2.3.182: at most 64 characters.
    if (text.size() < 4 || text.size() > 64 || text.front() != '{')
        return fail(Errc::invalid_argument, "malformed SyncKey");
    size_t close = text.find('}');
    if (close == std::string_view::npos || close == 1)
        return fail(Errc::invalid_argument, "malformed SyncKey");
    SyncKey k;
    k.generation.assign(text.substr(1, close - 1));
    std::string_view digits = text.substr(close + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k.counter);
    if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() ||
        k.counter <= 0)
        return fail(Errc::invalid_argument, "malformed SyncKey");
    p.key = std::move(k);
    return p;
}

std::string new_generation() {
    auto bytes = crypto::random_bytes(4);
    std::string out;
    for (unsigned char c : bytes)
        out += fmt::format("{:02x}", c);
    return out;
}

std::string serialize_items(const ItemSet& items) {
    std::string out;
    out.reserve(items.size() * 12);
    for (auto& [id, version] : items) {
        if (!out.empty()) out.push_back(',');
        fmt::format_to(std::back_inserter(out), "{}:{}", id, version);
    }
    return out;
}

Result<ItemSet> parse_items(std::string_view text) {
    ItemSet out;
    const char* p = text.data();
    const char* end = p + text.size();
    while (p < end) {
        int64_t id = 0, version = 0;
        auto a = std::from_chars(p, end, id);
        if (a.ec != std::errc() || a.ptr == end || *a.ptr != ':')
            return fail(Errc::internal, "corrupt item set");
        auto b = std::from_chars(a.ptr + 1, end, version);
        if (b.ec != std::errc()) return fail(Errc::internal, "corrupt item set");
        out.emplace_hint(out.end(), id, version);
        p = b.ptr;
        if (p < end) {
            if (*p != ',') return fail(Errc::internal, "corrupt item set");
            ++p;
        }
    }
    return out;
}

}  // namespace sb::eas
