#include "mailbox/mailbox.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/json.hpp"
#include "core/strings.hpp"

namespace sb::mailbox {

using store::Tx;

std::string_view view_name(View v) {
    switch (v) {
        case View::none:
            return "";
        case View::message:
            return "message";
        case View::contact:
            return "contact";
        case View::appointment:
            return "appointment";
        case View::task:
            return "task";
        case View::note:
            return "note";
    }
    return "";
}

Result<View> parse_view(std::string_view s) {
    for (View v :
         {View::none, View::message, View::contact, View::appointment, View::task, View::note})
        if (iequals(view_name(v), s)) return v;
    return fail(
        Errc::invalid_argument,
        fmt::format("unknown folder view '{}' (message, contact, appointment, task, note)", s));
}

Result<ContactFields> validate_fields(const ContactFields& fields) {
    ContactFields out;
    for (const auto& [k, v] : fields) {
        if (!is_contact_field(k))
            return fail(Errc::invalid_argument, fmt::format("unknown contact field: {}", k));
        if (v.size() > 65536)
            return fail(Errc::invalid_argument,
                        fmt::format("contact field {} is longer than 64 KiB", k));
        if (!v.empty()) out.emplace(k, v);
    }
    return out;
}

namespace {

struct SystemFolder {
    int64_t id;
    const char* name;
    View view;
};
constexpr SystemFolder kSystemFolders[] = {
    {folder_id::kInbox, "Inbox", View::message},
    {folder_id::kTrash, "Trash", View::message},
    {folder_id::kJunk, "Junk", View::message},
    {folder_id::kSent, "Sent", View::message},
    {folder_id::kDrafts, "Drafts", View::message},
    {folder_id::kContacts, "Contacts", View::contact},
    {folder_id::kCalendar, "Calendar", View::appointment},
    {folder_id::kEmailedContacts, "Emailed Contacts", View::contact},
    {folder_id::kTasks, "Tasks", View::task},
};

store::Change changed(int64_t account, const char* what) {
    return {std::string(kChannel), account, what};
}

// Reserves `changes` modseq values and `ids` item ids; returns the first of each.
struct Reserved {
    int64_t modseq;
    int64_t id;
};
Result<Reserved> reserve(Tx& tx, int64_t account, int64_t changes, int64_t ids) {
    SB_TRY_ASSIGN(
        auto rows,
        tx.query("UPDATE mailboxes SET modseq = modseq + ?, next_item_id = next_item_id + ? "
                 "WHERE account_id = ? RETURNING modseq, next_item_id",
                 {changes, ids, account}));
    if (rows.empty())
        return fail(Errc::not_found, fmt::format("no mailbox for account id {}", account));
    return Reserved{rows.front().integer(0) - changes + 1, rows.front().integer(1) - ids};
}

std::string to_json(const ContactFields& f) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : f)
        j[k] = v;
    return json_text(j);
}

ContactFields from_json(const std::string& s) {
    ContactFields f;
    auto j = nlohmann::json::parse(s, nullptr, false);
    if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it)
            if (it.value().is_string()) f.emplace(it.key(), it.value().get<std::string>());
    return f;
}

Contact contact_from_row(const store::Row& r) {
    return Contact{r.integer(0), r.integer(1), from_json(r.text(2)),
                   r.integer(3), r.integer(4), r.integer(5)};
}
constexpr std::string_view kContactCols =
    "SELECT id, folder_id, fields, modseq, created_at, modified_at FROM contacts ";

// Ids go into "IN (...)" lists of at most kMaxIdList; a list is padded with its last id to a power
// of two, so that few distinct statements reach the store's statement cache.
constexpr size_t kMaxIdList = 512;
std::string id_list(const std::vector<int64_t>& ids, size_t from,
                    std::vector<store::Value>& params) {
    size_t n = std::min(kMaxIdList, ids.size() - from);
    size_t padded = 1;
    while (padded < n)
        padded *= 2;
    std::string list;
    list.reserve(padded * 3);
    for (size_t i = 0; i < padded; ++i) {
        list += i ? ",?" : "?";
        params.emplace_back(std::in_place_type<int64_t>, ids[from + std::min(i, n - 1)]);
    }
    return list;
}

