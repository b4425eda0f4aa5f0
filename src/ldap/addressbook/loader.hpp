#pragma once
// Bulk reads of what the address book serves: accounts with their own attributes (one query per
// table, not per account, so 100,000 accounts load in seconds), the COS/domain/global settings
// that decide who is hidden from the GAL, and one mailbox's contact folders.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "ldap/addressbook/person.hpp"
#include "store/database.hpp"

namespace sb::mailbox {
class Mailbox;
}

namespace sb::addressbook {

// Settings above the account level, to resolve inherited attributes for many accounts at once.
struct DirectorySettings {
    std::map<int64_t, std::string> domain_names;
    std::map<int64_t, directory::AttrMap> domain_attrs;
    struct CosInfo {
        std::string name;
        directory::AttrMap attrs;
    };
    std::map<int64_t, CosInfo> cos;
    std::map<std::string, int64_t> cos_ids;  // by name and by uuid
    directory::AttrMap global;
    // Domain → the account whose contacts are its GAL contacts (zimbraGalAccountId).
    std::map<int64_t, int64_t> gal_accounts;

    // Effective zimbraHideInGal (account → COS → domain → global → default), the same rule
    // the directory applies.
    bool hidden_in_gal(const AccountRecord& a) const;
};

Result<DirectorySettings> load_settings(store::Database& db);
// All accounts, or those with the given ids (missing ids are simply absent from the result).
Result<std::vector<AccountRecord>> load_accounts(
    store::Database& db, std::optional<std::span<const int64_t>> ids = std::nullopt);

struct MailboxContent {
    std::vector<mailbox::Folder> folders;              // contact folders, by path
    std::map<int64_t, std::vector<EntryPtr>> entries;  // by folder id
};
Result<MailboxContent> load_mailbox(mailbox::Mailbox& mailbox, int64_t account_id);

}  // namespace sb::addressbook
