#pragma once
// The text form of the EAS state kept in the store's TEXT columns: the device cache, its
// information, a collection's options and the folders a device holds. The device store and the
// folder-hierarchy SyncState are its only users; nothing else reads or writes these texts.
// Decoding is lenient where the value can be rebuilt (an unreadable cache or options text is the
// default), strict where it cannot (a folder set).
#include <map>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "eas/device_store.hpp"
#include "eas/sync/collection_options.hpp"
#include "eas/sync/sync_key.hpp"

namespace sb::eas {

std::string encode_cache(const DeviceCache& cache);
DeviceCache decode_cache(std::string_view text);

std::string encode_info(const std::map<std::string, std::string>& info);
std::map<std::string, std::string> decode_info(std::string_view text);

std::string encode_options(const CollectionOptions& options);
CollectionOptions decode_options(std::string_view text);

std::string encode_folders(const FolderSet& folders);
Result<FolderSet> decode_folders(std::string_view text);

}  // namespace sb::eas
