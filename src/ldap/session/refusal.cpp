#include "ldap/session/refusal.hpp"

namespace sb::ldap {

using ldapproto::ResultCode;

namespace {

bool refused_login(Errc c) {
    return c == Errc::auth_failed || c == Errc::throttled || c == Errc::permission_denied;
}

}  // namespace

Refusal refusal(Failed what, const Error& e) {
    switch (what) {
        case Failed::stream:
        case Failed::control:
            return {ResultCode::protocol_error, e.message};
        case Failed::request:
            return {e.code == Errc::limit_exceeded ? ResultCode::admin_limit_exceeded
                                                   : ResultCode::protocol_error,
                    e.message};
        case Failed::bind:
            if (refused_login(e.code))
                return {ResultCode::invalid_credentials, "invalid credentials"};
            return {ResultCode::unavailable, "the server cannot check passwords right now"};
        case Failed::view:
            // Locked or closed since its bind: the client must bind again (and will be refused).
            if (e.code == Errc::permission_denied)
                return {ResultCode::insufficient_access_rights,
                        "the account is no longer active; bind again"};
            break;
    }
    return {ResultCode::unavailable, "the address book is not available right now"};
}

}  // namespace sb::ldap
