#include "directory/directory.hpp"

#include <fmt/format.h>

#include "core/password.hpp"
#include "core/random.hpp"
#include "directory/queries.hpp"

namespace sb::directory {

using namespace detail;
using store::Change;

namespace {

Change changed(int64_t account_id, std::string detail) {
    return Change{std::string(kChannel), account_id, std::move(detail)};
}

// Puts the COS defaults of every attribute on a new COS, as a fresh Zimbra COS has them.
Result<void> write_cos_defaults(Tx& tx, int64_t cos_id) {
    for (const auto& def : all_attrs()) {
        if (def.cos_default.empty()) continue;
        SB_TRY(tx.exec(
            "INSERT INTO attrs (scope, owner_id, name, seq, value) VALUES ('cos', ?, ?, 0, ?)",
            {cos_id, std::string(def.name), std::string(def.cos_default)}));
    }
    return {};
}

Result<int64_t> insert_cos(Tx& tx, std::string_view name) {
    auto rows = tx.query("INSERT INTO cos (uuid, name, created_at) VALUES (?, ?, ?) RETURNING id",
                         {crypto::uuid_v4(), std::string(name), now_ms()});
    if (!rows) {
        if (rows.error().code == Errc::already_exists)
            return fail(Errc::already_exists, fmt::format("COS already exists: {}", name));
        return tl::unexpected(rows.error());
    }
    return rows->front().integer(0);
}

Result<std::string> check_cos_name(std::string_view name) {
    std::string n(trim(name));
    if (n.empty() || n.size() > 128)
        return fail(Errc::invalid_argument, "COS name must be 1 to 128 characters");
    for (char c : n)
        if (static_cast<unsigned char>(c) < 0x20 || c == '@')
            return fail(Errc::invalid_argument, fmt::format("invalid COS name '{}'", n));
    return n;
}

// Inserts one account inside an open transaction; `domains` caches domain lookups for bulk imports.
Result<int64_t> insert_account(Tx& tx, const NewAccount& na,
                               std::map<std::string, int64_t>* domains) {
    SB_TRY_ASSIGN(auto address, normalize_address(na.address));
    auto domain_of = [&](const std::string& addr) -> Result<int64_t> {
        std::string dname = addr.substr(addr.find('@') + 1);
        if (domains) {
            if (auto it = domains->find(dname); it != domains->end()) return it->second;
        }
        SB_TRY_ASSIGN(auto d, find_domain(tx, dname));
        if (!d)
            return fail(
                Errc::not_found,
                fmt::format("domain {} does not exist (create it with: switchboard prov cd {})",
                            dname, dname));
        if (domains) (*domains)[dname] = d->id;
        return d->id;
    };
    SB_TRY_ASSIGN(auto domain_id, domain_of(address));
    SB_TRY(require_free_address(tx, address));

    std::optional<std::string> hash;
    if (!na.password.empty()) {
        hash = crypto::hash_password(na.password);
    } else if (!na.imported_password.empty()) {
        SB_TRY_ASSIGN(auto h, crypto::import_password(na.imported_password));
        hash = std::move(h);
    }
    const int64_t now = now_ms();
    SB_TRY_ASSIGN(auto rows,
                  tx.query("INSERT INTO accounts (uuid, domain_id, address, status, password, "
                           "password_changed_at, "
                           "created_at, "
                           "modified_at) VALUES (?, ?, ?, 'active', ?, ?, ?, ?) RETURNING id",
                           {crypto::uuid_v4(), domain_id, address,
                            hash ? store::Value(*hash) : store::Value(store::Null{}),
                            hash ? now : int64_t{0}, now, now}));
    const int64_t id = rows.front().integer(0);
    SB_TRY(apply_attrs(tx, Scope::account, id, na.attrs, /*fresh=*/true));
    for (const auto& al : na.aliases) {
        SB_TRY_ASSIGN(auto alias, normalize_address(al));
        SB_TRY_ASSIGN(auto adom, domain_of(alias));
        SB_TRY(require_free_address(tx, alias));
        SB_TRY(tx.exec("INSERT INTO aliases (address, account_id, domain_id) VALUES (?, ?, ?)",
                       {alias, id, adom}));
    }
    tx.notify(changed(id, "account"));
    return id;
}

Error with_context(const std::string& context, Error e) {
    if (!context.empty()) e.message = context + ": " + e.message;
    return e;
}

}  // namespace

Result<void> Directory::ensure_defaults() {
    return db_.write([](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto c, find_cos(tx, kDefaultCos));
        if (c) return {};
        SB_TRY_ASSIGN(auto id, insert_cos(tx, kDefaultCos));
        return write_cos_defaults(tx, id);
    });
}

