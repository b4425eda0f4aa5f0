#pragma once
// Substring index over the folded names of a run of entries (a shard): for every 1-, 2- and
// 3-byte gram of every value, and for the 1-, 2- and 3-byte prefixes of every value (anchored
// grams), the ascending list of entries holding it. A substring or prefix of any length then
// has a superset of its matches in the posting list of one of its grams: the rarest is taken,
// and the filter itself checks each candidate.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace sb::addressbook {

using Gram = uint32_t;

class GramIndex {
  public:
    // Entry numbers are local to the shard, hence 16 bits.
    static constexpr size_t kMaxEntries = 65535;

    // Collects the grams of `entries` (each a list of folded values) and builds the index.
    void build(const std::vector<std::vector<std::string_view>>& entries);

    std::span<const uint16_t> postings(Gram g) const;
    size_t gram_count() const { return grams_.size(); }
    size_t memory_size() const {
        return grams_.capacity() * sizeof(Gram) + offsets_.capacity() * sizeof(uint32_t) +
               postings_.capacity() * sizeof(uint16_t);
    }

    // Grams of one folded value (anchored ones included), appended to `out` unsorted.
    static void grams_of(std::string_view folded, std::vector<Gram>& out);
    // The grams any value containing `term` (folded) holds; with `anchored`, values starting
    // with it. Empty when the term is empty (everything matches).
    static void query_grams(std::string_view term, bool anchored, std::vector<Gram>& out);

  private:
    std::vector<Gram> grams_;        // sorted, distinct
    std::vector<uint32_t> offsets_;  // grams_.size() + 1 bounds into postings_
    std::vector<uint16_t> postings_;
};

}  // namespace sb::addressbook
