#pragma once
// Address books an admin publishes in the LDAP address book (`mobile addressBook add|list|
// remove`): a contact folder of one account (or all of them), shown to every user (global) or
// to every user of one domain. Kept in the store table ldap_published_books (migrations.hpp); every
// change raises an "ldap" change notification, which the AddressBook follows.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/database.hpp"

namespace sb::directory {
class Directory;
}
namespace sb::mailbox {
class Mailbox;
}

namespace sb::addressbook {

inline constexpr std::string_view kChannel = "ldap";

enum class PublishScope : uint8_t { global, domain };
std::string_view scope_name(PublishScope s);

struct Publication {
    int64_t id = 0;
    PublishScope scope = PublishScope::global;
    int64_t domain_id = 0;  // domain scope
    std::string domain;     // its name ("" if it no longer exists)
    std::string owner_uuid;
    int64_t owner_id = 0;
    std::string owner;      // the owner's address ("" when the account was deleted)
    int64_t folder_id = 0;  // 0 = every contact folder of the owner
    std::string folder;     // its path, "all", or "" when it no longer exists
    int64_t created_at = 0;
};

class Publications {
  public:
    Publications(store::Database& db, directory::Directory& dir, mailbox::Mailbox& mbox)
        : db_(db), dir_(dir), mbox_(mbox) {}

    // owner: address, alias or uuid; folder: "all", a folder id or a path ("/Contacts").
    // domain: for domain scope, the domain whose users see it (default: the owner's domain).
    Result<Publication> add(PublishScope scope, std::optional<std::string_view> domain,
                            std::string_view owner, std::string_view folder);
    // Every publication, or those of one scope (and domain).
    Result<std::vector<Publication>> list(std::optional<PublishScope> scope = std::nullopt,
                                          std::optional<std::string_view> domain = std::nullopt);
    // Removes the matching publications; owner may be the uuid of a deleted account, folder
    // "all" (or none) removes every publication of that owner in that scope. not_found when
    // nothing matched.
    Result<size_t> remove(PublishScope scope, std::optional<std::string_view> domain,
                          std::string_view owner, std::optional<std::string_view> folder);

  private:
    Result<void> name_owners_and_domains(std::vector<Publication>& list);

    store::Database& db_;
    directory::Directory& dir_;
    mailbox::Mailbox& mbox_;
};

}  // namespace sb::addressbook
