#pragma once
// One collection of a Sync request (MS-ASCMD 2.2.1.21): applies the device's commands, sends the
// server's changes in windows, and moves the collection's SyncState to the next SyncKey in one
// store write, keeping the reply so a resent SyncKey gets it again.
//
// Crash safety: the reply is sent only after the new SyncState is committed, so a kill -9 at any
// point leaves either the old state (the device resends its key and we compute afresh) or the new
// one (the device resends its key and gets the stored reply). Adds from the device are written
// to the mailbox before the state; an "intent" (SyncKey, mailbox modseq) is stored first, so after
// a crash in between, a resent Add is matched to the contact it already created instead of
// creating it twice.
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "core/error.hpp"
#include "eas/context.hpp"
#include "eas/sync/collection_options.hpp"
#include "eas/sync/contact_codec.hpp"

namespace sb::eas {

struct CollectionRequest {
    std::string id;
    std::string sync_key;
    bool get_changes = true;
    std::optional<size_t> window;  // from the request (nullopt: the remembered one)
    bool has_options = false;
    CollectionOptions options;  // valid when has_options
    std::optional<std::set<std::string>> supported;
    wbxml::Element commands;  // the device's Commands (null if none)
};

// Parses a <Collection> of a Sync request.
Result<CollectionRequest> parse_collection(wbxml::Element collection, size_t max_window);

struct CollectionResult {
    std::string fragment;  // WBXML document whose root is the response <Collection>
    bool changes = false;  // the reply carries commands or responses
};

// `window_budget` is what is left of the request-wide WindowSize (16.0+), updated.
Result<CollectionResult> sync_collection(Context& c, const CollectionRequest& req,
                                         size_t& window_budget);

// The number of changes waiting for the device in a collection, counted up to `limit`
// (GetItemEstimate; a Ping only asks whether there is one); nullopt when the collection was
// never synced.
Result<std::optional<size_t>> pending_changes(Service& s, int64_t account,
                                              const std::string& device_id,
                                              std::string_view collection_id,
                                              size_t limit = 1'000'000);

}  // namespace sb::eas
