#pragma once
// The server's side of a collection sync, a window at a time, independent of what the items are
// (contacts now, mail later): the rest of the initial download first (the folder in id order,
// from where the last window stopped), then the change feed (the changes after the version the
// last window reached). What the device holds is looked up only for the items a window
// concerns, so a request costs what it sends, not what the folder holds.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "eas/device_store.hpp"
#include "eas/sync/item_source.hpp"

namespace sb::eas {

// What a device holds in one collection: rows of the store read on demand, with the changes of
// the request being answered on top (written with its SyncState, see HeldDelta).
class HeldItems {
  public:
    HeldItems(DeviceStore& store, int64_t account, std::string device, std::string collection)
        : store_(store),
          account_(account),
          device_(std::move(device)),
          collection_(std::move(collection)) {}

    // Reads those of `ids` not read yet, in one store read.
    Result<void> load(const std::vector<int64_t>& ids);
    // The version of the copy the device holds; nullopt when it holds none. load() it first.
    std::optional<int64_t> version(int64_t id) const;
    void set(int64_t id, std::optional<int64_t> version);
    // Starts over with nothing held (priming).
    void clear();
    const HeldDelta& delta() const { return delta_; }

  private:
    DeviceStore& store_;
    int64_t account_;
    std::string device_;
    std::string collection_;
    std::unordered_map<int64_t, std::optional<int64_t>> read_;
    HeldDelta delta_;
};

// One server change to send: the version it was planned at and what the device held before
// (to put back when the item turns out to be gone by the time it is read).
struct Outgoing {
    enum class Op { add, change, remove } op;
    int64_t id = 0;
    int64_t version = 0;
    std::optional<int64_t> held_before;
};

struct Window {
    std::vector<Outgoing> items;
    bool more = false;  // changes are left for the next request (MoreAvailable)
};

// Fills a window of at most `size` server changes for a folder. Moves the download and feed
// positions of `state` past them and records them in `held` as sent; the caller sends them in
// the reply that is stored with that state (or, for an item gone meanwhile, puts back
// `held_before`).
Result<Window> next_window(ItemSource& source, HeldItems& held, int64_t account, int64_t folder,
                           SyncState& state, size_t size);

// How many server changes wait for the device, counting up to `limit` (GetItemEstimate, Ping).
Result<size_t> count_pending(ItemSource& source, HeldItems& held, int64_t account, int64_t folder,
                             const SyncState& state, size_t limit);

}  // namespace sb::eas
