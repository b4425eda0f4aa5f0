#pragma once
// What the sync engine needs from a company directory, as an interface: the libldap client
// (ldap_client.hpp) implements it, unit tests use an in-memory directory.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace sb::dirsync {

// One entry as the directory returned it; attribute descriptions keep their options
// ("member;range=0-1499"). Values are raw bytes (objectGUID is binary).
struct Entry {
    std::string dn;
    std::vector<std::pair<std::string, std::vector<std::string>>> attrs;

    // Values of the attribute with exactly this description (case-insensitive), or nullptr.
    const std::vector<std::string>* values(std::string_view description) const;
    // First value, or "".
    std::string first(std::string_view description) const;
};

struct RootDse {
    std::vector<std::string> naming_contexts;
    std::string default_naming_context;  // Active Directory, and a few others
    std::vector<std::string> supported_controls;
    std::vector<std::string> supported_capabilities;
    std::string vendor;             // vendorName / vendorVersion when published
    bool active_directory = false;  // 1.2.840.113556.1.4.800 among supportedCapabilities

    bool supports_control(std::string_view oid) const;
};

enum class SearchScope { base, one, subtree };

struct SearchRequest {
    std::string base;
    SearchScope scope = SearchScope::subtree;
    std::string filter;
    std::vector<std::string> attributes;  // empty: all user attributes; {"1.1"}: none
    int page_size = 1000;                 // ≤ 1000; 0 = not paged
};

// Statistics of one search, for the run report.
struct SearchStats {
    int64_t entries = 0;
    int64_t pages = 0;
    int64_t references = 0;  // continuation references (ignored: referrals are not chased)
};

using EntryFn = std::function<Result<void>(Entry&&)>;

// RFC 4533 entry states.
enum class SyncState { present = 0, add = 1, modify = 2, del = 3 };

struct SyncResult {
    std::string cookie;            // the new cookie ("" when the server sent none)
    bool refresh_deletes = false;  // the server said the refresh used the delete phase
    int64_t entries = 0;
};

using SyncEntryFn = std::function<Result<void>(SyncState, std::string_view entry_uuid, Entry&&)>;

// A bound connection to one company directory server. Every call is bounded in time; any error
// (including a lost connection in the middle of a paged search) is returned, never hidden.
class Source {
  public:
    virtual ~Source() = default;
    // The server URI this connection uses, for messages.
    virtual const std::string& server() const = 0;
    virtual Result<RootDse> root_dse() = 0;
    // Runs the search to the end, page by page; on_entry may stop it by returning an error.
    virtual Result<SearchStats> search(const SearchRequest& request, const EntryFn& on_entry) = 0;
    // Reads one entry (base-scope search); not_found when it does not exist.
    virtual Result<Entry> read(const std::string& dn,
                               const std::vector<std::string>& attributes) = 0;
    // RFC 4533 refreshOnly content synchronisation from `cookie` ("" = from the beginning).
    virtual Result<SyncResult> sync_refresh(const SearchRequest& request, std::string_view cookie,
                                            const SyncEntryFn& on_entry) = 0;
};

}  // namespace sb::dirsync