Result<std::vector<Folder>> load_folders(Tx& tx, int64_t account) {
    SB_TRY_ASSIGN(auto rows, tx.query("SELECT id, parent_id, name, view, modseq FROM folders WHERE "
                                      "account_id = ? ORDER BY id",
                                      {account}));
    std::map<int64_t, Folder> byid;
    for (auto& r : rows) {
        Folder f;
        f.id = r.integer(0);
        f.parent_id = r.integer(1);
        f.name = r.text(2);
        f.view = parse_view(r.text(3)).value_or(View::none);
        f.modseq = r.integer(4);
        byid[f.id] = std::move(f);
    }
    std::vector<Folder> out;
    for (auto& [id, f] : byid) {
        if (id == folder_id::kRoot) continue;
        std::string path;
        int64_t cur = id;
        for (int depth = 0; cur != folder_id::kRoot && depth < 256; ++depth) {
            auto it = byid.find(cur);
            if (it == byid.end()) break;
            path = "/" + it->second.name + path;
            cur = it->second.parent_id;
        }
        f.path = path;
        out.push_back(f);
    }
    return out;
}

Result<Folder> require_folder(Tx& tx, int64_t account, int64_t id) {
    SB_TRY_ASSIGN(auto all, load_folders(tx, account));
    for (auto& f : all)
        if (f.id == id) return f;
    return fail(Errc::not_found, fmt::format("no folder with id {}", id));
}

Result<std::string> check_folder_name(std::string_view name) {
    std::string n(trim(name));
    if (n.empty()) return fail(Errc::invalid_argument, "folder name is empty");
    if (n.size() > 128)
        return fail(Errc::invalid_argument, "folder name is longer than 128 characters");
    for (unsigned char c : n)
        if (c < 0x20 || c == '/' || c == 0x7f)
            return fail(Errc::invalid_argument,
                        fmt::format("folder name '{}' contains '/' or a control character", n));
    return n;
}

Result<void> check_contact_folder(Tx& tx, int64_t account, int64_t folder) {
    SB_TRY_ASSIGN(auto f, require_folder(tx, account, folder));
    if (f.view != View::contact)
        return fail(Errc::invalid_argument,
                    fmt::format("folder {} ({}) does not hold contacts", f.path, f.id));
    return {};
}

}  // namespace

Result<void> Mailbox::ensure(int64_t account) {
    {
        std::lock_guard lock(mutex_);
        if (ready_.count(account)) return {};
    }
    SB_TRY(db_.write([&](Tx& tx) -> Result<void> {
        auto inserted = tx.exec(
            "INSERT INTO mailboxes (account_id, modseq, next_item_id) VALUES (?, 1, ?) "
            "ON CONFLICT (account_id) DO NOTHING",
            {account, folder_id::kFirstUserItem});
        if (!inserted) {
            if (inserted.error().code == Errc::invalid_argument)  // foreign key: no such account
                return fail(Errc::not_found, fmt::format("no such account id: {}", account));
            return tl::unexpected(inserted.error());
        }
        if (*inserted == 0) return {};
        SB_TRY(
            tx.exec("INSERT INTO folders (account_id, id, parent_id, name, view, modseq) VALUES "
                    "(?, ?, 0, '', '', 1)",
                    {account, folder_id::kRoot}));
        for (const auto& sf : kSystemFolders)
            SB_TRY(
                tx.exec("INSERT INTO folders (account_id, id, parent_id, name, view, modseq) "
                        "VALUES (?, ?, ?, ?, ?, 1)",
                        {account, sf.id, folder_id::kRoot, std::string(sf.name),
                         std::string(view_name(sf.view))}));
        return {};
    }));
    std::lock_guard lock(mutex_);
    if (ready_.size() > 1'000'000) ready_.clear();
    ready_.insert(account);
    return {};
}

Result<std::vector<Folder>> Mailbox::folders(int64_t account) {
    SB_TRY(ensure(account));
    return db_.read([&](Tx& tx) { return load_folders(tx, account); });
}

Result<Folder> Mailbox::folder(int64_t account, int64_t id) {
    SB_TRY(ensure(account));
    return db_.read([&](Tx& tx) { return require_folder(tx, account, id); });
}

Result<Folder> Mailbox::find_folder(int64_t account, std::string_view key) {
    SB_TRY_ASSIGN(auto all, folders(account));
    std::string_view k = trim(key);
    bool numeric = !k.empty() && k.find_first_not_of("0123456789") == std::string_view::npos;
    std::string path = (!k.empty() && k.front() == '/') ? std::string(k) : "/" + std::string(k);
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    for (auto& f : all) {
        if (numeric && std::to_string(f.id) == k) return f;
        if (iequals(f.path, path)) return f;
    }
    return fail(Errc::not_found, fmt::format("no folder '{}'", key));
}

