#include "directory/directory.hpp"

#include <fmt/format.h>

#include "core/password.hpp"
#include "core/random.hpp"

namespace sb::directory {

using store::Tx;

namespace {

store::Change changed(int64_t account_id, std::string detail) {
    return store::Change{std::string(kChannel), account_id, std::move(detail)};
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
    if (!rows && rows.error().code == Errc::already_exists)
        return fail(Errc::already_exists, fmt::format("COS already exists: {}", name));
    SB_TRY_ASSIGN(auto inserted, std::move(rows));
    return inserted.front().integer(0);
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

Error with_context(const std::string& context, Error e) {
    if (!context.empty()) e.message = context + ": " + e.message;
    return e;
}

}  // namespace

Result<void> Directory::ensure_defaults() {
    return db_.write([](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto c, DirectoryReader(tx).find_cos(kDefaultCos));
        if (c) return {};
        SB_TRY_ASSIGN(auto id, insert_cos(tx, kDefaultCos));
        return write_cos_defaults(tx, id);
    });
}

// ---- domains ----

Result<Domain> Directory::create_domain(std::string_view name,
                                        const std::vector<AttrChange>& attrs) {
    SB_TRY_ASSIGN(auto n, normalize_domain(name));
    return db_.write([&](Tx& tx) -> Result<Domain> {
        AccountWriter w(tx);
        SB_TRY_ASSIGN(auto existing, w.find_domain(n));
        if (existing)
            return fail(Errc::already_exists, fmt::format("domain already exists: {}", n));
        SB_TRY_ASSIGN(
            auto rows,
            tx.query(
                "INSERT INTO domains (uuid, name, created_at) VALUES (?, ?, ?) RETURNING id, uuid, "
                "created_at",
                {crypto::uuid_v4(), n, now_ms()}));
        Domain d{rows.front().integer(0), rows.front().text(1), n, rows.front().integer(2)};
        SB_TRY(w.apply_attrs(Scope::domain, d.id, attrs));
        tx.notify(changed(0, "domain"));
        return d;
    });
}

Result<Domain> Directory::domain(std::string_view key) {
    return db_.read([&](Tx& tx) { return DirectoryReader(tx).domain(key); });
}

Result<std::vector<Domain>> Directory::domains() {
    return db_.read([](Tx& tx) { return DirectoryReader(tx).domains(); });
}

Result<void> Directory::modify_domain(std::string_view name, const std::vector<AttrChange>& attrs) {
    return db_.write([&](Tx& tx) -> Result<void> {
        AccountWriter w(tx);
        SB_TRY_ASSIGN(auto d, w.domain(name));
        SB_TRY(w.apply_attrs(Scope::domain, d.id, attrs));
        tx.notify(changed(0, "domain"));
        return {};
    });
}

Result<void> Directory::delete_domain(std::string_view name) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto d, DirectoryReader(tx).domain(name));
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
    return db_.write([&](Tx& tx) -> Result<Cos> {
        AccountWriter w(tx);
        SB_TRY_ASSIGN(auto id, insert_cos(tx, n));
        SB_TRY(write_cos_defaults(tx, id));
        SB_TRY(w.apply_attrs(Scope::cos, id, attrs));
        SB_TRY_ASSIGN(auto c, w.cos(n));
        tx.notify(changed(0, "cos"));
        return c;
    });
}

Result<Cos> Directory::cos(std::string_view key) {
    return db_.read([&](Tx& tx) { return DirectoryReader(tx).cos(key); });
}

Result<std::vector<Cos>> Directory::all_cos() {
    return db_.read([](Tx& tx) { return DirectoryReader(tx).all_cos(); });
}

Result<void> Directory::modify_cos(std::string_view name, const std::vector<AttrChange>& attrs) {
    return db_.write([&](Tx& tx) -> Result<void> {
        AccountWriter w(tx);
        SB_TRY_ASSIGN(auto c, w.cos(name));
        SB_TRY(w.apply_attrs(Scope::cos, c.id, attrs));
        tx.notify(changed(0, "cos"));
        return {};
    });
}

