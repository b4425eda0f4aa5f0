#pragma once
// What the address book serves, read in bulk: accounts with their own attributes and the
// COS/domain/global settings that decide who is hidden from the GAL (both through the
// directory's bulk reader), and one mailbox's contact folders.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "directory/inheritance.hpp"
#include "ldap/addressbook/person.hpp"

namespace sb::directory {
class Directory;
}
namespace sb::mailbox {
class Mailbox;
}

namespace sb::addressbook {

// Settings above the account level, to resolve inherited attributes for many accounts at once.
struct DirectorySettings {
    directory::SettingLevels levels;
    std::map<int64_t, std::string> domain_names;
    // Domain → the account whose contacts are its GAL contacts (zimbraGalAccountId).
    std::map<int64_t, int64_t> gal_accounts;

    // Effective zimbraHideInGal, by the directory's inheritance rule.
    bool hidden_in_gal(const AccountRecord& a) const;
};

Result<DirectorySettings> load_settings(directory::Directory& directory);
// All accounts, or those with the given ids (missing ids are simply absent from the result).
Result<std::vector<AccountRecord>> load_accounts(
    directory::Directory& directory, std::optional<std::span<const int64_t>> ids = std::nullopt);

struct MailboxContent {
    std::vector<mailbox::Folder> folders;              // contact folders, by path
    std::map<int64_t, std::vector<EntryPtr>> entries;  // by folder id
};
Result<MailboxContent> load_mailbox(mailbox::Mailbox& mailbox, int64_t account_id);

}  // namespace sb::addressbook