Result<Folder> Mailbox::create_folder(int64_t account, std::string_view path, View view) {
    std::string p(trim(path));
    while (p.size() > 1 && p.back() == '/')
        p.pop_back();
    auto slash = p.rfind('/');
    int64_t parent = folder_id::kRoot;
    std::string name = p;
    if (slash != std::string::npos) {
        name = p.substr(slash + 1);
        std::string parent_path = p.substr(0, slash);
        if (!parent_path.empty()) {
            auto pf = find_folder(account, parent_path);
            if (!pf)
                return fail(Errc::not_found,
                            fmt::format("parent folder '{}' does not exist", parent_path));
            parent = pf->id;
        }
    }
    return create_folder_in(account, parent, name, view);
}

Result<Folder> Mailbox::create_folder_in(int64_t account, int64_t parent, std::string_view name_in,
                                         View view) {
    SB_TRY_ASSIGN(auto name, check_folder_name(name_in));
    SB_TRY(ensure(account));
    return db_.write([&](Tx& tx) -> Result<Folder> {
        if (parent != folder_id::kRoot) {
            SB_TRY(require_folder(tx, account, parent));
        }
        SB_TRY_ASSIGN(auto dup, tx.scalar("SELECT COUNT(*) FROM folders WHERE account_id = ? AND "
                                          "parent_id = ? AND lower(name) = "
                                          "lower(?)",
                                          {account, parent, name}));
        if (dup)
            return fail(Errc::already_exists,
                        fmt::format("a folder named '{}' already exists there", name));
        SB_TRY_ASSIGN(auto r, reserve(tx, account, 1, 1));
        SB_TRY(
            tx.exec("INSERT INTO folders (account_id, id, parent_id, name, view, modseq) VALUES "
                    "(?, ?, ?, ?, ?, ?)",
                    {account, r.id, parent, name, std::string(view_name(view)), r.modseq}));
        SB_TRY_ASSIGN(auto f, require_folder(tx, account, r.id));
        tx.notify(changed(account, "folder"));
        return f;
    });
}

Result<Folder> Mailbox::rename_folder(int64_t account, int64_t id, std::string_view name_in,
                                      std::optional<int64_t> parent) {
    SB_TRY_ASSIGN(auto name, check_folder_name(name_in));
    SB_TRY(ensure(account));
    return db_.write([&](Tx& tx) -> Result<Folder> {
        SB_TRY_ASSIGN(auto f, require_folder(tx, account, id));
        if (f.system())
            return fail(Errc::invalid_argument,
                        fmt::format("system folder {} cannot be renamed or moved", f.path));
        int64_t new_parent = parent.value_or(f.parent_id);
        if (new_parent != folder_id::kRoot) {
            SB_TRY_ASSIGN(auto pf, require_folder(tx, account, new_parent));
            // A folder cannot move below itself.
            if (pf.path == f.path || pf.path.rfind(f.path + "/", 0) == 0)
                return fail(Errc::invalid_argument, "a folder cannot be moved into itself");
        }
        SB_TRY_ASSIGN(auto dup, tx.scalar("SELECT COUNT(*) FROM folders WHERE account_id = ? AND "
                                          "parent_id = ? AND lower(name) = "
                                          "lower(?) AND id <> ?",
                                          {account, new_parent, name, id}));
        if (dup)
            return fail(Errc::already_exists,
                        fmt::format("a folder named '{}' already exists there", name));
        SB_TRY_ASSIGN(auto r, reserve(tx, account, 1, 0));
        SB_TRY(
            tx.exec("UPDATE folders SET name = ?, parent_id = ?, modseq = ? WHERE account_id = ? "
                    "AND id = ?",
                    {name, new_parent, r.modseq, account, id}));
        SB_TRY_ASSIGN(auto nf, require_folder(tx, account, id));
        tx.notify(changed(account, "folder"));
        return nf;
    });
}

