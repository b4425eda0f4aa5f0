#pragma once
// LDAP controls (RFC 4511 4.1.11) and the typed values of the controls the address book serves:
// Simple Paged Results (RFC 2696), Server-Side Sort (RFC 2891) and Virtual List View
// (draft-ietf-ldapext-ldapv3-vlv-09). Decoded values are views into the control value.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "ldap/ber/writer.hpp"
#include "ldap/protocol/result_code.hpp"

namespace sb::ldapproto {

namespace oid {
inline constexpr std::string_view kPagedResults = "1.2.840.113556.1.4.319";   // RFC 2696
inline constexpr std::string_view kSortRequest = "1.2.840.113556.1.4.473";    // RFC 2891
inline constexpr std::string_view kSortResponse = "1.2.840.113556.1.4.474";   // RFC 2891
inline constexpr std::string_view kVlvRequest = "2.16.840.1.113730.3.4.9";    // VLV draft
inline constexpr std::string_view kVlvResponse = "2.16.840.1.113730.3.4.10";  // VLV draft
inline constexpr std::string_view kManageDsaIt = "2.16.840.1.113730.3.4.2";   // RFC 3296
inline constexpr std::string_view kStartTls = "1.3.6.1.4.1.1466.20037";       // RFC 4511 4.14
inline constexpr std::string_view kNoticeOfDisconnection = "1.3.6.1.4.1.1466.20036";  // 4.4.1
inline constexpr std::string_view kWhoAmI = "1.3.6.1.4.1.4203.1.11.3";                // RFC 4532
inline constexpr std::string_view kPasswordModify = "1.3.6.1.4.1.4203.1.11.1";        // RFC 3062
}  // namespace oid

// Control ::= SEQUENCE { controlType LDAPOID, criticality BOOLEAN DEFAULT FALSE,
//                        controlValue OCTET STRING OPTIONAL }
struct Control {
    std::string_view type;
    bool critical = false;
    std::optional<std::string_view> value;
    bool operator==(const Control&) const = default;
};

// RFC 2696: realSearchControlValue ::= SEQUENCE { size INTEGER (0..maxInt), cookie OCTET STRING }
// The same shape serves the request (page size) and the response (estimate, next cookie).
struct PagedResults {
    int32_t size = 0;
    std::string_view cookie;
    bool operator==(const PagedResults&) const = default;
};

// RFC 2891: SortKeyList ::= SEQUENCE OF SEQUENCE { attributeType AttributeDescription,
//   orderingRule [0] MatchingRuleId OPTIONAL, reverseOrder [1] BOOLEAN DEFAULT FALSE }
struct SortKey {
    std::string_view attribute;
    std::string_view ordering_rule;  // "" when absent
    bool reverse = false;
    bool operator==(const SortKey&) const = default;
};
struct SortRequest {
    std::vector<SortKey> keys;  // at least one
    bool operator==(const SortRequest&) const = default;
};

// RFC 2891: SortResult ::= SEQUENCE { sortResult ENUMERATED, attributeType [0] OPTIONAL }
struct SortResponse {
    ResultCode result = ResultCode::success;
    std::optional<std::string_view> attribute;
    bool operator==(const SortResponse&) const = default;
};

// VLV draft 6.1: VirtualListViewRequest ::= SEQUENCE { beforeCount INTEGER (0..maxInt),
//   afterCount INTEGER (0..maxInt), target CHOICE { byOffset [0] SEQUENCE { offset INTEGER,
//   contentCount INTEGER }, greaterThanOrEqual [1] AssertionValue }, contextID OCTET STRING
//   OPTIONAL }
struct VlvRequest {
    enum class Target : uint8_t { by_offset, greater_than_or_equal };
    int32_t before_count = 0;
    int32_t after_count = 0;
    Target target = Target::by_offset;
    int32_t offset = 0;                // by_offset: 1-based position; 0 also occurs (see draft)
    int32_t content_count = 0;         // by_offset: the client's estimate, 0 if unknown
    std::string_view assertion_value;  // greater_than_or_equal
    std::optional<std::string_view> context_id;
    bool operator==(const VlvRequest&) const = default;
};

// VLV draft 6.2: VirtualListViewResponse ::= SEQUENCE { targetPosition INTEGER (0..maxInt),
//   contentCount INTEGER (0..maxInt), virtualListViewResult ENUMERATED, contextID OPTIONAL }
struct VlvResponse {
    int32_t target_position = 0;
    int32_t content_count = 0;
    ResultCode result = ResultCode::success;
    std::optional<std::string_view> context_id;
    bool operator==(const VlvResponse&) const = default;
};

// Decoders of control values (the contents of controlValue). Errors are parse_error, or
// limit_exceeded for more than `max_keys` sort keys.
Result<PagedResults> decode_paged_results(std::string_view value);
Result<SortRequest> decode_sort_request(std::string_view value, uint32_t max_keys);
Result<VlvRequest> decode_vlv_request(std::string_view value);
Result<SortResponse> decode_sort_response(std::string_view value);
Result<VlvResponse> decode_vlv_response(std::string_view value);

// Encoders of control values (BER of the value alone, not the Control around it).
void encode_paged_results(ber::Writer& w, const PagedResults& v);
void encode_sort_request(ber::Writer& w, const SortRequest& v);
void encode_vlv_request(ber::Writer& w, const VlvRequest& v);
void encode_sort_response(ber::Writer& w, const SortResponse& v);
void encode_vlv_response(ber::Writer& w, const VlvResponse& v);

}  // namespace sb::ldapproto
