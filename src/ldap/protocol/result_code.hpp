#pragma once
// LDAP resultCode values: RFC 4511 4.1.9 and Appendix A, plus the VLV codes of
// draft-ietf-ldapext-ldapv3-vlv-09 (60, 61).
#include <cstdint>
#include <string_view>

namespace sb::ldapproto {

enum class ResultCode : int32_t {
    success = 0,
    operations_error = 1,
    protocol_error = 2,
    time_limit_exceeded = 3,
    size_limit_exceeded = 4,
    compare_false = 5,
    compare_true = 6,
    auth_method_not_supported = 7,
    stronger_auth_required = 8,
    referral = 10,
    admin_limit_exceeded = 11,
    unavailable_critical_extension = 12,
    confidentiality_required = 13,
    sasl_bind_in_progress = 14,
    no_such_attribute = 16,
    undefined_attribute_type = 17,
    inappropriate_matching = 18,
    constraint_violation = 19,
    attribute_or_value_exists = 20,
    invalid_attribute_syntax = 21,
    no_such_object = 32,
    alias_problem = 33,
    invalid_dn_syntax = 34,
    alias_dereferencing_problem = 36,
    inappropriate_authentication = 48,
    invalid_credentials = 49,
    insufficient_access_rights = 50,
    busy = 51,
    unavailable = 52,
    unwilling_to_perform = 53,
    loop_detect = 54,
    sort_control_missing = 60,
    offset_range_error = 61,
    naming_violation = 64,
    object_class_violation = 65,
    not_allowed_on_non_leaf = 66,
    not_allowed_on_rdn = 67,
    entry_already_exists = 68,
    object_class_mods_prohibited = 69,
    affects_multiple_dsas = 71,
    other = 80,
};

// The RFC 4511 name ("protocolError"), or "unknown" for a value outside the list above.
std::string_view result_code_name(ResultCode code);

}  // namespace sb::ldapproto