Result<void> Mailbox::delete_folder(int64_t account, int64_t id) {
    SB_TRY(ensure(account));
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto all, load_folders(tx, account));
        const Folder* target = nullptr;
        for (auto& f : all)
            if (f.id == id) target = &f;
        if (!target) return fail(Errc::not_found, fmt::format("no folder with id {}", id));
        if (target->system())
            return fail(Errc::invalid_argument,
                        fmt::format("system folder {} cannot be deleted", target->path));
        std::vector<const Folder*> doomed;
        for (auto& f : all)
            if (f.id == id || f.path.rfind(target->path + "/", 0) == 0) doomed.push_back(&f);
        const int64_t now = now_ms();
        for (const Folder* f : doomed) {
            SB_TRY_ASSIGN(auto items,
                          tx.query("SELECT id FROM contacts WHERE account_id = ? AND folder_id = ?",
                                   {account, f->id}));
            SB_TRY_ASSIGN(auto r, reserve(tx, account, static_cast<int64_t>(items.size()) + 1, 0));
            int64_t m = r.modseq;
            for (auto& row : items) {
                SB_TRY(
                    tx.exec("INSERT INTO tombstones (account_id, id, kind, folder_id, modseq, "
                            "deleted_at) VALUES "
                            "(?, ?, 'contact', ?, ?, ?) ON CONFLICT (account_id, id) DO UPDATE SET "
                            "modseq = excluded.modseq",
                            {account, row.integer(0), f->id, m++, now}));
            }
            SB_TRY(tx.exec("DELETE FROM contacts WHERE account_id = ? AND folder_id = ?",
                           {account, f->id}));
            SB_TRY(
                tx.exec("INSERT INTO tombstones (account_id, id, kind, folder_id, modseq, "
                        "deleted_at) VALUES "
                        "(?, ?, 'folder', ?, ?, ?) ON CONFLICT (account_id, id) DO UPDATE SET "
                        "modseq = excluded.modseq",
                        {account, f->id, f->parent_id, m, now}));
            SB_TRY(
                tx.exec("DELETE FROM folders WHERE account_id = ? AND id = ?", {account, f->id}));
        }
        tx.notify(changed(account, "folder"));
        return {};
    });
}

Result<Contact> Mailbox::add_contact(int64_t account, int64_t folder, const ContactFields& fields) {
    SB_TRY_ASSIGN(auto ids, add_contacts(account, folder, {fields}));
    return contact(account, ids.front());
}

Result<std::vector<int64_t>> Mailbox::add_contacts(int64_t account, int64_t folder,
                                                   const std::vector<ContactFields>& list) {
    std::vector<std::string> bodies;
    bodies.reserve(list.size());
    for (size_t i = 0; i < list.size(); ++i) {
        auto v = validate_fields(list[i]);
        if (!v) {
            if (list.size() > 1)
                return fail(v.error().code,
                            fmt::format("contact {}: {}", i + 1, v.error().message));
            return tl::unexpected(v.error());
        }
        if (v->empty())
            return fail(Errc::invalid_argument, fmt::format("contact {} has no fields", i + 1));
        bodies.push_back(to_json(*v));
    }
    SB_TRY(ensure(account));
    return db_.write([&](Tx& tx) -> Result<std::vector<int64_t>> {
        SB_TRY(check_contact_folder(tx, account, folder));
        const auto n = static_cast<int64_t>(bodies.size());
        SB_TRY_ASSIGN(auto r, reserve(tx, account, n, n));
        const int64_t now = now_ms();
        std::vector<int64_t> ids;
        for (int64_t i = 0; i < n; ++i) {
            SB_TRY(
                tx.exec("INSERT INTO contacts (account_id, id, folder_id, fields, modseq, "
                        "created_at, modified_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        {account, r.id + i, folder, bodies[i], r.modseq + i, now, now}));
            ids.push_back(r.id + i);
        }
        tx.notify(changed(account, "contact"));
        return ids;
    });
}

Result<Contact> Mailbox::update_contact(int64_t account, int64_t id, const ContactFields& fields) {
    SB_TRY_ASSIGN(auto v, validate_fields(fields));
    if (v.empty()) return fail(Errc::invalid_argument, "a contact needs at least one field");
    SB_TRY(ensure(account));
    SB_TRY(db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto r, reserve(tx, account, 1, 0));
        SB_TRY_ASSIGN(auto n, tx.exec("UPDATE contacts SET fields = ?, modseq = ?, modified_at = ? "
                                      "WHERE account_id = ? AND "
                                      "id = ?",
                                      {to_json(v), r.modseq, now_ms(), account, id}));
        if (n == 0) return fail(Errc::not_found, fmt::format("no contact with id {}", id));
        tx.notify(changed(account, "contact"));
        return {};
    }));
    return contact(account, id);
}

