#pragma once
// The folder-hierarchy SyncState shared by FolderSync, FolderCreate, FolderUpdate and FolderDelete.
#include <optional>
#include <string>
#include <string_view>

#include "eas/context.hpp"
#include "eas/sync/folders.hpp"
#include "eas/sync/sync_key.hpp"

namespace sb::eas {

struct Hierarchy {
    SyncState state;
    FolderSet held;
    std::string key_text() const { return SyncKey{state.generation, state.key}.text(); }
};

Result<std::optional<Hierarchy>> load_hierarchy(Context& c);
// Whether `key` is the device's current hierarchy SyncKey.
bool is_current(const Hierarchy& h, std::string_view key);
// Moves to the next SyncKey holding `held` (no replayable reply) and stores it.
Result<void> advance(Context& c, Hierarchy& h);
// Parses a folder ServerId; nullopt when it is not a number.
std::optional<int64_t> folder_id_of(std::string_view server_id);

}  // namespace sb::eas