Result<void> Directory::delete_cos(std::string_view name) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto c, DirectoryReader(tx).cos(name));
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
    return db_.write([&](Tx& tx) -> Result<Account> {
        AccountWriter w(tx);
        SB_TRY_ASSIGN(auto id, w.create(na));
        return w.account_by_id(id);
    });
}

Result<size_t> Directory::create_accounts(const std::vector<NewAccount>& accounts) {
    SB_TRY(db_.write([&](Tx& tx) -> Result<void> {
        AccountWriter w(tx);  // looks each domain up once for all the accounts
        for (const auto& na : accounts) {
            auto id = w.create(na);
            if (!id)
                return tl::unexpected(
                    with_context(na.context.empty() ? na.address : na.context, id.error()));
        }
        return {};
    }));
    return accounts.size();
}

Result<Account> Directory::account(std::string_view key) {
    return db_.read([&](Tx& tx) { return DirectoryReader(tx).account(key); });
}

Result<Account> Directory::account_by_id(int64_t id) {
    return db_.read([&](Tx& tx) { return DirectoryReader(tx).account_by_id(id); });
}

Result<std::vector<Account>> Directory::accounts(std::optional<std::string_view> domain) {
    return db_.read([&](Tx& tx) -> Result<std::vector<Account>> {
        DirectoryReader r(tx);
        if (!domain) return r.accounts_by_address(std::nullopt);
        SB_TRY_ASSIGN(auto d, r.domain(*domain));
        return r.accounts_by_address(d.id);
    });
}

Result<int64_t> Directory::account_count() {
    return db_.read([](Tx& tx) { return DirectoryReader(tx).account_count(); });
}

Result<void> Directory::modify_account(std::string_view key, const std::vector<AttrChange>& attrs) {
    return db_.write([&](Tx& tx) -> Result<void> {
        AccountWriter w(tx);
        SB_TRY_ASSIGN(auto a, w.account(key));
        SB_TRY(w.apply_attrs(Scope::account, a.id, attrs));
        return w.touch(a.id, "account");
    });
}

Result<void> Directory::delete_account(std::string_view key) {
    return db_.write([&](Tx& tx) -> Result<void> {
        AccountWriter w(tx);
        SB_TRY_ASSIGN(auto a, w.account(key));
        return w.remove(a.id);
    });
}

Result<Account> Directory::rename_account(std::string_view key, std::string_view new_address) {
    SB_TRY_ASSIGN(auto addr, normalize_address(new_address));
    return db_.write([&](Tx& tx) -> Result<Account> {
        AccountWriter w(tx);
        SB_TRY_ASSIGN(auto a, w.account(key));
        if (addr == a.address)
            return fail(Errc::invalid_argument, fmt::format("{} already has that name", a.address));
        SB_TRY(w.rename(a.id, addr));
        return w.account_by_id(a.id);
    });
}

Result<void> Directory::set_password(std::string_view key, std::string_view plain) {
    if (plain.empty()) return fail(Errc::invalid_argument, "the password is empty");
    if (plain.size() > 1024)
        return fail(Errc::invalid_argument, "the password is longer than 1024 bytes");
    std::string hash = crypto::hash_password(plain);
    return db_.write([&](Tx& tx) -> Result<void> {
        AccountWriter w(tx);
        SB_TRY_ASSIGN(auto a, w.account(key));
        return w.set_password_hash(a.id, hash);
    });
}

Result<std::string> Directory::password_hash(int64_t account_id) {
    return db_.read([&](Tx& tx) -> Result<std::string> {
        SB_TRY_ASSIGN(auto row,
                      tx.first("SELECT password FROM accounts WHERE id = ?", {account_id}));
        if (!row) return fail(Errc::not_found, fmt::format("no such account id: {}", account_id));
        return row->text(0);
    });
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
        AccountWriter w(tx);
        SB_TRY_ASSIGN(auto a, w.account(key));
        SB_TRY(w.add_alias(a.id, addr));
        return w.touch(a.id, "alias");
    });
}

