#include "dirsync/report.hpp"

#include <fmt/format.h>

#include "core/utc_time.hpp"

namespace sb::dirsync {
namespace {

// The account-side headings in the order admins read them.
constexpr std::string_view kCountOrder[] = {
    "created",        "adopted",          "updated",           "aliasesMoved",
    "renamed",        "locked",           "lockedGone",        "unlocked",
    "returned",       "lockedForRemoval", "deleted",           "unchanged",
    "outOfScopeKept", "pendingRemoval",   "identityConflicts", "conflicts"};

std::string heading_label(std::string_view key) {
    if (key == "lockedForRemoval") return "locked for removal";
    if (key == "lockedGone") return "locked, gone";
    if (key == "outOfScopeKept") return "gone, kept locked";
    if (key == "pendingRemoval") return "waiting for deletion";
    if (key == "aliasesMoved") return "aliases moved";
    if (key == "identityConflicts") return "new identity refused";
    return std::string(key);
}

// The plan's example heading of a count.
std::string example_key(std::string_view key) {
    if (key == "lockedForRemoval") return "locked for removal";
    if (key == "lockedGone") return "locked (gone from the directory)";
    if (key == "outOfScopeKept") return "gone, kept locked";
    if (key == "pendingRemoval") return "waiting for deletion";
    if (key == "aliasesMoved") return "aliases moved";
    if (key == "identityConflicts") return "new identity refused";
    return std::string(key);
}

}  // namespace

nlohmann::ordered_json RunReport::to_json() const {
    nlohmann::ordered_json j;
    j["domain"] = domain;
    j["kind"] = kind;
    j["trigger"] = trigger;
    j["dryRun"] = dry_run;
    j["outcome"] = outcome;
    if (!error.empty()) j["error"] = error;
    j["server"] = server;
    j["directory"] = directory;
    j["base"] = base;
    if (!method.empty()) j["method"] = method;
    j["notes"] = notes;
    j["started"] = utc_time_text(started_ms);
    j["startedMs"] = started_ms;
    j["finishedMs"] = finished_ms;
    j["durationMs"] = duration_ms();
    nlohmann::ordered_json phases_json = nlohmann::ordered_json::object();
    for (const auto& [name, ms] : phases)
        phases_json[name] = ms;
    j["phasesMs"] = phases_json;
    j["directoryCounts"] = {{"listed", listed},           {"inScope", in_scope},
                            {"groups", groups},           {"pages", pages},
                            {"rangeReads", range_reads},  {"memberSearches", member_searches},
                            {"entryErrors", entry_errors}};
    j["entryErrors"] = entry_error_examples;
    j["warnings"] = warnings;
    if (plan_made) {
        nlohmann::ordered_json c;
        c["created"] = plan.created;
        c["adopted"] = plan.adopted;
        c["updated"] = plan.updated;
        c["renamed"] = plan.renamed;
        c["locked"] = plan.locked;
        c["lockedGone"] = plan.locked_gone;
        c["unlocked"] = plan.unlocked;
        c["returned"] = plan.returned;
        c["lockedForRemoval"] = plan.marked_for_removal;
        c["deleted"] = plan.deleted;
        c["unchanged"] = plan.unchanged;
        c["outOfScopeKept"] = plan.out_of_scope_kept;
        c["pendingRemoval"] = plan.pending_removal;
        c["aliasesMoved"] = plan.aliases_moved;
        c["identityConflicts"] = plan.identity_conflicts;
        c["conflicts"] = static_cast<int64_t>(plan.conflicts.size());
        j["counts"] = c;
        nlohmann::ordered_json ex = nlohmann::ordered_json::object();
        for (const auto& [k, v] : plan.examples)
            ex[k] = v;
        j["examples"] = ex;
        j["conflicts"] =
            plan.conflicts.size() > 20
                ? std::vector<std::string>(plan.conflicts.begin(), plan.conflicts.begin() + 20)
                : plan.conflicts;
        j["syncedBefore"] = plan.synced_before;
        if (!plan.removals_skipped.empty()) j["removalsSkipped"] = plan.removals_skipped;
        if (!plan.threshold_message.empty()) j["threshold"] = plan.threshold_message;
        for (const auto& w : plan.warnings)
            if (j["warnings"].size() < 20) j["warnings"].push_back(w);
    }
    j["applied"] = applied;
    j["applyFailures"] = apply_failures;
    j["applyFailureExamples"] = apply_failure_examples;
    return j;
}

std::string RunReport::summary() const {
    std::string what = dry_run ? "dry run" : kind + " run";
    std::string head = fmt::format("{}: {} from {} ({} ms)", domain, what,
                                   server.empty() ? "(no server)" : server, duration_ms());
    if (outcome == "failed") return fmt::format("{} failed: {}", head, error);
    if (outcome == "stopped") return fmt::format("{} stopped: {}", head, error);
    std::string counts = fmt::format("{} listed, {} in scope", listed, in_scope);
    if (plan_made)
        counts += fmt::format(
            ", {} created, {} updated, {} renamed, {} locked, {} locked as gone from the "
            "directory, {} unlocked, {} locked for removal, {} deleted, {} unchanged, {} "
            "conflicts",
            plan.created, plan.updated, plan.renamed, plan.locked, plan.locked_gone, plan.unlocked,
            plan.marked_for_removal, plan.deleted, plan.unchanged, plan.conflicts.size());
    if (entry_errors) counts += fmt::format(", {} entries skipped", entry_errors);
    if (apply_failures) counts += fmt::format(", {} changes failed", apply_failures);
    return fmt::format("{} {}: {}", head, outcome, counts);
}

std::string report_text(const nlohmann::ordered_json& j) {
    std::string out;
    auto line = [&](std::string_view key, const std::string& value) {
        if (!value.empty()) out += fmt::format("  {:<22} {}\n", key, value);
    };
    const bool dry = j.value("dryRun", false);
    out += fmt::format("{} ({}) of {}: {}\n", dry ? "Dry run" : "Run", j.value("kind", ""),
                       j.value("domain", ""), j.value("outcome", ""));
    if (j.contains("error")) line("reason", j["error"].get<std::string>());
    line("started", j.value("started", ""));
    line("duration",
         fmt::format("{:.1f} s", static_cast<double>(j.value("durationMs", int64_t{0})) / 1000.0));
    line("trigger", j.value("trigger", ""));
    line("server", j.value("server", ""));
    line("directory", j.value("directory", ""));
    line("base DN", j.value("base", ""));
    if (j.contains("method")) line("method", j["method"].get<std::string>());
    if (j.contains("notes"))
        for (auto& n : j["notes"])
            line("note", n.get<std::string>());
    if (j.contains("directoryCounts")) {
        const auto& d = j["directoryCounts"];
        std::string text = fmt::format("{} listed, {} in scope", d.value("listed", int64_t{0}),
                                       d.value("inScope", int64_t{0}));
        if (d.value("groups", int64_t{0}))
            text += fmt::format(", {} groups", d.value("groups", int64_t{0}));
        text += fmt::format(", {} pages", d.value("pages", int64_t{0}));
        if (d.value("rangeReads", int64_t{0}))
            text += fmt::format(", {} range reads", d.value("rangeReads", int64_t{0}));
        if (d.value("memberSearches", int64_t{0}))
            text += fmt::format(", {} member searches", d.value("memberSearches", int64_t{0}));
        line("directory entries", text);
        if (d.value("entryErrors", int64_t{0}))
            line("entries skipped", std::to_string(d.value("entryErrors", int64_t{0})));
    }
    if (j.contains("counts")) {
        const auto& c = j["counts"];
        const auto& ex = j.contains("examples") ? j["examples"] : nlohmann::ordered_json::object();
        out += dry ? "  would be:\n" : "  accounts:\n";
        for (auto key : kCountOrder) {
            int64_t n = c.value(std::string(key), int64_t{0});
            if (!n && key != "created" && key != "updated" && key != "deleted") continue;
            std::string label = heading_label(key);
            const std::string examples_of = example_key(key);
            std::string examples;
            if (ex.contains(examples_of))
                for (auto& e : ex[examples_of])
                    examples += (examples.empty() ? "" : ", ") + e.get<std::string>();
            out += fmt::format("    {:<20} {:>7}{}\n", label, n,
                               examples.empty() ? "" : "   e.g. " + examples);
        }
    }
    if (j.contains("threshold")) line("threshold", j["threshold"].get<std::string>());
    if (j.contains("removalsSkipped"))
        line("removals", "not checked: " + j["removalsSkipped"].get<std::string>());
    auto list = [&](std::string_view title, const char* key) {
        if (!j.contains(key) || j[key].empty()) return;
        out += fmt::format("  {}:\n", title);
        for (auto& e : j[key])
            out += fmt::format("    - {}\n", e.get<std::string>());
    };
    list("entry errors", "entryErrors");
    list("conflicts", "conflicts");
    list("warnings", "warnings");
    list("failed changes", "applyFailureExamples");
    return out;
}

}  // namespace sb::dirsync
