#include "ldap/addressbook/publications.hpp"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "directory/directory.hpp"
#include "mailbox/mailbox.hpp"

namespace sb::addressbook {
namespace {

bool looks_like_uuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
}

std::optional<int64_t> folder_number(std::string_view s) {
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    return std::stoll(std::string(s));
}

}  // namespace

std::string_view scope_name(PublishScope s) {
    return s == PublishScope::global ? "global" : "domain";
}

Result<Publication> Publications::add(PublishScope scope, std::optional<std::string_view> domain,
                                      std::string_view owner, std::string_view folder) {
    SB_TRY_ASSIGN(auto account, dir_.account(owner));
    Publication p;
    p.scope = scope;
    p.owner_uuid = account.uuid;
    p.owner_id = account.id;
    p.owner = account.address;
    if (scope == PublishScope::domain) {
        SB_TRY_ASSIGN(auto d, dir_.domain(domain ? *domain : std::string_view(account.domain)));
        p.domain_id = d.id;
        p.domain = d.name;
    }
    if (iequals(trim(folder), "all")) {
        p.folder = "all";
    } else {
        SB_TRY_ASSIGN(auto f, mbox_.find_folder(account.id, folder));
        if (f.view != mailbox::View::contact)
            return fail(Errc::invalid_argument,
                        fmt::format("folder {} ({}) of {} does not hold contacts", f.path, f.id,
                                    account.address));
        p.folder_id = f.id;
        p.folder = f.path;
    }
    p.created_at = now_ms();
    SB_TRY_ASSIGN(p.id, db_.write([&](store::Tx& tx) -> Result<int64_t> {
        auto rows = tx.query(
            "INSERT INTO ldap_published_books (scope, domain_id, owner_uuid, owner_id, folder_id, "
            "created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            {std::string(scope_name(scope)), p.domain_id, p.owner_uuid, p.owner_id, p.folder_id,
             p.created_at});
        if (!rows && rows.error().code == Errc::already_exists)
            return fail(Errc::already_exists,
                        fmt::format("{} of {} is already published ({}{})", p.folder, p.owner,
                                    scope_name(scope), p.domain.empty() ? "" : " " + p.domain));
        SB_TRY_ASSIGN(auto inserted, std::move(rows));
        tx.notify(store::Change{std::string(kChannel), 0, "published"});
        return inserted.front().integer(0);
    }));
    return p;
}

Result<std::vector<Publication>> Publications::list(std::optional<PublishScope> scope,
                                                    std::optional<std::string_view> domain) {
    std::optional<int64_t> domain_id;
    if (domain) {
        SB_TRY_ASSIGN(auto d, dir_.domain(*domain));
        domain_id = d.id;
    }
    SB_TRY_ASSIGN(auto out, db_.read([&](store::Tx& tx) -> Result<std::vector<Publication>> {
        SB_TRY_ASSIGN(auto rows,
                      tx.query("SELECT id, scope, domain_id, owner_uuid, owner_id, folder_id, "
                               "created_at FROM ldap_published_books"));
        std::vector<Publication> list;
        for (const auto& r : rows) {
            Publication p;
            p.id = r.integer(0);
            p.scope = r.text(1) == "domain" ? PublishScope::domain : PublishScope::global;
            p.domain_id = r.integer(2);
            p.owner_uuid = r.text(3);
            p.owner_id = r.integer(4);
            p.folder_id = r.integer(5);
            p.created_at = r.integer(6);
            if (scope && p.scope != *scope) continue;
            if (domain_id && p.domain_id != *domain_id) continue;
            list.push_back(std::move(p));
        }
        return list;
    }));
    SB_TRY(name_owners_and_domains(out));
    std::sort(out.begin(), out.end(), [](const Publication& a, const Publication& b) {
        return std::tuple(scope_name(b.scope), a.domain, a.owner, a.folder_id) <
               std::tuple(scope_name(a.scope), b.domain, b.owner, b.folder_id);
    });
    for (auto& p : out) {
        if (p.folder_id == 0) {
            p.folder = "all";
        } else if (!p.owner.empty()) {
            auto f = mbox_.folder(p.owner_id, p.folder_id);
            if (f) p.folder = f->path;
        }
    }
    return out;
}

// Fills in the domain names and owner addresses ("" for those deleted since).
Result<void> Publications::name_owners_and_domains(std::vector<Publication>& list) {
    SB_TRY_ASSIGN(auto domains, dir_.domains());
    std::vector<int64_t> owner_ids;
    for (const auto& p : list)
        owner_ids.push_back(p.owner_id);
    SB_TRY_ASSIGN(auto owners, dir_.accounts_with_attrs(owner_ids, {}));
    for (auto& p : list) {
        for (const auto& d : domains)
            if (d.id == p.domain_id) p.domain = d.name;
        for (const auto& o : owners)
            if (o.account.id == p.owner_id && o.account.uuid == p.owner_uuid)
                p.owner = o.account.address;
    }
    return {};
}

Result<size_t> Publications::remove(PublishScope scope, std::optional<std::string_view> domain,
                                    std::string_view owner,
                                    std::optional<std::string_view> folder) {
    std::string uuid;
    std::optional<directory::Account> account;
    if (auto a = dir_.account(owner)) {
        uuid = a->uuid;
        account = std::move(*a);
    } else if (a.error().code == Errc::not_found && looks_like_uuid(trim(owner))) {
        uuid = to_lower(trim(owner));  // a deleted account: its publications are orphans
    } else {
        return tl::unexpected(a.error());
    }
    std::optional<int64_t> domain_id;
    if (scope == PublishScope::domain) {
        if (domain) {
            SB_TRY_ASSIGN(auto d, dir_.domain(*domain));
            domain_id = d.id;
        } else if (account) {
            domain_id = account->domain_id;
        }
    }
    std::optional<int64_t> folder_id;  // nullopt: all of them
    if (folder && !iequals(trim(*folder), "all")) {
        if (auto n = folder_number(trim(*folder))) {
            folder_id = *n;
        } else if (account) {
            SB_TRY_ASSIGN(auto f, mbox_.find_folder(account->id, *folder));
            folder_id = f.id;
        } else {
            return fail(Errc::invalid_argument,
                        "give the folder by id (or 'all') for a deleted account");
        }
    }
    SB_TRY_ASSIGN(auto removed, db_.write([&](store::Tx& tx) -> Result<int64_t> {
        std::string sql = "DELETE FROM ldap_published_books WHERE scope = ? AND owner_uuid = ?";
        std::vector<store::Value> params{std::string(scope_name(scope)), uuid};
        if (domain_id) {
            sql += " AND domain_id = ?";
            params.emplace_back(*domain_id);
        }
        if (folder_id) {
            sql += " AND folder_id = ?";
            params.emplace_back(*folder_id);
        }
        SB_TRY_ASSIGN(auto n, tx.exec(sql, params));
        if (n > 0) tx.notify(store::Change{std::string(kChannel), 0, "published"});
        return n;
    }));
    if (removed == 0)
        return fail(Errc::not_found,
                    fmt::format("no {} address book of {}{} is published", scope_name(scope), owner,
                                folder ? fmt::format(" with folder {}", *folder) : std::string()));
    return static_cast<size_t>(removed);
}

}  // namespace sb::addressbook
