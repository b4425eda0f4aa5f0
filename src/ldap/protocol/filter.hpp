#pragma once
// LDAP search filters (RFC 4511 4.5.1.7): the BER form decoded as views into the message, and
// the RFC 4515 string form (for logs, tests and configuration).
//
// A Filter is a flat preorder array of nodes: the children of node i start at i + 1 and each
// node records the size of its subtree, so the next sibling of node i is i + subtree_size. One
// filter costs two vectors, whatever its shape.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "ldap/ber/reader.hpp"
#include "ldap/ber/writer.hpp"
#include "ldap/protocol/limits.hpp"

namespace sb::ldapproto {

// The Filter CHOICE; values are the context tag numbers of RFC 4511 4.5.1.
enum class FilterKind : uint8_t {
    and_ = 0,
    or_ = 1,
    not_ = 2,
    equality_match = 3,
    substrings = 4,
    greater_or_equal = 5,
    less_or_equal = 6,
    present = 7,
    approx_match = 8,
    extensible_match = 9,
};

// SubstringFilter component CHOICE (RFC 4511 4.5.1.7.2); values are the context tag numbers.
enum class SubstringPart : uint8_t { initial = 0, any = 1, final_ = 2 };

struct FilterNode {
    FilterKind kind = FilterKind::present;
    bool dn_attributes = false;     // extensibleMatch dnAttributes
    bool has_initial = false;       // substrings: components start with an initial
    bool has_final = false;         // substrings: components end with a final
    uint32_t subtree_size = 1;      // this node and all its descendants
    uint32_t child_count = 0;       // and/or/not
    uint32_t components_begin = 0;  // substrings: [initial] any* [final] in Filter::components
    uint32_t components_count = 0;
    std::string_view attribute;      // attribute description; extensibleMatch type ("" = absent)
    std::string_view value;          // assertion value; extensibleMatch matchValue
    std::string_view matching_rule;  // extensibleMatch matchingRule ("" = absent)
};

class Filter {
  public:
    Filter() = default;
    Filter(const Filter& other);
    Filter& operator=(const Filter& other);
    Filter(Filter&&) noexcept = default;
    Filter& operator=(Filter&&) noexcept = default;

    bool empty() const { return nodes_.empty(); }
    const FilterNode& root() const { return nodes_.front(); }
    const FilterNode& node(uint32_t index) const { return nodes_[index]; }
    const std::vector<FilterNode>& nodes() const { return nodes_; }
    uint32_t next_sibling(uint32_t index) const { return index + nodes_[index].subtree_size; }
    // Nodes plus substring components, the quantity FilterLimits::max_elements bounds.
    size_t element_count() const { return nodes_.size() + components_.size(); }

    // Calls f(child_index) for each child of an and/or/not node, in order.
    template <class F>
    void for_each_child(uint32_t index, F&& f) const {
        const uint32_t end = index + nodes_[index].subtree_size;
        for (uint32_t c = index + 1; c < end; c = next_sibling(c))
            f(c);
    }

    // Substrings components of a node, in order, and the three parts separately.
    std::span<const std::string_view> components(const FilterNode& n) const {
        return {components_.data() + n.components_begin, n.components_count};
    }
    std::optional<std::string_view> substring_initial(const FilterNode& n) const;
    std::span<const std::string_view> substring_any(const FilterNode& n) const;
    std::optional<std::string_view> substring_final(const FilterNode& n) const;

    // Builder, in preorder. The decoders use it; so can tests and the server's own filters.
    // Strings must outlive the filter unless they were copied with own().
    uint32_t begin_composite(FilterKind kind);  // and_, or_, not_
    void end_composite(uint32_t index);
    void add_item(FilterKind kind, std::string_view attribute, std::string_view value = {});
    uint32_t begin_substrings(std::string_view attribute);
    // Components in order: at most one initial, first; at most one final, last.
    void add_component(uint32_t substrings_index, SubstringPart part, std::string_view value);
    void add_extensible(std::string_view matching_rule, std::string_view attribute,
                        std::string_view value, bool dn_attributes);
    void reserve(size_t nodes, size_t components) {
        nodes_.reserve(nodes);
        components_.reserve(components);
    }
    // Reserves room for owned strings; own() then copies into it without moving earlier ones.
    void reserve_storage(size_t bytes);
    std::string_view own(std::string_view text);
    void clear();

    // Structural equality: same tree, same strings (not the same storage).
    friend bool operator==(const Filter& a, const Filter& b);

  private:
    std::vector<FilterNode> nodes_;
    std::vector<std::string_view> components_;
    std::unique_ptr<char[]> storage_;  // strings owned by the filter (parse_filter unescapes)
    size_t storage_capacity_ = 0;
    size_t storage_used_ = 0;
};

// Decodes the Filter element at the reader's position (RFC 4511 4.5.1.7) into `out`.
// Errors: parse_error for malformed input, limit_exceeded past FilterLimits.
Result<void> decode_filter(ber::Reader& reader, const FilterLimits& limits, Filter& out);
// Decodes a buffer that holds exactly one Filter element.
Result<Filter> decode_filter(std::string_view encoded, const FilterLimits& limits);
// Writes the BER form of a non-empty filter.
void encode_filter(ber::Writer& writer, const Filter& filter);

// RFC 4515 string form, appended to `out`. Values are escaped where RFC 4515 requires it and
// also where a log would suffer: control characters and bytes that are not valid UTF-8.
void append_filter_string(const Filter& filter, std::string& out);
std::string to_string(const Filter& filter);

// Parses an RFC 4515 filter. A bare item without parentheses ("mail=*") is accepted as
// libldap does; "(&)" and "(|)" are the absolute true and false filters of RFC 4526.
// Errors: parse_error with the offset, limit_exceeded past FilterLimits.
Result<Filter> parse_filter(std::string_view text, const FilterLimits& limits = {});

}  // namespace sb::ldapproto