Result<Contact> Mailbox::move_contact(int64_t account, int64_t id, int64_t folder) {
    SB_TRY(ensure(account));
    SB_TRY(db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(check_contact_folder(tx, account, folder));
        SB_TRY_ASSIGN(auto old,
                      tx.first("SELECT folder_id FROM contacts WHERE account_id = ? AND id = ?",
                               {account, id}));
        if (!old) return fail(Errc::not_found, fmt::format("no contact with id {}", id));
        SB_TRY_ASSIGN(auto r, reserve(tx, account, 1, 0));
        SB_TRY(
            tx.exec("UPDATE contacts SET folder_id = ?, modseq = ?, modified_at = ? WHERE "
                    "account_id = ? AND id = ?",
                    {folder, r.modseq, now_ms(), account, id}));
        tx.notify(changed(account, "contact"));
        return {};
    }));
    return contact(account, id);
}

Result<void> Mailbox::delete_contact(int64_t account, int64_t id) {
    SB_TRY(ensure(account));
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto old,
                      tx.first("SELECT folder_id FROM contacts WHERE account_id = ? AND id = ?",
                               {account, id}));
        if (!old) return fail(Errc::not_found, fmt::format("no contact with id {}", id));
        SB_TRY_ASSIGN(auto r, reserve(tx, account, 1, 0));
        SB_TRY(tx.exec("DELETE FROM contacts WHERE account_id = ? AND id = ?", {account, id}));
        SB_TRY(tx.exec(
            "INSERT INTO tombstones (account_id, id, kind, folder_id, modseq, deleted_at) VALUES "
            "(?, ?, 'contact', ?, ?, ?) ON CONFLICT (account_id, id) DO UPDATE SET modseq = "
            "excluded.modseq",
            {account, id, old->integer(0), r.modseq, now_ms()}));
        tx.notify(changed(account, "contact"));
        return {};
    });
}

Result<Contact> Mailbox::contact(int64_t account, int64_t id) {
    return db_.read([&](Tx& tx) -> Result<Contact> {
        SB_TRY_ASSIGN(
            auto row,
            tx.first(std::string(kContactCols) + "WHERE account_id = ? AND id = ?", {account, id}));
        if (!row) return fail(Errc::not_found, fmt::format("no contact with id {}", id));
        return contact_from_row(*row);
    });
}

Result<std::vector<Contact>> Mailbox::contacts(int64_t account, std::optional<int64_t> folder) {
    SB_TRY(ensure(account));
    return db_.read([&](Tx& tx) -> Result<std::vector<Contact>> {
        SB_TRY_ASSIGN(store::Rows rows,
                      folder
                          ? tx.query(std::string(kContactCols) +
                                         "WHERE account_id = ? AND folder_id = ? ORDER BY id",
                                     {account, *folder})
                          : tx.query(std::string(kContactCols) + "WHERE account_id = ? ORDER BY id",
                                     {account}));
        std::vector<Contact> out;
        out.reserve(rows.size());
        for (auto& r : rows)
            out.push_back(contact_from_row(r));
        return out;
    });
}

Result<std::vector<Contact>> Mailbox::contacts_by_id(int64_t account,
                                                     const std::vector<int64_t>& ids) {
    if (ids.empty()) return std::vector<Contact>{};
    SB_TRY_ASSIGN(auto out, db_.read([&](Tx& tx) -> Result<std::vector<Contact>> {
        std::vector<Contact> out;
        for (size_t at = 0; at < ids.size(); at += kMaxIdList) {
            std::vector<store::Value> params{account};
            auto list = id_list(ids, at, params);
            SB_TRY_ASSIGN(auto rows,
                          tx.query(std::string(kContactCols) + "WHERE account_id = ? AND id IN (" +
                                       list + ") ORDER BY id",
                                   params));
            for (auto& r : rows)
                out.push_back(contact_from_row(r));
        }
        return out;
    }));
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.id < b.id; });
    return out;
}

