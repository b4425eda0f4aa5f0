// RFC 4515 string -> Filter.
#include <string>

#include "core/hex.hpp"
#include "ldap/protocol/filter.hpp"
#include "ldap/protocol/text_rules.hpp"

namespace sb::ldapproto {

namespace {

bool equals_ignore_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

class FilterParser {
  public:
    FilterParser(std::string_view text, const FilterLimits& limits, Filter& out)
        : text_(text), limits_(limits), out_(out) {}

    Result<void> parse() {
        if (text_.empty()) return error(0, "empty filter");
        // A bare item, as libldap accepts it: the whole text is the item.
        if (text_[0] != '(') {
            SB_TRY(parse_item(0, text_.size()));
            return {};
        }
        SB_TRY(parse_filter(1));
        if (pos_ != text_.size()) return error(pos_, "trailing characters");
        return {};
    }

  private:
    tl::unexpected<Error> error(size_t offset, std::string_view what) const {
        return fail(Errc::parse_error,
                    "filter: " + std::string(what) + " at offset " + std::to_string(offset));
    }

    Result<void> count() {
        if (out_.element_count() > limits_.max_elements)
            return fail(
                Errc::limit_exceeded,
                "filter has more than " + std::to_string(limits_.max_elements) + " elements");
        return {};
    }

    // filter = LPAREN filtercomp RPAREN
    Result<void> parse_filter(uint32_t depth) {
        if (depth > limits_.max_depth)
            return fail(Errc::limit_exceeded,
                        "filter nested deeper than " + std::to_string(limits_.max_depth));
        if (pos_ >= text_.size() || text_[pos_] != '(') return error(pos_, "'(' expected");
        ++pos_;
        if (pos_ >= text_.size()) return error(pos_, "unexpected end");
        const char c = text_[pos_];
        if (c == '&' || c == '|' || c == '!') {
            const FilterKind kind = c == '&'   ? FilterKind::and_
                                    : c == '|' ? FilterKind::or_
                                               : FilterKind::not_;
            ++pos_;
            const uint32_t index = out_.begin_composite(kind);
            SB_TRY(count());
            uint32_t children = 0;
            while (pos_ < text_.size() && text_[pos_] != ')') {
                SB_TRY(parse_filter(depth + 1));
                ++children;
            }
            if (pos_ >= text_.size()) return error(pos_, "')' expected");
            // and/or may be empty (RFC 4526 absolute true/false); not takes exactly one filter.
            if (kind == FilterKind::not_ && children != 1)
                return error(pos_, "'!' takes exactly one filter");
            ++pos_;
            out_.end_composite(index);
            return {};
        }
        // An item ends at the first ")": values escape it, and names cannot hold it.
        const size_t close = text_.find(')', pos_);
        if (close == std::string_view::npos) return error(pos_, "')' expected");
        SB_TRY(parse_item(pos_, close));
        pos_ = close + 1;
        return {};
    }

    // item = simple / present / substring / extensible
    Result<void> parse_item(size_t begin, size_t end) {
        const std::string_view item = text_.substr(begin, end - begin);
        const size_t op = item.find_first_of("=~<>:");
        if (op == std::string_view::npos) return error(begin, "filter type expected");
        const std::string_view attribute = item.substr(0, op);
        if (item[op] == ':') return parse_extensible(begin, item, attribute, op);
        if (!detail::is_attribute_description(attribute))
            return error(begin, "invalid attribute description");
        if (item[op] != '=') {
            if (op + 1 >= item.size() || item[op + 1] != '=')
                return error(begin + op, "'=' expected");
            const FilterKind kind = item[op] == '~'   ? FilterKind::approx_match
                                    : item[op] == '<' ? FilterKind::less_or_equal
                                                      : FilterKind::greater_or_equal;
            SB_TRY_ASSIGN(auto value, unescape(begin + op + 2, item.substr(op + 2)));
            out_.add_item(kind, attribute, value);
            return count();
        }
        const size_t value_offset = begin + op + 1;
        const std::string_view raw = item.substr(op + 1);
        if (raw == "*") {
            out_.add_item(FilterKind::present, attribute);
            return count();
        }
        if (raw.find('*') == std::string_view::npos) {
            SB_TRY_ASSIGN(auto value, unescape(value_offset, raw));
            out_.add_item(FilterKind::equality_match, attribute, value);
            return count();
        }
        return parse_substrings(value_offset, attribute, raw);
    }

