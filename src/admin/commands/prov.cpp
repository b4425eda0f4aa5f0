// `switchboard prov ...`: domains, classes of service and accounts, with the verbs and short
// names admins know from zmprov / carbonio prov.
#include <fmt/format.h>

#include "admin/commands/common.hpp"
#include "admin/format.hpp"
#include "directory/directory.hpp"

namespace sb::admin {
namespace {

using directory::AttrMap;
using directory::Directory;

Directory& dir(Services& s) {
    return *s.directory;
}

// "# name X" then "attr: value" lines, zmprov style; `only` limits the attributes shown.
std::string attr_lines(std::string_view name, const AttrMap& attrs,
                       const std::vector<std::string>& only) {
    std::string out = fmt::format("# name {}\n", name);
    for (const auto& [k, vs] : attrs) {
        if (!only.empty() && std::find_if(only.begin(), only.end(),
                                          [&](auto& o) { return iequals(o, k); }) == only.end())
            continue;
        for (const auto& v : vs)
            out += fmt::format("{}: {}\n", k, v);
    }
    return out;
}

nlohmann::json attrs_json(const AttrMap& attrs) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, vs] : attrs)
        j[k] = vs.size() == 1 ? nlohmann::json(vs.front()) : nlohmann::json(vs);
    return j;
}

std::vector<std::string> rest(const Call& c, size_t from) {
    return {c.args().begin() + static_cast<long>(std::min(from, c.size())), c.args().end()};
}

// ---- domains ----

Result<Output> create_domain(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto ch, changes_from(c, 1));
    SB_TRY_ASSIGN(auto d, dir(s).create_domain(c[0], ch));
    return text_output(d.uuid + "\n", {{"id", d.uuid}, {"name", d.name}});
}

Result<Output> get_domain(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto d, dir(s).domain(c[0]));
    SB_TRY_ASSIGN(auto attrs, dir(s).own_attrs(directory::Scope::domain, d.id));
    attrs.insert({"zimbraDomainName", {d.name}});
    attrs.insert({"zimbraId", {d.uuid}});
    // Show the default COS by name, not only by id.
    if (auto it = attrs.find("zimbraDomainDefaultCOSId"); it != attrs.end())
        if (auto cos = dir(s).cos(it->second.front()))
            attrs.insert({"zimbraDomainDefaultCOSName", {cos->name}});
    return text_output(attr_lines(d.name, attrs, rest(c, 1)),
                       {{"name", d.name}, {"attrs", attrs_json(attrs)}});
}

Result<Output> get_all_domains(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto ds, dir(s).domains());
    bool verbose = c.size() > 0 && c[0] == "-v";
    std::string text;
    nlohmann::json list = nlohmann::json::array();
    for (auto& d : ds) {
        text += verbose ? fmt::format("{}  {}\n", d.name, d.uuid) : d.name + "\n";
        list.push_back({{"name", d.name}, {"id", d.uuid}});
    }
    return text_output(text, {{"domains", list}});
}

Result<Output> modify_domain(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto ch, changes_from(c, 1));
    if (ch.empty()) return fail(Errc::invalid_argument, "no attribute to change");
    SB_TRY(dir(s).modify_domain(c[0], ch));
    return text_output("");
}

Result<Output> delete_domain(Services& s, const Call& c) {
    SB_TRY(dir(s).delete_domain(c[0]));
    return text_output("");
}

// ---- classes of service ----

Result<Output> create_cos(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto ch, changes_from(c, 1));
    SB_TRY_ASSIGN(auto cos, dir(s).create_cos(c[0], ch));
    return text_output(cos.uuid + "\n", {{"id", cos.uuid}, {"name", cos.name}});
}

Result<Output> get_cos(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto cos, dir(s).cos(c[0]));
    SB_TRY_ASSIGN(auto attrs, dir(s).own_attrs(directory::Scope::cos, cos.id));
    attrs.insert({"cn", {cos.name}});
    attrs.insert({"zimbraId", {cos.uuid}});
    return text_output(attr_lines(cos.name, attrs, rest(c, 1)),
                       {{"name", cos.name}, {"attrs", attrs_json(attrs)}});
}

Result<Output> get_all_cos(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto all, dir(s).all_cos());
    bool verbose = c.size() > 0 && c[0] == "-v";
    std::string text;
    nlohmann::json list = nlohmann::json::array();
    for (auto& x : all) {
        text += verbose ? fmt::format("{}  {}\n", x.name, x.uuid) : x.name + "\n";
        list.push_back({{"name", x.name}, {"id", x.uuid}});
    }
    return text_output(text, {{"cos", list}});
}

