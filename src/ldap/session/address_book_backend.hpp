#pragma once
// The session backend of the server: views from the AddressBook, binds checked by the
// Authenticator (password or mobile password, throttling) plus the address book's own rule:
// the account must be active and have mobile sync enabled (effective
// zimbraFeatureMobileSyncEnabled TRUE).
#include "ldap/addressbook/address_book.hpp"
#include "ldap/session/backend.hpp"

namespace sb::auth {
class Authenticator;
}
namespace sb::directory {
class Directory;
}

namespace sb::ldap {

class AddressBookBackend final : public Backend {
  public:
    AddressBookBackend(addressbook::AddressBook& book, auth::Authenticator& auth,
                       directory::Directory& dir)
        : book_(book), auth_(auth), dir_(dir) {}

    Result<addressbook::ViewPtr> view(int64_t account_id) override {
        return book_.view(account_id);
    }
    const addressbook::NamingContext& naming_context() const override { return book_.context(); }
    BindResult authenticate(std::string_view name, std::string_view password,
                            std::string_view client_address) override;

  private:
    addressbook::AddressBook& book_;
    auth::Authenticator& auth_;
    directory::Directory& dir_;
};

}  // namespace sb::ldap
