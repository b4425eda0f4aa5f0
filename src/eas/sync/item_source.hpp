#pragma once
// Where the items of a collection come from, as far as following their changes goes. Every item
// has an id that is never reused, and every change in an account gets a new, higher version (a
// modseq). A device's first sync reads a folder in id order, a page at a time; later syncs read
// the changes after a version. Neither ever reads a whole folder, so a Sync request costs what
// it sends. Contacts come from the mailbox; mail from IMAP fits the same shape (ids are UIDs,
// versions CONDSTORE modseqs, deletions QRESYNC's VANISHED).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.hpp"

namespace sb::eas {

struct ItemVersion {
    int64_t id = 0;
    int64_t version = 0;  // the modseq of the item's last change
};

// An item's state after its last change, as a folder sees it.
struct ItemChange {
    int64_t id = 0;
    int64_t version = 0;
    bool present = false;  // in the folder now (false: deleted, or moved elsewhere)
};

// The changes after the version asked for, in version order, complete up to `complete_to`.
struct ChangeBatch {
    std::vector<ItemChange> changes;
    int64_t complete_to = 0;
    int64_t head = 0;  // the account's newest version when read (complete_to < head: more)
};

class ItemSource {
  public:
    virtual ~ItemSource() = default;
    // The account's newest version.
    virtual Result<int64_t> head(int64_t account) = 0;
    // Items of a folder with an id above `after`, ascending, at most `limit`.
    virtual Result<std::vector<ItemVersion>> items_after(int64_t account, int64_t folder,
                                                         int64_t after, size_t limit) = 0;
    // How many items of a folder have an id above `after`, counting up to `limit`.
    virtual Result<size_t> count_after(int64_t account, int64_t folder, int64_t after,
                                       size_t limit) = 0;
    // Changes after `since` that may concern the folder (an item that left it included), about
    // `limit` of them.
    virtual Result<ChangeBatch> changes_since(int64_t account, int64_t folder, int64_t since,
                                              size_t limit) = 0;
};

}  // namespace sb::eas
