#include <algorithm>
#include <cassert>

#include "ldap/protocol/response.hpp"

namespace sb::ldapproto {

namespace {

using ber::context_tag;

constexpr uint8_t kControls = context_tag(0, true);
constexpr uint8_t kResponseName = context_tag(10, false);
constexpr uint8_t kResponseValue = context_tag(11, false);
// Most entries are 128 .. 65535 bytes: reserving a two-octet length for the outer elements
// means the back-patch rarely has to move the entry.
constexpr size_t kEntrySizeGuess = 256;

void write_result(ber::Writer& w, const LdapResult& r) {
    w.enumerated(static_cast<int64_t>(r.code));
    w.octet_string(r.matched_dn);
    w.octet_string(r.diagnostic_message);
}

void write_controls(ber::Writer& w, std::span<const ResponseControl> controls) {
    if (controls.empty()) return;
    auto m = w.begin(kControls);
    for (const ResponseControl& c : controls)
        encode_control(w, c);
    w.end(m);
}

template <class Body>
void write_message(std::string& out, int32_t message_id, Operation op,
                   std::span<const ResponseControl> controls, Body&& body) {
    ber::Writer w(out);
    auto message = w.begin(ber::tag::kSequence);
    w.integer(message_id);
    auto response = w.begin(operation_tag(op));
    body(w);
    w.end(response);
    write_controls(w, controls);
    w.end(message);
}

}  // namespace

void encode_control(ber::Writer& w, const ResponseControl& control) {
    auto m = w.begin(ber::tag::kSequence);
    std::visit(
        [&](const auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, Control>) {
                w.octet_string(c.type);
                if (c.critical) w.boolean(true);  // DEFAULT FALSE is omitted
                if (c.value) w.octet_string(*c.value);
            } else {
                if constexpr (std::is_same_v<T, PagedResults>) w.octet_string(oid::kPagedResults);
                if constexpr (std::is_same_v<T, SortResponse>) w.octet_string(oid::kSortResponse);
                if constexpr (std::is_same_v<T, VlvResponse>) w.octet_string(oid::kVlvResponse);
                auto value = w.begin(ber::tag::kOctetString);
                if constexpr (std::is_same_v<T, PagedResults>) encode_paged_results(w, c);
                if constexpr (std::is_same_v<T, SortResponse>) encode_sort_response(w, c);
                if constexpr (std::is_same_v<T, VlvResponse>) encode_vlv_response(w, c);
                w.end(value);
            }
        },
        control);
    w.end(m);
}

void encode_result(std::string& out, int32_t message_id, Operation response,
                   const LdapResult& result, std::span<const ResponseControl> controls) {
    assert(response == Operation::bind_response || response == Operation::search_result_done ||
           response == Operation::modify_response || response == Operation::add_response ||
           response == Operation::del_response || response == Operation::modify_dn_response ||
           response == Operation::compare_response);
    write_message(out, message_id, response, controls,
                  [&](ber::Writer& w) { write_result(w, result); });
}

void encode_bind_response(std::string& out, int32_t message_id, const LdapResult& result,
                          std::span<const ResponseControl> controls) {
    encode_result(out, message_id, Operation::bind_response, result, controls);
}

void encode_search_result_done(std::string& out, int32_t message_id, const LdapResult& result,
                               std::span<const ResponseControl> controls) {
    encode_result(out, message_id, Operation::search_result_done, result, controls);
}

void encode_extended_response(std::string& out, int32_t message_id, const LdapResult& result,
                              std::optional<std::string_view> response_name,
                              std::optional<std::string_view> response_value,
                              std::span<const ResponseControl> controls) {
    write_message(out, message_id, Operation::extended_response, controls, [&](ber::Writer& w) {
        write_result(w, result);
        if (response_name) w.octet_string(*response_name, kResponseName);
        if (response_value) w.octet_string(*response_value, kResponseValue);
    });
}

void encode_notice_of_disconnection(std::string& out, ResultCode code,
                                    std::string_view diagnostic_message) {
    encode_extended_response(out, 0, LdapResult{code, {}, diagnostic_message},
                             oid::kNoticeOfDisconnection, std::nullopt);
}

// SearchResultEntry ::= [APPLICATION 4] SEQUENCE { objectName LDAPDN,
//   attributes PartialAttributeList }; PartialAttributeList ::= SEQUENCE OF PartialAttribute
SearchEntryWriter::SearchEntryWriter(std::string& out, int32_t message_id,
                                     std::string_view object_name)
    : w_(out) {
    message_ = w_.begin(ber::tag::kSequence, kEntrySizeGuess);
    w_.integer(message_id);
    entry_ = w_.begin(operation_tag(Operation::search_result_entry), kEntrySizeGuess);
    w_.octet_string(object_name);
    attributes_ = w_.begin(ber::tag::kSequence, kEntrySizeGuess);
}

void SearchEntryWriter::begin_attribute(std::string_view type) {
    attribute_ = w_.begin(ber::tag::kSequence);
    w_.octet_string(type);
    values_ = w_.begin(ber::tag::kSet);
}

void SearchEntryWriter::add_value(std::string_view value) {
    w_.octet_string(value);
}

void SearchEntryWriter::end_attribute() {
    w_.end(values_);
    w_.end(attribute_);
}

void SearchEntryWriter::add_attribute(std::string_view type,
                                      std::span<const std::string_view> values) {
    // All sizes are known: size the attribute once and fill it in place, no back-patching.
    size_t values_size = 0;
    for (std::string_view v : values)
        values_size += ber::element_size(v.size());
    const size_t attribute_size = ber::element_size(type.size()) + ber::element_size(values_size);
    std::string& out = w_.buffer();
    const size_t start = out.size();
    out.resize(start + ber::element_size(attribute_size));
    char* p = ber::write_header(out.data() + start, ber::tag::kSequence, attribute_size);
    p = ber::write_header(p, ber::tag::kOctetString, type.size());
    p = std::copy(type.begin(), type.end(), p);
    p = ber::write_header(p, ber::tag::kSet, values_size);
    for (std::string_view v : values) {
        p = ber::write_header(p, ber::tag::kOctetString, v.size());
        p = std::copy(v.begin(), v.end(), p);
    }
}

void SearchEntryWriter::add_attribute_type(std::string_view type) {
    begin_attribute(type);
    end_attribute();
}

void SearchEntryWriter::finish() {
    w_.end(attributes_);
    w_.end(entry_);
    w_.end(message_);
}

}  // namespace sb::ldapproto
