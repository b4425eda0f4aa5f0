#include "ldap/addressbook/selection.hpp"

#include <algorithm>

#include "ldap/protocol/response.hpp"

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

void Selection::encode(std::string& out, int32_t message_id, const Presented& p,
                       bool types_only) const {
    thread_local std::string dn_scratch, value_scratch;
    const std::string_view dn = p.dn(dn_scratch);
    ldapproto::SearchEntryWriter w(out, message_id, dn);
    for (const auto& item : items_) {
        if (!p.has(item.attr)) continue;
        if (types_only) {
            w.add_attribute_type(item.name);
            continue;
        }
        w.begin_attribute(item.name);
        p.each_value(
            item.attr,
            [&](std::string_view v) {
                w.add_value(v);
                return true;
            },
            value_scratch);
        w.end_attribute();
    }
    w.finish();
}

}  // namespace sb::addressbook
