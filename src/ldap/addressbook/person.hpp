#pragma once
// Accounts and contacts as inetOrgPerson entries (RFC 2798), with the attributes Outlook,
// Thunderbird and macOS Contacts read.
#include <cstdint>
#include <string>
#include <vector>

#include "directory/model.hpp"
#include "ldap/addressbook/entry.hpp"
#include "mailbox/mailbox.hpp"

namespace sb::addressbook {

// An account as the loader reads it from the store: identity and its own attributes.
struct AccountRecord {
    int64_t id = 0;
    std::string uuid;
    int64_t domain_id = 0;
    std::string address;
    std::vector<std::string> aliases;
    directory::AccountStatus status = directory::AccountStatus::active;
    int64_t created_ms = 0;
    int64_t modified_ms = 0;
    directory::AttrMap attrs;  // account-level values only (inherited ones are resolved apart)
};

// GAL entry: RDN uid=<primary address>, mail = primary address then aliases.
EntryPtr entry_from_account(const AccountRecord& a);
// Contact entry: RDN uid=<contact id>, lookup key `key` (the contact id in its folder's book; GAL
// contacts share the GAL book with accounts and take the negated contact id).
EntryPtr entry_from_contact(const mailbox::Contact& c, int64_t key);
inline EntryPtr entry_from_contact(const mailbox::Contact& c) {
    return entry_from_contact(c, c.id);
}

// The name shown for an account: displayName, else cn, else given name and surname, else the
// local part of the address.
std::string display_name_of(const AccountRecord& a);

}  // namespace sb::addressbook
