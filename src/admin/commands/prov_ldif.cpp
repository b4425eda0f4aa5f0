// `switchboard prov importLdif FILE [domain D]`: accounts from inetOrgPerson entries, all or none.
#include <fmt/format.h>

#include <unordered_map>

#include "admin/commands/common.hpp"
#include "core/strings.hpp"
#include "directory/directory.hpp"
#include "directory/ldif/reader.hpp"

namespace sb::admin {
namespace {

// LDIF attribute → account attribute. Values of attributes not listed here are ignored.
struct Mapping {
    std::string_view ldif;
    std::string_view account;
};
constexpr Mapping kMappings[] = {
    {"cn", "cn"},
    {"displayName", "displayName"},
    {"givenName", "givenName"},
    {"sn", "sn"},
    {"initials", "initials"},
    {"telephoneNumber", "telephoneNumber"},
    {"mobile", "mobile"},
    {"homePhone", "homePhone"},
    {"facsimileTelephoneNumber", "facsimileTelephoneNumber"},
    {"pager", "pager"},
    {"title", "title"},
    {"o", "company"},
    {"company", "company"},
    {"ou", "ou"},
    {"department", "ou"},
    {"physicalDeliveryOfficeName", "physicalDeliveryOfficeName"},
    {"street", "street"},
    {"l", "l"},
    {"st", "st"},
    {"postalCode", "postalCode"},
    {"c", "c"},
    {"co", "co"},
    {"postalAddress", "postalAddress"},
    {"description", "description"},
};

bool is_person(const ldif::Entry& e) {
    for (auto oc : e.values("objectClass"))
        if (iequals(oc, "inetOrgPerson") || iequals(oc, "person") ||
            iequals(oc, "organizationalPerson"))
            return true;
    return false;
}

Result<directory::NewAccount> to_account(const ldif::Entry& e,
                                         const std::optional<std::string>& domain) {
    directory::NewAccount na;
    na.context = fmt::format("line {}", e.line);
    auto mails = e.values("mail");
    auto err = [&](std::string msg) {
        return fail(Errc::invalid_argument, fmt::format("line {}: {}", e.line, msg));
    };
    std::string primary;
    if (!mails.empty()) primary = std::string(mails.front());
    if (domain) {
        std::string local;
        if (!primary.empty())
            local = primary.substr(0, primary.find('@'));
        else if (auto uid = e.first_value("uid"))
            local = std::string(*uid);
        if (local.empty()) return err(fmt::format("entry {} has neither mail nor uid", e.dn));
        primary = local + "@" + *domain;
    }
    if (primary.empty())
        return err(fmt::format("entry {} has no mail attribute (or give: domain DOMAIN)", e.dn));
    auto norm = directory::normalize_address(primary);
    if (!norm) return err(norm.error().message);
    na.address = *norm;
    for (size_t i = 1; i < mails.size(); ++i) {
        std::string alias(mails[i]);
        if (domain) alias = alias.substr(0, alias.find('@')) + "@" + *domain;
        if (directory::normalize_address(alias).value_or("") != na.address)
            na.aliases.push_back(alias);
    }
    for (const auto& m : kMappings) {
        auto v = e.first_value(m.ldif);
        if (!v || v->empty()) continue;
        na.attrs.push_back(
            {directory::AttrChange::Op::set, std::string(m.account), std::string(*v)});
    }
    // Outlook shows displayName; fall back to cn like most directories do.
    if (!e.first_value("displayName"))
        if (auto cn = e.first_value("cn"))
            na.attrs.push_back({directory::AttrChange::Op::set, "displayName", std::string(*cn)});
    if (auto pw = e.first_value("userPassword"); pw && !pw->empty())
        na.imported_password = std::string(*pw);
    return na;
}

}  // namespace

Result<Output> import_ldif(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto text, c.file(0));
    SB_TRY_ASSIGN(auto opts, c.options(1, {"domain"}));
    std::optional<std::string> domain;
    if (auto it = opts.find("domain"); it != opts.end()) {
        SB_TRY_ASSIGN(auto d, s.directory->domain(it->second));
        domain = d.name;
    }
    ldif::Reader reader(text);
    std::vector<directory::NewAccount> accounts;
    size_t skipped = 0;
    for (;;) {
        auto e = reader.next();
        if (!e)
            return fail(e.error().code,
                        fmt::format("{}: {}; nothing was imported", c[0], e.error().message));
        if (!*e) break;
        if (!is_person(**e)) {
            ++skipped;
            continue;
        }
        auto na = to_account(**e, domain);
        if (!na)
            return fail(na.error().code,
                        fmt::format("{}: {}; nothing was imported", c[0], na.error().message));
        accounts.push_back(std::move(*na));
    }
    if (accounts.empty())
        return fail(Errc::invalid_argument,
                    fmt::format("{}: no person entries found; nothing was imported", c[0]));
    // An address twice in the file: name both entries (the store would only see the second).
    std::unordered_map<std::string, const std::string*> seen;
    for (const auto& na : accounts) {
        std::vector<const std::string*> addresses{&na.address};
        for (const auto& alias : na.aliases)
            addresses.push_back(&alias);
        for (const std::string* address : addresses) {
            auto [it, fresh] = seen.emplace(to_lower(*address), &na.context);
            if (!fresh && it->second != &na.context)
                return fail(Errc::already_exists,
                            fmt::format("{}: {}: address {} is also used at {}; nothing was "
                                        "imported",
                                        c[0], na.context, *address, *it->second));
        }
    }
    auto n = s.directory->create_accounts(accounts);
    if (!n)
        return fail(n.error().code,
                    fmt::format("{}: {}; nothing was imported", c[0], n.error().message));
    return text_output(
        fmt::format("imported {} accounts ({} other entries skipped)\n", *n, skipped),
        {{"imported", *n}, {"skipped", skipped}});
}

}  // namespace sb::admin
