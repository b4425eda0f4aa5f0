// LDAPMessage ::= SEQUENCE { messageID MessageID, protocolOp CHOICE { ... },
//                            controls [0] Controls OPTIONAL }      (RFC 4511 4.1.1)
#include <algorithm>
#include <string>

#include "ldap/ber/reader.hpp"
#include "ldap/protocol/message.hpp"

namespace sb::ldapproto {

namespace {

using ber::application_tag;
using ber::context_tag;
using ber::Reader;

constexpr uint8_t kControls = context_tag(0, true);
constexpr uint8_t kSimple = context_tag(0, false);
constexpr uint8_t kSasl = context_tag(3, true);
constexpr uint8_t kNewSuperior = context_tag(0, false);
constexpr uint8_t kRequestName = context_tag(0, false);
constexpr uint8_t kRequestValue = context_tag(1, false);

tl::unexpected<Error> malformed(std::string_view what) {
    return fail(Errc::parse_error, std::string(what));
}

Result<int32_t> read_message_id(Reader& r) {
    SB_TRY_ASSIGN(auto id, r.read_integer());
    if (id < 0 || id > kMaxInt) return malformed("messageID out of range");
    return static_cast<int32_t>(id);
}

Result<BindRequest> decode_bind(Reader& r) {
    BindRequest b;
    SB_TRY_ASSIGN(auto version, r.read_integer_in(1, 127));
    SB_TRY_ASSIGN(auto name, r.read_octet_string());
    SB_TRY_ASSIGN(auto auth, r.read_any());
    SB_TRY(r.expect_end());
    b.version = static_cast<int32_t>(version);
    b.name = name;
    b.auth_tag = auth.tag;
    if (auth.tag == kSimple) {
        b.method = BindRequest::Method::simple;
        b.password = auth.contents;
    } else if (auth.tag == kSasl) {
        // SaslCredentials ::= SEQUENCE { mechanism LDAPString, credentials OCTET STRING OPTIONAL }
        b.method = BindRequest::Method::sasl;
        Reader sasl(auth.contents);
        SB_TRY_ASSIGN(auto mechanism, sasl.read_octet_string());
        b.sasl_mechanism = mechanism;
        if (!sasl.at_end()) {
            SB_TRY_ASSIGN(auto credentials, sasl.read_octet_string());
            b.sasl_credentials = credentials;
        }
        SB_TRY(sasl.expect_end());
    } else if (ber::tag_class(auth.tag) == ber::TagClass::context) {
        b.method = BindRequest::Method::other;  // [1], [2] reserved; later extensions
    } else {
        return malformed("bind: authentication is not a context-specific choice");
    }
    return b;
}

Result<SearchRequest> decode_search(Reader& r, const Limits& limits) {
    SearchRequest s;
    SB_TRY_ASSIGN(auto base, r.read_octet_string());
    SB_TRY_ASSIGN(auto scope, r.read_enumerated());
    if (scope < 0 || scope > 3) return malformed("search: unknown scope");
    SB_TRY_ASSIGN(auto deref, r.read_enumerated());
    if (deref < 0 || deref > 3) return malformed("search: unknown derefAliases");
    SB_TRY_ASSIGN(auto size_limit, r.read_integer_in(0, kMaxInt));
    SB_TRY_ASSIGN(auto time_limit, r.read_integer_in(0, kMaxInt));
    SB_TRY_ASSIGN(auto types_only, r.read_boolean());
    SB_TRY(decode_filter(r, limits.filter, s.filter));
    SB_TRY_ASSIGN(auto attributes, r.enter(ber::tag::kSequence));
    SB_TRY(r.expect_end());
    s.attributes.reserve(std::min<size_t>(attributes.count_elements(), limits.max_attributes));
    while (!attributes.at_end()) {
        if (s.attributes.size() >= limits.max_attributes)
            return fail(Errc::limit_exceeded, "search: more than " +
                                                  std::to_string(limits.max_attributes) +
                                                  " attributes requested");
        SB_TRY_ASSIGN(auto a, attributes.read_octet_string());
        s.attributes.push_back(a);
    }
    s.base_object = base;
    s.scope = static_cast<SearchScope>(scope);
    s.deref_aliases = static_cast<DerefAliases>(deref);
    s.size_limit = static_cast<int32_t>(size_limit);
    s.time_limit = static_cast<int32_t>(time_limit);
    s.types_only = types_only;
    return s;
}

// PartialAttribute ::= SEQUENCE { type AttributeDescription, vals SET OF AttributeValue }
// Attribute (Add) is the same with at least one value. Counts the values into `values`.
Result<void> validate_attribute(Reader& r, bool needs_value, uint32_t& values,
                                const Limits& limits) {
    SB_TRY_ASSIGN(auto a, r.enter(ber::tag::kSequence));
    SB_TRY_ASSIGN(auto type, a.read_octet_string());
    SB_TRY_ASSIGN(auto vals, a.enter(ber::tag::kSet));
    SB_TRY(a.expect_end());
    if (type.empty()) return malformed("attribute without a type");
    uint32_t here = 0;
    while (!vals.at_end()) {
        if (++values > limits.max_values)
            return fail(Errc::limit_exceeded,
                        "more than " + std::to_string(limits.max_values) + " attribute values");
        SB_TRY(vals.read_octet_string());
        ++here;
    }
    if (needs_value && here == 0) return malformed("attribute without values");
    return {};
}

Result<ModifyRequest> decode_modify(Reader& r, const Limits& limits) {
    ModifyRequest m;
    SB_TRY_ASSIGN(auto object, r.read_octet_string());
    SB_TRY_ASSIGN(auto changes, r.enter(ber::tag::kSequence));
    SB_TRY(r.expect_end());
    uint32_t values = 0;
    while (!changes.at_end()) {
        if (m.change_count >= limits.max_attributes)
            return fail(Errc::limit_exceeded, "modify: too many changes");
        SB_TRY_ASSIGN(auto change, changes.enter(ber::tag::kSequence));
        // operation ENUMERATED { add (0), delete (1), replace (2), ... }; increment (3) is
        // RFC 4525.
        SB_TRY_ASSIGN(auto operation, change.read_enumerated());
        if (operation < 0 || operation > 3) return malformed("modify: unknown operation");
        SB_TRY(validate_attribute(change, false, values, limits));
        SB_TRY(change.expect_end());
        ++m.change_count;
    }
    m.object = object;
    return m;
}

Result<AddRequest> decode_add(Reader& r, const Limits& limits) {
    AddRequest a;
    SB_TRY_ASSIGN(auto entry, r.read_octet_string());
    SB_TRY_ASSIGN(auto attributes, r.enter(ber::tag::kSequence));
    SB_TRY(r.expect_end());
    uint32_t values = 0;
    while (!attributes.at_end()) {
        if (a.attribute_count >= limits.max_attributes)
            return fail(Errc::limit_exceeded, "add: too many attributes");
        SB_TRY(validate_attribute(attributes, true, values, limits));
        ++a.attribute_count;
    }
    a.entry = entry;
    return a;
}

Result<ModifyDNRequest> decode_modify_dn(Reader& r) {
    ModifyDNRequest m;
    SB_TRY_ASSIGN(auto entry, r.read_octet_string());
    SB_TRY_ASSIGN(auto new_rdn, r.read_octet_string());
    SB_TRY_ASSIGN(auto delete_old, r.read_boolean());
    m.entry = entry;
    m.new_rdn = new_rdn;
    m.delete_old_rdn = delete_old;
    if (!r.at_end()) {
        SB_TRY_ASSIGN(auto superior, r.read(kNewSuperior));
        m.new_superior = superior;
    }
    SB_TRY(r.expect_end());
    return m;
}

Result<CompareRequest> decode_compare(Reader& r) {
    CompareRequest c;
    SB_TRY_ASSIGN(auto entry, r.read_octet_string());
    SB_TRY_ASSIGN(auto ava, r.enter(ber::tag::kSequence));
    SB_TRY(r.expect_end());
    SB_TRY_ASSIGN(auto attribute, ava.read_octet_string());
    SB_TRY_ASSIGN(auto value, ava.read_octet_string());
    SB_TRY(ava.expect_end());
    c.entry = entry;
    c.attribute = attribute;
    c.value = value;
    return c;
}

Result<ExtendedRequest> decode_extended(Reader& r) {
    ExtendedRequest e;
    SB_TRY_ASSIGN(auto name, r.read(kRequestName));
    e.name = name;
    if (!r.at_end()) {
        SB_TRY_ASSIGN(auto value, r.read(kRequestValue));
        e.value = value;
    }
    SB_TRY(r.expect_end());
    return e;
}

Result<Request> decode_request(const ber::Element& op, const Limits& limits) {
    const auto kind = operation_from_tag(op.tag);
    if (!kind) return malformed("unknown protocolOp");
    Reader r(op.contents);
    switch (*kind) {
        case Operation::bind_request:
            return decode_bind(r);
        case Operation::unbind_request:
            // UnbindRequest ::= [APPLICATION 2] NULL
            if (!op.contents.empty()) return malformed("unbind with contents");
            return UnbindRequest{};
        case Operation::search_request:
            return decode_search(r, limits);
        case Operation::modify_request:
            return decode_modify(r, limits);
        case Operation::add_request:
            return decode_add(r, limits);
        case Operation::del_request:
            return DelRequest{op.contents};
        case Operation::modify_dn_request:
            return decode_modify_dn(r);
        case Operation::compare_request:
            return decode_compare(r);
        case Operation::abandon_request: {
            SB_TRY_ASSIGN(auto id, ber::decode_integer(op.contents));
            if (id < 0 || id > kMaxInt) return malformed("abandon: messageID out of range");
            return AbandonRequest{static_cast<int32_t>(id)};
        }
        case Operation::extended_request:
            return decode_extended(r);
        default:
            return malformed("protocolOp is not a request");
    }
}

Result<void> decode_controls(Reader& r, const Limits& limits, std::vector<Control>& out) {
    while (!r.at_end()) {
        if (out.size() >= limits.max_controls)
            return fail(Errc::limit_exceeded,
                        "more than " + std::to_string(limits.max_controls) + " controls");
        SB_TRY_ASSIGN(auto c, r.enter(ber::tag::kSequence));
        Control control;
        SB_TRY_ASSIGN(auto type, c.read_octet_string());
        control.type = type;
        if (c.next_is(ber::tag::kBoolean)) {
            SB_TRY_ASSIGN(auto critical, c.read_boolean());
            control.critical = critical;
        }
        if (!c.at_end()) {
            SB_TRY_ASSIGN(auto value, c.read_octet_string());
            control.value = value;
        }
        SB_TRY(c.expect_end());
        out.push_back(control);
    }
    return {};
}

}  // namespace

Result<ber::Frame> frame_message(std::string_view received, const Limits& limits) {
    if (!received.empty() && static_cast<uint8_t>(received[0]) != ber::tag::kSequence)
        return malformed("LDAPMessage must start with a SEQUENCE");
    return ber::frame(received, limits.max_message_size);
}

Result<Message> decode_message(std::string_view frame, const Limits& limits) {
    if (frame.size() > limits.max_message_size)
        return fail(Errc::limit_exceeded, "LDAPMessage larger than the message size limit");
    Reader whole(frame);
    SB_TRY_ASSIGN(auto r, whole.enter(ber::tag::kSequence));
    SB_TRY(whole.expect_end());
    Message m;
    SB_TRY_ASSIGN(auto id, read_message_id(r));
    if (id == 0) return malformed("messageID 0 is reserved for unsolicited notifications");
    SB_TRY_ASSIGN(auto op, r.read_any());
    SB_TRY_ASSIGN(auto request, decode_request(op, limits));
    if (!r.at_end()) {
        SB_TRY_ASSIGN(auto controls, r.enter(kControls));
        SB_TRY(decode_controls(controls, limits, m.controls));
    }
    SB_TRY(r.expect_end());
    m.message_id = id;
    m.request = std::move(request);
    return m;
}

Result<MessageHeader> decode_header(std::string_view frame) {
    Reader whole(frame);
    SB_TRY_ASSIGN(auto r, whole.enter(ber::tag::kSequence));
    MessageHeader h;
    SB_TRY_ASSIGN(auto id, read_message_id(r));
    h.message_id = id;
    if (auto tag = r.peek_tag()) h.operation = operation_from_tag(*tag);
    return h;
}

}  // namespace sb::ldapproto
