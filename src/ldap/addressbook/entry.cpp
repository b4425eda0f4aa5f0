#include "ldap/addressbook/entry.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <new>

#include "ldap/addressbook/fold.hpp"

namespace sb::addressbook {

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
    std::stable_sort(values_.begin(), values_.end(),
                     [](const Pending& x, const Pending& y) { return x.attr < y.attr; });
    if (values_.size() > 32767) values_.resize(32767);  // value indexes are 16 bits
    // The text and the bounds of each value first, then one allocation for everything.
    std::string text;
    size_t total = rdn_value_.size() * 3 + 16;
    for (const auto& p : values_)
        total += p.value.size() * (is_indexed(p.attr) ? 2 : 1);
    text.reserve(total);
    std::vector<uint32_t> bounds;
    bounds.reserve(values_.size() * 2 + 1);
    std::array<uint16_t, kAttrCount + 1> first{};
    uint64_t present = 0;
    auto append = [&](bool folded, std::string_view v) {
        bounds.push_back(static_cast<uint32_t>(text.size()));
        if (folded)
            fold_append(v, text);
        else
            text.append(v);
    };
    size_t next_attr = 0;
    for (size_t i = 0; i < values_.size();) {
        const size_t a = index(values_[i].attr);
        while (next_attr <= a)
            first[next_attr++] = static_cast<uint16_t>(bounds.size());
        present |= uint64_t{1} << a;
        size_t j = i;
        while (j < values_.size() && values_[j].attr == values_[i].attr)
            ++j;
        for (size_t k = i; k < j; ++k)
            append(false, values_[k].value);
        if (is_indexed(values_[i].attr))
            for (size_t k = i; k < j; ++k)
                append(true, values_[k].value);
        i = j;
    }
    while (next_attr <= kAttrCount)
        first[next_attr++] = static_cast<uint16_t>(bounds.size());
    bounds.push_back(static_cast<uint32_t>(text.size()));  // the end of the last value
    // The RDN string and its lookup key follow the values.
    const size_t rdn_offset = text.size();
    text.append(attr_info(rdn_attr_).name);
    text.push_back('=');
    text.append(escape_dn_value(rdn_value_));
    const size_t key_offset = text.size();
    fold_append(rdn_value_, text);

    const size_t text_at = sizeof(Entry) + bounds.size() * sizeof(uint32_t);
    const size_t bytes = text_at + text.size();
    void* memory = ::operator new(bytes);
    Entry* e = new (memory) Entry();
    e->key_ = key_;
    e->present_ = present;
    e->bytes_ = static_cast<uint32_t>(bytes);
    e->text_at_ = static_cast<uint32_t>(text_at);
    e->rdn_offset_ = static_cast<uint32_t>(rdn_offset);
    e->rdn_size_ = static_cast<uint32_t>(key_offset - rdn_offset);
    e->rdn_key_size_ = static_cast<uint32_t>(text.size() - key_offset);
    e->first_ = first;
    std::memcpy(static_cast<char*>(memory) + sizeof(Entry), bounds.data(),
                bounds.size() * sizeof(uint32_t));
    std::memcpy(static_cast<char*>(memory) + text_at, text.data(), text.size());
    return EntryPtr(e, [](const Entry* p) {
        p->~Entry();
        ::operator delete(const_cast<Entry*>(p));
    });
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