Result<std::vector<ContactVersion>> Mailbox::contacts_after(int64_t account, int64_t folder,
                                                            int64_t after, size_t limit) {
    return db_.read([&](Tx& tx) -> Result<std::vector<ContactVersion>> {
        SB_TRY_ASSIGN(
            auto rows,
            tx.query(
                "SELECT id, modseq FROM contacts WHERE account_id = ? AND folder_id = ? AND id > ? "
                "ORDER BY id LIMIT ?",
                {account, folder, after, static_cast<int64_t>(limit)}));
        std::vector<ContactVersion> out;
        out.reserve(rows.size());
        for (auto& r : rows)
            out.push_back({r.integer(0), r.integer(1)});
        return out;
    });
}

Result<size_t> Mailbox::count_after(int64_t account, int64_t folder, int64_t after, size_t limit) {
    SB_TRY_ASSIGN(auto n, db_.read([&](Tx& tx) {
        return tx.scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM contacts WHERE "
            "account_id = ? AND folder_id = ? "
            "AND id > ? LIMIT ?) AS page",
            {account, folder, after, static_cast<int64_t>(limit)});
    }));
    return static_cast<size_t>(n);
}

Result<ContactFeed> Mailbox::contact_changes(int64_t account, int64_t since, size_t limit) {
    SB_TRY(ensure(account));
    limit = std::max<size_t>(limit, 1);
    return db_.read([&](Tx& tx) -> Result<ContactFeed> {
        ContactFeed feed;
        SB_TRY_ASSIGN(auto m,
                      tx.scalar("SELECT modseq FROM mailboxes WHERE account_id = ?", {account}));
        feed.modseq = feed.complete_to = m;
        if (since >= m) return feed;
        // Both lists are read up to `limit`; a list that was cut short is complete only up to its
        // last entry, and so is the merged feed.
        SB_TRY_ASSIGN(
            auto live,
            tx.query(
                "SELECT id, folder_id, modseq FROM contacts WHERE account_id = ? AND modseq > ? "
                "ORDER BY modseq LIMIT ?",
                {account, since, static_cast<int64_t>(limit)}));
        SB_TRY_ASSIGN(
            auto gone,
            tx.query("SELECT id, folder_id, modseq FROM tombstones WHERE account_id = ? AND kind = "
                     "'contact' AND modseq > ? ORDER BY modseq LIMIT ?",
                     {account, since, static_cast<int64_t>(limit)}));
        if (live.size() >= limit)
            feed.complete_to = std::min(feed.complete_to, live.back().integer(2));
        if (gone.size() >= limit)
            feed.complete_to = std::min(feed.complete_to, gone.back().integer(2));
        for (auto* rows : {&live, &gone})
            for (auto& r : *rows)
                if (r.integer(2) <= feed.complete_to)
                    feed.changes.push_back(
                        {r.integer(0), r.integer(1), r.integer(2), rows == &gone});
        std::sort(feed.changes.begin(), feed.changes.end(),
                  [](auto& a, auto& b) { return a.modseq < b.modseq; });
        return feed;
    });
}

Result<int64_t> Mailbox::modseq(int64_t account) {
    SB_TRY(ensure(account));
    return db_.read([&](Tx& tx) {
        return tx.scalar("SELECT modseq FROM mailboxes WHERE account_id = ?", {account});
    });
}

Result<ChangeSet> Mailbox::changes_since(int64_t account, int64_t since) {
    SB_TRY(ensure(account));
    return db_.read([&](Tx& tx) -> Result<ChangeSet> {
        ChangeSet cs;
        SB_TRY_ASSIGN(auto m,
                      tx.scalar("SELECT modseq FROM mailboxes WHERE account_id = ?", {account}));
        cs.modseq = m;
        SB_TRY_ASSIGN(auto fs, load_folders(tx, account));
        for (auto& f : fs)
            if (f.modseq > since) cs.folders.push_back(f);
        SB_TRY_ASSIGN(auto rows, tx.query(std::string(kContactCols) +
                                              "WHERE account_id = ? AND modseq > ? ORDER BY modseq",
                                          {account, since}));
        for (auto& r : rows)
            cs.contacts.push_back(contact_from_row(r));
        SB_TRY_ASSIGN(auto tomb, tx.query("SELECT id, kind, folder_id, modseq FROM tombstones "
                                          "WHERE account_id = ? AND modseq > "
                                          "? ORDER BY modseq",
                                          {account, since}));
        for (auto& r : tomb)
            cs.deleted.push_back(Tombstone{r.integer(0), r.text(1), r.integer(2), r.integer(3)});
        return cs;
    });
}

}  // namespace sb::mailbox
