#pragma once
// One directory entry as the address book serves it: immutable, compact (all values in one
// buffer), with the folded form of the indexed name attributes kept beside the values so that
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
    struct Slot {
        Attr attr;
        bool folded;
        uint32_t offset;
        uint32_t size;
    };

    // The values of one attribute (stored or folded form), iterable as string_views.
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
            iterator(const Slot* s, const char* text) : slot_(s), text_(text) {}
            std::string_view operator*() const { return {text_ + slot_->offset, slot_->size}; }
            iterator& operator++() {
                ++slot_;
                return *this;
            }
            bool operator==(const iterator& o) const { return slot_ == o.slot_; }

          private:
            const Slot* slot_ = nullptr;
            const char* text_ = nullptr;
        };
        Values() = default;
        Values(const Slot* b, const Slot* e, const char* text) : begin_(b), end_(e), text_(text) {}
        iterator begin() const { return {begin_, text_}; }
        iterator end() const { return {end_, text_}; }
        bool empty() const { return begin_ == end_; }
        size_t size() const { return static_cast<size_t>(end_ - begin_); }
        std::string_view front() const { return *begin(); }

      private:
        const Slot* begin_ = nullptr;
        const Slot* end_ = nullptr;
        const char* text_ = nullptr;
    };

    // Stable identity within its book: account id or contact id (entries are ordered by it).
    int64_t key() const { return key_; }
    // The relative DN, escaped ("uid=ada@example.com"), and the folded RDN value for lookups.
    std::string_view rdn() const { return rdn_; }
    std::string_view rdn_key() const { return rdn_key_; }

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
    size_t memory_size() const {
        return sizeof(Entry) + text_.capacity() + slots_.capacity() * sizeof(Slot);
    }

  private:
    friend class EntryBuilder;
    Values range(Attr a, bool folded) const {
        // The slots of `a` are [first_[a], first_[a + 1]): its values, then their folded forms
        // (indexed attributes have as many of those as values).
        const size_t i = index(a);
        const Slot* b = slots_.data() + first_[i];
        const Slot* e = slots_.data() + first_[i + 1];
        if (attr_info(a).indexed) {
            const Slot* mid = b + (e - b) / 2;
            return folded ? Values(mid, e, text_.data()) : Values(b, mid, text_.data());
        }
        return folded ? Values(e, e, text_.data()) : Values(b, e, text_.data());
    }

    int64_t key_ = 0;
    uint64_t present_ = 0;
    std::array<uint16_t, kAttrCount + 1> first_{};
    std::string text_;
    std::vector<Slot> slots_;  // sorted by (attr, folded)
    std::string_view rdn_, rdn_key_;
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
