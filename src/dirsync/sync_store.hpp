#pragma once
// The sync's own tables (dirsync/migrations.hpp) and the account changes of a plan. Accounts are
// created, changed and deleted through the directory's AccountWriter in the sync's transactions,
// raising the directory's change notifications, so the GAL, the address book and the login
// cache follow without a restart.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "dirsync/config.hpp"
#include "dirsync/listing.hpp"
#include "dirsync/plan.hpp"
#include "store/database.hpp"

namespace sb::dirsync {

// Where incremental runs continue from, per domain.
struct SyncMark {
    std::string cookie;        // RFC 4533 cookie (raw bytes)
    std::string high_water;    // newest modification time seen (GeneralizedTime)
    std::string config_hash;   // of the keys that shape the listing: a change forces a full run
    std::string membership;    // group membership fingerprint at the last full run
    int64_t last_full_ms = 0;  // last successful full run
    int64_t last_run_ms = 0;   // last run of any kind (finished)
    int64_t next_run_ms = 0;   // scheduler's next run
};

struct LinkCounts {
    int64_t linked = 0;
    int64_t locked_for_removal = 0;  // gone, waiting for deletion (delete_out_of_scope on)
    int64_t locked_gone = 0;         // gone, kept locked (delete_out_of_scope off)
};

struct Link {
    int64_t account_id = 0;
    int64_t domain_id = 0;
    std::string external_id;
    std::string dn;
    int64_t missing_since = 0;
    std::string sync_lock;
};

// What a new account gets besides the directory's values ("default privileges" of the sync).
struct NewAccountDefaults {
    std::string cos;  // "" = the domain's default
    std::optional<bool> mobile_enabled;
};

struct ApplyResult {
    int64_t applied = 0;
    std::vector<std::string> failures;  // "address: reason", a few
    int64_t failure_count = 0;
};

class SyncStore {
  public:
    explicit SyncStore(store::Database& db) : db_(db) {}

    // configuration
    Result<std::optional<Settings>> settings(int64_t domain_id);
    Result<void> save_settings(int64_t domain_id, const Settings& settings);
    Result<void> delete_settings(int64_t domain_id);
    Result<std::vector<std::pair<int64_t, Settings>>> all_settings();

    // state and history
    Result<SyncMark> mark(int64_t domain_id);
    Result<void> save_mark(int64_t domain_id, const SyncMark& mark);
    Result<void> record_run(int64_t domain_id, const nlohmann::ordered_json& report);
    // Newest first.
    Result<std::vector<nlohmann::ordered_json>> runs(int64_t domain_id, int limit);
    Result<void> save_groups(int64_t domain_id, const std::vector<RemoteGroup>& groups);
    Result<std::vector<RemoteGroup>> groups(int64_t domain_id);

    // accounts managed by the sync
    // The accounts linked in a domain, without their attributes; `only`: just the ones linked
    // to these directory identities (incremental runs).
    Result<std::vector<LinkedAccount>> linked(int64_t domain_id,
                                              const std::vector<std::string>* only = nullptr);
    // Loads the managed attributes of accounts[which[...]] (those that must be compared).
    Result<void> load_attrs(std::vector<LinkedAccount>& accounts, const std::vector<size_t>& which,
                            const std::vector<std::string>& managed_attrs);
    Result<std::optional<AddressOwner>> owner_of(int64_t domain_id, const std::string& address);
    Result<LinkCounts> link_counts(int64_t domain_id);
    // Accounts locked because their user left the directory (delete_out_of_scope off), a few.
    Result<std::vector<std::string>> gone_accounts(int64_t domain_id, int limit);
    // The account linked to a directory identity, if any.
    Result<std::optional<int64_t>> account_of(int64_t domain_id, const std::string& external_id);
    Result<std::optional<Link>> link(int64_t account_id);
    // Every address on the server (primary and aliases) and who holds it.
    Result<std::unordered_map<std::string, AddressOwner>> owners(int64_t domain_id);
    Result<std::map<std::string, int64_t>> hosted_domains();  // name → id

    // Applies a plan in transactions of `chunk` operations (notifications are sent at the end);
    // a failing chunk is replayed one
    // operation at a time so one bad account does not hold back the others.
    Result<ApplyResult> apply(const Plan& plan, int64_t domain_id,
                              const NewAccountDefaults& defaults, size_t chunk = 2000);

    // Login through the directory for an account made by hand: auth_source and, for
    // "directory", the link to its entry.
    Result<void> set_auth_source(int64_t account_id, int64_t domain_id, bool directory,
                                 const std::string& external_id, const std::string& dn);

    // `dirsync relink`: the account follows another directory identity from now on (the next run
    // updates it from that entry, and unlocks it if the sync had locked it).
    Result<void> relink(int64_t account_id, int64_t domain_id, const std::string& external_id,
                        const std::string& dn);
    // `dirsync retire`: renames the account out of the way of its address, locks it (an admin's
    // lock: the sync never lifts it) and gives back the aliases the sync gave it. It stays linked
    // to its (gone) entry. Returns the aliases given back.
    Result<std::vector<std::string>> retire(int64_t account_id, const std::string& new_address);

  private:
    store::Database& db_;
};

}  // namespace sb::dirsync
