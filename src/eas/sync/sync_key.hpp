#pragma once
// SyncKeys and what a device holds at a SyncKey.
//
// A SyncKey is "{generation}counter", e.g. "{4f2a9c01}7". The generation changes every time a
// collection is primed (SyncKey 0), so a key of an earlier generation (a device that was reset,
// a second racing SyncKey 0) can never be mistaken for a current one.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sb::eas {

struct SyncKey {
    std::string generation;
    int64_t counter = 0;
    std::string text() const;
};

// "0" → nullopt with initial = true; "{gen}N" → key; anything else is invalid (protocol Status).
struct ParsedSyncKey {
    bool initial = false;
    std::optional<SyncKey> key;
};
Result<ParsedSyncKey> parse_sync_key(std::string_view text);
std::string new_generation();  // 8 random hex digits

// The items a device holds in one collection: server item id → version (the mailbox modseq of
// the copy it has). Serialized compactly as "id:version,id:version,..." in ascending id order.
using ItemSet = std::map<int64_t, int64_t>;
std::string serialize_items(const ItemSet& items);
Result<ItemSet> parse_items(std::string_view text);

// The folders a device holds: folder id → "parent\ttype\tname" (a change of any part is an
// Update). Stored by the state codec (eas/state_codec.hpp).
using FolderSet = std::map<int64_t, std::string>;

}  // namespace sb::eas
