// `switchboard mobile addressBook add|list|remove`: address books published in the LDAP address
// book, to every user (global) or to the users of one domain (domain). Syntax as the original:
//   addressBook add global OWNER FOLDER|all           addressBook add domain [DOMAIN] OWNER
//   FOLDER|all addressBook list [global|domain [DOMAIN]] addressBook remove global OWNER
//   [FOLDER|all]      addressBook remove domain [DOMAIN] OWNER FOLDER|all
// OWNER is an address or the account's uuid (a deleted account's uuid removes its orphans).
#include <fmt/format.h>

#include "admin/commands/common.hpp"
#include "admin/format.hpp"
#include "core/strings.hpp"
#include "ldap/addressbook/address_book.hpp"

namespace sb::admin {
namespace {

using addressbook::PublishScope;

Result<PublishScope> parse_scope(std::string_view s) {
    if (iequals(s, "global")) return PublishScope::global;
    if (iequals(s, "domain")) return PublishScope::domain;
    return fail(Errc::invalid_argument,
                fmt::format("scope must be 'global' or 'domain', not '{}'", s));
}

Result<addressbook::Publications*> publications(Services& s) {
    if (!s.address_book)
        return fail(Errc::unavailable, "the LDAP address book is not part of this server");
    return &s.address_book->publications();
}

nlohmann::json publication_json(const addressbook::Publication& p) {
    return {{"id", p.id},
            {"scope", std::string(addressbook::scope_name(p.scope))},
            {"domain", p.domain},
            {"owner", p.owner},
            {"ownerId", p.owner_uuid},
            {"folderId", p.folder_id == 0 ? nlohmann::json("all") : nlohmann::json(p.folder_id)},
            {"folder", p.folder},
            {"created", utc_time_text(p.created_at)}};
}

std::string publication_line(const addressbook::Publication& p) {
    return fmt::format("{:<7} {:<20} {:<32} {:>6}  {}\n", addressbook::scope_name(p.scope),
                       p.domain.empty() ? "-" : p.domain,
                       p.owner.empty() ? p.owner_uuid + " (deleted)" : p.owner,
                       p.folder_id == 0 ? std::string("all") : std::to_string(p.folder_id),
                       p.folder.empty() ? "(folder deleted)" : p.folder);
}

Result<Output> add(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto scope, parse_scope(c[0]));
    std::optional<std::string_view> domain;
    size_t at = 1;
    if (scope == PublishScope::global && c.size() != 3)
        return fail(Errc::invalid_argument,
                    "usage: mobile addressBook add global OWNER FOLDER_ID|all");
    if (scope == PublishScope::domain) {
        if (c.size() == 4)
            domain = c[at++];
        else if (c.size() != 3)
            return fail(Errc::invalid_argument,
                        "usage: mobile addressBook add domain [DOMAIN] OWNER FOLDER_ID|all");
    }
    SB_TRY_ASSIGN(auto pubs, publications(s));
    SB_TRY_ASSIGN(auto p, pubs->add(scope, domain, c[at], c[at + 1]));
    std::string who = scope == PublishScope::global ? "every user" : "the users of " + p.domain;
    return text_output(
        fmt::format("{} of {} is now in the LDAP address book of {}\n", p.folder, p.owner, who),
        publication_json(p));
}

Result<Output> list(Services& s, const Call& c) {
    std::optional<PublishScope> scope;
    std::optional<std::string_view> domain;
    if (c.size() >= 1) {
        SB_TRY_ASSIGN(auto sc, parse_scope(c[0]));
        scope = sc;
    }
    if (c.size() >= 2) {
        if (scope != PublishScope::domain)
            return fail(Errc::invalid_argument, "only 'list domain' takes a domain");
        domain = c[1];
    }
    if (c.size() > 2)
        return fail(Errc::invalid_argument,
                    "usage: mobile addressBook list [global|domain [DOMAIN]]");
    SB_TRY_ASSIGN(auto pubs, publications(s));
    SB_TRY_ASSIGN(auto all, pubs->list(scope, domain));
    std::string text = fmt::format("{:<7} {:<20} {:<32} {:>6}  {}\n", "Scope", "Domain", "Owner",
                                   "Folder", "Path");
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& p : all) {
        text += publication_line(p);
        arr.push_back(publication_json(p));
    }
    if (all.empty()) text = "no address books are published\n";
    return text_output(text, {{"addressBooks", arr}});
}

Result<Output> remove(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto scope, parse_scope(c[0]));
    std::optional<std::string_view> domain, folder;
    std::string_view owner;
    if (scope == PublishScope::global) {
        if (c.size() < 2 || c.size() > 3)
            return fail(Errc::invalid_argument,
                        "usage: mobile addressBook remove global OWNER [FOLDER_ID|all]");
        owner = c[1];
        if (c.size() == 3) folder = c[2];
    } else {
        if (c.size() == 4) {
            domain = c[1];
            owner = c[2];
            folder = c[3];
        } else if (c.size() == 3) {
            owner = c[1];
            folder = c[2];
        } else {
            return fail(Errc::invalid_argument,
                        "usage: mobile addressBook remove domain [DOMAIN] OWNER FOLDER_ID|all");
        }
    }
    SB_TRY_ASSIGN(auto pubs, publications(s));
    SB_TRY_ASSIGN(auto n, pubs->remove(scope, domain, owner, folder));
    return text_output(fmt::format("removed {} published address book{}\n", n, n == 1 ? "" : "s"),
                       {{"removed", n}});
}

}  // namespace

void register_addressbook(CommandTable& t) {
    t.add({"mobile",
           "addressBook add",
           "",
           "global|domain [DOMAIN] OWNER FOLDER_ID|all",
           "publish a contact folder (or all) of OWNER in the LDAP address book of every user, or "
           "of a domain's users",
           3,
           {},
           add});
    t.add({"mobile",
           "addressBook list",
           "",
           "[global|domain [DOMAIN]]",
           "list the address books published in the LDAP address book",
           0,
           {},
           list});
    t.add({"mobile",
           "addressBook remove",
           "",
           "global|domain [DOMAIN] OWNER [FOLDER_ID|all]",
           "stop publishing an address book (OWNER may be the uuid of a deleted account)",
           2,
           {},
           remove});
}

}  // namespace sb::admin
