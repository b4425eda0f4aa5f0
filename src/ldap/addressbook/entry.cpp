#include "ldap/addressbook/entry.hpp"

#include <algorithm>
#include <cstdio>

#include "ldap/addressbook/fold.hpp"

namespace sb::addressbook {

namespace {
bool is_indexed(Attr a) {
    return attr_info(a).indexed;
}
}  // namespace

std::string_view Entry::sort_key(Attr a) const {
    std::string_view best;
    bool any = false;
    for (auto v : folded(a)) {
        if (!any || v < best) best = v;
        any = true;
    }
    return best;
}

EntryBuilder& EntryBuilder::rdn(Attr a, std::string_view value) {
    rdn_attr_ = a;
    rdn_value_ = std::string(value);
    return add(a, value);
}

EntryBuilder& EntryBuilder::add(Attr a, std::string_view value) {
    if (value.empty()) return *this;
    for (const auto& p : values_)
        if (p.attr == a && p.value == value) return *this;
    values_.push_back({a, std::string(value)});
    return *this;
}

bool EntryBuilder::has(Attr a) const {
    return std::any_of(values_.begin(), values_.end(),
                       [&](const Pending& p) { return p.attr == a; });
}

EntryPtr EntryBuilder::build() {
    auto e = std::make_shared<Entry>();
    e->key_ = key_;
    std::stable_sort(values_.begin(), values_.end(),
                     [](const Pending& x, const Pending& y) { return x.attr < y.attr; });
    size_t total = rdn_value_.size() * 3 + 16;
    for (const auto& p : values_)
        total += p.value.size() * (is_indexed(p.attr) ? 2 : 1) + 1;
    e->text_.reserve(total);
    auto append = [&](Attr a, bool folded, std::string_view v) {
        const auto offset = static_cast<uint32_t>(e->text_.size());
        if (folded)
            fold_append(v, e->text_);
        else
            e->text_.append(v);
        e->slots_.push_back({a, folded, offset, static_cast<uint32_t>(e->text_.size() - offset)});
    };
    if (values_.size() > 32767) values_.resize(32767);  // slot offsets are 16 bits
    e->slots_.reserve(values_.size() * 2);
    size_t next_attr = 0;
    for (size_t i = 0; i < values_.size();) {
        const size_t a = index(values_[i].attr);
        while (next_attr <= a)
            e->first_[next_attr++] = static_cast<uint16_t>(e->slots_.size());
        e->present_ |= uint64_t{1} << a;
        size_t j = i;
        while (j < values_.size() && values_[j].attr == values_[i].attr)
            ++j;
        for (size_t k = i; k < j; ++k)
            append(values_[k].attr, false, values_[k].value);
        if (is_indexed(values_[i].attr))
            for (size_t k = i; k < j; ++k)
                append(values_[k].attr, true, values_[k].value);
        i = j;
    }
    while (next_attr <= kAttrCount)
        e->first_[next_attr++] = static_cast<uint16_t>(e->slots_.size());
    // RDN string and lookup key live in the same buffer, after the values.
    const size_t rdn_offset = e->text_.size();
    e->text_.append(attr_info(rdn_attr_).name);
    e->text_.push_back('=');
    e->text_.append(escape_dn_value(rdn_value_));
    const size_t key_offset = e->text_.size();
    fold_append(rdn_value_, e->text_);
    e->rdn_ = std::string_view(e->text_).substr(rdn_offset, key_offset - rdn_offset);
    e->rdn_key_ = std::string_view(e->text_).substr(key_offset);
    e->text_.shrink_to_fit();
    // shrink_to_fit may reallocate: take the views again.
    e->rdn_ = std::string_view(e->text_).substr(rdn_offset, key_offset - rdn_offset);
    e->rdn_key_ = std::string_view(e->text_).substr(key_offset);
    return e;
}

std::string escape_dn_value(std::string_view value) {
    // RFC 4514 2.4
    std::string out;
    out.reserve(value.size() + 4);
    for (size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        const bool special = c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' ||
                             c == '>' || c == ';' || c == '=';
        const bool edge = (i == 0 && (c == ' ' || c == '#')) || (i + 1 == value.size() && c == ' ');
        if (c == '\0') {
            out += "\\00";
        } else if (special || edge) {
            out.push_back('\\');
            out.push_back(c);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace sb::addressbook
