#include "eas/sync/contact_source.hpp"

namespace sb::eas {

Result<int64_t> MailboxContacts::head(int64_t account) {
    return mailbox_.modseq(account);
}

Result<std::vector<ItemVersion>> MailboxContacts::items_after(int64_t account, int64_t folder,
                                                              int64_t after, size_t limit) {
    SB_TRY_ASSIGN(auto page, mailbox_.contacts_after(account, folder, after, limit));
    std::vector<ItemVersion> out;
    out.reserve(page.size());
    for (auto& v : page)
        out.push_back({v.id, v.modseq});
    return out;
}

Result<size_t> MailboxContacts::count_after(int64_t account, int64_t folder, int64_t after,
                                            size_t limit) {
    return mailbox_.count_after(account, folder, after, limit);
}

Result<ChangeBatch> MailboxContacts::changes_since(int64_t account, int64_t folder, int64_t since,
                                                   size_t limit) {
    SB_TRY_ASSIGN(auto feed, mailbox_.contact_changes(account, since, limit));
    ChangeBatch out;
    out.complete_to = feed.complete_to;
    out.head = feed.modseq;
    out.changes.reserve(feed.changes.size());
    // A contact elsewhere now, or deleted elsewhere, may have left this folder before: whether
    // the device holds it decides.
    for (auto& c : feed.changes)
        out.changes.push_back({c.id, c.modseq, !c.deleted && c.folder_id == folder});
    return out;
}

Result<mailbox::Contact> MailboxContacts::get(int64_t account, int64_t id) {
    return mailbox_.contact(account, id);
}

Result<std::vector<mailbox::Contact>> MailboxContacts::get_many(int64_t account,
                                                                const std::vector<int64_t>& ids) {
    return mailbox_.contacts_by_id(account, ids);
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

}  // namespace sb::eas
