#pragma once
// What contact sync needs from the mailbox, as an interface so the sync logic is testable alone.
#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "mailbox/mailbox.hpp"

namespace sb::eas {

struct ItemVersion {
    int64_t id = 0;
    int64_t version = 0;  // mailbox modseq of the item's last change
};

class ContactSource {
  public:
    virtual ~ContactSource() = default;
    // Ids and versions of a folder's contacts, ascending by id (no fields: cheap for big folders).
    virtual Result<std::vector<ItemVersion>> versions(int64_t account, int64_t folder) = 0;
    virtual Result<mailbox::Contact> get(int64_t account, int64_t id) = 0;
    virtual Result<mailbox::Contact> add(int64_t account, int64_t folder,
                                         const mailbox::ContactFields& f) = 0;
    virtual Result<mailbox::Contact> update(int64_t account, int64_t id,
                                            const mailbox::ContactFields& f) = 0;
    virtual Result<void> remove(int64_t account, int64_t id) = 0;
    virtual Result<int64_t> modseq(int64_t account) = 0;
    // Contacts of a folder changed after `modseq` (crash recovery of interrupted Adds).
    virtual Result<std::vector<mailbox::Contact>> changed_since(int64_t account, int64_t folder,
                                                                int64_t modseq) = 0;
};

// The mailbox's contacts, through Mailbox only.
class MailboxContacts final : public ContactSource {
  public:
    explicit MailboxContacts(mailbox::Mailbox& mailbox) : mailbox_(mailbox) {}
    Result<std::vector<ItemVersion>> versions(int64_t account, int64_t folder) override;
    Result<mailbox::Contact> get(int64_t account, int64_t id) override;
    Result<mailbox::Contact> add(int64_t account, int64_t folder,
                                 const mailbox::ContactFields& f) override;
    Result<mailbox::Contact> update(int64_t account, int64_t id,
                                    const mailbox::ContactFields& f) override;
    Result<void> remove(int64_t account, int64_t id) override;
    Result<int64_t> modseq(int64_t account) override;
    Result<std::vector<mailbox::Contact>> changed_since(int64_t account, int64_t folder,
                                                        int64_t modseq) override;

  private:
    mailbox::Mailbox& mailbox_;
};

}  // namespace sb::eas
