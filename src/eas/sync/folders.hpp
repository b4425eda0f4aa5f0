#pragma once
// The mailbox's folders as EAS sees them (MS-ASCMD 2.2.3.186.3 FolderHierarchy Type).
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "eas/sync/sync_key.hpp"
#include "mailbox/mailbox.hpp"

namespace sb::eas {

namespace folder_type {
inline constexpr int kUserGeneric = 1;
inline constexpr int kInbox = 2;
inline constexpr int kDrafts = 3;
inline constexpr int kDeletedItems = 4;
inline constexpr int kSentItems = 5;
inline constexpr int kOutbox = 6;
inline constexpr int kTasks = 7;
inline constexpr int kCalendar = 8;
inline constexpr int kContacts = 9;
inline constexpr int kNotes = 10;
inline constexpr int kUserMail = 12;
inline constexpr int kUserCalendar = 13;
inline constexpr int kUserContacts = 14;
inline constexpr int kUserTasks = 15;
inline constexpr int kUserNotes = 17;
}  // namespace folder_type

struct EasFolder {
    int64_t id = 0;
    int64_t parent = 0;  // 0 = top level (the mailbox root)
    std::string name;
    int type = folder_type::kUserGeneric;
    mailbox::View view = mailbox::View::none;
};

int eas_type(const mailbox::Folder& f);
// The view a device-created folder of this type gets; nullopt for a type a device cannot create.
std::optional<mailbox::View> view_for_type(int type);
// "Email", "Contacts", "Calendar", "Tasks", "Notes" (Ping and 2.5 Sync Class).
std::string_view eas_class(mailbox::View v);

// Every folder below the root, parents before children.
Result<std::vector<EasFolder>> eas_folders(mailbox::Mailbox& mailbox, int64_t account);
// What a device holds after it got these folders.
FolderSet folder_set(const std::vector<EasFolder>& folders);
std::string folder_signature(const EasFolder& f);

}  // namespace sb::eas
