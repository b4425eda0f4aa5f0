#include "ldap/addressbook/loader.hpp"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "directory/attributes.hpp"
#include "directory/directory.hpp"
#include "mailbox/mailbox.hpp"

namespace sb::addressbook {
namespace {

// Account attributes the address book reads; the rest (mobile policies...) is not loaded.
constexpr std::string_view kAccountAttrs[] = {
    "displayName",
    "cn",
    "givenName",
    "sn",
    "initials",
    "telephoneNumber",
    "homePhone",
    "mobile",
    "facsimileTelephoneNumber",
    "pager",
    "title",
    "company",
    "ou",
    "physicalDeliveryOfficeName",
    "street",
    "l",
    "st",
    "postalCode",
    "c",
    "co",
    "postalAddress",
    "description",
    "zimbraHideInGal",
    "zimbraCOSId",
};

std::string name_list() {
    std::string s;
    for (auto n : kAccountAttrs)
        s += fmt::format("{}'{}'", s.empty() ? "" : ", ", n);
    return s;
}

std::string id_list(std::span<const int64_t> ids) {
    std::string s;
    for (int64_t id : ids)
        s += fmt::format("{}{}", s.empty() ? "" : ",", id);
    return s;
}

directory::AccountStatus parse_status(const std::string& s) {
    if (s == "locked") return directory::AccountStatus::locked;
    if (s == "closed") return directory::AccountStatus::closed;
    return directory::AccountStatus::active;
}

}  // namespace

bool DirectorySettings::hidden_in_gal(const AccountRecord& a) const {
    // The directory's rule for an inherited attribute (directory::detail::resolve), without
    // copying the maps for each of many accounts: account, COS, domain, global, built-in.
    static constexpr std::string_view kName = "zimbraHideInGal";
    auto value = [](const directory::AttrMap& m) -> std::optional<bool> {
        auto it = m.find(kName);
        if (it == m.end() || it->second.empty()) return std::nullopt;
        return directory::is_true(it->second.front());
    };
    if (auto v = value(a.attrs)) return *v;
    const directory::AttrMap* domain = nullptr;
    if (auto d = domain_attrs.find(a.domain_id); d != domain_attrs.end()) domain = &d->second;
    // COS: the account's own, else its domain's default, else "default".
    std::string key(directory::kDefaultCos);
    if (auto it = a.attrs.find("zimbraCOSId"); it != a.attrs.end() && !it->second.empty())
        key = it->second.front();
    else if (domain)
        if (auto it2 = domain->find("zimbraDomainDefaultCOSId");
            it2 != domain->end() && !it2->second.empty())
            key = it2->second.front();
    auto id = cos_ids.find(key);
    if (id == cos_ids.end()) id = cos_ids.find(std::string(directory::kDefaultCos));
    if (id != cos_ids.end())
        if (auto c = cos.find(id->second); c != cos.end())
            if (auto v = value(c->second.attrs)) return *v;
    if (domain)
        if (auto v = value(*domain)) return *v;
    if (auto v = value(global)) return *v;
    static const directory::AttrDef* def = directory::find_attr(kName);
    return def && directory::is_true(def->builtin);
}

Result<DirectorySettings> load_settings(store::Database& db) {
    DirectorySettings s;
    SB_TRY(db.read([&](store::Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto domains, tx.query("SELECT id, name FROM domains"));
        for (const auto& r : domains)
            s.domain_names[r.integer(0)] = r.text(1);
        SB_TRY_ASSIGN(auto cos, tx.query("SELECT id, uuid, name FROM cos"));
        for (const auto& r : cos) {
            s.cos[r.integer(0)].name = r.text(2);
            s.cos_ids[r.text(1)] = r.integer(0);
            s.cos_ids[r.text(2)] = r.integer(0);
        }
        SB_TRY_ASSIGN(
            auto attrs,
            tx.query(
                "SELECT scope, owner_id, name, value FROM attrs WHERE scope IN ('cos', 'domain', "
                "'global') "
                "ORDER BY scope, owner_id, name, seq"));
        for (const auto& r : attrs) {
            const std::string& scope = r.text(0);
            directory::AttrMap* m = nullptr;
            if (scope == "cos")
                m = &s.cos[r.integer(1)].attrs;
            else if (scope == "domain")
                m = &s.domain_attrs[r.integer(1)];
            else
                m = &s.global;
            (*m)[r.text(2)].push_back(r.text(3));
        }
        SB_TRY_ASSIGN(
            auto gal,
            tx.query("SELECT g.owner_id, a.id FROM attrs g JOIN accounts a ON a.uuid = g.value "
                     "WHERE g.scope = 'domain' AND g.name = 'zimbraGalAccountId'"));
        for (const auto& r : gal)
            s.gal_accounts[r.integer(0)] = r.integer(1);
        return {};
    }));
    return s;
}