// ---- domains ----

Result<Domain> Directory::create_domain(std::string_view name,
                                        const std::vector<AttrChange>& attrs) {
    SB_TRY_ASSIGN(auto n, normalize_domain(name));
    Domain d;
    SB_TRY(db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto existing, find_domain(tx, n));
        if (existing)
            return fail(Errc::already_exists, fmt::format("domain already exists: {}", n));
        SB_TRY_ASSIGN(
            auto rows,
            tx.query(
                "INSERT INTO domains (uuid, name, created_at) VALUES (?, ?, ?) RETURNING id, uuid, "
                "created_at",
                {crypto::uuid_v4(), n, now_ms()}));
        d = Domain{rows.front().integer(0), rows.front().text(1), n, rows.front().integer(2)};
        SB_TRY(apply_attrs(tx, Scope::domain, d.id, attrs));
        tx.notify(changed(0, "domain"));
        return {};
    }));
    return d;
}

Result<Domain> Directory::domain(std::string_view key) {
    Domain d;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto r, require_domain(tx, key));
        d = r;
        return {};
    }));
    return d;
}

Result<std::vector<Domain>> Directory::domains() {
    std::vector<Domain> out;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto rows,
                      tx.query("SELECT id, uuid, name, created_at FROM domains ORDER BY name"));
        for (auto& r : rows)
            out.push_back(Domain{r.integer(0), r.text(1), r.text(2), r.integer(3)});
        return {};
    }));
    return out;
}

Result<void> Directory::modify_domain(std::string_view name, const std::vector<AttrChange>& attrs) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto d, require_domain(tx, name));
        SB_TRY(apply_attrs(tx, Scope::domain, d.id, attrs));
        tx.notify(changed(0, "domain"));
        return {};
    });
}

Result<void> Directory::delete_domain(std::string_view name) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto d, require_domain(tx, name));
        SB_TRY_ASSIGN(auto n,
                      tx.scalar("SELECT (SELECT COUNT(*) FROM accounts WHERE domain_id = ?) + "
                                "(SELECT COUNT(*) FROM aliases WHERE domain_id = ?)",
                                {d.id, d.id}));
        if (n > 0)
            return fail(Errc::invalid_argument,
                        fmt::format("domain {} still has {} accounts or aliases; delete them first",
                                    d.name, n));
        SB_TRY(tx.exec("DELETE FROM attrs WHERE scope = 'domain' AND owner_id = ?", {d.id}));
        SB_TRY(tx.exec("DELETE FROM domains WHERE id = ?", {d.id}));
        tx.notify(changed(0, "domain"));
        return {};
    });
}

// ---- classes of service ----

Result<Cos> Directory::create_cos(std::string_view name, const std::vector<AttrChange>& attrs) {
    SB_TRY_ASSIGN(auto n, check_cos_name(name));
    Cos c;
    SB_TRY(db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto id, insert_cos(tx, n));
        SB_TRY(write_cos_defaults(tx, id));
        SB_TRY(apply_attrs(tx, Scope::cos, id, attrs));
        SB_TRY_ASSIGN(auto r, require_cos(tx, n));
        c = r;
        tx.notify(changed(0, "cos"));
        return {};
    }));
    return c;
}

