#include "directory/queries.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace sb::directory::detail {
namespace {

constexpr std::string_view kAccountSelect =
    "SELECT a.id, a.uuid, a.domain_id, d.name, a.address, a.status, a.auth_source, "
    "CASE WHEN a.password IS NULL OR a.password = '' THEN 0 ELSE 1 END, a.created_at, "
    "a.modified_at "
    "FROM accounts a JOIN domains d ON d.id = a.domain_id ";

AccountStatus parse_status(std::string_view s) {
    if (s == "locked") return AccountStatus::locked;
    if (s == "closed") return AccountStatus::closed;
    return AccountStatus::active;
}

Result<std::optional<Account>> select_account(Tx& tx, std::string_view where, store::Value v) {
    SB_TRY_ASSIGN(auto rows,
                  tx.query(std::string(kAccountSelect) + std::string(where), {std::move(v)}));
    if (rows.empty()) return std::optional<Account>{};
    const auto& r = rows.front();
    Account a;
    a.id = r.integer(0);
    a.uuid = r.text(1);
    a.domain_id = r.integer(2);
    a.domain = r.text(3);
    a.address = r.text(4);
    a.status = parse_status(r.text(5));
    a.auth_source = r.text(6);
    a.has_password = r.integer(7) != 0;
    a.created_at = r.integer(8);
    a.modified_at = r.integer(9);
    SB_TRY_ASSIGN(
        auto aliases,
        tx.query("SELECT address FROM aliases WHERE account_id = ? ORDER BY address", {a.id}));
    for (auto& row : aliases)
        a.aliases.push_back(row.text(0));
    return std::optional<Account>{std::move(a)};
}

bool looks_like_uuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

}  // namespace

Result<std::optional<Domain>> find_domain(Tx& tx, std::string_view key) {
    SB_TRY_ASSIGN(
        auto rows,
        tx.query("SELECT id, uuid, name, created_at FROM domains WHERE name = ? OR uuid = ?",
                 {to_lower(trim(key)), std::string(key)}));
    if (rows.empty()) return std::optional<Domain>{};
    auto& r = rows.front();
    return std::optional<Domain>{Domain{r.integer(0), r.text(1), r.text(2), r.integer(3)}};
}

Result<Domain> require_domain(Tx& tx, std::string_view key) {
    SB_TRY_ASSIGN(auto d, find_domain(tx, key));
    if (!d) return fail(Errc::not_found, fmt::format("no such domain: {}", key));
    return *d;
}

Result<std::optional<Cos>> find_cos(Tx& tx, std::string_view key) {
    SB_TRY_ASSIGN(auto rows,
                  tx.query("SELECT id, uuid, name, created_at FROM cos WHERE name = ? OR uuid = ?",
                           {std::string(key), std::string(key)}));
    if (rows.empty()) return std::optional<Cos>{};
    auto& r = rows.front();
    return std::optional<Cos>{Cos{r.integer(0), r.text(1), r.text(2), r.integer(3)}};
}

Result<Cos> require_cos(Tx& tx, std::string_view key) {
    SB_TRY_ASSIGN(auto c, find_cos(tx, key));
    if (!c) return fail(Errc::not_found, fmt::format("no such COS: {}", key));
    return *c;
}

Result<std::optional<Account>> find_account(Tx& tx, std::string_view key) {
    std::string k = to_lower(trim(key));
    if (k.find('@') != std::string::npos) {
        auto a = select_account(tx, "WHERE a.address = ?", k);
        if (!a || *a) return a;
        SB_TRY_ASSIGN(auto alias,
                      tx.first("SELECT account_id FROM aliases WHERE address = ?", {k}));
        if (!alias) return std::optional<Account>{};
        return select_account(tx, "WHERE a.id = ?", alias->integer(0));
    }
    if (looks_like_uuid(k)) return select_account(tx, "WHERE a.uuid = ?", k);
    return std::optional<Account>{};
}

Result<Account> require_account(Tx& tx, std::string_view key) {
    SB_TRY_ASSIGN(auto a, find_account(tx, key));
    if (!a) return fail(Errc::not_found, fmt::format("no such account: {}", key));
    return std::move(*a);
}