Result<Output> modify_cos(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto ch, changes_from(c, 1));
    if (ch.empty()) return fail(Errc::invalid_argument, "no attribute to change");
    SB_TRY(dir(s).modify_cos(c[0], ch));
    return text_output("");
}

Result<Output> delete_cos(Services& s, const Call& c) {
    SB_TRY(dir(s).delete_cos(c[0]));
    return text_output("");
}

// ---- accounts ----

Result<Output> create_account(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto pairs, c.pairs(2));
    directory::NewAccount na;
    na.address = c[0];
    na.password = c[1];
    std::vector<std::pair<std::string, std::string>> attr_pairs;
    for (auto& [k, v] : pairs) {
        // A stored hash ({SSHA}, {CRYPT}, ...) may be given as userPassword and is kept as it is.
        if (iequals(k, "userPassword"))
            na.imported_password = v;
        else if (iequals(k, "zimbraMailAlias") || iequals(k, "+zimbraMailAlias"))
            na.aliases.push_back(v);
        else
            attr_pairs.emplace_back(k, v);
    }
    if (!na.password.empty() && !na.imported_password.empty())
        return fail(Errc::invalid_argument, "give either a password or userPassword, not both");
    na.attrs = to_changes(attr_pairs);
    SB_TRY_ASSIGN(auto a, dir(s).create_account(na));
    return text_output(a.uuid + "\n", account_json(a));
}

Result<Output> get_account(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto a, dir(s).account(c[0]));
    auto wanted = rest(c, 1);
    nlohmann::json attrs = nlohmann::json::object();
    std::string text = fmt::format("# name {}\n", a.address);
    if (wanted.empty()) {
        SB_TRY_ASSIGN(auto all, dir(s).effective_all(a));
        for (auto& [name, ev] : all) {
            for (auto& v : ev.values)
                text += fmt::format("{}: {}\n", name, v);
            if (const auto* def = directory::find_attr(name);
                def && !directory::attr_enforced(*def))
                text += fmt::format("# {} is not enforced yet: {}\n", name, def->pending);
            attrs[name] = {{"values", ev.values}, {"source", ev.source}};
        }
    } else {
        for (auto& name : wanted) {
            SB_TRY_ASSIGN(auto ev, dir(s).effective(a, name));
            const auto* def = directory::find_attr(name);
            std::string canon(def ? def->name : name);
            for (auto& v : ev.values)
                text += fmt::format("{}: {}\n", canon, v);
            text += ev.values.empty() ? fmt::format("# {} has no value\n", canon)
                                      : fmt::format("# {} comes from: {}\n", canon, ev.source);
            if (def && !directory::attr_enforced(*def))
                text += fmt::format("# {} is not enforced yet: {}\n", canon, def->pending);
            attrs[canon] = {{"values", ev.values}, {"source", ev.source}};
        }
    }
    auto j = account_json(a);
    j["attrs"] = attrs;
    return text_output(text, j);
}

Result<Output> get_all_accounts(Services& s, const Call& c) {
    bool verbose = false;
    std::optional<std::string_view> domain;
    for (auto& arg : c.args()) {
        if (arg == "-v")
            verbose = true;
        else
            domain = arg;
    }
    SB_TRY_ASSIGN(auto list, dir(s).accounts(domain));
    std::string text;
    nlohmann::json arr = nlohmann::json::array();
    for (auto& a : list) {
        text += verbose ? fmt::format("{}  {}  {}\n", a.address, a.uuid,
                                      directory::status_name(a.status))
                        : a.address + "\n";
        arr.push_back(account_json(a));
    }
    return text_output(text, {{"accounts", arr}});
}

Result<Output> modify_account(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto ch, changes_from(c, 1));
    if (ch.empty()) return fail(Errc::invalid_argument, "no attribute to change");
    for (auto& x : ch)
        if (iequals(x.name, "userPassword"))
            return fail(Errc::invalid_argument,
                        "use: switchboard prov setPassword ACCOUNT PASSWORD");
    SB_TRY(dir(s).modify_account(c[0], ch));
    return text_output("");
}

Result<Output> delete_account(Services& s, const Call& c) {
    SB_TRY(dir(s).delete_account(c[0]));
    return text_output("");
}

Result<Output> rename_account(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto a, dir(s).rename_account(c[0], c[1]));
    return text_output("", account_json(a));
}

Result<Output> set_password(Services& s, const Call& c) {
    SB_TRY(dir(s).set_password(c[0], c[1]));
    return text_output("");
}

