#pragma once
// A user's mailbox: folders (Zimbra system ids plus nested user folders) and contacts. Every
// change takes the next value of the mailbox's modification sequence (modseq) and deletions leave
// tombstones, so ActiveSync and the address book can follow "what changed since N".
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "mailbox/contact_fields.hpp"
#include "store/database.hpp"

namespace sb::mailbox {

inline constexpr std::string_view kChannel = "mailbox";

// Zimbra's fixed folder ids.
namespace folder_id {
inline constexpr int64_t kRoot = 1;
inline constexpr int64_t kInbox = 2;
inline constexpr int64_t kTrash = 3;
inline constexpr int64_t kJunk = 4;
inline constexpr int64_t kSent = 5;
inline constexpr int64_t kDrafts = 6;
inline constexpr int64_t kContacts = 7;
inline constexpr int64_t kCalendar = 10;
inline constexpr int64_t kEmailedContacts = 13;
inline constexpr int64_t kTasks = 15;
inline constexpr int64_t kFirstUserItem = 257;
}  // namespace folder_id

// What a folder holds (Zimbra's "view").
enum class View { none, message, contact, appointment, task, note };
std::string_view view_name(View v);
Result<View> parse_view(std::string_view s);

struct Folder {
    int64_t id = 0;
    int64_t parent_id = 0;
    std::string name;
    View view = View::none;
    int64_t modseq = 0;
    std::string path;  // "/Contacts/Suppliers"
    bool system() const { return id < folder_id::kFirstUserItem; }
};

struct Contact {
    int64_t id = 0;
    int64_t folder_id = 0;
    ContactFields fields;
    int64_t modseq = 0;
    int64_t created_at = 0;
    int64_t modified_at = 0;
};

// A contact's id and the modseq of its last change, without its fields (sync windows).
struct ContactVersion {
    int64_t id = 0;
    int64_t modseq = 0;
};

// One entry of the contact change feed: the contact's state after its last change.
struct ContactChange {
    int64_t id = 0;
    int64_t folder_id = 0;  // where it is now (deleted: where it was)
    int64_t modseq = 0;
    bool deleted = false;
};

// A stretch of the change feed, in modseq order: every contact change after the `since` it was
// asked for, up to and including `complete_to`.
struct ContactFeed {
    std::vector<ContactChange> changes;
    int64_t complete_to = 0;
    int64_t modseq = 0;  // the mailbox's modseq when it was read (complete_to < modseq: more)
};

struct Tombstone {
    int64_t id = 0;
    std::string kind;  // "contact" or "folder"
    int64_t folder_id = 0;
    int64_t modseq = 0;
};

struct ChangeSet {
    int64_t modseq = 0;  // the mailbox modseq the change set is complete up to
    std::vector<Folder> folders;
    std::vector<Contact> contacts;
    std::vector<Tombstone> deleted;
};

class Mailbox {
  public:
    explicit Mailbox(store::Database& db) : db_(db) {}

    Result<std::vector<Folder>> folders(int64_t account);
    Result<Folder> folder(int64_t account, int64_t id);
    // "/Contacts/Suppliers", "Contacts/Suppliers" or a folder id ("257").
    Result<Folder> find_folder(int64_t account, std::string_view path_or_id);
    // Creates the last element of `path`; its parent must exist.
    Result<Folder> create_folder(int64_t account, std::string_view path, View view);
    Result<Folder> create_folder_in(int64_t account, int64_t parent, std::string_view name,
                                    View view);
    Result<Folder> rename_folder(int64_t account, int64_t id, std::string_view name,
                                 std::optional<int64_t> parent = {});
    // Deletes a user folder with everything in it (tombstones for all of it).
    Result<void> delete_folder(int64_t account, int64_t id);

    Result<Contact> add_contact(int64_t account, int64_t folder, const ContactFields& fields);
    // Adds many contacts in one transaction: all or none.
    Result<std::vector<int64_t>> add_contacts(int64_t account, int64_t folder,
                                              const std::vector<ContactFields>& list);
    Result<Contact> update_contact(int64_t account, int64_t id, const ContactFields& fields);
    Result<Contact> move_contact(int64_t account, int64_t id, int64_t folder);
    Result<void> delete_contact(int64_t account, int64_t id);
    Result<Contact> contact(int64_t account, int64_t id);
    // Contacts of one folder, or of every folder.
    Result<std::vector<Contact>> contacts(int64_t account, std::optional<int64_t> folder = {});
    // Contacts by id, ascending (ids that do not exist are left out).
    Result<std::vector<Contact>> contacts_by_id(int64_t account, const std::vector<int64_t>& ids);
    // A folder's contacts with an id above `after`, ascending by id, at most `limit`: a folder
    // read in pages. Ids are never reused, so a page boundary stays valid while the folder changes.
    Result<std::vector<ContactVersion>> contacts_after(int64_t account, int64_t folder,
                                                       int64_t after, size_t limit);
    // How many contacts of a folder have an id above `after`, counting up to `limit`.
    Result<size_t> count_after(int64_t account, int64_t folder, int64_t after, size_t limit);
    // The change feed of the account's contacts: changes and deletions after `since` in modseq
    // order, about `limit` of them (a read costs what it returns, whatever the folder sizes).
    Result<ContactFeed> contact_changes(int64_t account, int64_t since, size_t limit);

    Result<int64_t> modseq(int64_t account);
    // Everything that changed after `since` (folders, contacts, tombstones).
    Result<ChangeSet> changes_since(int64_t account, int64_t since);

  private:
    Result<void> ensure(int64_t account);
    store::Database& db_;
    std::mutex mutex_;
    std::set<int64_t> ready_;
};

// Checks field names and sizes; drops empty values.
Result<ContactFields> validate_fields(const ContactFields& fields);

}  // namespace sb::mailbox