Result<Account> account_by_id(Tx& tx, int64_t id) {
    SB_TRY_ASSIGN(auto a, select_account(tx, "WHERE a.id = ?", id));
    if (!a) return fail(Errc::not_found, fmt::format("no such account id: {}", id));
    return std::move(*a);
}

Result<void> require_free_address(Tx& tx, const std::string& address) {
    SB_TRY_ASSIGN(auto n, tx.scalar("SELECT (SELECT COUNT(*) FROM accounts WHERE address = ?) + "
                                    "(SELECT COUNT(*) FROM aliases WHERE address = ?)",
                                    {address, address}));
    if (n > 0)
        return fail(Errc::already_exists, fmt::format("address already in use: {}", address));
    return {};
}

Result<AttrMap> load_attrs(Tx& tx, Scope scope, int64_t owner) {
    SB_TRY_ASSIGN(
        auto rows,
        tx.query(
            "SELECT name, value FROM attrs WHERE scope = ? AND owner_id = ? ORDER BY name, seq",
            {std::string(scope_name(scope)), owner}));
    AttrMap m;
    for (auto& r : rows)
        m[r.text(0)].push_back(r.text(1));
    return m;
}

Result<void> touch_account(Tx& tx, int64_t id) {
    return tx.exec("UPDATE accounts SET modified_at = ? WHERE id = ?", {now_ms(), id})
        .map([](int64_t) {});
}

Result<void> apply_attrs(Tx& tx, Scope scope, int64_t owner, const std::vector<AttrChange>& changes,
                         bool fresh) {
    const std::string scope_s(scope_name(scope));
    std::vector<std::string_view> written;  // names already written in this call (fresh mode)
    for (const auto& ch : changes) {
        const AttrDef* def = find_attr(ch.name);
        if (!def)
            return fail(Errc::invalid_argument, fmt::format("unknown attribute: {}", ch.name));
        if (def->storage == AttrStorage::identity)
            return fail(Errc::invalid_argument, fmt::format("{} is read-only", def->name));
        if (!attr_allowed_at(*def, scope))
            return fail(Errc::invalid_argument,
                        fmt::format("{} cannot be set on a {}", def->name, scope_s));
        if (ch.op != AttrChange::Op::set && !def->multi)
            return fail(Errc::invalid_argument,
                        fmt::format("{} has a single value: set it without '+' or '-'", def->name));
        // Removing a value is always allowed (a database from an earlier version may hold one).
        if (!attr_enforced(*def) && ch.op != AttrChange::Op::remove &&
            !(ch.op == AttrChange::Op::set && ch.value.empty()))
            return fail(Errc::invalid_argument,
                        fmt::format("{} is not enforced yet: {}; a value would have no effect, so "
                                    "it cannot be set",
                                    def->name, def->pending));
        std::string value;
        if (!ch.value.empty() || ch.op != AttrChange::Op::set) {
            SB_TRY_ASSIGN(auto v, normalize_value(*def, ch.value));
            value = std::move(v);
            if (def->type == AttrType::cos_ref) {
                SB_TRY_ASSIGN(auto cos, require_cos(tx, value));
                value = cos.uuid;
            } else if (def->type == AttrType::account_ref) {
                SB_TRY_ASSIGN(auto account, require_account(tx, value));
                value = account.uuid;
            }
        }
        if (def->storage == AttrStorage::status) {
            if (value.empty()) value = "active";
            SB_TRY(tx.exec("UPDATE accounts SET status = ? WHERE id = ?", {value, owner}));
            continue;
        }
        const std::string name(def->name);
        switch (ch.op) {
            case AttrChange::Op::set:
                if (!fresh || std::find(written.begin(), written.end(), def->name) != written.end())
                    SB_TRY(
                        tx.exec("DELETE FROM attrs WHERE scope = ? AND owner_id = ? AND name = ?",
                                {scope_s, owner, name}));
                if (!value.empty())
                    SB_TRY(
                        tx.exec("INSERT INTO attrs (scope, owner_id, name, seq, value) VALUES (?, "
                                "?, ?, 0, ?)",
                                {scope_s, owner, name, value}));
                written.push_back(def->name);
                break;
            case AttrChange::Op::add: {
                SB_TRY_ASSIGN(auto have, tx.scalar("SELECT COUNT(*) FROM attrs WHERE scope = ? AND "
                                                   "owner_id = ? AND name = ? AND "
                                                   "value = ?",
                                                   {scope_s, owner, name, value}));
                if (have) break;
                SB_TRY(tx.exec(
                    "INSERT INTO attrs (scope, owner_id, name, seq, value) VALUES (?, ?, ?, "
                    "(SELECT COALESCE(MAX(seq), -1) + 1 FROM attrs WHERE scope = ? AND owner_id = "
                    "? AND name = ?), ?)",
                    {scope_s, owner, name, scope_s, owner, name, value}));
                break;
            }
            case AttrChange::Op::remove:
                SB_TRY(tx.exec(
                    "DELETE FROM attrs WHERE scope = ? AND owner_id = ? AND name = ? AND value = ?",
                    {scope_s, owner, name, value}));
                break;
        }
    }
    return {};
}

