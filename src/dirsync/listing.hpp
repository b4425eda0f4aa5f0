#pragma once
// Reading the company directory: the users of the user filter, the groups of the group filter
// with their members (AD range retrieval, memberUid-style names through the member search
// filter, nested groups), and the resulting scope. A listing is either complete and error-free,
// or the call fails: a partial listing is never returned as if it were whole.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "dirsync/config.hpp"
#include "dirsync/mapping.hpp"
#include "dirsync/source.hpp"

namespace sb::dirsync {

struct ListingOptions {
    SyncConfig config;
    Mapping mapping;
    std::string base;               // resolved base DN
    bool active_directory = false;  // use the in-chain matching rule for nested groups
    int64_t max_examples = 5;
    const std::atomic<bool>* cancel = nullptr;  // set: the listing stops with an error (shutdown)
};

struct RemoteGroup {
    std::string external_id;
    std::string dn;
    std::string name;
    std::string description;
    std::vector<std::string> member_dns;  // resolved members that are users in the listing
    int64_t member_values = 0;            // values of the members attribute (all ranges)
    bool selected = false;                // named in `groups`
};

struct Listing {
    std::vector<RemoteUser> users;            // in scope
    int64_t users_listed = 0;                 // entries the user filter returned
    std::vector<std::string> outside_groups;  // identities the filter returned, not in `groups`
    std::vector<RemoteGroup> groups;
    // Entries skipped (on_entry_error skip): the listing is then not error-free, so nothing is
    // removed in that run.
    std::vector<std::string> entry_errors;
    int64_t entry_error_count = 0;
    std::vector<std::string> warnings;
    int64_t pages = 0;
    int64_t range_reads = 0;      // AD range retrieval requests
    int64_t member_searches = 0;  // member search filter or in-chain searches
    int64_t references = 0;       // continuation references ignored
    std::string max_timestamp;    // newest modifyTimestamp / whenChanged seen (GeneralizedTime)
    std::string membership_fingerprint;  // changes when a group's members change
};

// The attribute a directory keeps modification times in ("whenChanged" on AD).
std::string_view timestamp_attribute(bool active_directory);

Result<Listing> list_directory(Source& source, const ListingOptions& options);

// Changed users since a point, for incremental runs (no groups, no removals).
struct Changes {
    std::vector<RemoteUser> users;
    std::vector<std::string> entry_errors;
    int64_t entry_error_count = 0;
    int64_t deleted = 0;  // reported deletions, acted on at the next full run
    std::string cookie;
    std::string max_timestamp;
    int64_t pages = 0;
};

// RFC 4533 refreshOnly from `cookie`.
Result<Changes> list_changes_sync(Source& source, const ListingOptions& options,
                                  const std::string& cookie);
// Entries of the user filter modified at or after `since` (GeneralizedTime).
Result<Changes> list_changes_since(Source& source, const ListingOptions& options,
                                   const std::string& since);
// A cookie for the current state, without listing the entries (a sync search that matches none).
Result<std::string> current_sync_cookie(Source& source, const ListingOptions& options);
// The group membership fingerprint alone (incremental runs with `groups`).
Result<std::string> membership_fingerprint(Source& source, const ListingOptions& options);

// The higher of two GeneralizedTime values ("" is lowest).
std::string later_time(const std::string& a, const std::string& b);

}  // namespace sb::dirsync
