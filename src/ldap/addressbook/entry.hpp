#pragma once
// One directory entry as the address book serves it: immutable, compact (one allocation holds
// it all), with the folded form of the indexed name attributes kept beside the values so that
// matching does not fold them again for every search.
#include <array>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ldap/addressbook/schema.hpp"

namespace sb::addressbook {

static_assert(kAttrCount <= 64, "Entry keeps a 64-bit mask of present attributes");

class Entry;
using EntryPtr = std::shared_ptr<const Entry>;

class Entry {
  public:
    // The values of one attribute (stored or folded form), iterable as string_views. Value i
    // is the text between bounds i and i + 1.
    class Values {
      public:
        class iterator {
          public:
            using iterator_category = std::forward_iterator_tag;
            using value_type = std::string_view;
            using difference_type = std::ptrdiff_t;
            using pointer = const std::string_view*;
            using reference = std::string_view;
            iterator() = default;
            iterator(const uint32_t* b, const char* text) : bound_(b), text_(text) {}
            std::string_view operator*() const {
                return {text_ + bound_[0], static_cast<size_t>(bound_[1] - bound_[0])};
            }
            iterator& operator++() {
                ++bound_;
                return *this;
            }
            bool operator==(const iterator& o) const { return bound_ == o.bound_; }

          private:
            const uint32_t* bound_ = nullptr;
            const char* text_ = nullptr;
        };
        Values() = default;
        Values(const uint32_t* b, const uint32_t* e, const char* text)
            : begin_(b), end_(e), text_(text) {}
        iterator begin() const { return {begin_, text_}; }
        iterator end() const { return {end_, text_}; }
        bool empty() const { return begin_ == end_; }
        size_t size() const { return static_cast<size_t>(end_ - begin_); }
        std::string_view front() const { return *begin(); }

      private:
        const uint32_t* begin_ = nullptr;
        const uint32_t* end_ = nullptr;
        const char* text_ = nullptr;
    };

    // Stable identity within its book: account id or contact id (entries are ordered by it).
    int64_t key() const { return key_; }
    // The relative DN, escaped ("uid=ada@example.com"), and the folded RDN value for lookups.
    std::string_view rdn() const { return {text() + rdn_offset_, rdn_size_}; }
    std::string_view rdn_key() const { return {text() + rdn_offset_ + rdn_size_, rdn_key_size_}; }

    Values values(Attr a) const { return range(a, false); }
    // Folded values; present for the indexed attributes only (kIndexedAttrs).
    Values folded(Attr a) const { return range(a, true); }
    bool has(Attr a) const { return (present_ >> index(a)) & 1; }
    // Bit index(a) set for every attribute with a value.
    uint64_t present_mask() const { return present_; }
    // The smallest folded value of an indexed attribute, "" when it has none (sort key).
    std::string_view sort_key(Attr a) const;
    // Attributes with values, in Attr order, each once.
    template <class F>
    void for_each_attr(F&& f) const {
        for (size_t i = 0; i < kAttrCount; ++i)
            if ((present_ >> i) & 1) f(static_cast<Attr>(i));
    }
    size_t memory_size() const { return bytes_; }
    // Asks the CPU to start loading the entry (searches do it for the candidates ahead, whose
    // values they are about to compare and copy).
    // Reads nothing of the entry itself (that would wait for the memory); a prefetch past its end
    // is harmless.
    void prefetch() const {
        const char* p = reinterpret_cast<const char*>(this);
        for (size_t at = 0; at < kPrefetchBytes; at += 64)
            __builtin_prefetch(p + at);
    }

    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;

  private:
    friend class EntryBuilder;
    static constexpr size_t kPrefetchBytes = 512;
    Entry() = default;

    // One allocation holds the entry, then the value bounds, then the text, so that reading an
    // entry touches consecutive memory rather than three blocks in different places.
    const uint32_t* bounds() const {
        return reinterpret_cast<const uint32_t*>(reinterpret_cast<const char*>(this) +
                                                 sizeof(Entry));
    }
    const char* text() const { return reinterpret_cast<const char*>(this) + text_at_; }
    Values range(Attr a, bool folded) const {
        // The values of `a` are [first_[a], first_[a + 1]): its values, then their folded forms
        // (indexed attributes have as many of those as values).
        const size_t i = index(a);
        const uint32_t* b = bounds() + first_[i];
        const uint32_t* e = bounds() + first_[i + 1];
        if (is_indexed(a)) {
            const uint32_t* mid = b + (e - b) / 2;
            return folded ? Values(mid, e, text()) : Values(b, mid, text());
        }
        return folded ? Values(e, e, text()) : Values(b, e, text());
    }

    int64_t key_ = 0;
    uint64_t present_ = 0;
    uint32_t bytes_ = 0;    // the whole allocation
    uint32_t text_at_ = 0;  // where the text starts, from `this`
    uint32_t rdn_offset_ = 0, rdn_size_ = 0, rdn_key_size_ = 0;
    std::array<uint16_t, kAttrCount + 1> first_{};
};

class EntryBuilder {
  public:
    EntryBuilder& key(int64_t k) {
        key_ = k;
        return *this;
    }
    // The RDN attribute and its value; the value is also added to the attribute.
    EntryBuilder& rdn(Attr a, std::string_view value);
    // Adds a value; empty values and exact duplicates are dropped (an LDAP attribute is a set).
    EntryBuilder& add(Attr a, std::string_view value);
    bool has(Attr a) const;
    EntryPtr build();

  private:
    struct Pending {
        Attr attr;
        std::string value;
    };
    int64_t key_ = 0;
    Attr rdn_attr_ = Attr::uid;
    std::string rdn_value_;
    std::vector<Pending> values_;
};

// The RFC 4514 string form of one attribute value (escapes , + " \ < > ; and the leading # or
// space, the trailing space, and NUL).
std::string escape_dn_value(std::string_view value);

}  // namespace sb::addressbook
