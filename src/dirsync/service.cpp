#include "dirsync/service.hpp"

#include <algorithm>
#include <chrono>
#include <unordered_set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/digest.hpp"
#include "core/utc_time.hpp"
#include "directory/attributes.hpp"
#include "dirsync/filter_text.hpp"
#include "dirsync/ldap_client.hpp"
#include "dirsync/mapping.hpp"

namespace sb::dirsync {
namespace {

// Keys that shape the listing: when one changes, the next run is a full one.
constexpr std::string_view kShapeKeys[] = {"server",
                                           "base_dn",
                                           "user_filter",
                                           "user_name_attribute",
                                           "local_part_only",
                                           "full_name_attribute",
                                           "email_attributes",
                                           "primary_address",
                                           "id_attribute",
                                           "attribute_map",
                                           "group_filter",
                                           "group_name_attribute",
                                           "group_members_attribute",
                                           "member_search_filter",
                                           "groups",
                                           "nested_groups"};

// A failed scheduled run is retried sooner than `interval`, but not in a tight loop.
constexpr int64_t kRetryAfterFailureMs = 5 * 60 * 1000;

std::string shape_hash(const Settings& s) {
    std::string text;
    for (auto key : kShapeKeys) {
        auto it = s.find(std::string(key));
        text += fmt::format("{}={}\n", key, it == s.end() ? "" : it->second);
    }
    return to_hex(crypto::sha256(text));
}

std::vector<std::string> managed_attrs(const Mapping& m) {
    std::vector<std::string> out{"displayName", "cn"};
    for (const auto& am : m.attribute_map) {
        const auto* def = directory::find_attr(am.local);
        if (!def) continue;
        std::string name(def->name);
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
    return out;
}

// The point incremental runs continue from: the newest change seen, minus an overlap covering
// changes made while the listing ran (an entry changed after its page was read).
std::string high_water(const std::string& newest, int64_t run_ms, bool ad) {
    auto t = parse_generalized_time(newest);
    if (!t) return "";
    int64_t overlap = std::max<int64_t>(120, run_ms / 1000 + 60);
    return format_generalized_time(*t - overlap, ad);
}

std::string base_dn(const SyncConfig& c, const RootDse& dse, std::string_view server) {
    if (!c.base_dn.empty()) return c.base_dn;
    if (!dse.default_naming_context.empty()) return dse.default_naming_context;
    if (dse.naming_contexts.size() == 1) return dse.naming_contexts.front();
    (void)server;
    return "";
}

Error with_prefix(std::string prefix, Error e) {
    e.message = prefix + e.message;
    return e;
}

}  // namespace

struct DirectorySync::Resolved {
    std::unique_ptr<Source> source;
    SyncConfig config;
    Mapping mapping;
    std::string base;
    bool active_directory = false;
};

DirectorySync::DirectorySync(directory::Directory& directory, store::Database& db)
    : dir_(directory), db_(db), store_(db) {}

DirectorySync::~DirectorySync() {
    stop();
}

Result<directory::Domain> DirectorySync::domain_of(std::string_view domain) {
    return dir_.domain(domain);
}

Result<SyncConfig> DirectorySync::config_of(int64_t domain_id, std::string_view name) {
    SB_TRY_ASSIGN(auto s, store_.settings(domain_id));
    if (!s)
        return fail(
            Errc::not_found,
            fmt::format(
                "directory sync is not configured for {}; start with: switchboard dirsync set {} "
                "server HOST bind_dn DN bind_password PASSWORD",
                name, name));
    return parse_config(*s);
}

void DirectorySync::forget(int64_t domain_id) {
    {
        std::lock_guard lock(mutex_);
        facts_.erase(domain_id);
        next_run_.erase(domain_id);
    }
    checks_.forget_domain(domain_id);
    {
        std::lock_guard lock(wake_mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

// ---- configuration ----

Result<Settings> DirectorySync::settings(std::string_view domain) {
    SB_TRY_ASSIGN(auto d, domain_of(domain));
    SB_TRY_ASSIGN(auto s, store_.settings(d.id));
    if (!s)
        return fail(
            Errc::not_found,
            fmt::format("directory sync is not configured for {} (switchboard dirsync set {} "
                        "server HOST ...)",
                        d.name, d.name));
    return std::move(*s);
}

Result<Settings> DirectorySync::change(std::string_view domain,
                                       const std::vector<SettingChange>& changes) {
    SB_TRY_ASSIGN(auto d, domain_of(domain));
    SB_TRY_ASSIGN(auto current, store_.settings(d.id));
    Settings s = current.value_or(Settings{});
    SB_TRY(apply_changes(s, changes));
    SB_TRY(store_.save_settings(d.id, s));
    forget(d.id);
    spdlog::info("dirsync: configuration of {} changed ({} keys set)", d.name, s.size());
    return s;
}

Result<Settings> DirectorySync::replace(std::string_view domain,
                                        const std::vector<SettingChange>& changes) {
    SB_TRY_ASSIGN(auto d, domain_of(domain));
    Settings s;
    SB_TRY(apply_changes(s, changes));
    SB_TRY(store_.save_settings(d.id, s));
    forget(d.id);
    spdlog::info("dirsync: configuration of {} replaced ({} keys set)", d.name, s.size());
    return s;
}

Result<void> DirectorySync::remove(std::string_view domain) {
    SB_TRY_ASSIGN(auto d, domain_of(domain));
    SB_TRY_ASSIGN(auto s, store_.settings(d.id));
    if (!s)
        return fail(Errc::not_found,
                    fmt::format("directory sync is not configured for {}", d.name));
    SB_TRY(store_.delete_settings(d.id));
    forget(d.id);
    spdlog::info("dirsync: configuration of {} removed", d.name);
    return {};
}

Result<std::vector<std::string>> DirectorySync::configured_domains() {
    SB_TRY_ASSIGN(auto all, store_.all_settings());
    SB_TRY_ASSIGN(auto names, store_.hosted_domains());
    std::vector<std::string> out;
    for (auto& [id, s] : all)
        for (auto& [name, did] : names)
            if (did == id) out.push_back(name);
    std::sort(out.begin(), out.end());
    return out;
}

// ---- runs ----

Result<nlohmann::ordered_json> DirectorySync::run(std::string_view domain,
                                                  const RunOptions& options) {
    SB_TRY_ASSIGN(auto d, domain_of(domain));
    RunReport report;
    report.domain = d.name;
    report.trigger = options.dry_run ? "test" : options.trigger;
    report.dry_run = options.dry_run;
    report.kind = options.mode == RunOptions::Mode::incremental ? "incremental" : "full";
    report.started_ms = now_ms();
    {
        std::lock_guard lock(mutex_);
        if (auto it = running_.find(d.id); it != running_.end())
            return fail(
                Errc::unavailable,
                fmt::format(
                    "a {} run of {} is in progress (started {} by {}); try again when it ends",
                    it->second.kind, d.name, utc_time_text(it->second.started_ms),
                    it->second.trigger));
        running_[d.id] =
            Running{report.started_ms, options.dry_run ? "dry" : "sync", report.trigger};
    }
    auto r = run_locked(d, options, report);
    report.finished_ms = now_ms();
    {
        std::lock_guard lock(mutex_);
        running_.erase(d.id);
    }
    if (!r && report.error.empty()) report.error = r.error().message;
    if (!r && report.outcome != "stopped") report.outcome = "failed";
    if (!r && report.outcome == "failed" && report.applied == 0 &&
        report.error.find("nothing was changed") == std::string::npos)
        report.error += "; nothing was changed";
    const std::string line = report.summary();
    if (report.outcome == "failed")
        spdlog::error("dirsync: {}", line);
    else if (report.outcome == "stopped" || report.outcome == "ok with errors")
        spdlog::warn("dirsync: {}", line);
    else
        spdlog::info("dirsync: {}", line);
    auto json = report.to_json();
    if (!options.dry_run) {
        if (auto rec = store_.record_run(d.id, json); !rec)
            spdlog::error("dirsync: {}: cannot record the run: {}", d.name, rec.error().message);
        if (!r) {
            auto mark = store_.mark(d.id);
            if (mark) {
                mark->last_run_ms = report.finished_ms;
                (void)store_.save_mark(d.id, *mark);
            }
        }
    }
    if (!r)
        return fail(r.error().code, fmt::format("directory sync of {}: {}", d.name, report.error));
    return json;
}

// One run, from the configuration read at its start to the mark saved at its end.
struct DirectorySync::RunState {
    RunState(const directory::Domain& d, const RunOptions& o, RunReport& r)
        : domain(d), options(o), report(r) {}

    const directory::Domain& domain;
    const RunOptions& options;
    RunReport& report;
    Settings settings;
    SyncConfig config;
    std::unique_ptr<Source> source;
    RootDse dse;
    ListingOptions listing_options;  // also the run's mapping and base DN
    SyncMark mark;
    std::string shape;  // shape_hash of the settings
    int64_t now = 0;
    bool full = true;
    std::optional<Listing> listing;  // full runs
    Changes changes;                 // incremental runs
    std::string new_cookie;
    std::vector<RemoteUser> remote;
    std::vector<LinkedAccount> linked;
    PlanOptions plan_options;
    std::chrono::steady_clock::time_point phase_start;

    const Mapping& mapping() const { return listing_options.mapping; }
    bool sync_wanted() const {
        return config.incremental == IncrementalMethod::automatic ||
               config.incremental == IncrementalMethod::sync;
    }
    bool sync_offered() const { return dse.supports_control(kSyncControl); }
    // Ends the current phase of the report's timings.
    void phase(const char* name) {
        const auto t = std::chrono::steady_clock::now();
        report.phases.emplace_back(
            name, std::chrono::duration_cast<std::chrono::milliseconds>(t - phase_start).count());
        phase_start = t;
    }
};

Result<nlohmann::ordered_json> DirectorySync::run_locked(const directory::Domain& d,
                                                         const RunOptions& options,
                                                         RunReport& report) {
    RunState run(d, options, report);
    SB_TRY(read_run_config(run));
    SB_TRY(connect_run(run));
    choose_run_kind(run);
    if (!run.full) SB_TRY(list_changes(run));
    if (run.full)
        SB_TRY(list_everyone(run));
    else
        SB_TRY(take_changes(run));
    SB_TRY(plan_run(run));

    if (report.plan.threshold_exceeded) {
        if (options.dry_run) {
            report.outcome = "dry run";
            report.error = "a real run would stop: " + report.plan.threshold_message;
            return report.to_json();
        }
        report.outcome = "stopped";
        return fail(Errc::limit_exceeded, report.plan.threshold_message);
    }
    if (options.dry_run) {
        report.outcome = "dry run";
        return report.to_json();
    }
    if (stopping_.load())
        return fail(Errc::unavailable, "the server is shutting down; nothing was changed");
    SB_TRY(apply_plan(run));
    save_run_mark(run);
    report.outcome = report.entry_errors || report.apply_failures ? "ok with errors" : "ok";
    return report.to_json();
}

// The domain's configuration, checked for a run.
Result<void> DirectorySync::read_run_config(RunState& run) {
    const auto& d = run.domain;
    SB_TRY_ASSIGN(auto settings, store_.settings(d.id));
    if (!settings) {
        run.report.kind = "full";
        return tl::unexpected(config_of(d.id, d.name).error());
    }
    run.settings = std::move(*settings);
    SB_TRY_ASSIGN(run.config, parse_config(run.settings));
    SB_TRY(check_runnable(run.config, d.name));
    if (!run.config.default_cos.empty() && !dir_.cos(run.config.default_cos))
        return fail(Errc::invalid_argument,
                    fmt::format("default_cos {} does not exist (switchboard prov gac)",
                                run.config.default_cos));
    return {};
}

// Connects, reads the root DSE and the sync mark: what the listing needs.
Result<void> DirectorySync::connect_run(RunState& run) {
    auto& report = run.report;
    const auto& config = run.config;
    report.server = server_uri(config.servers.front(), config.transport);
    SB_TRY_ASSIGN(run.source, connect(connect_options(config, config.search_timeout_s)));
    report.server = run.source->server();
    run.phase_start = std::chrono::steady_clock::now();
    run.phase("connect");
    SB_TRY_ASSIGN(run.dse, run.source->root_dse());
    const auto& dse = run.dse;
    report.directory = dse.active_directory ? "Active Directory"
                       : dse.vendor.empty() ? "LDAP"
                                            : dse.vendor;
    const std::string base = base_dn(config, dse, report.server);
    if (base.empty())
        return fail(
            Errc::invalid_argument,
            fmt::format("{} publishes no defaultNamingContext and {} naming contexts; set base_dn",
                        report.server, dse.naming_contexts.size()));
    report.base = base;
    if (!dse.supports_control(kPagedControl))
        report.notes.push_back(
            "the server does not announce paged results (RFC 2696); its size limit may stop large "
            "listings");
    auto& lo = run.listing_options;
    lo.config = config;
    lo.mapping = mapping_for(config, run.domain.name, dse.active_directory);
    lo.base = base;
    lo.active_directory = dse.active_directory;
    lo.max_examples = 5;
    lo.cancel = &stopping_;
    SB_TRY_ASSIGN(run.mark, store_.mark(run.domain.id));
    run.shape = shape_hash(run.settings);
    run.now = now_ms();
    return {};
}

// Full or incremental, and why (a note in the report).
void DirectorySync::choose_run_kind(RunState& run) {
    const auto mode = run.options.mode;
    auto& notes = run.report.notes;
    run.full = true;
    if (mode == RunOptions::Mode::full) {
        notes.push_back("full run requested");
    } else if (run.config.incremental == IncrementalMethod::off) {
        if (mode == RunOptions::Mode::incremental) notes.push_back("incremental is off: full run");
    } else if (run.mark.last_full_ms == 0) {
        notes.push_back("no full run yet: full run");
    } else if (run.mark.config_hash != run.shape) {
        notes.push_back("the configuration changed since the last full run: full run");
    } else if (mode == RunOptions::Mode::automatic &&
               run.now - run.mark.last_full_ms >= run.config.full_sync_interval_s * 1000) {
        notes.push_back("full_sync_interval has passed: full run");
    } else {
        run.full = false;
    }
}

// The changes since the last run, by content synchronisation or by modification time; a full
// run instead when group membership changed or no incremental method works.
Result<void> DirectorySync::list_changes(RunState& run) {
    auto& report = run.report;
    auto& source = *run.source;
    const auto& config = run.config;
    const auto& mark = run.mark;
    if (!config.groups.empty()) {
        SB_TRY_ASSIGN(auto fp, membership_fingerprint(source, run.listing_options));
        if (fp != mark.membership) {
            report.notes.push_back("group membership changed since the last full run: full run");
            run.full = true;
            return {};
        }
    }
    const std::string timestamps(timestamp_attribute(run.dse.active_directory));
    if (run.sync_wanted() && run.sync_offered() && !mark.cookie.empty()) {
        auto c = list_changes_sync(source, run.listing_options, mark.cookie);
        if (c) {
            run.changes = std::move(*c);
            report.method = "RFC 4533 content synchronisation (refreshOnly) from the last cookie";
            return {};
        }
        if (config.incremental != IncrementalMethod::automatic || mark.high_water.empty())
            return tl::unexpected(c.error());
        report.notes.push_back("content synchronisation failed (" + c.error().message +
                               "); using " + timestamps);
    } else if (config.incremental == IncrementalMethod::sync) {
        report.notes.push_back(run.sync_offered()
                                   ? "no sync cookie yet"
                                   : "the server does not offer RFC 4533 content synchronisation");
    }
    if (config.incremental != IncrementalMethod::sync && !mark.high_water.empty()) {
        SB_TRY_ASSIGN(run.changes,
                      list_changes_since(source, run.listing_options, mark.high_water));
        report.method = fmt::format("{} >= {}", timestamps, mark.high_water);
        return {};
    }
    report.notes.push_back("no incremental method available: full run");
    run.full = true;
    return {};
}

// A full run's listing of every user and group in scope, and every linked account.
Result<void> DirectorySync::list_everyone(RunState& run) {
    auto& report = run.report;
    report.kind = "full";
    if (!run.options.dry_run && run.sync_wanted() && run.sync_offered()) {
        // Taken before the listing: changes made while it runs come again next time.
        auto c = current_sync_cookie(*run.source, run.listing_options);
        if (c)
            run.new_cookie = *c;
        else
            report.notes.push_back("no sync cookie (" + c.error().message +
                                   "); incremental runs will use " +
                                   std::string(timestamp_attribute(run.dse.active_directory)));
    }
    SB_TRY_ASSIGN(run.listing, list_directory(*run.source, run.listing_options));
    run.phase("list");
    auto& listing = *run.listing;
    report.listed = listing.users_listed;
    report.in_scope = static_cast<int64_t>(listing.users.size());
    report.groups = static_cast<int64_t>(listing.groups.size());
    report.pages = listing.pages;
    report.range_reads = listing.range_reads;
    report.member_searches = listing.member_searches;
    report.entry_errors = listing.entry_error_count;
    report.entry_error_examples = listing.entry_errors;
    report.warnings = listing.warnings;
    if (listing.users_listed == 0)  // a filter naming a missing attribute matches nothing
        report.warnings.push_back(fmt::format(
            "the user filter {} matched no entry under {}: check the filter's attribute names "
            "and the base DN",
            run.config.user_filter, report.base));
    run.remote = std::move(listing.users);
    run.plan_options.complete = true;
    run.plan_options.error_free = listing.entry_error_count == 0;
    SB_TRY_ASSIGN(run.linked, store_.linked(run.domain.id));
    return {};
}

// An incremental run's changed users, and the accounts linked to them.
Result<void> DirectorySync::take_changes(RunState& run) {
    auto& report = run.report;
    auto& changes = run.changes;
    report.kind = "incremental";
    report.listed = static_cast<int64_t>(changes.users.size());
    report.pages = changes.pages;
    report.entry_errors = changes.entry_error_count;
    report.entry_error_examples = changes.entry_errors;
    if (changes.deleted)
        report.notes.push_back(
            fmt::format("{} deletions reported by the directory are handled by the next full run",
                        changes.deleted));
    run.remote = std::move(changes.users);
    // Only the accounts of the changed entries: an incremental run stays cheap on 100k users.
    std::vector<std::string> ids;
    for (const auto& u : run.remote)
        ids.push_back(u.external_id);
    SB_TRY_ASSIGN(run.linked, store_.linked(run.domain.id, &ids));
    if (!run.config.groups.empty()) {
        // With group scope, only users already in scope are updated; membership did not change.
        std::unordered_set<std::string> in_scope;
        for (const auto& l : run.linked)
            in_scope.insert(l.external_id);
        std::erase_if(run.remote,
                      [&](const RemoteUser& u) { return !in_scope.count(u.external_id); });
    }
    report.in_scope = static_cast<int64_t>(run.remote.size());
    run.plan_options.complete = false;
    run.plan_options.error_free = changes.entry_error_count == 0;
    return {};
}

// Compares the directory with the accounts: the plan goes into the report.
Result<void> DirectorySync::plan_run(RunState& run) {
    const int64_t domain_id = run.domain.id;
    // Who holds an address: all of them at once for a full run, one query each for a few changes.
    std::unordered_map<std::string, AddressOwner> owner_map;
    if (run.full) {
        SB_TRY_ASSIGN(owner_map, store_.owners(domain_id));
    }
    SB_TRY_ASSIGN(auto hosted, store_.hosted_domains());
    auto& po = run.plan_options;
    po.delete_out_of_scope = run.config.delete_out_of_scope;
    po.reuse_account_of_deleted_user = run.config.reuse_account_of_deleted_user;
    std::unordered_set<std::string> outside_groups;
    if (run.listing)
        outside_groups.insert(run.listing->outside_groups.begin(),
                              run.listing->outside_groups.end());
    po.outside_groups = &outside_groups;
    po.threshold_percent = run.config.delete_threshold;
    po.force = run.options.force;
    po.grace_s = run.config.delete_grace_period_s;
    po.now_s = run.now / 1000;
    for (auto& [name, id] : hosted)
        po.hosted_domains.insert(name);
    po.managed_attrs = managed_attrs(run.mapping());
    po.domain = run.domain.name;
    std::optional<Error> lookup_error;
    OwnerLookup lookup = [&](const std::string& address) -> std::optional<AddressOwner> {
        if (run.full) {
            auto it = owner_map.find(address);
            if (it == owner_map.end()) return std::nullopt;
            return it->second;
        }
        auto o = store_.owner_of(domain_id, address);
        if (!o) {
            if (!lookup_error) lookup_error = o.error();
            return std::nullopt;
        }
        return *o;
    };
    run.phase("load");
    AttrLoader loader = [&](const std::vector<size_t>& which) {
        if (auto r = store_.load_attrs(run.linked, which, po.managed_attrs); !r && !lookup_error)
            lookup_error = r.error();
    };
    run.report.plan = make_plan(run.remote, run.linked, lookup, po, loader);
    run.report.plan_made = true;
    po.outside_groups = nullptr;  // points into this frame
    if (lookup_error) return tl::unexpected(*lookup_error);
    run.phase("plan");
    return {};
}

// Carries the plan out, and logs what was locked, removed or deleted and why.
Result<void> DirectorySync::apply_plan(RunState& run) {
    auto& report = run.report;
    const auto& d = run.domain;
    NewAccountDefaults defaults{run.config.default_cos, run.config.default_mobile_enabled};
    auto applied = store_.apply(report.plan, d.id, defaults);
    run.phase("apply");
    if (!applied)
        return tl::unexpected(with_prefix(
            "the store failed while applying the changes (a later run completes them): ",
            applied.error()));
    report.applied = applied->applied;
    report.apply_failures = applied->failure_count;
    report.apply_failure_examples = applied->failures;
    // Logins ask the directory again after a run changed accounts (a user back in scope).
    checks_.forget_domain(d.id);
    // One line each (a failed change is named in the run's failures).
    constexpr size_t kLockLines = 1000;
    const auto& notes = report.plan.lock_notes;
    for (size_t i = 0; i < notes.size() && i < kLockLines; ++i)
        spdlog::info("dirsync: {}: {}", d.name, notes[i]);
    if (notes.size() > kLockLines)
        spdlog::info("dirsync: {}: and {} more locks and removals (see dirsync status {})", d.name,
                     notes.size() - kLockLines, d.name);
    return {};
}

// Where the next incremental run continues from.
void DirectorySync::save_run_mark(RunState& run) {
    auto& mark = run.mark;
    auto& report = run.report;
    const bool ad = run.dse.active_directory;
    const int64_t finished = now_ms();
    const int64_t took = finished - report.started_ms;
    if (run.full) {
        const auto& listing = *run.listing;
        if (!run.config.group_filter.empty()) {
            if (auto g = store_.save_groups(run.domain.id, listing.groups); !g)
                report.warnings.push_back("groups not saved: " + g.error().message);
        }
        mark.cookie = run.new_cookie;
        mark.high_water = high_water(listing.max_timestamp, took, ad);
        mark.config_hash = run.shape;
        mark.membership = listing.membership_fingerprint;
        mark.last_full_ms = finished;
    } else {
        if (!run.changes.cookie.empty()) mark.cookie = run.changes.cookie;
        mark.high_water =
            later_time(mark.high_water, high_water(run.changes.max_timestamp, took, ad));
    }
    mark.last_run_ms = finished;
    if (auto m = store_.save_mark(run.domain.id, mark); !m)
        report.warnings.push_back("the sync state was not saved (the next run is a full one): " +
                                  m.error().message);
}

Result<nlohmann::ordered_json> DirectorySync::status(std::string_view domain) {
    SB_TRY_ASSIGN(auto d, domain_of(domain));
    SB_TRY_ASSIGN(auto s, store_.settings(d.id));
    nlohmann::ordered_json j;
    j["domain"] = d.name;
    j["configured"] = s.has_value();
    if (!s) return j;
    SB_TRY_ASSIGN(const auto config, parse_config(*s));
    j["enabled"] = config.enabled;
    std::vector<std::string> servers;
    for (auto& srv : config.servers)
        servers.push_back(server_uri(srv, config.transport));
    j["servers"] = servers;
    j["protocol"] = std::string(transport_name(config.transport));
    j["interval"] = format_duration(config.interval_s);
    j["fullSyncInterval"] = format_duration(config.full_sync_interval_s);
    {
        std::lock_guard lock(mutex_);
        if (auto it = running_.find(d.id); it != running_.end())
            j["running"] = {{"since", utc_time_text(it->second.started_ms)},
                            {"trigger", it->second.trigger}};
        else
            j["running"] = nullptr;
    }
    auto next = next_run_ms(d.id);
    j["nextRun"] = !config.enabled         ? "not scheduled (enabled is FALSE)"
                   : next                  ? utc_time_text(*next)
                   : scheduler_.joinable() ? "soon"
                                           : "not scheduled (the scheduler is not running)";
    SB_TRY_ASSIGN(const auto mark, store_.mark(d.id));
    j["lastFullRun"] = utc_time_text(mark.last_full_ms);
    j["incremental"] = {{"syncCookie", !mark.cookie.empty()}, {"since", mark.high_water}};
    SB_TRY_ASSIGN(auto counts, store_.link_counts(d.id));
    j["syncedAccounts"] = counts.linked;
    j["lockedForRemoval"] = counts.locked_for_removal;
    // Users who left the directory, locked and kept (delete_out_of_scope off).
    j["lockedGone"] = counts.locked_gone;
    SB_TRY_ASSIGN(auto gone, store_.gone_accounts(d.id, 10));
    j["goneAccounts"] = gone;
    SB_TRY_ASSIGN(auto runs, store_.runs(d.id, 20));
    j["lastRun"] = runs.empty() ? nlohmann::ordered_json(nullptr) : runs.front();
    j["lastSuccessfulRun"] = nullptr;
    for (auto& r : runs) {
        std::string outcome = r.value("outcome", "");
        if (outcome == "ok" || outcome == "ok with errors") {
            j["lastSuccessfulRun"] = {{"started", r.value("started", "")},
                                      {"kind", r.value("kind", "")},
                                      {"outcome", outcome},
                                      {"durationMs", r.value("durationMs", int64_t{0})}};
            break;
        }
    }
    return j;
}

Result<std::vector<nlohmann::ordered_json>> DirectorySync::history(std::string_view domain,
                                                                   int limit) {
    SB_TRY_ASSIGN(auto d, domain_of(domain));
    return store_.runs(d.id, limit);
}

Result<std::vector<RemoteGroup>> DirectorySync::groups(std::string_view domain) {
    SB_TRY_ASSIGN(auto d, domain_of(domain));
    return store_.groups(d.id);
}

// ---- login with directory credentials ----

Result<DirectorySync::Resolved> DirectorySync::resolve(int64_t domain_id,
                                                       const std::string& domain_name) {
    Resolved r;
    SB_TRY_ASSIGN(r.config, config_of(domain_id, domain_name));
    SB_TRY(check_runnable(r.config, domain_name));
    auto source = connect(connect_options(r.config, r.config.login_timeout_s));
    if (!source) {
        if (source.error().code == Errc::auth_failed)
            return fail(Errc::unavailable,
                        fmt::format("directory sync of {}: the service account cannot bind: {}",
                                    domain_name, source.error().message));
        return fail(source.error().code,
                    fmt::format("directory sync of {}: {}", domain_name, source.error().message));
    }
    r.source = std::move(*source);
    std::optional<DirectoryFacts> facts;
    {
        std::lock_guard lock(mutex_);
        if (auto it = facts_.find(domain_id); it != facts_.end()) facts = it->second;
    }
    if (!facts) {
        auto dse = r.source->root_dse();
        if (!dse)
            return fail(Errc::unavailable,
                        fmt::format("directory sync of {}: {}", domain_name, dse.error().message));
        DirectoryFacts f{dse->active_directory, base_dn(r.config, *dse, r.source->server())};
        if (f.base.empty())
            return fail(Errc::unavailable,
                        fmt::format("directory sync of {}: no base DN (set base_dn)", domain_name));
        std::lock_guard lock(mutex_);
        facts_[domain_id] = f;
        facts = f;
    }
    r.base = facts->base;
    r.active_directory = facts->active_directory;
    r.mapping = mapping_for(r.config, domain_name, r.active_directory);
    return r;
}

namespace {

// The filter finding the entry of an account: by its linked identity, or by its name.
std::string login_filter(const SyncConfig& c, const Mapping& m, const std::optional<Link>& link,
                         const directory::Account& a) {
    if (link) {
        std::string value;
        if (m.binary_id) {
            auto bytes = guid_bytes(link->external_id);
            value = bytes ? escape_filter_bytes(*bytes) : escape_filter_value(link->external_id);
        } else {
            value = escape_filter_value(link->external_id);
        }
        return fmt::format("(&{}({}={}))", c.user_filter, m.id_attribute, value);
    }
    const std::string local = a.address.substr(0, a.address.find('@'));
    std::string names =
        fmt::format("({}={})({}={})", m.user_name_attribute, escape_filter_value(a.address),
                    m.user_name_attribute, escape_filter_value(local));
    if (m.local_part_only)
        names += fmt::format("({}={}@*)", m.user_name_attribute, escape_filter_value(local));
    return fmt::format("(&{}(|{}))", c.user_filter, names);
}

// The entries that may map to an address: by user name (as login_filter without a link) or by
// an e-mail attribute (proxyAddresses values carry an "smtp:" prefix; equality ignores case).
std::string address_filter(const SyncConfig& c, const Mapping& m, const std::string& address) {
    const std::string local = address.substr(0, address.find('@'));
    std::string terms =
        fmt::format("({}={})({}={})", m.user_name_attribute, escape_filter_value(address),
                    m.user_name_attribute, escape_filter_value(local));
    if (m.local_part_only)
        terms += fmt::format("({}={}@*)", m.user_name_attribute, escape_filter_value(local));
    for (const auto& attr : m.email_attributes)
        terms += fmt::format("({}={})({}=smtp:{})", attr, escape_filter_value(address), attr,
                             escape_filter_value(address));
    return fmt::format("(&{}(|{}))", c.user_filter, terms);
}

// Up to two entries of a search (two are enough to tell "ambiguous").
Result<std::vector<Entry>> first_two(Source& source, const SearchRequest& req) {
    std::vector<Entry> found;
    auto s = source.search(req, [&](Entry&& e) -> Result<void> {
        if (found.size() < 2) found.push_back(std::move(e));
        return {};
    });
    if (!s && !(s.error().code == Errc::limit_exceeded && found.size() > 1))
        return tl::unexpected(s.error());
    return found;
}

}  // namespace

struct DirectorySync::EntryLookup {
    EntryAnswer answer;
    std::optional<Entry> entry;  // the one entry found (also when disabled)
    std::string filter;
};

Result<DirectorySync::EntryLookup> DirectorySync::look_up_entry(Resolved& r,
                                                                const std::optional<Link>& link,
                                                                const directory::Account& account) {
    SearchRequest req;
    req.base = r.base;
    req.filter = login_filter(r.config, r.mapping, link, account);
    req.attributes = user_attributes(r.mapping, "");
    req.page_size = 0;
    auto found = first_two(*r.source, req);
    if (!found)
        return fail(Errc::unavailable, fmt::format("login of {} through the directory: {}",
                                                   account.address, found.error().message));
    EntryLookup out;
    out.filter = req.filter;
    out.answer.at_ms = now_ms();
    if (found->empty()) {
        out.answer.state = EntryState::gone;
        out.answer.detail = fmt::format(
            "its directory entry is gone: no entry matches {} on {} (deleted, or no longer "
            "matched by user_filter)",
            req.filter, r.source->server());
        return out;
    }
    if (found->size() > 1) {
        out.answer.state = EntryState::gone;
        out.answer.detail = fmt::format("several directory entries match {} ({} and {})",
                                        req.filter, (*found)[0].dn, (*found)[1].dn);
        return out;
    }
    auto disabled = entry_disabled(found->front());
    if (!disabled || *disabled) {
        out.answer.state = EntryState::disabled;
        out.answer.detail = !disabled
                                ? disabled.error().message
                                : fmt::format(
                                      "its directory entry {} is disabled (userAccountControl "
                                      "ACCOUNTDISABLE) on {}",
                                      found->front().dn, r.source->server());
    } else {
        out.answer.detail = found->front().dn;
    }
    out.entry = std::move(found->front());
    return out;
}

Result<bool> DirectorySync::verify_password(const directory::Account& account,
                                            std::string_view secret) {
    if (secret.empty()) {
        spdlog::info("dirsync: login of {} refused: empty password (never sent to the directory)",
                     account.address);
        return false;
    }
    SB_TRY_ASSIGN(auto link, store_.link(account.id));
    SB_TRY_ASSIGN(auto r, resolve(account.domain_id, account.domain));
    SB_TRY_ASSIGN(auto look, look_up_entry(r, link, account));
    if (link) checks_.store(account.id, link->domain_id, look.answer);
    if (look.answer.state != EntryState::present) {
        spdlog::info("dirsync: login of {} refused: {}", account.address, look.answer.detail);
        return fail(Errc::auth_failed,
                    fmt::format("login of {} refused: {}", account.address, look.answer.detail));
    }
    const Entry& entry = *look.entry;
    if (!link) {
        auto mapped = map_user(entry, r.mapping);
        if (!mapped || (mapped->address != account.address &&
                        std::find(account.aliases.begin(), account.aliases.end(),
                                  mapped->address) == account.aliases.end())) {
            spdlog::info("dirsync: login of {} refused: entry {} does not map to this account",
                         account.address, entry.dn);
            return false;
        }
    }
    auto ok = check_password(connect_options(r.config, r.config.login_timeout_s), entry.dn, secret);
    if (!ok)
        return fail(Errc::unavailable, fmt::format("login of {} through the directory: {}",
                                                   account.address, ok.error().message));
    if (!*ok)
        spdlog::info("dirsync: login of {}: the directory refused the password of {}",
                     account.address, entry.dn);
    return *ok;
}

auth::ExternalVerifier DirectorySync::verifier() {
    return [this](const directory::Account& a, std::string_view secret) {
        return verify_password(a, secret);
    };
}

Result<void> DirectorySync::check_login(const directory::Account& account) {
    SB_TRY_ASSIGN(auto link, store_.link(account.id));
    if (!link) return {};
    SB_TRY_ASSIGN(auto settings, store_.settings(link->domain_id));
    if (!settings) return {};  // the sync was removed: there is no directory to ask
    SB_TRY_ASSIGN(auto config, parse_config(*settings));
    const LoginCheckPolicy policy{config.login_check_interval_s * 1000,
                                  config.login_offline_grace_s * 1000};
    auto verdict = [&](const EntryAnswer& a) -> Result<void> {
        if (a.state == EntryState::present) return {};
        return fail(Errc::auth_failed,
                    fmt::format("login of {} refused: {}", account.address, a.detail));
    };
    const int64_t now = now_ms();
    if (auto cached = checks_.fresh(account.id, now, policy)) return verdict(*cached);

    auto r = resolve(link->domain_id, account.domain);
    auto look = r ? look_up_entry(*r, link, account) : tl::unexpected(r.error());
    if (look) {
        checks_.store(account.id, link->domain_id, look->answer);
        if (look->answer.state != EntryState::present)
            spdlog::info("dirsync: login of {} refused: {}", account.address, look->answer.detail);
        return verdict(look->answer);
    }
    // No answer: the last one decides, for a bounded time. A refusal stays a refusal; "present"
    // counts for login_offline_grace, from a login check or else from the last full run that
    // listed the entry.
    auto last = checks_.latest(account.id);
    if (last && last->state != EntryState::present) return verdict(*last);
    int64_t seen = last ? last->at_ms : 0;
    std::string seen_by = "a login check";
    if (!last && link->missing_since == 0 && link->sync_lock != kLockGone &&
        link->sync_lock != kLockDisabled) {
        SB_TRY_ASSIGN(auto mark, store_.mark(link->domain_id));
        seen = mark.last_full_ms;
        seen_by = "the last full run";
    }
    const std::string seen_text =
        seen ? fmt::format("{} ({})", utc_time_text(seen), seen_by) : std::string("never");
    if (offline_allowed(seen, now, policy)) {
        spdlog::warn(
            "dirsync: login of {} allowed without the directory ({}): its entry was last seen at "
            "{}, within login_offline_grace {}",
            account.address, look.error().message, seen_text,
            format_duration(config.login_offline_grace_s));
        return {};
    }
    return fail(Errc::unavailable,
                fmt::format("login of {} refused: the directory cannot confirm its entry ({}); "
                            "last seen: {}, not within login_offline_grace {}",
                            account.address, look.error().message, seen_text,
                            format_duration(config.login_offline_grace_s)));
}

auth::DirectoryEntryCheck DirectorySync::entry_check() {
    return [this](const directory::Account& a) { return check_login(a); };
}

Result<std::string> DirectorySync::relink(std::string_view key) {
    SB_TRY_ASSIGN(auto account, dir_.account(key));
    SB_TRY_ASSIGN(auto link, store_.link(account.id));
    if (!link)
        return fail(Errc::invalid_argument,
                    fmt::format("{} is not linked to a directory entry (an account made by hand "
                                "switches with: switchboard dirsync auth {} directory)",
                                account.address, account.address));
    SB_TRY_ASSIGN(auto r, resolve(account.domain_id, account.domain));
    SB_TRY_ASSIGN(auto old, look_up_entry(r, link, account));
    if (old.entry)
        return fail(Errc::already_exists,
                    fmt::format("{} stays with entry {} (identity {}), which is still in the "
                                "directory; an account is handed to another identity only when "
                                "its own is gone; nothing was changed",
                                account.address, old.entry->dn, link->external_id));
    SearchRequest req;
    req.base = r.base;
    req.filter = address_filter(r.config, r.mapping, account.address);
    req.attributes = user_attributes(r.mapping, "");
    req.page_size = 0;
    std::vector<RemoteUser> candidates;
    std::vector<std::string> unmapped;
    auto s = r.source->search(req, [&](Entry&& e) -> Result<void> {
        auto u = map_user(e, r.mapping);
        if (!u)
            unmapped.push_back(u.error().message);
        else if (u->address == account.address)
            candidates.push_back(std::move(*u));
        return candidates.size() > 2 ? fail(Errc::limit_exceeded, "enough") : Result<void>{};
    });
    if (!s && s.error().code != Errc::limit_exceeded)
        return fail(Errc::unavailable,
                    fmt::format("relink of {}: {}", account.address, s.error().message));
    if (candidates.empty())
        return fail(Errc::not_found,
                    fmt::format("no directory entry maps to {} ({}, filter {}){}; nothing was "
                                "changed",
                                account.address, r.source->server(), req.filter,
                                unmapped.empty() ? "" : "; not mappable: " + unmapped.front()));
    if (candidates.size() > 1)
        return fail(Errc::invalid_argument,
                    fmt::format("several directory entries map to {} ({} and {}); nothing was "
                                "changed",
                                account.address, candidates[0].dn, candidates[1].dn));
    const RemoteUser& u = candidates.front();
    SB_TRY(store_.relink(account.id, account.domain_id, u.external_id, u.dn));
    checks_.forget(account.id);
    const bool locked_by_sync = link->sync_lock == kLockGone || link->sync_lock == kLockRemoval;
    std::string msg = fmt::format(
        "{} now follows directory entry {} (identity {}) instead of identity {} ({}); its "
        "mailbox, contacts and devices stay with it. The next full run updates it from that "
        "entry{}: switchboard dirsync run {} mode full",
        account.address, u.dn, u.external_id, link->external_id, link->dn,
        locked_by_sync ? " and unlocks it (the sync had locked it)" : "", account.domain);
    spdlog::info("dirsync: {}", msg);
    return msg;
}

Result<std::string> DirectorySync::retire(std::string_view key, std::string_view new_address) {
    SB_TRY_ASSIGN(auto account, dir_.account(key));
    SB_TRY_ASSIGN(auto link, store_.link(account.id));
    if (!link)
        return fail(Errc::invalid_argument,
                    fmt::format("{} is not linked to a directory entry; nothing to retire",
                                account.address));
    std::string target;
    if (!new_address.empty()) {
        SB_TRY_ASSIGN(auto n, directory::normalize_address(new_address));
        target = n;
        if (target.substr(target.rfind('@') + 1) != account.domain)
            return fail(Errc::invalid_argument,
                        fmt::format("{} is not in {}; a retired account stays in its domain",
                                    target, account.domain));
    } else {
        const std::string day = format_utc(now_ms() / 1000, "%Y%m%d");
        const std::string local = account.address.substr(0, account.address.find('@'));
        target = fmt::format("{}.retired-{}@{}", local, day, account.domain);
        if (dir_.account(target))
            target = fmt::format("{}.retired-{}-{}@{}", local, day, account.id, account.domain);
    }
    // Only the account of an identity that is gone: one still listed would be renamed back.
    SB_TRY_ASSIGN(auto r, resolve(account.domain_id, account.domain));
    SB_TRY_ASSIGN(auto entry, look_up_entry(r, link, account));
    if (entry.entry)
        return fail(Errc::already_exists,
                    fmt::format("{} is linked to entry {}, which is still in the directory; the "
                                "next run would rename it back; nothing was changed",
                                account.address, entry.entry->dn));
    SB_TRY_ASSIGN(auto released, store_.retire(account.id, target));
    checks_.forget(account.id);
    std::string aliases;
    for (const auto& a : released)
        aliases += (aliases.empty() ? "" : ", ") + a;
    std::string msg = fmt::format(
        "{} (entry {}, gone from the directory) renamed to {} and locked; its mailbox, contacts "
        "and devices stay with it{}. The next full run creates a new account {} for the entry "
        "that maps to it now: switchboard dirsync run {} mode full",
        account.address, link->dn, target,
        aliases.empty() ? ""
                        : "; the addresses it had from the directory were given back: " + aliases,
        account.address, account.domain);
    spdlog::info("dirsync: {}", msg);
    return msg;
}

Result<std::string> DirectorySync::set_auth_source(std::string_view key, bool directory) {
    SB_TRY_ASSIGN(const auto account, dir_.account(key));
    if (!directory) {
        SB_TRY(store_.set_auth_source(account.id, account.domain_id, false, "", ""));
        std::string msg = fmt::format("{} logs in with its local password again", account.address);
        if (!account.has_password)
            msg += fmt::format("; it has none yet: switchboard prov setPassword {} PASSWORD",
                               account.address);
        spdlog::info("dirsync: {}", msg);
        return msg;
    }
    SB_TRY_ASSIGN(auto r, resolve(account.domain_id, account.domain));
    SearchRequest req;
    req.base = r.base;
    req.filter = login_filter(r.config, r.mapping, std::nullopt, account);
    req.attributes = user_attributes(r.mapping, "");
    req.page_size = 0;
    SB_TRY_ASSIGN(const auto found, first_two(*r.source, req));
    if (found.empty())
        return fail(
            Errc::not_found,
            fmt::format(
                "no user of the directory ({}, user filter {}) has the name of {} ({} = {} or {}); "
                "an account made by hand needs the name of a directory user",
                r.source->server(), r.config.user_filter, account.address,
                r.mapping.user_name_attribute, account.address,
                account.address.substr(0, account.address.find('@'))));
    if (found.size() > 1)
        return fail(Errc::invalid_argument,
                    fmt::format("several directory users match {}: {} and {}", account.address,
                                found[0].dn, found[1].dn));
    SB_TRY_ASSIGN(auto mapped, map_user(found[0], r.mapping));
    if (mapped.address != account.address)
        return fail(Errc::invalid_argument,
                    fmt::format("directory user {} maps to {}, not {}", found[0].dn, mapped.address,
                                account.address));
    SB_TRY_ASSIGN(auto other, store_.account_of(account.domain_id, mapped.external_id));
    if (other && *other != account.id) {
        auto holder = dir_.account_by_id(*other);
        return fail(Errc::already_exists,
                    fmt::format("directory user {} is already linked to {}", found[0].dn,
                                holder ? holder->address : std::to_string(*other)));
    }
    SB_TRY(store_.set_auth_source(account.id, account.domain_id, true, mapped.external_id,
                                  found[0].dn));
    std::string msg = fmt::format("{} now logs in with the directory password of {} ({})",
                                  account.address, found[0].dn, r.source->server());
    spdlog::info("dirsync: {}", msg);
    return msg;
}

// ---- schedule ----

std::optional<int64_t> DirectorySync::next_run_ms(int64_t domain_id) {
    std::lock_guard lock(mutex_);
    if (auto it = next_run_.find(domain_id); it != next_run_.end()) return it->second;
    return std::nullopt;
}

void DirectorySync::start() {
    if (scheduler_.joinable()) return;
    stopping_ = false;
    scheduler_ = std::thread([this] { scheduler_loop(); });
}

void DirectorySync::stop() {
    {
        std::lock_guard lock(wake_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (scheduler_.joinable()) scheduler_.join();
}

void DirectorySync::scheduler_loop() {
    spdlog::debug("dirsync: scheduler started");
    while (!stopping_.load()) {
        int64_t wait_ms = 60'000;  // configurations are re-read at least this often
        auto all = store_.all_settings();
        auto names = store_.hosted_domains();
        if (all && names) {
            for (auto& [domain_id, settings] : *all) {
                if (stopping_.load()) break;
                auto config = parse_config(settings);
                std::string name;
                for (auto& [n, id] : *names)
                    if (id == domain_id) name = n;
                if (!config || !config->enabled || name.empty()) {
                    std::lock_guard lock(mutex_);
                    next_run_.erase(domain_id);
                    continue;
                }
                const int64_t now = now_ms();
                auto due = next_run_ms(domain_id);
                if (!due) {
                    auto mark = store_.mark(domain_id);
                    int64_t last = mark ? mark->last_run_ms : 0;
                    due = last ? last + config->interval_s * 1000 : now;
                    std::lock_guard lock(mutex_);
                    next_run_[domain_id] = *due;
                }
                if (*due > now) {
                    wait_ms = std::min(wait_ms, *due - now);
                    continue;
                }
                RunOptions o;
                o.trigger = "schedule";
                auto r = run(name, o);
                const int64_t after = now_ms();
                int64_t next = after + config->interval_s * 1000;
                if (!r) next = std::min(next, after + kRetryAfterFailureMs);
                {
                    std::lock_guard lock(mutex_);
                    next_run_[domain_id] = next;
                }
                wait_ms = std::min(wait_ms, std::max<int64_t>(next - after, 0));
            }
        } else {
            spdlog::error("dirsync: scheduler cannot read the configurations: {}",
                          !all ? all.error().message : names.error().message);
        }
        std::unique_lock lock(wake_mutex_);
        wake_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(wait_ms, 10)),
                       [this] { return stopping_.load() || woken_; });
        woken_ = false;
    }
    spdlog::debug("dirsync: scheduler stopped");
}

}  // namespace sb::dirsync
