#pragma once
// What a run will do, computed from the listing and the accounts the sync already manages: the
// pure decision part (creations, updates, renames, locks, removals, the removal threshold),
// unit-tested without a store or a directory. Applying a plan is store_ops.hpp's job.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "directory/model.hpp"
#include "dirsync/mapping.hpp"

namespace sb::dirsync {

// Why the sync locked an account, so it unlocks only what it locked itself.
inline constexpr std::string_view kLockDisabled = "disabled";  // userAccountControl ACCOUNTDISABLE
inline constexpr std::string_view kLockRemoval =
    "removal";  // gone from the directory, grace period
inline constexpr std::string_view kLockGone =
    "gone";  // gone from the directory, kept (delete_out_of_scope off)

// An account the sync manages (a row of the link table with its account).
struct LinkedAccount {
    int64_t account_id = 0;
    std::string external_id;
    std::string dn;
    std::string address;
    directory::AccountStatus status = directory::AccountStatus::active;
    std::vector<std::string> aliases;         // every alias of the account
    std::vector<std::string> synced_aliases;  // the ones the sync added (others are the admin's)
    std::map<std::string, std::string, ILess> attrs;  // current values of the managed attributes
    int64_t missing_since = 0;                        // seconds; 0 = present at the last full run
    std::string sync_lock;      // "", kLockDisabled, kLockRemoval or kLockGone
    std::string derived_alias;  // the entry's alias made from its user name (RemoteUser)
    // What the directory said at the last write (user_fingerprint), and whether anyone changed
    // the account since: equal and untouched means nothing to compare (`attrs` may be unloaded).
    std::string fingerprint;
    bool touched = false;
};

// A digest of everything the sync writes from an entry (DN, name, the aliases it can give,
// attributes, disabled flag).
std::string user_fingerprint(const RemoteUser& u, const std::vector<std::string>& aliases);

// Who holds an address now (primary or alias).
struct AddressOwner {
    int64_t account_id = 0;
    bool linked = false;          // managed by this domain's sync
    bool directory_auth = false;  // auth_source "directory" (an admin switched it: may be adopted)
    // The address is an alias the sync gave the account, made from its user name. Filled by
    // single lookups (incremental runs, where the holder's entry may not be listed); a full run
    // knows every linked account and does not need it.
    bool derived_alias = false;
    std::string address;  // the holder's primary address (for messages)
};
using OwnerLookup = std::function<std::optional<AddressOwner>(const std::string& address)>;

struct PlanOptions {
    bool complete = true;    // a full listing (false: incremental; nothing is removed)
    bool error_free = true;  // no entry was skipped
    bool delete_out_of_scope = false;
    int threshold_percent = 10;
    bool force = false;  // allow one run past the threshold
    int64_t grace_s = 7 * 86400;
    int64_t now_s = 0;
    std::set<std::string> hosted_domains;  // aliases in other domains are left out
    // A new directory identity whose address is the account of a gone identity takes the account
    // over (reuse_account_of_deleted_user); otherwise that is a conflict for the admin.
    bool reuse_account_of_deleted_user = false;
    // Identities the user filter returned that are outside `groups` (full runs with groups): the
    // reason given when their accounts are locked.
    const std::unordered_set<std::string>* outside_groups = nullptr;
    std::vector<std::string>
        managed_attrs;  // displayName, cn and attribute_map's account attributes
    std::string domain;
};

// An alias the sync gave one account that now belongs to another: moved in the taker's
// transaction, so the address is never without an owner nor with the wrong one in between.
struct AliasMove {
    std::string alias;
    int64_t from_account = 0;
    std::string from_address;
};

struct AccountCreate {
    RemoteUser user;
    std::vector<std::string> aliases;     // usable aliases, including those in take_aliases
    std::vector<AliasMove> take_aliases;  // moved from other accounts in the creation's transaction
    std::string fingerprint;
};

struct AccountChange {
    int64_t account_id = 0;
    std::string address;  // current primary address
    std::string external_id;
    std::string dn;       // current DN in the directory
    bool relink = false;  // the link row is new or changes identity
    std::optional<std::string> rename_to;
    std::vector<directory::AttrChange> attrs;
    std::vector<std::string> add_aliases, remove_aliases;
    std::vector<AliasMove> take_aliases;      // from other accounts, in this change's transaction
    std::vector<std::string> synced_aliases;  // after the change
    // Synced aliases another account's change of this run takes over: kept in synced_aliases
    // until that change has moved them (whichever runs first).
    std::vector<std::string> handing_over;
    std::string derived_alias;
    std::optional<directory::AccountStatus> status;
    std::string sync_lock;                 // after the change
    std::optional<int64_t> missing_since;  // new value (0 = present again)
    bool content_changed = false;          // attrs, aliases, name or status change
    std::string fingerprint;               // after the change (user_fingerprint of the entry)
};

struct AccountRemoval {
    int64_t account_id = 0;
    std::string address;
    std::string dn;
};

struct Plan {
    std::vector<AccountCreate> creates;
    std::vector<AccountChange> changes;   // updates, renames, locks, unlocks, returns, adoptions
    std::vector<AccountRemoval> deletes;  // grace period over
    std::vector<std::string> conflicts;   // users left alone, with the reason
    std::vector<std::string> warnings;

    // Counts for the report (a change may count under several headings).
    int64_t created = 0, adopted = 0, updated = 0, renamed = 0, locked = 0, unlocked = 0;
    int64_t marked_for_removal = 0, deleted = 0, returned = 0, unchanged = 0;
    int64_t locked_gone = 0;        // gone from the directory: locked now (delete_out_of_scope off)
    int64_t out_of_scope_kept = 0;  // gone earlier, kept locked (delete_out_of_scope off)
    int64_t pending_removal = 0;    // locked, waiting for the grace period
    int64_t aliases_moved = 0;  // synced aliases moved to the entry whose e-mail address they are
    int64_t identity_conflicts = 0;  // new identities refused the account of a gone identity
    // Every lock and removal mark of the run with its reason, for the server log.
    std::vector<std::string> lock_notes;
    // Examples, a few per heading, as "address" or "address (detail)".
    std::map<std::string, std::vector<std::string>> examples;

    int64_t synced_before = 0;  // accounts present at the last full run (threshold base)
    bool threshold_exceeded = false;
    std::string threshold_message;
    std::string removals_skipped;  // why no removal was computed ("" = they were)

    bool changes_anything() const {
        return !creates.empty() || !changes.empty() || !deletes.empty();
    }
};

// Fills the managed attributes of linked[which[...]], the accounts that must be compared (the
// others are known to match their entry). Without one, `attrs` must be loaded beforehand.
using AttrLoader = std::function<void(const std::vector<size_t>& which)>;

Plan make_plan(const std::vector<RemoteUser>& remote, std::vector<LinkedAccount>& linked,
               const OwnerLookup& owner, const PlanOptions& options,
               const AttrLoader& load_attrs = {}, size_t max_examples = 5);

// Whether removing `removals` of `base` synced accounts passes a threshold of `percent`.
bool within_threshold(int64_t removals, int64_t base, int percent);

}  // namespace sb::dirsync
