#include "ldap/addressbook/book.hpp"

#include <algorithm>
#include <set>

namespace sb::addressbook {

ShardPtr Book::make_shard(std::vector<EntryPtr> entries) {
    auto shard = std::make_shared<Shard>();
    std::vector<std::vector<std::string_view>> names(entries.size());
    for (size_t i = 0; i < entries.size(); ++i)
        for (Attr a : kIndexedAttrs)
            for (auto v : entries[i]->folded(a))
                names[i].push_back(v);
    shard->index.build(names);
    shard->entries = std::move(entries);
    return shard;
}

BookPtr Book::build(BookId id, std::vector<EntryPtr> entries) {
    std::sort(entries.begin(), entries.end(),
              [](const EntryPtr& a, const EntryPtr& b) { return a->key() < b->key(); });
    auto book = std::make_shared<Book>();
    book->id_ = id;
    book->size_ = entries.size();
    for (size_t i = 0; i < entries.size(); i += kShardTarget) {
        const size_t end = std::min(entries.size(), i + kShardTarget);
        book->first_keys_.push_back(entries[i]->key());
        book->shards_.push_back(make_shard(std::vector<EntryPtr>(
            entries.begin() + static_cast<long>(i), entries.begin() + static_cast<long>(end))));
    }
    return book;
}

size_t Book::shard_of(int64_t key) const {
    auto it = std::upper_bound(first_keys_.begin(), first_keys_.end(), key);
    return it == first_keys_.begin() ? 0 : static_cast<size_t>(it - first_keys_.begin()) - 1;
}

BookPtr Book::with_changes(const std::map<int64_t, EntryPtr>& all,
                           std::span<const int64_t> changed) const {
    // Many changes or no shards yet: building anew costs about the same.
    if (shards_.empty() || changed.size() * 8 > size_) {
        std::vector<EntryPtr> entries;
        entries.reserve(all.size());
        for (const auto& [k, e] : all)
            entries.push_back(e);
        return build(id_, std::move(entries));
    }
    std::set<size_t> dirty;
    for (int64_t k : changed)
        dirty.insert(shard_of(k));
    auto book = std::make_shared<Book>();
    book->id_ = id_;
    for (size_t s = 0; s < shards_.size(); ++s) {
        if (!dirty.count(s)) {
            book->first_keys_.push_back(first_keys_[s]);
            book->shards_.push_back(shards_[s]);
            continue;
        }
        // The shard's key range: [first_keys_[s], first_keys_[s + 1]), open below for the first.
        auto begin = s == 0 ? all.begin() : all.lower_bound(first_keys_[s]);
        auto end = s + 1 < shards_.size() ? all.lower_bound(first_keys_[s + 1]) : all.end();
        std::vector<EntryPtr> entries;
        for (auto it = begin; it != end; ++it)
            entries.push_back(it->second);
        if (entries.empty()) continue;
        const size_t parts =
            entries.size() > kShardMax ? (entries.size() + kShardTarget - 1) / kShardTarget : 1;
        const size_t per = (entries.size() + parts - 1) / parts;
        for (size_t i = 0; i < entries.size(); i += per) {
            const size_t stop = std::min(entries.size(), i + per);
            // The first shard keeps its open lower bound so smaller new keys still land in it.
            book->first_keys_.push_back(i == 0 && s == 0 ? first_keys_[0] : entries[i]->key());
            book->shards_.push_back(
                make_shard(std::vector<EntryPtr>(entries.begin() + static_cast<long>(i),
                                                 entries.begin() + static_cast<long>(stop))));
        }
    }
    for (const auto& sh : book->shards_)
        book->size_ += sh->entries.size();
    book->carry_sort_orders(*this, all, changed);
    return book;
}

const Entry* Book::find_key(int64_t key) const {
    if (shards_.empty()) return nullptr;
    const auto& entries = shards_[shard_of(key)]->entries;
    auto it = std::lower_bound(entries.begin(), entries.end(), key,
                               [](const EntryPtr& e, int64_t k) { return e->key() < k; });
    return it != entries.end() && (*it)->key() == key ? it->get() : nullptr;
}

const Entry* Book::find_rdn(std::string_view folded) const {
    std::call_once(rdn_once_, [this] {
        by_rdn_.reserve(size_);
        for (const auto& sh : shards_)
            for (const auto& e : sh->entries)
                by_rdn_.emplace(e->rdn_key(), e.get());
    });
    auto it = by_rdn_.find(folded);
    return it == by_rdn_.end() ? nullptr : it->second;
}

size_t Book::sort_slot(Attr a) {
    size_t slot = 0;
    while (slot < kSortable && kIndexedAttrs[slot] != a)
        ++slot;
    return slot;
}

namespace {
// RFC 2891 2.2 order: entries with a value first, by their smallest folded value.
// Equal values keep key order, so the order is the same however it was reached.
struct SortLess {
    Attr a;
    bool operator()(const Entry* x, const Entry* y) const {
        const bool hx = x->has(a), hy = y->has(a);
        if (hx != hy) return hx;
        const auto kx = x->sort_key(a), ky = y->sort_key(a);
        if (kx != ky) return kx < ky;
        return x->key() < y->key();
    }
};
}  // namespace

const Book::SortOrder& Book::sorted_by(Attr a) const {
    static const SortOrder kEmpty;
    const size_t slot = sort_slot(a);
    if (slot == kSortable) return kEmpty;
    std::call_once(sort_once_[slot], [this, slot, a] {
        // Keys copied out once: the sort then compares contiguous views, not entries.
        struct Keyed {
            std::string_view key;
            bool has;
            const Entry* entry;
        };
        std::vector<Keyed> keyed;
        keyed.reserve(size_);
        for (const auto& sh : shards_)
            for (const auto& e : sh->entries)
                keyed.push_back({e->sort_key(a), e->has(a), e.get()});
        std::sort(keyed.begin(), keyed.end(), [](const Keyed& x, const Keyed& y) {
            if (x.has != y.has) return x.has;
            if (x.key != y.key) return x.key < y.key;
            return x.entry->key() < y.entry->key();
        });
        auto& order = sorted_[slot];
        order.entries.reserve(keyed.size());
        order.masks.reserve(keyed.size());
        for (const auto& k : keyed) {
            order.entries.push_back(k.entry);
            order.masks.push_back(k.entry->present_mask());
        }
        sorted_ready_[slot] = true;
    });
    return sorted_[slot];
}

std::shared_ptr<const Book::Run> Book::presence_run(Attr a, uint64_t mask) const {
    {
        std::lock_guard lock(runs_mutex_);
        for (auto it = runs_.begin(); it != runs_.end(); ++it)
            if (it->attr == a && it->mask == mask) {
                std::rotate(it, it + 1, runs_.end());
                return runs_.back().run;
            }
    }
    const SortOrder& order = sorted_by(a);
    auto run = std::make_shared<Run>();
    for (size_t i = 0; i < order.masks.size(); ++i)
        if ((order.masks[i] & mask) == mask) run->push_back(static_cast<uint32_t>(i));
    run->shrink_to_fit();
    std::lock_guard lock(runs_mutex_);
    if (runs_.size() >= kCachedRuns) runs_.erase(runs_.begin());
    runs_.push_back({a, mask, run});
    return run;
}

void Book::carry_sort_orders(const Book& old, const std::map<int64_t, EntryPtr>& all,
                             std::span<const int64_t> changed) const {
    // `changed` is sorted: entries with those keys leave the old order, their new versions
    // (if any) are inserted at their place.
    std::vector<const Entry*> fresh;
    for (int64_t k : changed)
        if (auto it = all.find(k); it != all.end()) fresh.push_back(it->second.get());
    for (size_t slot = 0; slot < kSortable; ++slot) {
        if (!old.sorted_ready_[slot]) continue;
        const Attr a = kIndexedAttrs[slot];
        const SortOrder& before = old.sorted_[slot];
        std::vector<const Entry*> inserted = fresh;
        std::stable_sort(inserted.begin(), inserted.end(), SortLess{a});
        SortOrder after;
        after.entries.reserve(size_);
        after.masks.reserve(size_);
        const SortLess less{a};
        size_t j = 0;
        for (size_t i = 0; i < before.entries.size(); ++i) {
            const Entry* e = before.entries[i];
            if (std::binary_search(changed.begin(), changed.end(), e->key())) continue;
            while (j < inserted.size() && less(inserted[j], e)) {
                after.entries.push_back(inserted[j]);
                after.masks.push_back(inserted[j++]->present_mask());
            }
            after.entries.push_back(e);
            after.masks.push_back(before.masks[i]);
        }
        for (; j < inserted.size(); ++j) {
            after.entries.push_back(inserted[j]);
            after.masks.push_back(inserted[j]->present_mask());
        }
        std::call_once(sort_once_[slot], [&] {
            sorted_[slot] = std::move(after);
            sorted_ready_[slot] = true;
        });
    }
}

size_t Book::memory_size() const {
    size_t n = sizeof(Book);
    for (const auto& sh : shards_) {
        n += sizeof(Shard) + sh->index.memory_size() + sh->entries.capacity() * sizeof(EntryPtr);
        for (const auto& e : sh->entries)
            n += e->memory_size();
    }
    return n;
}

}  // namespace sb::addressbook