Result<void> Directory::remove_alias(std::string_view key, std::string_view alias) {
    SB_TRY_ASSIGN(auto addr, normalize_address(alias));
    return db_.write([&](Tx& tx) -> Result<void> {
        AccountWriter w(tx);
        SB_TRY_ASSIGN(auto a, w.account(key));
        SB_TRY_ASSIGN(auto removed, w.remove_alias(a.id, addr));
        if (!removed)
            return fail(Errc::not_found, fmt::format("{} is not an alias of {}", addr, a.address));
        return w.touch(a.id, "alias");
    });
}

// ---- attributes ----

Result<AttrMap> Directory::own_attrs(Scope scope, int64_t owner_id) {
    return db_.read([&](Tx& tx) { return DirectoryReader(tx).own_attrs(scope, owner_id); });
}

Result<EffectiveValue> Directory::effective(const Account& account, std::string_view attr) {
    const AttrDef* def = find_attr(attr);
    if (!def) return fail(Errc::invalid_argument, fmt::format("unknown attribute: {}", attr));
    if (def->storage != AttrStorage::table) return account_value(account, *def);
    return db_.read([&](Tx& tx) -> Result<EffectiveValue> {
        DirectoryReader r(tx);
        SB_TRY_ASSIGN(auto own, r.own_attrs(Scope::account, account.id));
        SB_TRY_ASSIGN(auto levels, r.levels_of(account, own));
        return levels.resolve(own, account.domain_id, *def).effective();
    });
}

Result<std::vector<std::pair<std::string, EffectiveValue>>> Directory::effective_all(
    const Account& account) {
    using Values = std::vector<std::pair<std::string, EffectiveValue>>;
    return db_.read([&](Tx& tx) -> Result<Values> {
        DirectoryReader r(tx);
        SB_TRY_ASSIGN(auto own, r.own_attrs(Scope::account, account.id));
        SB_TRY_ASSIGN(auto levels, r.levels_of(account, own));
        Values out;
        for (const auto& def : all_attrs()) {
            if (def.scopes == uint8_t(Scope::global) || def.scopes == uint8_t(Scope::domain))
                continue;
            auto ev = def.storage == AttrStorage::table
                          ? levels.resolve(own, account.domain_id, def).effective()
                          : account_value(account, def);
            if (!ev.values.empty()) out.emplace_back(std::string(def.name), std::move(ev));
        }
        return out;
    });
}

Result<bool> Directory::mobile_sync_enabled(const Account& account) {
    SB_TRY_ASSIGN(auto ev, effective(account, "zimbraFeatureMobileSyncEnabled"));
    return !ev.values.empty() && is_true(ev.values.front());
}

Result<SettingLevels> Directory::setting_levels() {
    return db_.read([](Tx& tx) { return DirectoryReader(tx).setting_levels(); });
}

Result<std::vector<AccountAttrs>> Directory::accounts_with_attrs(
    std::optional<std::span<const int64_t>> ids, std::span<const std::string> attrs) {
    return db_.read([&](Tx& tx) { return DirectoryReader(tx).accounts(ids, attrs); });
}

Result<void> Directory::set_global(const std::vector<AttrChange>& attrs) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(AccountWriter(tx).apply_attrs(Scope::global, 0, attrs));
        tx.notify(changed(0, "global"));
        return {};
    });
}

Result<EffectiveValue> Directory::global(std::string_view attr) {
    const AttrDef* def = find_attr(attr);
    if (!def) return fail(Errc::invalid_argument, fmt::format("unknown attribute: {}", attr));
    return db_.read([&](Tx& tx) -> Result<EffectiveValue> {
        SB_TRY_ASSIGN(auto m, DirectoryReader(tx).own_attrs(Scope::global, 0));
        EffectiveValue ev;
        if (auto it = m.find(def->name); it != m.end() && !it->second.empty()) {
            ev.values = it->second;
            ev.source = "global";
        } else if (!def->builtin.empty()) {
            ev.values = {std::string(def->builtin)};
            ev.source = "default";
        }
        return ev;
    });
}

}  // namespace sb::directory
