#pragma once
// The account of one run (or dry run): what was read, what changed, what went wrong. Stored in
// the run history as JSON, shown by `dirsync run/test/status`, summarised in the server log.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dirsync/listing.hpp"
#include "dirsync/plan.hpp"

namespace sb::dirsync {

struct RunReport {
    std::string domain;
    std::string kind;     // "full", "incremental"
    std::string trigger;  // "admin", "schedule", "test"
    bool dry_run = false;
    std::string server;
    std::string directory;  // "Active Directory", "OpenLDAP", vendor name
    std::string base;
    std::string method;              // incremental: "RFC 4533 sync" or "modifyTimestamp since ..."
    std::vector<std::string> notes;  // why a full run was chosen, fallbacks
    int64_t started_ms = 0;
    int64_t finished_ms = 0;
    std::string outcome = "failed";  // "ok", "ok with errors", "stopped", "failed", "dry run"
    std::string error;               // the reason when stopped or failed

    // directory side
    int64_t listed = 0, in_scope = 0, groups = 0, pages = 0, range_reads = 0, member_searches = 0;
    int64_t entry_errors = 0;
    std::vector<std::string> entry_error_examples;
    std::vector<std::string> warnings;
    // account side
    Plan plan;
    bool plan_made = false;
    int64_t applied = 0, apply_failures = 0;
    std::vector<std::pair<std::string, int64_t>> phases;  // connect, list, load, plan, apply (ms)
    std::vector<std::string> apply_failure_examples;

    int64_t duration_ms() const { return finished_ms > started_ms ? finished_ms - started_ms : 0; }
    nlohmann::ordered_json to_json() const;
    // One line for the log: "example.com: full run from ldap://... in 1.2 s: 10 created, ..."
    std::string summary() const;
};

// Plain-text rendering of a stored or fresh report (for the CLI).
std::string report_text(const nlohmann::ordered_json& report);

}  // namespace sb::dirsync
