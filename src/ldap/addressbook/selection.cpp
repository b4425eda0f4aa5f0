#include "ldap/addressbook/selection.hpp"

#include <algorithm>
#include <cassert>

#include "ldap/ber/writer.hpp"
#include "ldap/protocol/message.hpp"

namespace sb::addressbook {

Selection Selection::compile(std::span<const std::string_view> requested) {
    Selection s;
    s.all_user_ = requested.empty();
    bool named[kAttrCount] = {};
    for (auto name : requested) {
        if (name == "*") {
            s.all_user_ = true;
        } else if (name == "+") {
            s.all_operational_ = true;
        } else if (const AttrInfo* info = find_attr(name)) {
            if (!named[index(info->id)]) s.items_.push_back({info->id, std::string(name)});
            named[index(info->id)] = true;
        }
        // "1.1" and unknown names select nothing (RFC 4511 4.5.1.8).
    }
    // With "*" or "+", the remaining attributes follow the named ones in schema order.
    for (size_t i = 0; i < kAttrCount; ++i) {
        const auto& info = attr_info(static_cast<Attr>(i));
        if (named[i]) continue;
        if ((info.operational && s.all_operational_) || (!info.operational && s.all_user_))
            s.items_.push_back({info.id, std::string(info.name)});
    }
    return s;
}

namespace {

// Octets of the minimal two's-complement INTEGER encoding of a positive message id.
size_t integer_octets(int32_t v) {
    size_t n = 1;
    while (n < 4 && v >= (int32_t{1} << (8 * n - 1)))
        ++n;
    return n;
}

}  // namespace

void Selection::encode(std::string& out, int32_t message_id, const Presented& p,
                       bool types_only) const {
    // Sizes first, then every header written once with its exact length: an entry costs one
    // pass over its values and no moves (RFC 4511 4.5.2 SearchResultEntry).
    struct Attribute {
        std::string_view type;
        size_t first_value, value_count;
        size_t values_size;  // contents of the SET OF values
    };
    thread_local std::string dn_scratch, value_scratch;
    thread_local std::vector<Attribute> attrs;
    thread_local std::vector<std::string_view> values;
    attrs.clear();
    values.clear();
    value_scratch.clear();
    const std::string_view dn = p.dn(dn_scratch);
    for (const auto& item : items_) {
        if (!p.has(item.attr)) continue;
        Attribute a{item.name, values.size(), 0, 0};
        if (!types_only) {
            p.each_value(
                item.attr,
                [&](std::string_view v) {
                    values.push_back(v);
                    return true;
                },
                value_scratch);
        }
        a.value_count = values.size() - a.first_value;
        for (size_t i = a.first_value; i < values.size(); ++i)
            a.values_size += ber::element_size(values[i].size());
        attrs.push_back(a);
    }
    size_t attrs_size = 0;
    for (const auto& a : attrs)
        attrs_size +=
            ber::element_size(ber::element_size(a.type.size()) + ber::element_size(a.values_size));
    const size_t entry_size = ber::element_size(dn.size()) + ber::element_size(attrs_size);
    const size_t message_size = 2 + integer_octets(message_id) + ber::element_size(entry_size);
    // Filled in place: the headers with ber::write_header, the contents copied.
    const size_t start = out.size();
    out.resize(start + ber::element_size(message_size));
    char* d = out.data() + start;
    auto put = [&d](uint8_t tag, std::string_view contents) {
        d = ber::write_header(d, tag, contents.size());
        d = std::copy(contents.begin(), contents.end(), d);
    };
    d = ber::write_header(d, ber::tag::kSequence, message_size);
    d = ber::write_header(d, ber::tag::kInteger, integer_octets(message_id));
    for (size_t i = integer_octets(message_id); i > 0; --i)
        *d++ = static_cast<char>((static_cast<uint32_t>(message_id) >> (8 * (i - 1))) & 0xFF);
    d = ber::write_header(
        d,
        ber::application_tag(static_cast<uint8_t>(ldapproto::Operation::search_result_entry), true),
        entry_size);
    put(ber::tag::kOctetString, dn);
    d = ber::write_header(d, ber::tag::kSequence, attrs_size);
    for (const auto& a : attrs) {
        d = ber::write_header(d, ber::tag::kSequence,
                              ber::element_size(a.type.size()) + ber::element_size(a.values_size));
        put(ber::tag::kOctetString, a.type);
        d = ber::write_header(d, ber::tag::kSet, a.values_size);
        for (size_t i = a.first_value; i < a.first_value + a.value_count; ++i)
            put(ber::tag::kOctetString, values[i]);
    }
    assert(d == out.data() + out.size());
}

}  // namespace sb::addressbook
