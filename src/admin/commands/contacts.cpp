// `switchboard contacts ...`: a user's contact folders and contacts, vCard import and export.
#include <fmt/format.h>

#include "admin/commands/common.hpp"
#include "admin/format.hpp"
#include "directory/directory.hpp"
#include "mailbox/mailbox.hpp"
#include "mailbox/vcard/vcard.hpp"

namespace sb::admin {
namespace {

using mailbox::ContactFields;

Result<int64_t> account_id(Services& s, std::string_view key) {
    SB_TRY_ASSIGN(auto a, s.directory->account(key));
    return a.id;
}

nlohmann::json folder_json(const mailbox::Folder& f) {
    return {{"id", f.id},
            {"parent", f.parent_id},
            {"name", f.name},
            {"path", f.path},
            {"view", std::string(mailbox::view_name(f.view))},
            {"modseq", f.modseq}};
}

nlohmann::json contact_json(const mailbox::Contact& c) {
    nlohmann::json fields = nlohmann::json::object();
    for (auto& [k, v] : c.fields)
        fields[k] = v;
    return {{"id", c.id}, {"folder", c.folder_id}, {"modseq", c.modseq}, {"fields", fields}};
}

std::string contact_title(const mailbox::Contact& c) {
    std::string name = vcard::derive_full_name(c.fields);
    auto email = c.fields.find("email");
    if (email != c.fields.end() && name != email->second) name += " <" + email->second + ">";
    return name;
}

Result<mailbox::Folder> folder_option(Services& s, int64_t account,
                                      const std::map<std::string, std::string>& o) {
    auto it = o.find("folder");
    if (it == o.end()) return s.mailbox->folder(account, mailbox::folder_id::kContacts);
    return s.mailbox->find_folder(account, it->second);
}

Result<Output> create_folder(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto o, c.options(2, {"view"}));
    SB_TRY_ASSIGN(auto id, account_id(s, c[0]));
    mailbox::View view = mailbox::View::contact;
    if (auto it = o.find("view"); it != o.end()) {
        SB_TRY_ASSIGN(auto v, mailbox::parse_view(it->second));
        view = v;
    }
    SB_TRY_ASSIGN(auto f, s.mailbox->create_folder(id, c[1], view));
    return text_output(fmt::format("{}\n", f.id), folder_json(f));
}

Result<Output> list_folders(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto id, account_id(s, c[0]));
    SB_TRY_ASSIGN(auto fs, s.mailbox->folders(id));
    SB_TRY_ASSIGN(auto contacts, s.mailbox->contacts(id));
    std::map<int64_t, size_t> counts;
    for (auto& ct : contacts)
        counts[ct.folder_id]++;
    std::string text = fmt::format("{:>6}  {:<12} {:>8}  {}\n", "Id", "View", "Contacts", "Path");
    nlohmann::json arr = nlohmann::json::array();
    for (auto& f : fs) {
        text += fmt::format("{:>6}  {:<12} {:>8}  {}\n", f.id, mailbox::view_name(f.view),
                            f.view == mailbox::View::contact ? std::to_string(counts[f.id]) : "",
                            f.path);
        auto j = folder_json(f);
        j["contacts"] = counts[f.id];
        arr.push_back(j);
    }
    return text_output(text, {{"folders", arr}});
}

Result<Output> rename_folder(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto id, account_id(s, c[0]));
    SB_TRY_ASSIGN(auto f, s.mailbox->find_folder(id, c[1]));
    SB_TRY_ASSIGN(auto r, s.mailbox->rename_folder(id, f.id, c[2]));
    return text_output("", folder_json(r));
}

Result<Output> delete_folder(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto id, account_id(s, c[0]));
    SB_TRY_ASSIGN(auto f, s.mailbox->find_folder(id, c[1]));
    SB_TRY(s.mailbox->delete_folder(id, f.id));
    return text_output("");
}

