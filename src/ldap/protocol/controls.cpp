#include "ldap/protocol/controls.hpp"

#include <string>

#include "ldap/ber/reader.hpp"

namespace sb::ldapproto {

namespace {

using ber::context_tag;
using ber::Reader;

constexpr int64_t kMaxInt = 2147483647;  // RFC 4511 4.1.1 maxInt
constexpr uint8_t kOrderingRule = context_tag(0, false);
constexpr uint8_t kReverseOrder = context_tag(1, false);
constexpr uint8_t kSortAttribute = context_tag(0, false);
constexpr uint8_t kByOffset = context_tag(0, true);
constexpr uint8_t kGreaterThanOrEqual = context_tag(1, false);

Result<int32_t> read_count(Reader& r) {
    SB_TRY_ASSIGN(auto v, r.read_integer_in(0, kMaxInt));
    return static_cast<int32_t>(v);
}

// Result codes travel as ENUMERATED; only values that fit the enum's range are kept as is.
Result<ResultCode> read_result_code(Reader& r) {
    SB_TRY_ASSIGN(auto v, r.read_integer_in(0, kMaxInt, ber::tag::kEnumerated));
    return static_cast<ResultCode>(v);
}

}  // namespace

Result<PagedResults> decode_paged_results(std::string_view value) {
    Reader outer(value);
    SB_TRY_ASSIGN(auto r, outer.enter());
    SB_TRY(outer.expect_end());
    PagedResults p;
    SB_TRY_ASSIGN(auto size, read_count(r));
    SB_TRY_ASSIGN(auto cookie, r.read_octet_string());
    SB_TRY(r.expect_end());
    p.size = size;
    p.cookie = cookie;
    return p;
}

Result<SortRequest> decode_sort_request(std::string_view value, uint32_t max_keys) {
    Reader outer(value);
    SB_TRY_ASSIGN(auto list, outer.enter());
    SB_TRY(outer.expect_end());
    SortRequest s;
    while (!list.at_end()) {
        if (s.keys.size() >= max_keys)
            return fail(Errc::limit_exceeded,
                        "sort request with more than " + std::to_string(max_keys) + " keys");
        SB_TRY_ASSIGN(auto k, list.enter());
        SortKey key;
        SB_TRY_ASSIGN(auto attribute, k.read_octet_string());
        key.attribute = attribute;
        if (k.next_is(kOrderingRule)) {
            SB_TRY_ASSIGN(auto rule, k.read(kOrderingRule));
            key.ordering_rule = rule;
        }
        if (k.next_is(kReverseOrder)) {
            SB_TRY_ASSIGN(auto reverse, k.read_boolean(kReverseOrder));
            key.reverse = reverse;
        }
        SB_TRY(k.expect_end());
        s.keys.push_back(key);
    }
    // RFC 2891 1.1: SEQUENCE OF with at least one key to sort on.
    if (s.keys.empty()) return fail(Errc::parse_error, "sort request without keys");
    return s;
}

Result<VlvRequest> decode_vlv_request(std::string_view value) {
    Reader outer(value);
    SB_TRY_ASSIGN(auto r, outer.enter());
    SB_TRY(outer.expect_end());
    VlvRequest v;
    SB_TRY_ASSIGN(auto before, read_count(r));
    SB_TRY_ASSIGN(auto after, read_count(r));
    v.before_count = before;
    v.after_count = after;
    if (r.next_is(kByOffset)) {
        SB_TRY_ASSIGN(auto t, r.enter(kByOffset));
        SB_TRY_ASSIGN(auto offset, read_count(t));
        SB_TRY_ASSIGN(auto content_count, read_count(t));
        SB_TRY(t.expect_end());
        v.target = VlvRequest::Target::by_offset;
        v.offset = offset;
        v.content_count = content_count;
    } else if (r.next_is(kGreaterThanOrEqual)) {
        SB_TRY_ASSIGN(auto assertion, r.read(kGreaterThanOrEqual));
        v.target = VlvRequest::Target::greater_than_or_equal;
        v.assertion_value = assertion;
    } else {
        return fail(Errc::parse_error, "VLV request: unknown target");
    }
    if (!r.at_end()) {
        SB_TRY_ASSIGN(auto context, r.read_octet_string());
        v.context_id = context;
    }
    SB_TRY(r.expect_end());
    return v;
}

Result<SortResponse> decode_sort_response(std::string_view value) {
    Reader outer(value);
    SB_TRY_ASSIGN(auto r, outer.enter());
    SB_TRY(outer.expect_end());
    SortResponse s;
    SB_TRY_ASSIGN(auto code, read_result_code(r));
    s.result = code;
    if (r.next_is(kSortAttribute)) {
        SB_TRY_ASSIGN(auto attribute, r.read(kSortAttribute));
        s.attribute = attribute;
    }
    SB_TRY(r.expect_end());
    return s;
}

Result<VlvResponse> decode_vlv_response(std::string_view value) {
    Reader outer(value);
    SB_TRY_ASSIGN(auto r, outer.enter());
    SB_TRY(outer.expect_end());
    VlvResponse v;
    SB_TRY_ASSIGN(auto position, read_count(r));
    SB_TRY_ASSIGN(auto content_count, read_count(r));
    SB_TRY_ASSIGN(auto code, read_result_code(r));
    v.target_position = position;
    v.content_count = content_count;
    v.result = code;
    if (!r.at_end()) {
        SB_TRY_ASSIGN(auto context, r.read_octet_string());
        v.context_id = context;
    }
    SB_TRY(r.expect_end());
    return v;
}

void encode_paged_results(ber::Writer& w, const PagedResults& v) {
    auto m = w.begin(ber::tag::kSequence);
    w.integer(v.size);
    w.octet_string(v.cookie);
    w.end(m);
}

void encode_sort_request(ber::Writer& w, const SortRequest& v) {
    auto list = w.begin(ber::tag::kSequence);
    for (const SortKey& k : v.keys) {
        auto m = w.begin(ber::tag::kSequence);
        w.octet_string(k.attribute);
        if (!k.ordering_rule.empty()) w.octet_string(k.ordering_rule, kOrderingRule);
        if (k.reverse) w.boolean(true, kReverseOrder);  // DEFAULT FALSE is omitted (X.690 11.5)
        w.end(m);
    }
    w.end(list);
}

void encode_vlv_request(ber::Writer& w, const VlvRequest& v) {
    auto m = w.begin(ber::tag::kSequence);
    w.integer(v.before_count);
    w.integer(v.after_count);
    if (v.target == VlvRequest::Target::by_offset) {
        auto t = w.begin(kByOffset);
        w.integer(v.offset);
        w.integer(v.content_count);
        w.end(t);
    } else {
        w.octet_string(v.assertion_value, kGreaterThanOrEqual);
    }
    if (v.context_id) w.octet_string(*v.context_id);
    w.end(m);
}

void encode_sort_response(ber::Writer& w, const SortResponse& v) {
    auto m = w.begin(ber::tag::kSequence);
    w.enumerated(static_cast<int64_t>(v.result));
    if (v.attribute) w.octet_string(*v.attribute, kSortAttribute);
    w.end(m);
}

void encode_vlv_response(ber::Writer& w, const VlvResponse& v) {
    auto m = w.begin(ber::tag::kSequence);
    w.integer(v.target_position);
    w.integer(v.content_count);
    w.enumerated(static_cast<int64_t>(v.result));
    if (v.context_id) w.octet_string(*v.context_id);
    w.end(m);
}

}  // namespace sb::ldapproto