Result<Cos> Directory::cos(std::string_view key) {
    Cos c;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto r, require_cos(tx, key));
        c = r;
        return {};
    }));
    return c;
}

Result<std::vector<Cos>> Directory::all_cos() {
    std::vector<Cos> out;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto rows,
                      tx.query("SELECT id, uuid, name, created_at FROM cos ORDER BY name"));
        for (auto& r : rows)
            out.push_back(Cos{r.integer(0), r.text(1), r.text(2), r.integer(3)});
        return {};
    }));
    return out;
}

Result<void> Directory::modify_cos(std::string_view name, const std::vector<AttrChange>& attrs) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto c, require_cos(tx, name));
        SB_TRY(apply_attrs(tx, Scope::cos, c.id, attrs));
        tx.notify(changed(0, "cos"));
        return {};
    });
}

Result<void> Directory::delete_cos(std::string_view name) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto c, require_cos(tx, name));
        if (c.name == kDefaultCos)
            return fail(Errc::invalid_argument, "the default COS cannot be deleted");
        SB_TRY_ASSIGN(auto users, tx.scalar("SELECT COUNT(*) FROM attrs WHERE name IN "
                                            "('zimbraCOSId', 'zimbraDomainDefaultCOSId') "
                                            "AND value = ?",
                                            {c.uuid}));
        if (users > 0)
            return fail(
                Errc::invalid_argument,
                fmt::format("COS {} is still assigned to {} accounts or domains", c.name, users));
        SB_TRY(tx.exec("DELETE FROM attrs WHERE scope = 'cos' AND owner_id = ?", {c.id}));
        SB_TRY(tx.exec("DELETE FROM cos WHERE id = ?", {c.id}));
        tx.notify(changed(0, "cos"));
        return {};
    });
}

// ---- accounts ----

Result<Account> Directory::create_account(const NewAccount& na) {
    Account a;
    SB_TRY(db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto id, insert_account(tx, na, nullptr));
        SB_TRY_ASSIGN(auto r, detail::account_by_id(tx, id));
        a = std::move(r);
        return {};
    }));
    return a;
}

Result<size_t> Directory::create_accounts(const std::vector<NewAccount>& accounts) {
    SB_TRY(db_.write([&](Tx& tx) -> Result<void> {
        std::map<std::string, int64_t> domains;
        for (const auto& na : accounts) {
            auto id = insert_account(tx, na, &domains);
            if (!id)
                return tl::unexpected(
                    with_context(na.context.empty() ? na.address : na.context, id.error()));
        }
        return {};
    }));
    return accounts.size();
}

Result<Account> Directory::account(std::string_view key) {
    Account a;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto r, require_account(tx, key));
        a = std::move(r);
        return {};
    }));
    return a;
}

Result<Account> Directory::account_by_id(int64_t id) {
    Account a;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto r, detail::account_by_id(tx, id));
        a = std::move(r);
        return {};
    }));
    return a;
}

Result<std::vector<Account>> Directory::accounts(std::optional<std::string_view> domain) {
    std::vector<Account> out;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        std::string sql =
            "SELECT a.id, a.uuid, a.domain_id, d.name, a.address, a.status, a.auth_source, "
            "CASE WHEN a.password IS NULL OR a.password = '' THEN 0 ELSE 1 END, a.created_at, "
            "a.modified_at "
            "FROM accounts a JOIN domains d ON d.id = a.domain_id ";
        Result<store::Rows> rows;
        if (domain) {
            SB_TRY_ASSIGN(auto d, require_domain(tx, *domain));
            rows = tx.query(sql + "WHERE a.domain_id = ? ORDER BY a.address", {d.id});
        } else {
            rows = tx.query(sql + "ORDER BY a.address");
        }
        if (!rows) return tl::unexpected(rows.error());
        std::map<int64_t, size_t> index;
        for (auto& r : *rows) {
            Account a;
            a.id = r.integer(0);
            a.uuid = r.text(1);
            a.domain_id = r.integer(2);
            a.domain = r.text(3);
            a.address = r.text(4);
            a.status = r.text(5) == "locked"   ? AccountStatus::locked
                       : r.text(5) == "closed" ? AccountStatus::closed
                                               : AccountStatus::active;
            a.auth_source = r.text(6);
            a.has_password = r.integer(7) != 0;
            a.created_at = r.integer(8);
            a.modified_at = r.integer(9);
            index[a.id] = out.size();
            out.push_back(std::move(a));
        }
        SB_TRY_ASSIGN(auto aliases,
                      tx.query("SELECT account_id, address FROM aliases ORDER BY address"));
        for (auto& r : aliases)
            if (auto it = index.find(r.integer(0)); it != index.end())
                out[it->second].aliases.push_back(r.text(1));
        return {};
    }));
    return out;
}

