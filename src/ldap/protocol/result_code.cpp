#include "ldap/protocol/result_code.hpp"

namespace sb::ldapproto {

std::string_view result_code_name(ResultCode code) {
    switch (code) {
        case ResultCode::success:
            return "success";
        case ResultCode::operations_error:
            return "operationsError";
        case ResultCode::protocol_error:
            return "protocolError";
        case ResultCode::time_limit_exceeded:
            return "timeLimitExceeded";
        case ResultCode::size_limit_exceeded:
            return "sizeLimitExceeded";
        case ResultCode::compare_false:
            return "compareFalse";
        case ResultCode::compare_true:
            return "compareTrue";
        case ResultCode::auth_method_not_supported:
            return "authMethodNotSupported";
        case ResultCode::stronger_auth_required:
            return "strongerAuthRequired";
        case ResultCode::referral:
            return "referral";
        case ResultCode::admin_limit_exceeded:
            return "adminLimitExceeded";
        case ResultCode::unavailable_critical_extension:
            return "unavailableCriticalExtension";
        case ResultCode::confidentiality_required:
            return "confidentialityRequired";
        case ResultCode::sasl_bind_in_progress:
            return "saslBindInProgress";
        case ResultCode::no_such_attribute:
            return "noSuchAttribute";
        case ResultCode::undefined_attribute_type:
            return "undefinedAttributeType";
        case ResultCode::inappropriate_matching:
            return "inappropriateMatching";
        case ResultCode::constraint_violation:
            return "constraintViolation";
        case ResultCode::attribute_or_value_exists:
            return "attributeOrValueExists";
        case ResultCode::invalid_attribute_syntax:
            return "invalidAttributeSyntax";
        case ResultCode::no_such_object:
            return "noSuchObject";
        case ResultCode::alias_problem:
            return "aliasProblem";
        case ResultCode::invalid_dn_syntax:
            return "invalidDNSyntax";
        case ResultCode::alias_dereferencing_problem:
            return "aliasDereferencingProblem";
        case ResultCode::inappropriate_authentication:
            return "inappropriateAuthentication";
        case ResultCode::invalid_credentials:
            return "invalidCredentials";
        case ResultCode::insufficient_access_rights:
            return "insufficientAccessRights";
        case ResultCode::busy:
            return "busy";
        case ResultCode::unavailable:
            return "unavailable";
        case ResultCode::unwilling_to_perform:
            return "unwillingToPerform";
        case ResultCode::loop_detect:
            return "loopDetect";
        case ResultCode::sort_control_missing:
            return "sortControlMissing";
        case ResultCode::offset_range_error:
            return "offsetRangeError";
        case ResultCode::naming_violation:
            return "namingViolation";
        case ResultCode::object_class_violation:
            return "objectClassViolation";
        case ResultCode::not_allowed_on_non_leaf:
            return "notAllowedOnNonLeaf";
        case ResultCode::not_allowed_on_rdn:
            return "notAllowedOnRDN";
        case ResultCode::entry_already_exists:
            return "entryAlreadyExists";
        case ResultCode::object_class_mods_prohibited:
            return "objectClassModsProhibited";
        case ResultCode::affects_multiple_dsas:
            return "affectsMultipleDSAs";
        case ResultCode::other:
            return "other";
    }
    return "unknown";
}

}  // namespace sb::ldapproto
