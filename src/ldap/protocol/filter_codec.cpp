// BER form of Filter, RFC 4511 4.5.1.7:
//   Filter ::= CHOICE { and [0] SET OF Filter, or [1] SET OF Filter, not [2] Filter,
//     equalityMatch [3] AttributeValueAssertion, substrings [4] SubstringFilter,
//     greaterOrEqual [5] AVA, lessOrEqual [6] AVA, present [7] AttributeDescription,
//     approxMatch [8] AVA, extensibleMatch [9] MatchingRuleAssertion, ... }
#include <string>

#include "ldap/protocol/filter.hpp"

namespace sb::ldapproto {

namespace {

using ber::context_tag;
using ber::Reader;

constexpr uint8_t kInitial = context_tag(0, false);
constexpr uint8_t kAny = context_tag(1, false);
constexpr uint8_t kFinal = context_tag(2, false);
constexpr uint8_t kMatchingRule = context_tag(1, false);
constexpr uint8_t kType = context_tag(2, false);
constexpr uint8_t kMatchValue = context_tag(3, false);
constexpr uint8_t kDnAttributes = context_tag(4, false);

class FilterDecoder {
  public:
    FilterDecoder(const FilterLimits& limits, Filter& out) : limits_(limits), out_(out) {}

    Result<void> decode(Reader& r, uint32_t depth) {
        if (depth > limits_.max_depth)
            return fail(Errc::limit_exceeded,
                        "filter nested deeper than " + std::to_string(limits_.max_depth));
        SB_TRY_ASSIGN(auto e, r.read_any());
        const uint8_t tag = e.tag;
        const bool constructed = ber::is_constructed(tag);
        if (ber::tag_class(tag) != ber::TagClass::context)
            return fail(Errc::parse_error, "filter: unknown choice");
        const auto kind = static_cast<FilterKind>(ber::tag_number(tag));
        Reader body(e.contents);
        switch (kind) {
            case FilterKind::and_:
            case FilterKind::or_:
            case FilterKind::not_: {
                if (!constructed) break;
                const uint32_t index = out_.begin_composite(kind);
                SB_TRY(count());
                uint32_t children = 0;
                while (!body.at_end()) {
                    SB_TRY(decode(body, depth + 1));
                    ++children;
                }
                // RFC 4511 says SIZE (1..MAX) for and/or; RFC 4526 gives (&) and (|) meaning.
                if (kind == FilterKind::not_ && children != 1)
                    return fail(Errc::parse_error, "filter: not must hold exactly one filter");
                out_.end_composite(index);
                return {};
            }
            case FilterKind::equality_match:
            case FilterKind::greater_or_equal:
            case FilterKind::less_or_equal:
            case FilterKind::approx_match: {
                if (!constructed) break;
                SB_TRY_ASSIGN(auto attribute, body.read_octet_string());
                SB_TRY_ASSIGN(auto value, body.read_octet_string());
                SB_TRY(body.expect_end());
                out_.add_item(kind, attribute, value);
                return count();
            }
            case FilterKind::present:
                if (constructed) break;
                out_.add_item(kind, e.contents);
                return count();
            case FilterKind::substrings:
                if (!constructed) break;
                return decode_substrings(body);
            case FilterKind::extensible_match:
                if (!constructed) break;
                return decode_extensible(body);
        }
        return fail(Errc::parse_error, "filter: unknown choice");
    }

  private:
    Result<void> count() {
        if (out_.element_count() > limits_.max_elements)
            return fail(
                Errc::limit_exceeded,
                "filter has more than " + std::to_string(limits_.max_elements) + " elements");
        return {};
    }

    // SubstringFilter ::= SEQUENCE { type AttributeDescription,
    //   substrings SEQUENCE SIZE (1..MAX) OF CHOICE { initial [0], any [1], final [2] } }
    // initial at most once and first; final at most once and last (RFC 4511 4.5.1.7.2).
    Result<void> decode_substrings(Reader& body) {
        SB_TRY_ASSIGN(auto attribute, body.read_octet_string());
        SB_TRY_ASSIGN(auto list, body.enter(ber::tag::kSequence));
        SB_TRY(body.expect_end());
        const uint32_t index = out_.begin_substrings(attribute);
        SB_TRY(count());
        bool seen_final = false;
        uint32_t n = 0;
        while (!list.at_end()) {
            SB_TRY_ASSIGN(auto e, list.read_any());
            if (seen_final) return fail(Errc::parse_error, "filter: substring after final");
            SubstringPart part;
            if (e.tag == kInitial) {
                if (n != 0) return fail(Errc::parse_error, "filter: initial substring not first");
                part = SubstringPart::initial;
            } else if (e.tag == kAny) {
                part = SubstringPart::any;
            } else if (e.tag == kFinal) {
                part = SubstringPart::final_;
                seen_final = true;
            } else {
                return fail(Errc::parse_error, "filter: unknown substring choice");
            }
            out_.add_component(index, part, e.contents);
            ++n;
            SB_TRY(count());
        }
        if (n == 0) return fail(Errc::parse_error, "filter: empty substrings");
        return {};
    }

