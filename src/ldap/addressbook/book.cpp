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

std::span<const Entry* const> Book::sorted_by(Attr a) const {
    size_t slot = 0;
    while (slot < kSortable && kIndexedAttrs[slot] != a)
        ++slot;
    if (slot == kSortable) return {};
    std::call_once(sort_once_[slot], [this, slot, a] {
        auto& v = sorted_[slot];
        v.reserve(size_);
        for (const auto& sh : shards_)
            for (const auto& e : sh->entries)
                v.push_back(e.get());
        std::stable_sort(v.begin(), v.end(), [a](const Entry* x, const Entry* y) {
            const bool hx = x->has(a), hy = y->has(a);
            if (hx != hy) return hx;
            return x->sort_key(a) < y->sort_key(a);
        });
    });
    return sorted_[slot];
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