Result<Output> import_vcf(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto text, c.file(1));
    SB_TRY_ASSIGN(auto o, c.options(2, {"folder"}));
    SB_TRY_ASSIGN(auto id, account_id(s, c[0]));
    SB_TRY_ASSIGN(auto folder, folder_option(s, id, o));
    auto cards = vcard::parse(text);
    if (!cards)
        return fail(cards.error().code,
                    fmt::format("{}: {}; nothing was imported", c[1], cards.error().message));
    std::vector<ContactFields> list;
    size_t groups = 0;
    for (auto& card : *cards) {
        if (card.is_group) {
            ++groups;
            continue;
        }
        if (card.fields.empty()) continue;
        list.push_back(std::move(card.fields));
    }
    if (list.empty())
        return fail(Errc::invalid_argument,
                    fmt::format("{}: no contacts found; nothing was imported", c[1]));
    auto ids = s.mailbox->add_contacts(id, folder.id, list);
    if (!ids)
        return fail(ids.error().code,
                    fmt::format("{}: {}; nothing was imported", c[1], ids.error().message));
    std::string msg = fmt::format("imported {} contacts into {}", ids->size(), folder.path);
    if (groups) msg += fmt::format(" ({} contact groups skipped)", groups);
    return text_output(msg + "\n",
                       {{"imported", ids->size()}, {"folder", folder.path}, {"ids", *ids}});
}

Result<Output> export_vcf(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto o, c.options(1, {"folder", "version"}));
    SB_TRY_ASSIGN(auto id, account_id(s, c[0]));
    std::optional<int64_t> folder;
    if (o.count("folder")) {
        SB_TRY_ASSIGN(auto f, s.mailbox->find_folder(id, o.at("folder")));
        folder = f.id;
    }
    vcard::Version version = vcard::Version::v3;
    if (auto it = o.find("version"); it != o.end()) {
        if (it->second == "4" || it->second == "4.0")
            version = vcard::Version::v4;
        else if (it->second != "3" && it->second != "3.0")
            return fail(Errc::invalid_argument, "version must be 3.0 or 4.0");
    }
    SB_TRY_ASSIGN(auto list, s.mailbox->contacts(id, folder));
    std::vector<ContactFields> fields;
    for (auto& ct : list)
        fields.push_back(ct.fields);
    std::string text = vcard::write_all(fields, version);
    return text_output(text, {{"count", fields.size()}, {"vcard", text}});
}

Result<Output> list_contacts(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto o, c.options(1, {"folder"}));
    SB_TRY_ASSIGN(auto id, account_id(s, c[0]));
    std::optional<int64_t> folder;
    if (o.count("folder")) {
        SB_TRY_ASSIGN(auto f, s.mailbox->find_folder(id, o.at("folder")));
        folder = f.id;
    }
    SB_TRY_ASSIGN(auto list, s.mailbox->contacts(id, folder));
    std::string text;
    nlohmann::json arr = nlohmann::json::array();
    for (auto& ct : list) {
        text += fmt::format("{:>6}  {:>5}  {}\n", ct.id, ct.folder_id, contact_title(ct));
        arr.push_back(contact_json(ct));
    }
    return text_output(text, {{"contacts", arr}});
}

Result<ContactFields> fields_from(const Call& c, size_t from, std::string* folder) {
    SB_TRY_ASSIGN(auto p, c.pairs(from));
    ContactFields f;
    for (auto& [k, v] : p) {
        if (folder && iequals(k, "folder")) {
            *folder = v;
            continue;
        }
        if (!mailbox::is_contact_field(k))
            return fail(Errc::invalid_argument, fmt::format("unknown contact field: {}", k));
        f[k] = v;
    }
    return f;
}

Result<Output> add_contact(Services& s, const Call& c) {
    std::string folder_key;
    SB_TRY_ASSIGN(auto f, fields_from(c, 1, &folder_key));
    SB_TRY_ASSIGN(auto id, account_id(s, c[0]));
    std::map<std::string, std::string> o;
    if (!folder_key.empty()) o["folder"] = folder_key;
    SB_TRY_ASSIGN(auto folder, folder_option(s, id, o));
    SB_TRY_ASSIGN(auto ct, s.mailbox->add_contact(id, folder.id, f));
    return text_output(fmt::format("{}\n", ct.id), contact_json(ct));
}

