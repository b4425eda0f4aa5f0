#pragma once
// A book is one set of entries a user may be shown: the GAL of a domain, or one contact folder
// of one account. A Book object is an immutable snapshot: searches hold it while they run and
// the updater publishes a new one after a change. Entries are kept in key order, in shards of a
// few thousand each with their own substring index, so a change rebuilds one shard only.
#include <array>
#include <atomic>
#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ldap/addressbook/entry.hpp"
#include "ldap/addressbook/gram_index.hpp"

namespace sb::addressbook {

struct Shard {
    std::vector<EntryPtr> entries;  // ascending key
    GramIndex index;
};
using ShardPtr = std::shared_ptr<const Shard>;

struct BookId {
    enum class Kind : uint8_t { gal = 0, folder = 1 };
    Kind kind = Kind::gal;
    int64_t owner = 0;   // domain id (gal) or account id (folder)
    int64_t folder = 0;  // folder id (folder)
    auto operator<=>(const BookId&) const = default;
};

class Book;
using BookPtr = std::shared_ptr<const Book>;

class Book {
  public:
    static constexpr size_t kShardTarget = 2048;
    static constexpr size_t kShardMax = 4096;

    // A book of `entries` (any order; keys must be distinct).
    static BookPtr build(BookId id, std::vector<EntryPtr> entries);
    // The book after the entries with keys `changed` took their values from `all` (the full
    // current content, by key): only the shards holding those keys are rebuilt.
    BookPtr with_changes(const std::map<int64_t, EntryPtr>& all,
                         std::span<const int64_t> changed) const;

    const BookId& id() const { return id_; }
    size_t size() const { return size_; }
    const std::vector<ShardPtr>& shards() const { return shards_; }
    // Shard index holding `key` or where it would go.
    size_t shard_of(int64_t key) const;

    const Entry* find_key(int64_t key) const;
    // The entry whose RDN value folds to `folded` (built on first use).
    const Entry* find_rdn(std::string_view folded) const;
    // Entries in ascending case-insensitive order of an indexed attribute, entries without a
    // value last (RFC 2891 2.2), with their present_mask() beside them so presence filters are
    // checked without touching the entries. Built on first use, then kept up to date by
    // with_changes() (an insertion of the changed entries, not a new sort).
    struct SortOrder {
        std::vector<const Entry*> entries;
        std::vector<uint64_t> masks;
    };
    const SortOrder& sorted_by(Attr a) const;
    // Positions in sorted_by(a) of the entries that have every attribute of `mask`: what a
    // filter that only asks for attributes to be present (Outlook's browse) matches, in order.
    // Built on first use and kept with the book (for a few masks), so a virtual list view over
    // a large book does not scan it for every window.
    using Run = std::vector<uint32_t>;
    std::shared_ptr<const Run> presence_run(Attr a, uint64_t mask) const;

    size_t memory_size() const;

    Book() = default;  // use build()

  private:
    static ShardPtr make_shard(std::vector<EntryPtr> entries);
    void carry_sort_orders(const Book& old, const std::map<int64_t, EntryPtr>& all,
                           std::span<const int64_t> changed) const;

    BookId id_;
    size_t size_ = 0;
    std::vector<ShardPtr> shards_;
    std::vector<int64_t> first_keys_;  // first key of each shard

    mutable std::once_flag rdn_once_;
    mutable std::unordered_map<std::string_view, const Entry*> by_rdn_;
    static constexpr size_t kSortable = std::size(kIndexedAttrs);
    static size_t sort_slot(Attr a);
    mutable std::array<std::once_flag, kSortable> sort_once_;
    mutable std::array<SortOrder, kSortable> sorted_;
    mutable std::array<std::atomic<bool>, kSortable> sorted_ready_{};
    struct CachedRun {
        Attr attr;
        uint64_t mask;
        std::shared_ptr<const Run> run;
    };
    static constexpr size_t kCachedRuns = 4;
    mutable std::mutex runs_mutex_;
    mutable std::vector<CachedRun> runs_;  // most recently used last
};

}  // namespace sb::addressbook
