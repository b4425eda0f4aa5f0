#include "ldap/addressbook/loader.hpp"

#include <algorithm>

#include "directory/attributes.hpp"
#include "directory/directory.hpp"
#include "mailbox/mailbox.hpp"

namespace sb::addressbook {
namespace {

// Account attributes the address book reads; the rest (mobile policies...) is not loaded.
const std::vector<std::string> kAccountAttrs = {
    "displayName",
    "cn",
    "givenName",
    "sn",
    "initials",
    "telephoneNumber",
    "homePhone",
    "mobile",
    "facsimileTelephoneNumber",
    "pager",
    "title",
    "company",
    "ou",
    "physicalDeliveryOfficeName",
    "street",
    "l",
    "st",
    "postalCode",
    "c",
    "co",
    "postalAddress",
    "description",
    "zimbraHideInGal",
    "zimbraCOSId",
};

AccountRecord record_of(directory::AccountAttrs&& a) {
    AccountRecord r;
    r.id = a.account.id;
    r.uuid = std::move(a.account.uuid);
    r.domain_id = a.account.domain_id;
    r.address = std::move(a.account.address);
    r.aliases = std::move(a.account.aliases);
    r.status = a.account.status;
    r.created_ms = a.account.created_at;
    r.modified_ms = a.account.modified_at;
    r.attrs = std::move(a.attrs);
    return r;
}

}  // namespace

bool DirectorySettings::hidden_in_gal(const AccountRecord& a) const {
    static const directory::AttrDef* def = directory::find_attr("zimbraHideInGal");
    return def && directory::is_true(levels.resolve(a.attrs, a.domain_id, *def).first());
}

Result<DirectorySettings> load_settings(directory::Directory& directory) {
    DirectorySettings s;
    SB_TRY_ASSIGN(s.levels, directory.setting_levels());
    for (const auto& [id, domain] : s.levels.domains()) {
        s.domain_names[id] = domain.name;
        if (auto it = domain.attrs.find("zimbraGalAccountId");
            it != domain.attrs.end() && !it->second.empty())
            if (auto account = s.levels.account_ref(it->second.front()))
                s.gal_accounts[id] = *account;
    }
    return s;
}

Result<std::vector<AccountRecord>> load_accounts(directory::Directory& directory,
                                                 std::optional<std::span<const int64_t>> ids) {
    std::vector<AccountRecord> out;
    if (ids && ids->empty()) return out;
    SB_TRY_ASSIGN(auto accounts, directory.accounts_with_attrs(ids, kAccountAttrs));
    out.reserve(accounts.size());
    for (auto& a : accounts)
        out.push_back(record_of(std::move(a)));
    return out;
}

Result<MailboxContent> load_mailbox(mailbox::Mailbox& mbox, int64_t account_id) {
    MailboxContent out;
    SB_TRY_ASSIGN(auto folders, mbox.folders(account_id));
    for (auto& f : folders)
        if (f.view == mailbox::View::contact) {
            out.entries[f.id];
            out.folders.push_back(std::move(f));
        }
    std::sort(out.folders.begin(), out.folders.end(),
              [](const mailbox::Folder& a, const mailbox::Folder& b) { return a.path < b.path; });
    SB_TRY_ASSIGN(auto contacts, mbox.contacts(account_id));
    for (const auto& c : contacts)
        if (auto it = out.entries.find(c.folder_id); it != out.entries.end())
            it->second.push_back(entry_from_contact(c));
    return out;
}

}  // namespace sb::addressbook