    // MatchingRuleAssertion ::= SEQUENCE { matchingRule [1] OPTIONAL, type [2] OPTIONAL,
    //   matchValue [3], dnAttributes [4] BOOLEAN DEFAULT FALSE }
    // Without a matchingRule the type is required (RFC 4511 4.5.1.7.7).
    Result<void> decode_extensible(Reader& body) {
        std::string_view rule, type;
        bool dn = false;
        if (body.next_is(kMatchingRule)) {
            SB_TRY_ASSIGN(auto v, body.read(kMatchingRule));
            rule = v;
        }
        if (body.next_is(kType)) {
            SB_TRY_ASSIGN(auto v, body.read(kType));
            type = v;
        }
        SB_TRY_ASSIGN(auto value, body.read(kMatchValue));
        if (body.next_is(kDnAttributes)) {
            SB_TRY_ASSIGN(auto v, body.read_boolean(kDnAttributes));
            dn = v;
        }
        SB_TRY(body.expect_end());
        if (rule.empty() && type.empty())
            return fail(Errc::parse_error, "filter: extensibleMatch without rule or type");
        out_.add_extensible(rule, type, value, dn);
        return count();
    }

    const FilterLimits& limits_;
    Filter& out_;
};

void encode_node(ber::Writer& w, const Filter& f, uint32_t index) {
    const FilterNode& n = f.node(index);
    const auto number = static_cast<uint8_t>(n.kind);
    switch (n.kind) {
        case FilterKind::and_:
        case FilterKind::or_:
        case FilterKind::not_: {
            auto m = w.begin(context_tag(number, true));
            f.for_each_child(index, [&](uint32_t c) { encode_node(w, f, c); });
            w.end(m);
            return;
        }
        case FilterKind::equality_match:
        case FilterKind::greater_or_equal:
        case FilterKind::less_or_equal:
        case FilterKind::approx_match: {
            auto m = w.begin(context_tag(number, true));
            w.octet_string(n.attribute);
            w.octet_string(n.value);
            w.end(m);
            return;
        }
        case FilterKind::present:
            w.octet_string(n.attribute, context_tag(number, false));
            return;
        case FilterKind::substrings: {
            auto m = w.begin(context_tag(number, true));
            w.octet_string(n.attribute);
            auto list = w.begin(ber::tag::kSequence);
            const auto parts = f.components(n);
            for (uint32_t i = 0; i < parts.size(); ++i) {
                uint8_t tag = kAny;
                if (i == 0 && n.has_initial) tag = kInitial;
                if (i + 1 == parts.size() && n.has_final) tag = kFinal;
                w.octet_string(parts[i], tag);
            }
            w.end(list);
            w.end(m);
            return;
        }
        case FilterKind::extensible_match: {
            auto m = w.begin(context_tag(number, true));
            if (!n.matching_rule.empty()) w.octet_string(n.matching_rule, kMatchingRule);
            if (!n.attribute.empty()) w.octet_string(n.attribute, kType);
            w.octet_string(n.value, kMatchValue);
            if (n.dn_attributes) w.boolean(true, kDnAttributes);
            w.end(m);
            return;
        }
    }
}

}  // namespace

Result<void> decode_filter(ber::Reader& reader, const FilterLimits& limits, Filter& out) {
    // Enough for the filters real clients send (Outlook's has 9 nodes), in one allocation each.
    out.reserve(16, 8);
    FilterDecoder d(limits, out);
    return d.decode(reader, 1);
}

Result<Filter> decode_filter(std::string_view encoded, const FilterLimits& limits) {
    Filter f;
    Reader r(encoded);
    SB_TRY(decode_filter(r, limits, f));
    SB_TRY(r.expect_end());
    return f;
}

void encode_filter(ber::Writer& writer, const Filter& filter) {
    if (!filter.empty()) encode_node(writer, filter, 0);
}

}  // namespace sb::ldapproto
