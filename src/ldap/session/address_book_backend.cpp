#include "ldap/session/address_book_backend.hpp"

#include <fmt/format.h>

#include "auth/authenticator.hpp"
#include "directory/directory.hpp"

namespace sb::ldap {

BindResult AddressBookBackend::authenticate(std::string_view name, std::string_view password,
                                            std::string_view client_address) {
    BindResult r;
    std::string login(name);
    if (name.find('=') != std::string_view::npos) {
        // A DN: only the user's own GAL entry names an account.
        auto from_dn = addressbook::login_from_dn(book_.context(), book_.options().gal_label, name);
        if (!from_dn) {
            r.reason =
                fmt::format("bind DN '{}' is not an account entry of this address book", name);
            return r;
        }
        login = std::move(*from_dn);
    }
    auto ok = auth_.authenticate(auth::Service::address_book, login, password, client_address);
    if (!ok) {
        if (ok.error().code == Errc::auth_failed || ok.error().code == Errc::throttled) {
            r.reason = ok.error().message;
        } else {
            r.status = BindResult::Status::unavailable;
            r.reason = ok.error().message;
        }
        return r;
    }
    const auto& account = ok->account;
    auto enabled = dir_.mobile_sync_enabled(account);
    if (!enabled) {
        r.status = BindResult::Status::unavailable;
        r.reason = enabled.error().message;
        return r;
    }
    if (!*enabled) {
        r.reason = fmt::format(
            "{} does not have mobile sync enabled (zimbraFeatureMobileSyncEnabled is FALSE), "
            "which the LDAP address book requires",
            account.address);
        return r;
    }
    // Load the user's folders now, off the network threads, so the first search is fast.
    if (auto v = book_.view(account.id); !v) {
        r.status = BindResult::Status::unavailable;
        r.reason = fmt::format("the address book of {} could not be loaded: {}", account.address,
                               v.error().message);
        return r;
    }
    r.status = BindResult::Status::ok;
    r.account_id = account.id;
    r.address = account.address;
    return r;
}

}  // namespace sb::ldap