Result<void> Directory::modify_account(std::string_view key, const std::vector<AttrChange>& attrs) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto a, require_account(tx, key));
        SB_TRY(apply_attrs(tx, Scope::account, a.id, attrs));
        SB_TRY(touch_account(tx, a.id));
        tx.notify(changed(a.id, "account"));
        return {};
    });
}

Result<void> Directory::delete_account(std::string_view key) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto a, require_account(tx, key));
        SB_TRY(tx.exec("DELETE FROM attrs WHERE scope = 'account' AND owner_id = ?", {a.id}));
        SB_TRY(tx.exec("DELETE FROM accounts WHERE id = ?", {a.id}));
        tx.notify(changed(a.id, "deleted"));
        return {};
    });
}

Result<Account> Directory::rename_account(std::string_view key, std::string_view new_address) {
    SB_TRY_ASSIGN(auto addr, normalize_address(new_address));
    Account out;
    SB_TRY(db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto a, require_account(tx, key));
        if (addr == a.address)
            return fail(Errc::invalid_argument, fmt::format("{} already has that name", a.address));
        // Renaming to one of its own aliases swaps nothing else: the alias goes away.
        SB_TRY(tx.exec("DELETE FROM aliases WHERE address = ? AND account_id = ?", {addr, a.id}));
        SB_TRY(require_free_address(tx, addr));
        SB_TRY_ASSIGN(auto d, require_domain(tx, addr.substr(addr.find('@') + 1)));
        SB_TRY(
            tx.exec("UPDATE accounts SET address = ?, domain_id = ?, modified_at = ? WHERE id = ?",
                    {addr, d.id, now_ms(), a.id}));
        tx.notify(changed(a.id, "renamed"));
        SB_TRY_ASSIGN(auto r, detail::account_by_id(tx, a.id));
        out = std::move(r);
        return {};
    }));
    return out;
}

Result<void> Directory::set_password(std::string_view key, std::string_view plain) {
    if (plain.empty()) return fail(Errc::invalid_argument, "the password is empty");
    if (plain.size() > 1024)
        return fail(Errc::invalid_argument, "the password is longer than 1024 bytes");
    std::string hash = crypto::hash_password(plain);
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto a, require_account(tx, key));
        SB_TRY(
            tx.exec("UPDATE accounts SET password = ?, password_changed_at = ?, modified_at = ? "
                    "WHERE id = ?",
                    {hash, now_ms(), now_ms(), a.id}));
        tx.notify(changed(a.id, "password"));
        return {};
    });
}

Result<std::string> Directory::password_hash(int64_t account_id) {
    std::string hash;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto row,
                      tx.first("SELECT password FROM accounts WHERE id = ?", {account_id}));
        if (!row) return fail(Errc::not_found, fmt::format("no such account id: {}", account_id));
        hash = row->text(0);
        return {};
    }));
    return hash;
}

