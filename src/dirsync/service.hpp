#pragma once
// Directory sync of the server: per-domain configuration, runs (full, incremental, dry), their
// status, the schedule, and login with directory credentials (pass-through) for the
// Authenticator. Thread-safe: admin commands, the scheduler thread and protocol threads (logins)
// call it concurrently; one run at a time per domain.
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/authenticator.hpp"
#include "core/error.hpp"
#include "directory/directory.hpp"
#include "dirsync/config.hpp"
#include "dirsync/login_check.hpp"
#include "dirsync/report.hpp"
#include "dirsync/sync_store.hpp"
#include "store/database.hpp"

namespace sb::dirsync {

struct RunOptions {
    enum class Mode { automatic, full, incremental } mode = Mode::automatic;
    bool dry_run = false;  // `dirsync test`: read, plan, report; change nothing
    bool force = false;    // allow one run past delete_threshold
    std::string trigger = "admin";
};

class DirectorySync {
  public:
    DirectorySync(directory::Directory& directory, store::Database& db);
    ~DirectorySync();
    DirectorySync(const DirectorySync&) = delete;
    DirectorySync& operator=(const DirectorySync&) = delete;

    // ---- configuration ----
    // The keys set for a domain (not_found when the domain has no directory sync).
    Result<Settings> settings(std::string_view domain);
    // Applies changes (creating the configuration on first use); validated as a whole.
    Result<Settings> change(std::string_view domain, const std::vector<SettingChange>& changes);
    // Replaces the whole configuration (a TOML file): keys not given return to their defaults.
    Result<Settings> replace(std::string_view domain, const std::vector<SettingChange>& changes);
    // Forgets the configuration; the accounts stay (they keep logging in through the directory
    // only while a configuration exists).
    Result<void> remove(std::string_view domain);
    Result<std::vector<std::string>> configured_domains();

    // ---- runs ----
    // Runs now. A run that fails or stops returns the error (the admin's message) and is recorded
    // for `status`; nothing was changed then. Dry runs are not recorded.
    Result<nlohmann::ordered_json> run(std::string_view domain, const RunOptions& options);
    Result<nlohmann::ordered_json> status(std::string_view domain);
    Result<std::vector<nlohmann::ordered_json>> history(std::string_view domain, int limit);
    Result<std::vector<RemoteGroup>> groups(std::string_view domain);

    // ---- login with directory credentials ----
    // Finds the account's entry with the service account, then binds as it on a connection of
    // its own: true = password accepted, false = refused (wrong or empty password). Errors:
    // auth_failed (the entry is gone or disabled: the reason), unavailable (directory
    // unreachable or not configured).
    Result<bool> verify_password(const directory::Account& account, std::string_view secret);
    auth::ExternalVerifier verifier();
    // Whether a linked account's entry still exists and is not disabled, for logins with a
    // mobile password (see login_check.hpp). Accounts without a link, or of a domain without a
    // configuration, pass. Errors: auth_failed (gone, disabled) or unavailable (no directory
    // answer, and the last one is older than login_offline_grace).
    Result<void> check_login(const directory::Account& account);
    auth::DirectoryEntryCheck entry_check();
    // An account linked to an identity that is gone follows the entry that maps to its address
    // now (a new objectGUID/entryUUID). Returns what was done.
    Result<std::string> relink(std::string_view account);
    // An account linked to an identity that is gone is renamed (to `new_address`, or
    // NAME.retired-YYYYMMDD@DOMAIN) and locked, and gives back the aliases the sync gave it, so
    // the next run creates a new account for the entry that maps to its address now.
    Result<std::string> retire(std::string_view account, std::string_view new_address);
    // Switches an account to directory login after checking its name matches a directory user
    // (an account made by hand), or back to its local password. Returns what was done.
    Result<std::string> set_auth_source(std::string_view account, bool directory);

    // ---- schedule ----
    void start();  // the scheduler thread: enabled domains run every `interval`
    void stop();   // stops the thread; a run in progress ends at its next entry, changing nothing

  private:
    struct Resolved;
    struct EntryLookup;
    Result<directory::Domain> domain_of(std::string_view domain);
    Result<SyncConfig> config_of(int64_t domain_id, std::string_view domain_name);
    Result<nlohmann::ordered_json> run_locked(const directory::Domain& d, const RunOptions& options,
                                              RunReport& report);
    // The steps of a run, in order (service.cpp).
    struct RunState;
    Result<void> read_run_config(RunState& run);
    Result<void> connect_run(RunState& run);
    void choose_run_kind(RunState& run);
    Result<void> list_changes(RunState& run);
    Result<void> list_everyone(RunState& run);
    Result<void> take_changes(RunState& run);
    Result<void> plan_run(RunState& run);
    Result<void> apply_plan(RunState& run);
    void save_run_mark(RunState& run);
    Result<Resolved> resolve(int64_t domain_id, const std::string& domain_name);
    Result<EntryLookup> look_up_entry(Resolved& r, const std::optional<Link>& link,
                                      const directory::Account& account);
    void forget(int64_t domain_id);
    void scheduler_loop();
    std::optional<int64_t> next_run_ms(int64_t domain_id);

    directory::Directory& dir_;
    store::Database& db_;
    SyncStore store_;

    std::mutex mutex_;  // guards the maps below
    struct Running {
        int64_t started_ms;
        std::string kind;
        std::string trigger;
    };
    std::map<int64_t, Running> running_;
    std::map<int64_t, int64_t> next_run_;  // scheduler: domain id → due time (ms)
    // Directory facts found by a login (AD or not, base DN), per domain; dropped on change.
    struct DirectoryFacts {
        bool active_directory = false;
        std::string base;
    };
    std::map<int64_t, DirectoryFacts> facts_;
    LoginChecks checks_;  // answers of the directory about linked entries, per account

    std::atomic<bool> stopping_{false};
    std::mutex wake_mutex_;
    std::condition_variable wake_;
    bool woken_ = false;  // a configuration changed: look again (guarded by wake_mutex_)
    std::thread scheduler_;
};

}  // namespace sb::dirsync