Result<Chain> load_chain(Tx& tx, const Account& a) {
    Chain c;
    SB_TRY_ASSIGN(auto acc, load_attrs(tx, Scope::account, a.id));
    c.account = std::move(acc);
    SB_TRY_ASSIGN(auto dom, load_attrs(tx, Scope::domain, a.domain_id));
    c.domain = std::move(dom);
    c.domain_name = a.domain;
    SB_TRY_ASSIGN(auto glob, load_attrs(tx, Scope::global, 0));
    c.global = std::move(glob);
    // COS: the account's own, else its domain's default, else "default".
    std::string cos_key(kDefaultCos);
    if (auto it = c.account.find("zimbraCOSId"); it != c.account.end() && !it->second.empty())
        cos_key = it->second.front();
    else if (auto it2 = c.domain.find("zimbraDomainDefaultCOSId");
             it2 != c.domain.end() && !it2->second.empty())
        cos_key = it2->second.front();
    auto cos = find_cos(tx, cos_key);
    if (!cos) return tl::unexpected(cos.error());
    if (!*cos && cos_key != kDefaultCos) cos = find_cos(tx, kDefaultCos);
    if (!cos) return tl::unexpected(cos.error());
    if (*cos) {
        SB_TRY_ASSIGN(auto attrs, load_attrs(tx, Scope::cos, (*cos)->id));
        c.cos = std::move(attrs);
        c.cos_name = (*cos)->name;
    }
    return c;
}

EffectiveValue resolve(const Chain& c, const Account& a, const AttrDef& def) {
    EffectiveValue ev;
    const std::string name(def.name);
    if (def.storage == AttrStorage::identity) {
        ev.source = "account";
        if (name == "zimbraId")
            ev.values = {a.uuid};
        else if (name == "mail")
            ev.values = {a.address};
        else if (name == "zimbraMailAlias")
            ev.values = a.aliases;
        else if (name == "zimbraCreateTimestamp")
            ev.values = {std::to_string(a.created_at)};
        return ev;
    }
    if (def.storage == AttrStorage::status) {
        ev.values = {std::string(status_name(a.status))};
        ev.source = "account";
        return ev;
    }
    auto take = [&](const AttrMap& m, std::string source) {
        auto it = m.find(name);
        if (it == m.end() || it->second.empty()) return false;
        ev.values = it->second;
        ev.source = std::move(source);
        return true;
    };
    if (take(c.account, "account")) return ev;
    if (!def.inherited) return ev;
    if (!c.cos_name.empty() && take(c.cos, "cos " + c.cos_name)) return ev;
    if (take(c.domain, "domain " + c.domain_name)) return ev;
    if (take(c.global, "global")) return ev;
    if (!def.builtin.empty()) {
        ev.values = {std::string(def.builtin)};
        ev.source = "default";
    }
    return ev;
}

}  // namespace sb::directory::detail
