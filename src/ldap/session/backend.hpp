#pragma once
// What an LDAP session needs from the rest of the server: the views of the address book and a
// way to check a bind. An interface, so the protocol logic is tested without a store.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "ldap/addressbook/view.hpp"

namespace sb::ldap {

struct BoundAccount {
    int64_t account_id = 0;
    std::string address;  // the account's primary address
};

// A checked bind. Errors: auth_failed, throttled or permission_denied when the bind is refused,
// any other when it could not be checked; the message says why, for the server log only (the
// client learns what refusal(Failed::bind) says).
using BindResult = Result<BoundAccount>;

class Backend {
  public:
    virtual ~Backend() = default;
    // The view of a bound account.
    virtual Result<addressbook::ViewPtr> view(int64_t account_id) = 0;
    virtual const addressbook::NamingContext& naming_context() const = 0;
    // Checks a simple bind: `name` is an address, an alias or the DN of the account's own entry.
    // Blocking (password hashing, store reads): the network layer calls it off its threads.
    virtual BindResult authenticate(std::string_view name, std::string_view password,
                                    std::string_view client_address) = 0;
};

}  // namespace sb::ldap
