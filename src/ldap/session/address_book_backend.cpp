#include "ldap/session/address_book_backend.hpp"

#include <fmt/format.h>

#include "auth/authenticator.hpp"
#include "directory/directory.hpp"

namespace sb::ldap {

BindResult AddressBookBackend::authenticate(std::string_view name, std::string_view password,
                                            std::string_view client_address) {
    std::string login(name);
    if (name.find('=') != std::string_view::npos) {
        // A DN: only the user's own GAL entry names an account.
        auto from_dn = addressbook::login_from_dn(book_.context(), book_.options().gal_label, name);
        if (!from_dn)
            return fail(
                Errc::auth_failed,
                fmt::format("bind DN '{}' is not an account entry of this address book", name));
        login = std::move(*from_dn);
    }
    SB_TRY_ASSIGN(auto ok,
                  auth_.authenticate(auth::Service::address_book, login, password, client_address));
    const auto& account = ok.account;
    auto enabled = dir_.mobile_sync_enabled(account);
    if (!enabled) return fail(Errc::unavailable, enabled.error().message);
    if (!*enabled)
        return fail(Errc::permission_denied,
                    fmt::format("{} does not have mobile sync enabled "
                                "(zimbraFeatureMobileSyncEnabled is FALSE), which the LDAP "
                                "address book requires",
                                account.address));
    // Load the user's folders now, off the network threads, so the first search is fast.
    if (auto v = book_.view(account.id); !v)
        return fail(Errc::unavailable, fmt::format("the address book of {} could not be loaded: {}",
                                                   account.address, v.error().message));
    return BoundAccount{account.id, account.address};
}

}  // namespace sb::ldap