Result<int64_t> contact_id(std::string_view s) {
    char* end = nullptr;
    std::string str(s);
    long long v = std::strtoll(str.c_str(), &end, 10);
    if (str.empty() || *end || v <= 0)
        return fail(Errc::invalid_argument, fmt::format("'{}' is not a contact id", s));
    return v;
}

Result<Output> get_contact(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto id, account_id(s, c[0]));
    SB_TRY_ASSIGN(auto cid, contact_id(c[1]));
    SB_TRY_ASSIGN(auto ct, s.mailbox->contact(id, cid));
    TextBlock t;
    t.row("id", std::to_string(ct.id)).row("folder", std::to_string(ct.folder_id));
    for (auto& [k, v] : ct.fields)
        t.row(k, v);
    return text_output(t.str(), contact_json(ct));
}

Result<Output> modify_contact(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto id, account_id(s, c[0]));
    SB_TRY_ASSIGN(auto cid, contact_id(c[1]));
    SB_TRY_ASSIGN(auto changes, fields_from(c, 2, nullptr));
    SB_TRY_ASSIGN(auto ct, s.mailbox->contact(id, cid));
    for (auto& [k, v] : changes) {
        if (v.empty())
            ct.fields.erase(k);
        else
            ct.fields[k] = v;
    }
    SB_TRY_ASSIGN(auto r, s.mailbox->update_contact(id, cid, ct.fields));
    return text_output("", contact_json(r));
}

Result<Output> delete_contact(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto id, account_id(s, c[0]));
    SB_TRY_ASSIGN(auto cid, contact_id(c[1]));
    SB_TRY(s.mailbox->delete_contact(id, cid));
    return text_output("");
}

}  // namespace

void register_contacts(CommandTable& t) {
    t.add({"contacts",
           "createFolder",
           "",
           "ACCOUNT PATH [view contact|message|appointment|task]",
           "create a folder, e.g. /Contacts/Suppliers (the parent must exist)",
           2,
           {},
           create_folder});
    t.add({"contacts",
           "listFolders",
           "",
           "ACCOUNT",
           "list an account's folders",
           1,
           {},
           list_folders});
    t.add({"contacts",
           "renameFolder",
           "",
           "ACCOUNT FOLDER NEW_NAME",
           "rename a user folder",
           3,
           {},
           rename_folder});
    t.add({"contacts",
           "deleteFolder",
           "",
           "ACCOUNT FOLDER",
           "delete a user folder and everything in it",
           2,
           {},
           delete_folder});
    t.add({"contacts",
           "import",
           "",
           "ACCOUNT FILE.vcf [folder F]",
           "import vCards (3.0 or 4.0) into a folder (default /Contacts), all or nothing",
           2,
           {1},
           import_vcf});
    t.add({"contacts",
           "export",
           "",
           "ACCOUNT [folder F] [version 3.0|4.0]",
           "print contacts as vCards",
           1,
           {},
           export_vcf});
    t.add({"contacts", "list", "", "ACCOUNT [folder F]", "list contacts", 1, {}, list_contacts});
    t.add({"contacts", "get", "", "ACCOUNT ID", "show one contact", 2, {}, get_contact});
    t.add({"contacts",
           "add",
           "",
           "ACCOUNT FIELD VALUE [FIELD VALUE]... [folder F]",
           "add a contact (fields: firstName lastName email company mobilePhone ...)",
           3,
           {},
           add_contact});
    t.add({"contacts",
           "modify",
           "",
           "ACCOUNT ID FIELD VALUE [FIELD VALUE]...",
           "change fields of a contact ('' removes a field)",
           4,
           {},
           modify_contact});
    t.add({"contacts", "delete", "", "ACCOUNT ID", "delete a contact", 2, {}, delete_contact});
}

}  // namespace sb::admin