Result<Output> add_alias(Services& s, const Call& c) {
    SB_TRY(dir(s).add_alias(c[0], c[1]));
    return text_output("");
}

Result<Output> remove_alias(Services& s, const Call& c) {
    SB_TRY(dir(s).remove_alias(c[0], c[1]));
    return text_output("");
}

}  // namespace

Result<Output> import_ldif(Services& s, const Call& c);  // prov_ldif.cpp

namespace {

// Domains.
void add_domain_verbs(CommandTable& t) {
    t.add({"prov",
           "createDomain",
           "cd",
           "DOMAIN [ATTR VALUE]...",
           "create a domain",
           1,
           {},
           create_domain});
    t.add({"prov",
           "getDomain",
           "gd",
           "DOMAIN [ATTR]...",
           "show a domain's attributes",
           1,
           {},
           get_domain});
    t.add({"prov", "getAllDomains", "gad", "[-v]", "list domains", 0, {}, get_all_domains});
    t.add({"prov",
           "modifyDomain",
           "md",
           "DOMAIN ATTR VALUE [ATTR VALUE]...",
           "change a domain's attributes",
           3,
           {},
           modify_domain});
    t.add({"prov", "deleteDomain", "dd", "DOMAIN", "delete an empty domain", 1, {}, delete_domain});
}

// Classes of service.
void add_cos_verbs(CommandTable& t) {
    t.add({"prov",
           "createCos",
           "cc",
           "NAME [ATTR VALUE]...",
           "create a class of service",
           1,
           {},
           create_cos});
    t.add({"prov", "getCos", "gc", "NAME [ATTR]...", "show a class of service", 1, {}, get_cos});
    t.add({"prov", "getAllCos", "gac", "[-v]", "list classes of service", 0, {}, get_all_cos});
    t.add({"prov",
           "modifyCos",
           "mc",
           "NAME ATTR VALUE [ATTR VALUE]...",
           "change a class of service",
           3,
           {},
           modify_cos});
    t.add({"prov",
           "deleteCos",
           "dc",
           "NAME",
           "delete an unused class of service",
           1,
           {},
           delete_cos});
}

// Accounts.
void add_account_verbs(CommandTable& t) {
    t.add({"prov",
           "createAccount",
           "ca",
           "ADDRESS PASSWORD [ATTR VALUE]...",
           "create an account ('' as PASSWORD: none; userPassword HASH keeps an imported hash)",
           2,
           {},
           create_account});
    t.add({"prov",
           "getAccount",
           "ga",
           "ACCOUNT [ATTR]...",
           "show an account's effective attributes (with ATTR: and where each comes from)",
           1,
           {},
           get_account});
    t.add({"prov",
           "getAllAccounts",
           "gaa",
           "[-v] [DOMAIN]",
           "list accounts",
           0,
           {},
           get_all_accounts});
    t.add({"prov",
           "modifyAccount",
           "ma",
           "ACCOUNT ATTR VALUE [ATTR VALUE]...",
           "change an account's attributes (+ATTR adds, -ATTR removes a value; '' unsets)",
           3,
           {},
           modify_account});
    t.add({"prov",
           "deleteAccount",
           "da",
           "ACCOUNT",
           "delete an account and its mailbox",
           1,
           {},
           delete_account});
}

// The names and the password an account logs in with.
void add_login_verbs(CommandTable& t) {
    t.add({"prov",
           "renameAccount",
           "ra",
           "ACCOUNT NEW_ADDRESS",
           "change an account's primary address",
           2,
           {},
           rename_account});
    t.add({"prov",
           "setPassword",
           "sp",
           "ACCOUNT PASSWORD",
           "set an account's password",
           2,
           {},
           set_password});
    t.add({"prov",
           "addAccountAlias",
           "aaa",
           "ACCOUNT ALIAS",
           "add an alias address",
           2,
           {},
           add_alias});
    t.add({"prov",
           "removeAccountAlias",
           "raa",
           "ACCOUNT ALIAS",
           "remove an alias address",
           2,
           {},
           remove_alias});
}

// Accounts from another directory.
void add_import_verbs(CommandTable& t) {
    t.add({"prov",
           "importLdif",
           "il",
           "FILE [domain DOMAIN]",
           "create accounts from the inetOrgPerson entries of an LDIF file (all or nothing)",
           1,
           {0},
           import_ldif});
}

}  // namespace

void register_prov(CommandTable& t) {
    add_domain_verbs(t);
    add_cos_verbs(t);
    add_account_verbs(t);
    add_login_verbs(t);
    add_import_verbs(t);
}

}  // namespace sb::admin
