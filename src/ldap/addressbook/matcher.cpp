#include "ldap/addressbook/matcher.hpp"

#include <algorithm>

#include "core/strings.hpp"
#include "ldap/addressbook/fold.hpp"

namespace sb::addressbook {

using ldapproto::FilterKind;

namespace {

Tri tri(bool b) {
    return b ? Tri::true_ : Tri::false_;
}

// RFC 4517 matching rules an extensible match may name.
enum class Rule { equality, exact, unknown };
Rule rule_of(std::string_view r) {
    if (r.empty() || iequals(r, "caseIgnoreMatch") || r == "2.5.13.2" ||
        iequals(r, "caseIgnoreIA5Match") || r == "1.3.6.1.4.1.1466.109.114.2" ||
        iequals(r, "telephoneNumberMatch") || r == "2.5.13.20")
        return Rule::equality;
    if (iequals(r, "caseExactMatch") || r == "2.5.13.5" || iequals(r, "caseExactIA5Match") ||
        r == "1.3.6.1.4.1.1466.109.114.1")
        return Rule::exact;
    return Rule::unknown;
}

struct Scratch {
    std::string dn, folded;
};
thread_local Scratch t_scratch;

// Calls f(folded value) for each value of `info` the entry presents; stops when f returns true
// and then returns true.
template <class F>
bool any_folded(const Presented& p, const AttrInfo& info, F&& f) {
    if (info.indexed && p.entry) {
        for (auto v : p.entry->folded(info.id))
            if (f(v)) return true;
        return false;
    }
    bool found = false;
    p.each_value(
        info.id,
        [&](std::string_view v) {
            t_scratch.folded.clear();
            fold_for(info, v, t_scratch.folded);
            found = f(std::string_view(t_scratch.folded));
            return !found;
        },
        t_scratch.dn);
    return found;
}

}  // namespace

void fold_for(const AttrInfo& info, std::string_view in, std::string& out) {
    if (info.matching == Matching::telephone)
        fold_telephone_append(in, out);
    else
        fold_append(in, out);
}

bool substrings_match(std::string_view value, const std::optional<std::string>& initial,
                      std::span<const std::string> any, const std::optional<std::string>& final_) {
    size_t pos = 0;
    if (initial) {
        if (value.substr(0, initial->size()) != *initial) return false;
        pos = initial->size();
    }
    for (const auto& a : any) {
        const size_t at = value.find(a, pos);
        if (at == std::string_view::npos) return false;
        pos = at + a.size();
    }
    if (final_) {
        if (value.size() < pos + final_->size()) return false;
        if (value.substr(value.size() - final_->size()) != *final_) return false;
    }
    return true;
}

Matcher::Matcher() : presence_(0) {
    Node n;
    n.kind = FilterKind::and_;  // (&): absolute true (RFC 4526)
    nodes_.push_back(n);
}

Matcher Matcher::compile(const ldapproto::Filter& filter) {
    Matcher m;
    if (filter.empty()) return m;
    m.nodes_.clear();
    m.nodes_.reserve(filter.nodes().size());
    for (uint32_t i = 0; i < filter.nodes().size(); ++i)
        m.compile_node(filter, i);
    m.compute_presence();
    return m;
}

void Matcher::compute_presence() {
    presence_.reset();
    // Attributes a person entry presents exactly as stored: never the view-dependent ones
    // (ou, entryDN, the configured label attribute, which is never one of these).
    auto stored = [](const AttrInfo* a) {
        if (!a) return false;
        return a->indexed || a->id == Attr::object_class || a->id == Attr::uid;
    };
    auto item_mask = [&](const Node& n) -> std::optional<uint64_t> {
        if (n.kind != FilterKind::present || !stored(n.attr)) return std::nullopt;
        return uint64_t{1} << index(n.attr->id);
    };
    const Node& root = nodes_.front();
    if (root.kind == FilterKind::present) {
        presence_ = item_mask(root);
        return;
    }
    if (root.kind != FilterKind::and_) return;
    uint64_t mask = 0;
    for (uint32_t c = 1; c < root.subtree_size; c += nodes_[c].subtree_size) {
        auto m = item_mask(nodes_[c]);
        if (!m) return;
        mask |= *m;
    }
    presence_ = mask;
}

void Matcher::compile_node(const ldapproto::Filter& f, uint32_t i) {
    const auto& src = f.node(i);
    Node n;
    n.kind = src.kind;
    n.subtree_size = src.subtree_size;
    if (src.kind == FilterKind::and_ || src.kind == FilterKind::or_ ||
        src.kind == FilterKind::not_) {
        nodes_.push_back(std::move(n));
        return;
    }
    n.dn_attributes = src.dn_attributes;
    if (!src.attribute.empty()) {
        n.attr = find_attr(src.attribute);
        n.unknown_attr = n.attr == nullptr;
    }
    auto folded = [&](std::string_view v) {
        std::string out;
        if (n.attr)
            fold_for(*n.attr, v, out);
        else
            fold_append(v, out);
        return out;
    };
    const bool indexed = n.attr && n.attr->indexed;
    switch (src.kind) {
        case FilterKind::equality_match:
            n.value = folded(src.value);
            if (indexed) GramIndex::query_grams(n.value, true, n.grams);
            break;
        case FilterKind::greater_or_equal:
        case FilterKind::less_or_equal:
            n.value = folded(src.value);
            // objectClass has no ordering rule (RFC 4512 2.4.1).
            if (n.attr && n.attr->id == Attr::object_class) n.undefined = true;
            break;
        case FilterKind::approx_match:
            n.value = approx_key(src.value);
            break;
        case FilterKind::substrings: {
            if (auto v = f.substring_initial(src)) n.initial = folded(*v);
            for (auto v : f.substring_any(src))
                if (auto s = folded(v); !s.empty()) n.any.push_back(std::move(s));
            if (auto v = f.substring_final(src)) n.final_ = folded(*v);
            if (indexed) {
                if (n.initial) GramIndex::query_grams(*n.initial, true, n.grams);
                for (const auto& a : n.any)
                    GramIndex::query_grams(a, false, n.grams);
                if (n.final_) GramIndex::query_grams(*n.final_, false, n.grams);
            }
            break;
        }
        case FilterKind::extensible_match: {
            const Rule rule = rule_of(src.matching_rule);
            if (rule == Rule::unknown) {
                n.undefined = true;
                break;
            }
            n.exact = rule == Rule::exact;
            n.value = n.exact ? std::string(src.value) : folded(src.value);
            if (indexed && !n.exact && !n.dn_attributes)
                GramIndex::query_grams(n.value, true, n.grams);
            break;
        }
        default:
            break;
    }
    nodes_.push_back(std::move(n));
}

Tri Matcher::eval(const Presented& p) const {
    return eval_node(0, p, t_scratch.dn);
}

Tri Matcher::eval_node(uint32_t i, const Presented& p, std::string& scratch) const {
    const Node& n = nodes_[i];
    switch (n.kind) {
        case FilterKind::and_: {
            Tri r = Tri::true_;
            const uint32_t end = i + n.subtree_size;
            for (uint32_t c = i + 1; c < end; c += nodes_[c].subtree_size) {
                const Tri t = eval_node(c, p, scratch);
                if (t == Tri::false_) return Tri::false_;
                if (t == Tri::undefined) r = Tri::undefined;
            }
            return r;
        }
        case FilterKind::or_: {
            Tri r = Tri::false_;
            const uint32_t end = i + n.subtree_size;
            for (uint32_t c = i + 1; c < end; c += nodes_[c].subtree_size) {
                const Tri t = eval_node(c, p, scratch);
                if (t == Tri::true_) return Tri::true_;
                if (t == Tri::undefined) r = Tri::undefined;
            }
            return r;
        }
        case FilterKind::not_: {
            if (n.subtree_size < 2) return Tri::undefined;
            const Tri t = eval_node(i + 1, p, scratch);
            return t == Tri::undefined ? t : tri(t == Tri::false_);
        }
        default:
            return eval_item(n, p, scratch);
    }
}

Tri Matcher::eval_item(const Node& n, const Presented& p, std::string& scratch) const {
    if (n.kind == FilterKind::extensible_match) return eval_extensible(n, p, scratch);
    // RFC 4511 4.5.1.7.5: present is FALSE, never Undefined, for an unknown type.
    if (n.kind == FilterKind::present) return tri(n.attr && p.has(n.attr->id));
    if (!n.attr || n.undefined) return Tri::undefined;
    switch (n.kind) {
        case FilterKind::equality_match:
            return tri(any_folded(p, *n.attr, [&](std::string_view v) { return v == n.value; }));
        case FilterKind::substrings:
            return tri(any_folded(p, *n.attr, [&](std::string_view v) {
                return substrings_match(v, n.initial, n.any, n.final_);
            }));
        case FilterKind::greater_or_equal:
            return tri(any_folded(p, *n.attr, [&](std::string_view v) { return v >= n.value; }));
        case FilterKind::less_or_equal:
            return tri(any_folded(p, *n.attr, [&](std::string_view v) { return v <= n.value; }));
        case FilterKind::approx_match:
            return tri(any_folded(p, *n.attr,
                                  [&](std::string_view v) { return approx_key(v) == n.value; }));
        default:
            return Tri::undefined;
    }
}

Tri Matcher::eval_extensible(const Node& n, const Presented& p, std::string& scratch) const {
    if (n.undefined || n.unknown_attr) return Tri::undefined;
    auto test = [&](const AttrInfo& info, std::string_view raw) {
        if (n.exact) return raw == n.value;
        std::string f;
        fold_for(info, raw, f);
        return f == n.value;
    };
    bool found = false;
    if (n.attr) {
        p.each_value(
            n.attr->id,
            [&](std::string_view v) {
                found = test(*n.attr, v);
                return !found;
            },
            scratch);
    } else {  // no type: every attribute of the entry (RFC 4511 4.5.1.7.7)
        p.entry->for_each_attr([&](Attr a) {
            if (found) return;
            p.each_value(
                a,
                [&](std::string_view v) {
                    found = test(attr_info(a), v);
                    return !found;
                },
                scratch);
        });
    }
    if (!found && n.dn_attributes) {  // also the attribute values of the DN
        std::string dn_text(p.dn(scratch));
        if (auto rdns = parse_dn(dn_text)) {
            for (const auto& rdn : *rdns)
                for (const auto& ava : rdn) {
                    const AttrInfo* info = find_attr(ava.type);
                    if (!info || (n.attr && info != n.attr)) continue;
                    if (test(*info, ava.value)) found = true;
                }
        }
    }
    return tri(found);
}

size_t Matcher::Plan::cost() const {
    size_t c = 0;
    for (auto l : lists)
        c += l.size();
    return c;
}

Matcher::Plan Matcher::plan(const Shard& shard) const {
    Plan p;
    bool none = false;
    plan_node(0, shard, p, none);
    if (none) p = Plan{};
    return p;
}

// Fills `out` with the candidates of node i, or sets `none` when no entry can match.
void Matcher::plan_node(uint32_t i, const Shard& shard, Plan& out, bool& none) const {
    const Node& n = nodes_[i];
    const uint32_t end = i + n.subtree_size;
    switch (n.kind) {
        case FilterKind::and_: {
            std::optional<Plan> best;
            for (uint32_t c = i + 1; c < end; c += nodes_[c].subtree_size) {
                Plan p;
                bool child_none = false;
                plan_node(c, shard, p, child_none);
                if (child_none) {
                    none = true;
                    return;
                }
                if (p.all) continue;
                if (!best || p.cost() < best->cost()) best = std::move(p);
            }
            if (best)
                out = std::move(*best);
            else
                out.all = true;
            return;
        }
        case FilterKind::or_: {
            bool any = false;
            for (uint32_t c = i + 1; c < end; c += nodes_[c].subtree_size) {
                Plan p;
                bool child_none = false;
                plan_node(c, shard, p, child_none);
                if (child_none) continue;
                if (p.all) {
                    out = Plan{true, {}};
                    return;
                }
                any = true;
                for (auto l : p.lists)
                    out.lists.push_back(l);
            }
            if (!any) none = true;
            return;
        }
        case FilterKind::not_:
            out.all = true;
            return;
        default:
            break;
    }
    // An item that can never be TRUE: unknown types (present is FALSE, the rest Undefined).
    if ((!n.attr && n.kind != FilterKind::extensible_match) || n.unknown_attr || n.undefined) {
        none = true;
        return;
    }
    if (n.grams.empty()) {
        out.all = true;
        return;
    }
    std::span<const uint16_t> rarest;
    bool first = true;
    for (Gram g : n.grams) {
        auto list = shard.index.postings(g);
        if (list.empty()) {
            none = true;
            return;
        }
        if (first || list.size() < rarest.size()) rarest = list;
        first = false;
    }
    out.lists.push_back(rarest);
}

}  // namespace sb::addressbook
