#pragma once
// The search engine: one SearchCursor per search request runs it against a user's View and
// writes the response messages in bounded batches, so the session can send them as they come,
// stop at an Abandon and keep memory bounded. It implements base/scope resolution, filters,
// attribute selection, size and time limits, Simple Paged Results (RFC 2696), Server-Side Sort
// (RFC 2891) and Virtual List View (draft-ietf-ldapext-ldapv3-vlv-09).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ldap/addressbook/matcher.hpp"
#include "ldap/addressbook/selection.hpp"
#include "ldap/addressbook/view.hpp"
#include "ldap/protocol/controls.hpp"
#include "ldap/protocol/message.hpp"
#include "ldap/protocol/result_code.hpp"

namespace sb::addressbook {

using Clock = std::chrono::steady_clock;

struct SearchSettings {
    uint32_t max_size_limit = 1000;  // caps the client's sizeLimit (0 there = no limit)
    uint32_t max_time_limit = 60;    // seconds; caps the client's timeLimit
};

struct SearchControls {
    std::optional<ldapproto::PagedResults> paged;
    std::optional<ldapproto::SortRequest> sort;
    bool sort_critical = false;
    std::optional<ldapproto::VlvRequest> vlv;
};

class SearchCursor {
  public:
    // Everything needed is copied from `request` and `controls`: they may go away after this.
    SearchCursor(ViewPtr view, const ldapproto::SearchRequest& request, int32_t message_id,
                 const SearchControls& controls, const SearchSettings& settings,
                 Clock::time_point now = Clock::now());
    ~SearchCursor();
    SearchCursor(const SearchCursor&) = delete;
    SearchCursor& operator=(const SearchCursor&) = delete;

    // Appends response messages until `out` has grown by about `budget` bytes or the search
    // ended; returns true once the SearchResultDone has been appended.
    bool pump(std::string& out, size_t budget);

    size_t entries_sent() const { return sent_; }
    ldapproto::ResultCode result() const { return result_; }

  private:
    struct Scanner;

    void start();
    void refuse(ldapproto::ResultCode code, std::string diagnostic);
    void scope_scanner(const View::Target& t);
    bool controls_agree();
    bool emit_sequential(std::string& out, size_t budget);
    bool emit_sorted(std::string& out, size_t budget);
    void prepare_sorted();
    void collect_fast(Attr attr);
    void collect_general();
    void apply_window();
    // The i-th entry of the sorted result, and its first sort key (false when it has none).
    Presented sorted_at(size_t i) const;
    bool first_key(size_t i, std::string_view& out) const;
    size_t sorted_count() const;
    void finish(std::string& out);
    bool over_time();

    ViewPtr view_;
    int32_t message_id_;
    Matcher matcher_;
    Selection selection_;
    bool types_only_ = false;
    std::string base_;
    ldapproto::SearchScope scope_;
    SearchSettings settings_;
    int32_t client_size_limit_ = 0;
    size_t size_limit_ = 0;  // effective; never 0
    Clock::time_point deadline_;
    uint64_t request_hash_ = 0;

    // controls
    std::optional<ldapproto::PagedResults> paged_;
    std::string paged_cookie_in_;
    struct SortKeyOwned {
        Attr attr;
        bool reverse;
        bool exact;
    };
    bool sort_requested_ = false;
    bool sort_critical_ = false;
    std::vector<SortKeyOwned> sort_keys_;
    ldapproto::ResultCode sort_result_ = ldapproto::ResultCode::success;
    std::string sort_bad_attr_;
    std::optional<ldapproto::VlvRequest> vlv_;
    std::string vlv_assertion_;
    bool fast_sorted_ = false;
    ldapproto::VlvResponse vlv_response_;

    // state
    bool started_ = false;
    bool done_ = false;
    ldapproto::ResultCode result_ = ldapproto::ResultCode::success;
    std::string diagnostic_;
    std::string matched_dn_;
    std::string cookie_out_;
    size_t sent_ = 0;
    size_t total_before_ = 0;  // paged: entries sent in earlier pages
    size_t page_limit_ = 0;    // entries this response may carry (0 = no page limit)
    std::unique_ptr<Scanner> scanner_;
    bool sorted_mode_ = false;
    // Sorted results. General path: every hit with its first sort key. Fast path (one indexed
    // sort key): (book, position in that book's prepared order) pairs, then the root and
    // containers, which have no names; reversal is applied when reading.
    std::vector<Presented> sorted_;
    std::vector<std::string> sorted_keys_;
    std::vector<char> sorted_has_key_;
    // The fast path's order: the largest book's run, with the (few) matches of the other books
    // placed into it, then the specials. Read by position without being merged into one list.
    struct Placed {
        size_t at;  // position in the largest run before which it goes
        uint32_t book;
        uint32_t pos;  // in that book's sorted order
    };
    std::shared_ptr<const std::vector<uint32_t>> big_run_;
    uint32_t big_book_ = 0;
    std::vector<Placed> placed_;
    std::vector<Presented> specials_;
    size_t emit_from_ = 0, emit_to_ = 0, emit_pos_ = 0;
    size_t checks_ = 0;
};

// Estimated bytes of the encoded message for the scanner's budget (used by tests).
inline constexpr size_t kDefaultPumpBudget = 64 * 1024;

}  // namespace sb::addressbook