    // substring = attr EQUALS [initial] any [final]; any = ASTERISK *(assertionvalue ASTERISK).
    // Empty pieces between stars carry nothing and are dropped, as libldap does.
    Result<void> parse_substrings(size_t offset, std::string_view attribute, std::string_view raw) {
        const uint32_t index = out_.begin_substrings(attribute);
        SB_TRY(count());
        size_t start = 0;
        bool first = true;
        while (true) {
            const size_t star = raw.find('*', start);
            const bool last = star == std::string_view::npos;
            const std::string_view piece = raw.substr(start, last ? raw.npos : star - start);
            if (!piece.empty()) {
                SB_TRY_ASSIGN(auto value, unescape(offset + start, piece));
                const SubstringPart part = first  ? SubstringPart::initial
                                           : last ? SubstringPart::final_
                                                  : SubstringPart::any;
                out_.add_component(index, part, value);
                SB_TRY(count());
            }
            if (last) break;
            first = false;
            start = star + 1;
        }
        if (out_.node(index).components_count == 0)
            return error(offset, "substring filter without any value");
        return {};
    }

    // extensible = ( attr [dnattrs] [matchingrule] COLON EQUALS assertionvalue )
    //            / ( [dnattrs] matchingrule COLON EQUALS assertionvalue )
    Result<void> parse_extensible(size_t begin, std::string_view item, std::string_view attribute,
                                  size_t colon) {
        const size_t assign = item.find(":=", colon);
        if (assign == std::string_view::npos) return error(begin + colon, "':=' expected");
        if (!attribute.empty() && !detail::is_attribute_description(attribute))
            return error(begin, "invalid attribute description");
        bool dn = false;
        std::string_view rule;
        if (assign > colon) {
            // ":" segments between the attribute and ":=": "dn", "rule" or "dn:rule".
            std::string_view segments = item.substr(colon + 1, assign - colon - 1);
            const size_t split = segments.find(':');
            std::string_view first = segments.substr(0, split);
            if (equals_ignore_case(first, "dn")) {
                dn = true;
                if (split != std::string_view::npos) rule = segments.substr(split + 1);
                if (split != std::string_view::npos && rule.empty())
                    return error(begin + colon, "matching rule expected");
            } else {
                if (split != std::string_view::npos)
                    return error(begin + colon, "unexpected ':' in extensible filter");
                rule = first;
            }
            if (!rule.empty() && !detail::is_oid(rule))
                return error(begin + colon, "invalid matching rule");
            if (!dn && rule.empty()) return error(begin + colon, "matching rule expected");
        }
        if (attribute.empty() && rule.empty())
            return error(begin, "extensible filter needs an attribute or a matching rule");
        SB_TRY_ASSIGN(auto value, unescape(begin + assign + 2, item.substr(assign + 2)));
        out_.add_extensible(rule, attribute, value, dn);
        return count();
    }

    // valueencoding = 0*(normal / escaped); escaped = ESC HEX HEX; normal excludes NUL, "(",
    // ")", "*" and "\" and must be UTF-8 (RFC 4515 3).
    Result<std::string_view> unescape(size_t offset, std::string_view raw) {
        bool escaped = false;
        for (size_t i = 0; i < raw.size();) {
            const char c = raw[i];
            if (c == '\\') {
                if (i + 2 >= raw.size() || hex_value(raw[i + 1]) < 0 || hex_value(raw[i + 2]) < 0)
                    return error(offset + i, "invalid escape");
                escaped = true;
                i += 3;
                continue;
            }
            if (c == '\0' || c == '(' || c == ')' || c == '*')
                return error(offset + i, "character must be escaped");
            const size_t n = detail::utf8_sequence_size(raw, i);
            if (n == 0) return error(offset + i, "invalid UTF-8");
            i += n;
        }
        if (!escaped) return raw;  // a view into the caller's text
        scratch_.clear();
        for (size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '\\') {
                scratch_ += static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2]));
                i += 2;
            } else {
                scratch_ += raw[i];
            }
        }
        return out_.own(scratch_);
    }

    std::string_view text_;
    const FilterLimits& limits_;
    Filter& out_;
    size_t pos_ = 0;
    std::string scratch_;
};

}  // namespace

Result<Filter> parse_filter(std::string_view text, const FilterLimits& limits) {
    if (text.size() > limits.max_string_size)
        return fail(Errc::limit_exceeded, "filter string longer than " +
                                              std::to_string(limits.max_string_size) + " bytes");
    Filter f;
    // Unescaped values are never longer than their text, so this never grows (views stay valid).
    f.reserve_storage(text.size());
    FilterParser parser(text, limits, f);
    SB_TRY(parser.parse());
    return f;
}

}  // namespace sb::ldapproto
