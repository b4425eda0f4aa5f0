#include "ldap/protocol/result_code.hpp"

namespace sb::ldapproto {

namespace {

struct NamedCode {
    ResultCode code;
    std::string_view name;
};

constexpr NamedCode kNames[] = {
    {ResultCode::success, "success"},
    {ResultCode::operations_error, "operationsError"},
    {ResultCode::protocol_error, "protocolError"},
    {ResultCode::time_limit_exceeded, "timeLimitExceeded"},
    {ResultCode::size_limit_exceeded, "sizeLimitExceeded"},
    {ResultCode::compare_false, "compareFalse"},
    {ResultCode::compare_true, "compareTrue"},
    {ResultCode::auth_method_not_supported, "authMethodNotSupported"},
    {ResultCode::stronger_auth_required, "strongerAuthRequired"},
    {ResultCode::referral, "referral"},
    {ResultCode::admin_limit_exceeded, "adminLimitExceeded"},
    {ResultCode::unavailable_critical_extension, "unavailableCriticalExtension"},
    {ResultCode::confidentiality_required, "confidentialityRequired"},
    {ResultCode::sasl_bind_in_progress, "saslBindInProgress"},
    {ResultCode::no_such_attribute, "noSuchAttribute"},
    {ResultCode::undefined_attribute_type, "undefinedAttributeType"},
    {ResultCode::inappropriate_matching, "inappropriateMatching"},
    {ResultCode::constraint_violation, "constraintViolation"},
    {ResultCode::attribute_or_value_exists, "attributeOrValueExists"},
    {ResultCode::invalid_attribute_syntax, "invalidAttributeSyntax"},
    {ResultCode::no_such_object, "noSuchObject"},
    {ResultCode::alias_problem, "aliasProblem"},
    {ResultCode::invalid_dn_syntax, "invalidDNSyntax"},
    {ResultCode::alias_dereferencing_problem, "aliasDereferencingProblem"},
    {ResultCode::inappropriate_authentication, "inappropriateAuthentication"},
    {ResultCode::invalid_credentials, "invalidCredentials"},
    {ResultCode::insufficient_access_rights, "insufficientAccessRights"},
    {ResultCode::busy, "busy"},
    {ResultCode::unavailable, "unavailable"},
    {ResultCode::unwilling_to_perform, "unwillingToPerform"},
    {ResultCode::loop_detect, "loopDetect"},
    {ResultCode::sort_control_missing, "sortControlMissing"},
    {ResultCode::offset_range_error, "offsetRangeError"},
    {ResultCode::naming_violation, "namingViolation"},
    {ResultCode::object_class_violation, "objectClassViolation"},
    {ResultCode::not_allowed_on_non_leaf, "notAllowedOnNonLeaf"},
    {ResultCode::not_allowed_on_rdn, "notAllowedOnRDN"},
    {ResultCode::entry_already_exists, "entryAlreadyExists"},
    {ResultCode::object_class_mods_prohibited, "objectClassModsProhibited"},
    {ResultCode::affects_multiple_dsas, "affectsMultipleDSAs"},
    {ResultCode::other, "other"},
};

}  // namespace

std::string_view result_code_name(ResultCode code) {
    for (const auto& n : kNames)
        if (n.code == code) return n.name;
    return "unknown";
}

}  // namespace sb::ldapproto
