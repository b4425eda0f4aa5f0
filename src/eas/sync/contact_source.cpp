#include "eas/sync/contact_source.hpp"

#include "store/database.hpp"

namespace sb::eas {

Result<std::vector<ItemVersion>> MailboxContacts::versions(int64_t account, int64_t folder) {
    std::vector<ItemVersion> out;
    SB_TRY(db_.read([&](store::Tx& tx) -> Result<void> {
        auto rows = tx.query("SELECT id, modseq FROM contacts WHERE account_id = ? AND folder_id = ? ORDER BY id",
                             {account, folder});
        if (!rows) return tl::unexpected(rows.error());
        out.reserve(rows->size());
        for (auto& r : *rows) out.push_back({r.integer(0), r.integer(1)});
        return {};
    }));
    return out;
}

Result<mailbox::Contact> MailboxContacts::get(int64_t account, int64_t id) {
    return mailbox_.contact(account, id);
}

Result<mailbox::Contact> MailboxContacts::add(int64_t account, int64_t folder, const mailbox::ContactFields& f) {
    return mailbox_.add_contact(account, folder, f);
}

Result<mailbox::Contact> MailboxContacts::update(int64_t account, int64_t id, const mailbox::ContactFields& f) {
    return mailbox_.update_contact(account, id, f);
}

Result<void> MailboxContacts::remove(int64_t account, int64_t id) {
    return mailbox_.delete_contact(account, id);
}

Result<int64_t> MailboxContacts::modseq(int64_t account) {
    return mailbox_.modseq(account);
}

Result<std::vector<mailbox::Contact>> MailboxContacts::changed_since(int64_t account, int64_t folder,
                                                                     int64_t modseq) {
    auto cs = mailbox_.changes_since(account, modseq);
    if (!cs) return tl::unexpected(cs.error());
    std::vector<mailbox::Contact> out;
    for (auto& c : cs->contacts)
        if (c.folder_id == folder) out.push_back(std::move(c));
    return out;
}

}  // namespace sb::eas
