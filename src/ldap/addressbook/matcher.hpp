#pragma once
// A search filter compiled for the address book: attribute types resolved once, assertion
// values folded once, and for the indexed names the grams to look up. Evaluation follows
// RFC 4511 4.5.1.7: TRUE, FALSE or Undefined (unknown attribute types, rules without a
// meaning here); an entry is returned only when the filter is TRUE.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ldap/addressbook/book.hpp"
#include "ldap/addressbook/presented.hpp"
#include "ldap/protocol/filter.hpp"

namespace sb::addressbook {

enum class Tri : uint8_t { false_, true_, undefined };

class Matcher {
  public:
    // A filter that is TRUE for every entry ("(objectClass=*)").
    Matcher();
    static Matcher compile(const ldapproto::Filter& filter);

    Tri eval(const Presented& p) const;
    bool matches(const Presented& p) const { return eval(p) == Tri::true_; }
    // For a filter that only asks for attributes to be present, such as Outlook's browse
    // "(&(mail=*)(objectClass=*))": the attributes (Entry::present_mask() bits) a person entry
    // needs to match. nullopt for any other filter.
    std::optional<uint64_t> presence_mask() const { return presence_; }

    // Candidates among the entries of one shard: a superset of the matches.
    struct Plan {
        bool all = false;                              // every entry is a candidate
        std::vector<std::span<const uint16_t>> lists;  // otherwise: the union of these
        size_t cost() const;
    };
    Plan plan(const Shard& shard) const;

  private:
    struct Node {
        ldapproto::FilterKind kind = ldapproto::FilterKind::present;
        uint32_t subtree_size = 1;
        const AttrInfo* attr = nullptr;  // nullptr: unknown type (or any type, extensible)
        bool unknown_attr = false;       // a type was given and is not known
        bool exact = false;              // extensible caseExactMatch
        bool dn_attributes = false;      // extensible :dn
        bool undefined = false;          // an item that can only be Undefined
        std::string value;               // folded (or approx key, or raw for exact)
        std::optional<std::string> initial, final_;
        std::vector<std::string> any;
        std::vector<Gram> grams;  // indexed attribute: grams a matching value must hold
    };

    void compile_node(const ldapproto::Filter& f, uint32_t i);
    Tri eval_node(uint32_t i, const Presented& p, std::string& scratch) const;
    Tri eval_item(const Node& n, const Presented& p, std::string& scratch) const;
    Tri eval_extensible(const Node& n, const Presented& p, std::string& scratch) const;
    void plan_node(uint32_t i, const Shard& shard, Plan& out, bool& none) const;

    void compute_presence();

    std::vector<Node> nodes_;
    std::optional<uint64_t> presence_;
};

// Substring assertion against a folded value (components folded the same way).
bool substrings_match(std::string_view value, const std::optional<std::string>& initial,
                      std::span<const std::string> any, const std::optional<std::string>& final_);

// Folds a value the way attribute `info` compares it.
void fold_for(const AttrInfo& info, std::string_view in, std::string& out);

}  // namespace sb::addressbook