Result<std::vector<AccountRecord>> load_accounts(store::Database& db,
                                                 std::optional<std::span<const int64_t>> ids) {
    std::vector<AccountRecord> out;
    if (ids && ids->empty()) return out;
    SB_TRY(db.read([&](store::Tx& tx) -> Result<void> {
        const std::string where_id = ids ? fmt::format(" WHERE id IN ({})", id_list(*ids)) : "";
        const std::string and_owner =
            ids ? fmt::format(" AND owner_id IN ({})", id_list(*ids)) : "";
        const std::string where_account =
            ids ? fmt::format(" WHERE account_id IN ({})", id_list(*ids)) : "";
        SB_TRY_ASSIGN(auto rows, tx.query("SELECT id, uuid, domain_id, address, status, "
                                          "created_at, modified_at FROM accounts" +
                                          where_id + " ORDER BY id"));
        out.reserve(rows.size());
        std::unordered_map<int64_t, size_t> at;
        at.reserve(rows.size());
        for (auto& r : rows) {
            AccountRecord a;
            a.id = r.integer(0);
            a.uuid = r.text(1);
            a.domain_id = r.integer(2);
            a.address = r.text(3);
            a.status = parse_status(r.text(4));
            a.created_ms = r.integer(5);
            a.modified_ms = r.integer(6);
            at[a.id] = out.size();
            out.push_back(std::move(a));
        }
        SB_TRY_ASSIGN(auto aliases, tx.query("SELECT account_id, address FROM aliases" +
                                             where_account + " ORDER BY address"));
        for (auto& r : aliases)
            if (auto it = at.find(r.integer(0)); it != at.end())
                out[it->second].aliases.push_back(r.text(1));
        SB_TRY_ASSIGN(
            auto attrs,
            tx.query(
                "SELECT owner_id, name, value FROM attrs WHERE scope = 'account' AND name IN (" +
                name_list() + ")" + and_owner + " ORDER BY owner_id, name, seq"));
        for (auto& r : attrs)
            if (auto it = at.find(r.integer(0)); it != at.end())
                out[it->second].attrs[r.text(1)].push_back(r.text(2));
        return {};
    }));
    return out;
}

Result<MailboxContent> load_mailbox(mailbox::Mailbox& mbox, int64_t account_id) {
    MailboxContent out;
    SB_TRY_ASSIGN(auto folders, mbox.folders(account_id));
    for (auto& f : folders)
        if (f.view == mailbox::View::contact) {
            out.entries[f.id];
            out.folders.push_back(std::move(f));
        }
    std::sort(out.folders.begin(), out.folders.end(),
              [](const mailbox::Folder& a, const mailbox::Folder& b) { return a.path < b.path; });
    SB_TRY_ASSIGN(auto contacts, mbox.contacts(account_id));
    for (const auto& c : contacts)
        if (auto it = out.entries.find(c.folder_id); it != out.entries.end())
            it->second.push_back(entry_from_contact(c));
    return out;
}

}  // namespace sb::addressbook
