// Filter -> RFC 4515 string.
#include "core/hex.hpp"
#include "ldap/protocol/filter.hpp"
#include "ldap/protocol/text_rules.hpp"

namespace sb::ldapproto {

namespace {

void append_escaped_byte(std::string& out, unsigned char c) {
    out += '\\';
    append_hex(out, c);
}

// RFC 4515 3: NUL, "(", ")", "*" and "\" must be escaped; control characters and bytes that are
// not UTF-8 are escaped too, so the result is printable and parses back to the same value.
void append_value(std::string& out, std::string_view v) {
    for (size_t i = 0; i < v.size();) {
        const auto c = static_cast<unsigned char>(v[i]);
        if (c >= 0x80) {
            const size_t n = detail::utf8_sequence_size(v, i);
            if (n == 0) {
                append_escaped_byte(out, c);
                ++i;
            } else {
                out.append(v.substr(i, n));
                i += n;
            }
            continue;
        }
        if (c < 0x20 || c == 0x7F || c == '(' || c == ')' || c == '*' || c == '\\')
            append_escaped_byte(out, c);
        else
            out += static_cast<char>(c);
        ++i;
    }
}

// Attribute descriptions and rule names have no escape syntax; a decoded filter may still carry
// junk there, which is shown hex-escaped (and then does not parse, which is fine for a log).
void append_name(std::string& out, std::string_view s) {
    for (char ch : s) {
        if (detail::is_keychar(ch) || ch == ';' || ch == '.')
            out += ch;
        else
            append_escaped_byte(out, static_cast<unsigned char>(ch));
    }
}

void append_node(const Filter& f, uint32_t index, std::string& out) {
    const FilterNode& n = f.node(index);
    out += '(';
    switch (n.kind) {
        case FilterKind::and_:
        case FilterKind::or_:
        case FilterKind::not_:
            out += n.kind == FilterKind::and_ ? '&' : n.kind == FilterKind::or_ ? '|' : '!';
            f.for_each_child(index, [&](uint32_t c) { append_node(f, c, out); });
            break;
        case FilterKind::equality_match:
        case FilterKind::greater_or_equal:
        case FilterKind::less_or_equal:
        case FilterKind::approx_match:
            append_name(out, n.attribute);
            if (n.kind == FilterKind::greater_or_equal) out += '>';
            if (n.kind == FilterKind::less_or_equal) out += '<';
            if (n.kind == FilterKind::approx_match) out += '~';
            out += '=';
            append_value(out, n.value);
            break;
        case FilterKind::present:
            append_name(out, n.attribute);
            out += "=*";
            break;
        case FilterKind::substrings: {
            append_name(out, n.attribute);
            out += '=';
            if (auto initial = f.substring_initial(n)) append_value(out, *initial);
            out += '*';
            for (std::string_view any : f.substring_any(n)) {
                append_value(out, any);
                out += '*';
            }
            if (auto final_part = f.substring_final(n)) append_value(out, *final_part);
            break;
        }
        case FilterKind::extensible_match:
            append_name(out, n.attribute);
            if (n.dn_attributes) out += ":dn";
            if (!n.matching_rule.empty()) {
                out += ':';
                append_name(out, n.matching_rule);
            }
            out += ":=";
            append_value(out, n.value);
            break;
    }
    out += ')';
}

}  // namespace

void append_filter_string(const Filter& filter, std::string& out) {
    if (!filter.empty()) append_node(filter, 0, out);
}

std::string to_string(const Filter& filter) {
    std::string s;
    append_filter_string(filter, s);
    return s;
}

}  // namespace sb::ldapproto
