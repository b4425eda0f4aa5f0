#pragma once
// The one mapping from the errors of the layers below the session (codec, controls,
// authenticator, address book) to what an LDAP client is told: a resultCode and a diagnostic.
// Handlers never pick a resultCode from an error code themselves.
#include <string>

#include "core/error.hpp"
#include "ldap/protocol/result_code.hpp"

namespace sb::ldap {

// What failed, which decides what the client may learn of the error.
enum class Failed {
    stream,   // the byte stream cannot be framed any more (a Notice of Disconnection)
    request,  // a framed request did not decode
    control,  // a control value of a request did not decode
    bind,     // the bind check refused or could not run
    view,     // the bound account's view could not be had (permission_denied: no longer active)
};

struct Refusal {
    ldapproto::ResultCode code;
    std::string diagnostic;
};

// Decoding errors are the client's own and are shown as they are; a refused bind says no more
// than "invalid credentials", so that a client cannot probe accounts (why goes to the server
// log); an account locked since its bind gets insufficientAccessRights; the server's own trouble
// is "unavailable" with a fixed text.
Refusal refusal(Failed what, const Error& e);

}  // namespace sb::ldap
