#pragma once
// Client requests of LDAPv3 (RFC 4511 4): framing and decoding. A decoded Message holds views
// into the frame it was decoded from; keep the frame alive (and unmoved) while using it.
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "ldap/ber/framer.hpp"
#include "ldap/protocol/controls.hpp"
#include "ldap/protocol/filter.hpp"
#include "ldap/protocol/limits.hpp"

namespace sb::ldapproto {

inline constexpr int32_t kMaxInt = 2147483647;  // RFC 4511 4.1.1

// protocolOp CHOICE: the APPLICATION tag numbers of RFC 4511 4.2 - 4.14.
enum class Operation : uint8_t {
    bind_request = 0,
    bind_response = 1,
    unbind_request = 2,
    search_request = 3,
    search_result_entry = 4,
    search_result_done = 5,
    modify_request = 6,
    modify_response = 7,
    add_request = 8,
    add_response = 9,
    del_request = 10,
    del_response = 11,
    modify_dn_request = 12,
    modify_dn_response = 13,
    compare_request = 14,
    compare_response = 15,
    abandon_request = 16,
    search_result_reference = 19,
    extended_request = 23,
    extended_response = 24,
    intermediate_response = 25,
};

// "searchRequest" etc., "unknown" otherwise.
std::string_view operation_name(Operation op);
// The identifier octet an operation is encoded with (constructed except for Unbind, Del and
// Abandon requests), and the inverse (nullopt for anything that is not an operation).
uint8_t operation_tag(Operation op);
std::optional<Operation> operation_from_tag(uint8_t tag);

// RFC 4511 4.2. AuthenticationChoice ::= CHOICE { simple [0], sasl [3], ... }; any other choice
// decodes as `other` so the server can answer authMethodNotSupported rather than protocolError.
struct BindRequest {
    enum class Method : uint8_t { simple, sasl, other };
    int32_t version = 3;  // INTEGER (1 .. 127)
    std::string_view name;
    Method method = Method::simple;
    uint8_t auth_tag = 0x80;          // identifier octet of the authentication choice
    std::string_view password;        // simple
    std::string_view sasl_mechanism;  // sasl
    std::optional<std::string_view> sasl_credentials;  // sasl
    bool operator==(const BindRequest&) const = default;
};

struct UnbindRequest {  // RFC 4511 4.3
    bool operator==(const UnbindRequest&) const = default;
};

enum class SearchScope : uint8_t {
    base_object = 0,
    single_level = 1,
    whole_subtree = 2,
    subordinate_subtree = 3,  // draft-sermersheim-ldap-subordinate-scope, sent by some clients
};
enum class DerefAliases : uint8_t { never = 0, in_searching = 1, finding_base_obj = 2, always = 3 };

struct SearchRequest {  // RFC 4511 4.5.1
    std::string_view base_object;
    SearchScope scope = SearchScope::base_object;
    DerefAliases deref_aliases = DerefAliases::never;
    int32_t size_limit = 0;  // 0 = no client limit
    int32_t time_limit = 0;  // seconds, 0 = no client limit
    bool types_only = false;
    Filter filter;
    std::vector<std::string_view> attributes;  // AttributeSelection, as sent
    bool operator==(const SearchRequest&) const = default;
};

// Update operations are refused by the address book, but still validated in full so a malformed
// one is a protocolError; only what a refusal needs is kept.
struct ModifyRequest {  // RFC 4511 4.6
    std::string_view object;
    uint32_t change_count = 0;
    bool operator==(const ModifyRequest&) const = default;
};
struct AddRequest {  // RFC 4511 4.7
    std::string_view entry;
    uint32_t attribute_count = 0;
    bool operator==(const AddRequest&) const = default;
};
struct DelRequest {  // RFC 4511 4.8
    std::string_view entry;
    bool operator==(const DelRequest&) const = default;
};
struct ModifyDNRequest {  // RFC 4511 4.9
    std::string_view entry;
    std::string_view new_rdn;
    bool delete_old_rdn = false;
    std::optional<std::string_view> new_superior;
    bool operator==(const ModifyDNRequest&) const = default;
};
struct CompareRequest {  // RFC 4511 4.10
    std::string_view entry;
    std::string_view attribute;
    std::string_view value;
    bool operator==(const CompareRequest&) const = default;
};
struct AbandonRequest {  // RFC 4511 4.11
    int32_t message_id = 0;
    bool operator==(const AbandonRequest&) const = default;
};
struct ExtendedRequest {  // RFC 4511 4.12
    std::string_view name;
    std::optional<std::string_view> value;
    bool operator==(const ExtendedRequest&) const = default;
};

using Request =
    std::variant<BindRequest, UnbindRequest, SearchRequest, ModifyRequest, AddRequest, DelRequest,
                 ModifyDNRequest, CompareRequest, AbandonRequest, ExtendedRequest>;

struct Message {
    int32_t message_id = 0;  // 1 .. maxInt (0 is reserved for unsolicited notifications)
    Request request;
    std::vector<Control> controls;

    Operation operation() const;
    bool operator==(const Message&) const = default;
};

// What can be learnt from a message that failed to decode, to answer it: the message id, and
// the operation when its tag is a known one.
struct MessageHeader {
    int32_t message_id = 0;
    std::optional<Operation> operation;
};

// Frames the next LDAPMessage in `received` (a SEQUENCE, RFC 4511 4.1.1). Anything that is not
// a SEQUENCE fails at the first byte; a message larger than limits.max_message_size fails as
// soon as its length is known.
Result<ber::Frame> frame_message(std::string_view received, const Limits& limits);

// Decodes one complete client request (exactly `frame`, as found by frame_message). Errors:
// parse_error (malformed: answer protocolError), limit_exceeded (past `limits`).
Result<Message> decode_message(std::string_view frame, const Limits& limits);

// Reads only the messageID and protocolOp tag, for answering a message decode_message rejected.
Result<MessageHeader> decode_header(std::string_view frame);

}  // namespace sb::ldapproto
