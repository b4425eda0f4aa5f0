#include "eas/sync/folders.hpp"

#include <fmt/format.h>

#include "core/strings.hpp"

namespace sb::eas {

namespace fid = mailbox::folder_id;
using mailbox::View;

int eas_type(const mailbox::Folder& f) {
    switch (f.id) {
        case fid::kInbox:
            return folder_type::kInbox;
        case fid::kDrafts:
            return folder_type::kDrafts;
        case fid::kTrash:
            return folder_type::kDeletedItems;
        case fid::kSent:
            return folder_type::kSentItems;
        case fid::kContacts:
            return folder_type::kContacts;
        case fid::kCalendar:
            return folder_type::kCalendar;
        case fid::kTasks:
            return folder_type::kTasks;
        default:
            break;
    }
    // The mailbox has no fixed Outbox or Notes ids: top-level folders with those names play the
    // part.
    if (f.parent_id == fid::kRoot && f.view == View::message && iequals(f.name, "Outbox"))
        return folder_type::kOutbox;
    if (f.parent_id == fid::kRoot && f.view == View::note && iequals(f.name, "Notes"))
        return folder_type::kNotes;
    switch (f.view) {
        case View::message:
            return folder_type::kUserMail;
        case View::contact:
            return folder_type::kUserContacts;
        case View::appointment:
            return folder_type::kUserCalendar;
        case View::task:
            return folder_type::kUserTasks;
        case View::note:
            return folder_type::kUserNotes;
        case View::none:
            break;
    }
    return folder_type::kUserGeneric;
}

std::optional<View> view_for_type(int type) {
    switch (type) {
        case folder_type::kUserGeneric:
        case folder_type::kUserMail:
            return View::message;
        case folder_type::kUserCalendar:
            return View::appointment;
        case folder_type::kUserContacts:
            return View::contact;
        case folder_type::kUserTasks:
            return View::task;
        case folder_type::kUserNotes:
            return View::note;
        default:
            return std::nullopt;
    }
}

std::string_view eas_class(View v) {
    switch (v) {
        case View::contact:
            return "Contacts";
        case View::appointment:
            return "Calendar";
        case View::task:
            return "Tasks";
        case View::note:
            return "Notes";
        default:
            return "Email";
    }
}

Result<std::vector<EasFolder>> eas_folders(mailbox::Mailbox& mailbox, int64_t account) {
    SB_TRY_ASSIGN(auto list, mailbox.folders(account));
    // Parents first: the device must know a ParentId before a child refers to it.
    std::vector<mailbox::Folder> sorted = std::move(list);
    std::stable_sort(
        sorted.begin(), sorted.end(), [](const mailbox::Folder& a, const mailbox::Folder& b) {
            auto depth = [](const std::string& p) { return std::count(p.begin(), p.end(), '/'); };
            return depth(a.path) < depth(b.path);
        });
    std::vector<EasFolder> out;
    for (auto& f : sorted) {
        if (f.id == fid::kRoot) continue;
        EasFolder e;
        e.id = f.id;
        e.parent = f.parent_id == fid::kRoot ? 0 : f.parent_id;
        e.name = f.name;
        e.type = eas_type(f);
        e.view = f.view;
        out.push_back(std::move(e));
    }
    return out;
}

std::string folder_signature(const EasFolder& f) {
    return fmt::format("{}\t{}\t{}", f.parent, f.type, f.name);
}

FolderSet folder_set(const std::vector<EasFolder>& folders) {
    FolderSet s;
    for (auto& f : folders)
        s[f.id] = folder_signature(f);
    return s;
}

}  // namespace sb::eas
