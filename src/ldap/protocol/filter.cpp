#include "ldap/protocol/filter.hpp"

#include <cassert>
#include <cstring>

namespace sb::ldapproto {

namespace {

// Re-points a view into `from` storage at the same offset of `to`; other views are unchanged.
std::string_view rebase(std::string_view v, const char* from, size_t used, const char* to) {
    if (v.data() && from && v.data() >= from && v.data() <= from + used)
        return {to + (v.data() - from), v.size()};
    return v;
}

}  // namespace

Filter::Filter(const Filter& other) : nodes_(other.nodes_), components_(other.components_) {
    if (!other.storage_) return;
    storage_ = std::make_unique<char[]>(other.storage_capacity_);
    storage_capacity_ = other.storage_capacity_;
    storage_used_ = other.storage_used_;
    std::memcpy(storage_.get(), other.storage_.get(), storage_used_);
    const char* from = other.storage_.get();
    for (auto& n : nodes_) {
        n.attribute = rebase(n.attribute, from, storage_used_, storage_.get());
        n.value = rebase(n.value, from, storage_used_, storage_.get());
        n.matching_rule = rebase(n.matching_rule, from, storage_used_, storage_.get());
    }
    for (auto& c : components_)
        c = rebase(c, from, storage_used_, storage_.get());
}

Filter& Filter::operator=(const Filter& other) {
    if (this != &other) *this = Filter(other);
    return *this;
}

std::optional<std::string_view> Filter::substring_initial(const FilterNode& n) const {
    if (!n.has_initial) return std::nullopt;
    return components_[n.components_begin];
}

std::span<const std::string_view> Filter::substring_any(const FilterNode& n) const {
    uint32_t begin = n.components_begin, count = n.components_count;
    if (n.has_initial) ++begin, --count;
    if (n.has_final) --count;
    return {components_.data() + begin, count};
}

std::optional<std::string_view> Filter::substring_final(const FilterNode& n) const {
    if (!n.has_final) return std::nullopt;
    return components_[n.components_begin + n.components_count - 1];
}

uint32_t Filter::begin_composite(FilterKind kind) {
    assert(kind == FilterKind::and_ || kind == FilterKind::or_ || kind == FilterKind::not_);
    FilterNode n;
    n.kind = kind;
    nodes_.push_back(n);
    return static_cast<uint32_t>(nodes_.size() - 1);
}

void Filter::end_composite(uint32_t index) {
    FilterNode& n = nodes_[index];
    n.subtree_size = static_cast<uint32_t>(nodes_.size() - index);
    uint32_t count = 0;
    for_each_child(index, [&](uint32_t) { ++count; });
    nodes_[index].child_count = count;
}

void Filter::add_item(FilterKind kind, std::string_view attribute, std::string_view value) {
    FilterNode n;
    n.kind = kind;
    n.attribute = attribute;
    n.value = value;
    nodes_.push_back(n);
}

uint32_t Filter::begin_substrings(std::string_view attribute) {
    FilterNode n;
    n.kind = FilterKind::substrings;
    n.attribute = attribute;
    n.components_begin = static_cast<uint32_t>(components_.size());
    nodes_.push_back(n);
    return static_cast<uint32_t>(nodes_.size() - 1);
}

void Filter::add_component(uint32_t substrings_index, SubstringPart part, std::string_view value) {
    FilterNode& n = nodes_[substrings_index];
    assert(n.components_begin + n.components_count == components_.size());
    assert(!n.has_final);
    assert(part != SubstringPart::initial || n.components_count == 0);
    if (part == SubstringPart::initial) n.has_initial = true;
    if (part == SubstringPart::final_) n.has_final = true;
    components_.push_back(value);
    ++n.components_count;
}

void Filter::add_extensible(std::string_view matching_rule, std::string_view attribute,
                            std::string_view value, bool dn_attributes) {
    FilterNode n;
    n.kind = FilterKind::extensible_match;
    n.matching_rule = matching_rule;
    n.attribute = attribute;
    n.value = value;
    n.dn_attributes = dn_attributes;
    nodes_.push_back(n);
}

void Filter::reserve_storage(size_t bytes) {
    assert(storage_used_ == 0);
    storage_ = std::make_unique<char[]>(bytes ? bytes : 1);
    storage_capacity_ = bytes;
}

std::string_view Filter::own(std::string_view text) {
    assert(storage_used_ + text.size() <= storage_capacity_);
    char* dst = storage_.get() + storage_used_;
    if (!text.empty()) std::memcpy(dst, text.data(), text.size());
    storage_used_ += text.size();
    return {dst, text.size()};
}

void Filter::clear() {
    nodes_.clear();
    components_.clear();
    storage_.reset();
    storage_capacity_ = storage_used_ = 0;
}

bool operator==(const Filter& a, const Filter& b) {
    if (a.nodes_.size() != b.nodes_.size()) return false;
    for (size_t i = 0; i < a.nodes_.size(); ++i) {
        const FilterNode& x = a.nodes_[i];
        const FilterNode& y = b.nodes_[i];
        if (x.kind != y.kind || x.dn_attributes != y.dn_attributes ||
            x.has_initial != y.has_initial || x.has_final != y.has_final ||
            x.subtree_size != y.subtree_size || x.child_count != y.child_count ||
            x.attribute != y.attribute || x.value != y.value || x.matching_rule != y.matching_rule)
            return false;
        auto cx = a.components(x), cy = b.components(y);
        if (cx.size() != cy.size()) return false;
        for (size_t j = 0; j < cx.size(); ++j)
            if (cx[j] != cy[j]) return false;
    }
    return true;
}

}  // namespace sb::ldapproto
