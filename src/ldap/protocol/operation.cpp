#include "ldap/ber/tag.hpp"
#include "ldap/protocol/message.hpp"

namespace sb::ldapproto {

namespace {

// RFC 4511 4.3, 4.8, 4.11: these are primitive (NULL, LDAPDN, MessageID); all others SEQUENCEs.
constexpr bool is_primitive(Operation op) {
    return op == Operation::unbind_request || op == Operation::del_request ||
           op == Operation::abandon_request;
}

}  // namespace

std::string_view operation_name(Operation op) {
    switch (op) {
        case Operation::bind_request:
            return "bindRequest";
        case Operation::bind_response:
            return "bindResponse";
        case Operation::unbind_request:
            return "unbindRequest";
        case Operation::search_request:
            return "searchRequest";
        case Operation::search_result_entry:
            return "searchResEntry";
        case Operation::search_result_done:
            return "searchResDone";
        case Operation::modify_request:
            return "modifyRequest";
        case Operation::modify_response:
            return "modifyResponse";
        case Operation::add_request:
            return "addRequest";
        case Operation::add_response:
            return "addResponse";
        case Operation::del_request:
            return "delRequest";
        case Operation::del_response:
            return "delResponse";
        case Operation::modify_dn_request:
            return "modDNRequest";
        case Operation::modify_dn_response:
            return "modDNResponse";
        case Operation::compare_request:
            return "compareRequest";
        case Operation::compare_response:
            return "compareResponse";
        case Operation::abandon_request:
            return "abandonRequest";
        case Operation::search_result_reference:
            return "searchResRef";
        case Operation::extended_request:
            return "extendedReq";
        case Operation::extended_response:
            return "extendedResp";
        case Operation::intermediate_response:
            return "intermediateResponse";
    }
    return "unknown";
}

uint8_t operation_tag(Operation op) {
    return ber::application_tag(static_cast<uint8_t>(op), !is_primitive(op));
}

std::optional<Operation> operation_from_tag(uint8_t tag) {
    if (ber::tag_class(tag) != ber::TagClass::application) return std::nullopt;
    const uint8_t number = ber::tag_number(tag);
    if ((number >= 17 && number <= 18) || (number >= 20 && number <= 22) || number > 25)
        return std::nullopt;
    const auto op = static_cast<Operation>(number);
    if (operation_tag(op) != tag) return std::nullopt;
    return op;
}

Operation Message::operation() const {
    static constexpr Operation kByIndex[] = {
        Operation::bind_request,      Operation::unbind_request,  Operation::search_request,
        Operation::modify_request,    Operation::add_request,     Operation::del_request,
        Operation::modify_dn_request, Operation::compare_request, Operation::abandon_request,
        Operation::extended_request,
    };
    return kByIndex[request.index()];
}

}  // namespace sb::ldapproto