Result<void> Directory::upgrade_password_hash(int64_t account_id, std::string_view expected,
                                              std::string_view hash) {
    // No change notification: the password itself did not change, so cached logins stay valid.
    return db_.write([&](Tx& tx) -> Result<void> {
        return tx
            .exec("UPDATE accounts SET password = ? WHERE id = ? AND password = ?",
                  {std::string(hash), account_id, std::string(expected)})
            .map([](int64_t) {});
    });
}

Result<void> Directory::add_alias(std::string_view key, std::string_view alias) {
    SB_TRY_ASSIGN(auto addr, normalize_address(alias));
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto a, require_account(tx, key));
        SB_TRY_ASSIGN(auto d, require_domain(tx, addr.substr(addr.find('@') + 1)));
        SB_TRY(require_free_address(tx, addr));
        SB_TRY(tx.exec("INSERT INTO aliases (address, account_id, domain_id) VALUES (?, ?, ?)",
                       {addr, a.id, d.id}));
        SB_TRY(touch_account(tx, a.id));
        tx.notify(changed(a.id, "alias"));
        return {};
    });
}

Result<void> Directory::remove_alias(std::string_view key, std::string_view alias) {
    SB_TRY_ASSIGN(auto addr, normalize_address(alias));
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto a, require_account(tx, key));
        SB_TRY_ASSIGN(auto n, tx.exec("DELETE FROM aliases WHERE address = ? AND account_id = ?",
                                      {addr, a.id}));
        if (n == 0)
            return fail(Errc::not_found, fmt::format("{} is not an alias of {}", addr, a.address));
        SB_TRY(touch_account(tx, a.id));
        tx.notify(changed(a.id, "alias"));
        return {};
    });
}

// ---- attributes ----

Result<AttrMap> Directory::own_attrs(Scope scope, int64_t owner_id) {
    AttrMap m;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto r, load_attrs(tx, scope, owner_id));
        m = std::move(r);
        return {};
    }));
    return m;
}

Result<EffectiveValue> Directory::effective(const Account& account, std::string_view attr) {
    const AttrDef* def = find_attr(attr);
    if (!def) return fail(Errc::invalid_argument, fmt::format("unknown attribute: {}", attr));
    EffectiveValue ev;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto chain, load_chain(tx, account));
        ev = resolve(chain, account, *def);
        return {};
    }));
    return ev;
}

Result<std::vector<std::pair<std::string, EffectiveValue>>> Directory::effective_all(
    const Account& account) {
    std::vector<std::pair<std::string, EffectiveValue>> out;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto chain, load_chain(tx, account));
        for (const auto& def : all_attrs()) {
            if (def.scopes == uint8_t(Scope::global) || def.scopes == uint8_t(Scope::domain))
                continue;
            auto ev = resolve(chain, account, def);
            if (!ev.values.empty()) out.emplace_back(std::string(def.name), std::move(ev));
        }
        return {};
    }));
    return out;
}

Result<bool> Directory::mobile_sync_enabled(const Account& account) {
    auto ev = effective(account, "zimbraFeatureMobileSyncEnabled");
    if (!ev) return tl::unexpected(ev.error());
    return !ev->values.empty() && is_true(ev->values.front());
}

Result<void> Directory::set_global(const std::vector<AttrChange>& attrs) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(apply_attrs(tx, Scope::global, 0, attrs));
        tx.notify(changed(0, "global"));
        return {};
    });
}

Result<EffectiveValue> Directory::global(std::string_view attr) {
    const AttrDef* def = find_attr(attr);
    if (!def) return fail(Errc::invalid_argument, fmt::format("unknown attribute: {}", attr));
    EffectiveValue ev;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto m, load_attrs(tx, Scope::global, 0));
        if (auto it = m.find(def->name); it != m.end() && !it->second.empty()) {
            ev.values = it->second;
            ev.source = "global";
        } else if (!def->builtin.empty()) {
            ev.values = {std::string(def->builtin)};
            ev.source = "default";
        }
        return {};
    }));
    return ev;
}

}  // namespace sb::directory
