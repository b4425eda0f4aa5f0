#include "eas/sync/contact_source.hpp"

namespace sb::eas {

Result<std::vector<ItemVersion>> MailboxContacts::versions(int64_t account, int64_t folder) {
    auto listed = mailbox_.contact_versions(account, folder);
    if (!listed) return tl::unexpected(listed.error());
    std::vector<ItemVersion> out;
    out.reserve(listed->size());
    for (auto& v : *listed)
        out.push_back({v.id, v.modseq});
    return out;
}

Result<mailbox::Contact> MailboxContacts::get(int64_t account, int64_t id) {
    return mailbox_.contact(account, id);
}

Result<mailbox::Contact> MailboxContacts::add(int64_t account, int64_t folder,
                                              const mailbox::ContactFields& f) {
    return mailbox_.add_contact(account, folder, f);
}

Result<mailbox::Contact> MailboxContacts::update(int64_t account, int64_t id,
                                                 const mailbox::ContactFields& f) {
    return mailbox_.update_contact(account, id, f);
}

Result<void> MailboxContacts::remove(int64_t account, int64_t id) {
    return mailbox_.delete_contact(account, id);
}

Result<int64_t> MailboxContacts::modseq(int64_t account) {
    return mailbox_.modseq(account);
}

Result<std::vector<mailbox::Contact>> MailboxContacts::changed_since(int64_t account,
                                                                     int64_t folder,
                                                                     int64_t modseq) {
    auto cs = mailbox_.changes_since(account, modseq);
    if (!cs) return tl::unexpected(cs.error());
    std::vector<mailbox::Contact> out;
    for (auto& c : cs->contacts)
        if (c.folder_id == folder) out.push_back(std::move(c));
    return out;
}

}  // namespace sb::eas
