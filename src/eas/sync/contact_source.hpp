#pragma once
// What contact sync needs from the mailbox, as an interface so the sync logic is testable alone.
#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "eas/sync/item_source.hpp"
#include "mailbox/mailbox.hpp"

namespace sb::eas {

class ContactSource : public ItemSource {
  public:
    virtual Result<mailbox::Contact> get(int64_t account, int64_t id) = 0;
    // Contacts by id, ascending; ids that do not exist (any more) are left out.
    virtual Result<std::vector<mailbox::Contact>> get_many(int64_t account,
                                                           const std::vector<int64_t>& ids) = 0;
    virtual Result<mailbox::Contact> add(int64_t account, int64_t folder,
                                         const mailbox::ContactFields& f) = 0;
    virtual Result<mailbox::Contact> update(int64_t account, int64_t id,
                                            const mailbox::ContactFields& f) = 0;
    virtual Result<void> remove(int64_t account, int64_t id) = 0;
};

// The mailbox's contacts, through Mailbox only.
class MailboxContacts final : public ContactSource {
  public:
    explicit MailboxContacts(mailbox::Mailbox& mailbox) : mailbox_(mailbox) {}
    Result<int64_t> head(int64_t account) override;
    Result<std::vector<ItemVersion>> items_after(int64_t account, int64_t folder, int64_t after,
                                                 size_t limit) override;
    Result<size_t> count_after(int64_t account, int64_t folder, int64_t after,
                               size_t limit) override;
    Result<ChangeBatch> changes_since(int64_t account, int64_t folder, int64_t since,
                                      size_t limit) override;
    Result<mailbox::Contact> get(int64_t account, int64_t id) override;
    Result<std::vector<mailbox::Contact>> get_many(int64_t account,
                                                   const std::vector<int64_t>& ids) override;
    Result<mailbox::Contact> add(int64_t account, int64_t folder,
                                 const mailbox::ContactFields& f) override;
    Result<mailbox::Contact> update(int64_t account, int64_t id,
                                    const mailbox::ContactFields& f) override;
    Result<void> remove(int64_t account, int64_t id) override;

  private:
    mailbox::Mailbox& mailbox_;
};

}  // namespace sb::eas
