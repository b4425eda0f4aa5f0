#include "ldap/addressbook/gram_index.hpp"

#include <algorithm>

namespace sb::addressbook {
namespace {

// Gram code: bytes in bits 0-23 (first byte highest), length-1 in bits 24-25, anchor in bit 26.
constexpr Gram kAnchored = Gram{1} << 26;
constexpr unsigned kGramBits = 27;

Gram make_gram(std::string_view s, size_t pos, size_t len, bool anchored) {
    Gram g = 0;
    for (size_t i = 0; i < 3; ++i)
        g = (g << 8) | (i < len ? static_cast<uint8_t>(s[pos + i]) : 0u);
    return g | (Gram(len - 1) << 24) | (anchored ? kAnchored : 0);
}

// Stable LSD radix sort of (gram << 16 | entry) pairs by gram: entries stay ascending per gram.
void radix_sort_by_gram(std::vector<uint64_t>& v) {
    std::vector<uint64_t> tmp(v.size());
    constexpr unsigned kBits = 9;
    constexpr size_t kBuckets = size_t{1} << kBits;
    for (unsigned shift = 16; shift < 16 + kGramBits; shift += kBits) {
        size_t count[kBuckets + 1] = {};
        for (uint64_t x : v)
            ++count[((x >> shift) & (kBuckets - 1)) + 1];
        for (size_t i = 1; i <= kBuckets; ++i)
            count[i] += count[i - 1];
        for (uint64_t x : v)
            tmp[count[(x >> shift) & (kBuckets - 1)]++] = x;
        v.swap(tmp);
    }
}

}  // namespace

void GramIndex::grams_of(std::string_view s, std::vector<Gram>& out) {
    for (size_t len = 1; len <= 3 && len <= s.size(); ++len)
        out.push_back(make_gram(s, 0, len, true));
    for (size_t i = 0; i < s.size(); ++i)
        for (size_t len = 1; len <= 3 && i + len <= s.size(); ++len)
            out.push_back(make_gram(s, i, len, false));
}

void GramIndex::query_grams(std::string_view term, bool anchored, std::vector<Gram>& out) {
    if (term.empty()) return;
    if (anchored) out.push_back(make_gram(term, 0, std::min<size_t>(3, term.size()), true));
    const size_t len = std::min<size_t>(3, term.size());
    for (size_t i = 0; i + len <= term.size(); ++i)
        out.push_back(make_gram(term, i, len, false));
}

void GramIndex::build(const std::vector<std::vector<std::string_view>>& entries) {
    std::vector<uint64_t> pairs;
    std::vector<Gram> grams;
    const size_t n = std::min(entries.size(), kMaxEntries);
    for (size_t e = 0; e < n; ++e) {
        grams.clear();
        for (auto v : entries[e])
            grams_of(v, grams);
        std::sort(grams.begin(), grams.end());
        grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
        for (Gram g : grams)
            pairs.push_back((uint64_t{g} << 16) | e);
    }
    radix_sort_by_gram(pairs);
    grams_.clear();
    offsets_.clear();
    postings_.clear();
    postings_.reserve(pairs.size());
    for (size_t i = 0; i < pairs.size(); ++i) {
        const Gram g = static_cast<Gram>(pairs[i] >> 16);
        if (grams_.empty() || grams_.back() != g) {
            grams_.push_back(g);
            offsets_.push_back(static_cast<uint32_t>(i));
        }
        postings_.push_back(static_cast<uint16_t>(pairs[i] & 0xFFFF));
    }
    offsets_.push_back(static_cast<uint32_t>(postings_.size()));
    grams_.shrink_to_fit();
    offsets_.shrink_to_fit();
}

std::span<const uint16_t> GramIndex::postings(Gram g) const {
    auto it = std::lower_bound(grams_.begin(), grams_.end(), g);
    if (it == grams_.end() || *it != g) return {};
    const size_t i = static_cast<size_t>(it - grams_.begin());
    return {postings_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]};
}

}  // namespace sb::addressbook
