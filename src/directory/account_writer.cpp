#include "directory/account_writer.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/password.hpp"
#include "core/random.hpp"
#include "directory/directory.hpp"

namespace sb::directory {
namespace {

// Rows per INSERT of a new owner's attributes.
constexpr size_t kRowsPerInsert = 100;

// The schema's verdict on one change at one scope.
Result<const AttrDef*> check_change(const AttrChange& ch, Scope scope) {
    const AttrDef* def = find_attr(ch.name);
    if (!def) return fail(Errc::invalid_argument, fmt::format("unknown attribute: {}", ch.name));
    if (def->storage == AttrStorage::identity)
        return fail(Errc::invalid_argument, fmt::format("{} is read-only", def->name));
    if (!attr_allowed_at(*def, scope))
        return fail(Errc::invalid_argument,
                    fmt::format("{} cannot be set on a {}", def->name, scope_name(scope)));
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
    return def;
}

std::string domain_part(const std::string& address) {
    return address.substr(address.find('@') + 1);
}

Result<std::optional<std::string>> password_hash_of(const NewAccount& na) {
    if (!na.password.empty()) return std::optional(crypto::hash_password(na.password));
    if (na.imported_password.empty()) return std::optional<std::string>{};
    SB_TRY_ASSIGN(auto h, crypto::import_password(na.imported_password));
    return std::optional(std::move(h));
}

// The attribute rows of a new owner, in statements of kRowsPerInsert rows.
Result<void> insert_rows(store::Tx& tx, const std::string& scope, int64_t owner,
                         const std::vector<std::pair<std::string, std::string>>& rows) {
    for (size_t from = 0; from < rows.size(); from += kRowsPerInsert) {
        std::string sql = "INSERT INTO attrs (scope, owner_id, name, seq, value) VALUES ";
        std::vector<store::Value> params;
        for (size_t i = from; i < std::min(rows.size(), from + kRowsPerInsert); ++i) {
            sql += i > from ? ", (?, ?, ?, 0, ?)" : "(?, ?, ?, 0, ?)";
            params.insert(params.end(), {scope, owner, rows[i].first, rows[i].second});
        }
        SB_TRY(tx.exec(sql, params));
    }
    return {};
}

// One change of an owner that may already have values.
Result<void> apply_change(store::Tx& tx, const std::string& scope, int64_t owner, AttrChange::Op op,
                          const std::string& name, const std::string& value) {
    switch (op) {
        case AttrChange::Op::set:
            SB_TRY(tx.exec("DELETE FROM attrs WHERE scope = ? AND owner_id = ? AND name = ?",
                           {scope, owner, name}));
            if (value.empty()) return {};
            return insert_rows(tx, scope, owner, {{name, value}});
        case AttrChange::Op::add: {
            SB_TRY_ASSIGN(auto have, tx.scalar("SELECT COUNT(*) FROM attrs WHERE scope = ? AND "
                                               "owner_id = ? AND name = ? AND value = ?",
                                               {scope, owner, name, value}));
            if (have) return {};
            return tx
                .exec(
                    "INSERT INTO attrs (scope, owner_id, name, seq, value) VALUES (?, ?, ?, "
                    "(SELECT COALESCE(MAX(seq), -1) + 1 FROM attrs WHERE scope = ? AND "
                    "owner_id = ? AND name = ?), ?)",
                    {scope, owner, name, scope, owner, name, value})
                .map([](int64_t) {});
        }
        case AttrChange::Op::remove:
            return tx
                .exec(
                    "DELETE FROM attrs WHERE scope = ? AND owner_id = ? AND name = ? AND value = ?",
                    {scope, owner, name, value})
                .map([](int64_t) {});
    }
    return {};
}

}  // namespace

Result<void> AccountWriter::require_free(const std::string& address) {
    SB_TRY_ASSIGN(auto n, tx_.scalar("SELECT (SELECT COUNT(*) FROM accounts WHERE address = ?) + "
                                     "(SELECT COUNT(*) FROM aliases WHERE address = ?)",
                                     {address, address}));
    if (n > 0)
        return fail(Errc::already_exists, fmt::format("address already in use: {}", address));
    return {};
}

Result<std::optional<int64_t>> AccountWriter::domain_id_of(const std::string& address) {
    std::string name = domain_part(address);
    if (auto it = domain_ids_.find(name); it != domain_ids_.end()) return std::optional(it->second);
    SB_TRY_ASSIGN(auto d, find_domain(name));
    if (!d) return std::optional<int64_t>{};
    domain_ids_.emplace(std::move(name), d->id);
    return std::optional(d->id);
}

Result<int64_t> AccountWriter::new_address_domain(const std::string& address) {
    SB_TRY_ASSIGN(auto id, domain_id_of(address));
    if (id) return *id;
    const std::string name = domain_part(address);
    return fail(Errc::not_found,
                fmt::format("domain {} does not exist (create it with: switchboard prov cd {})",
                            name, name));
}

Result<void> AccountWriter::insert_alias(int64_t id, const std::string& alias, int64_t domain_id) {
    return tx_
        .exec("INSERT INTO aliases (address, account_id, domain_id) VALUES (?, ?, ?)",
              {alias, id, domain_id})
        .map([](int64_t) {});
}

Result<int64_t> AccountWriter::create(const NewAccount& na) {
    SB_TRY_ASSIGN(auto address, normalize_address(na.address));
    SB_TRY_ASSIGN(auto domain_id, new_address_domain(address));
    SB_TRY(require_free(address));
    SB_TRY_ASSIGN(auto hash, password_hash_of(na));
    const int64_t now = now_ms();
    SB_TRY_ASSIGN(
        auto rows,
        tx_.query("INSERT INTO accounts (uuid, domain_id, address, status, password, "
                  "password_changed_at, auth_source, created_at, modified_at) VALUES "
                  "(?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  {crypto::uuid_v4(), domain_id, address, std::string(status_name(na.status)),
                   hash ? store::Value(*hash) : store::Value(store::Null{}),
                   hash ? now : int64_t{0}, na.auth_source, now, now}));
    const int64_t id = rows.front().integer(0);
    SB_TRY(apply_attrs(Scope::account, id, na.attrs, /*fresh=*/true));
    for (const auto& given : na.aliases) {
        SB_TRY_ASSIGN(auto alias, normalize_address(given));
        SB_TRY_ASSIGN(auto alias_domain, new_address_domain(alias));
        SB_TRY(require_free(alias));
        SB_TRY(insert_alias(id, alias, alias_domain));
    }
    notify(id, "account");
    return id;
}

Result<std::string> AccountWriter::stored_value(const AttrDef& def, const AttrChange& ch) {
    if (ch.value.empty() && ch.op == AttrChange::Op::set) return std::string();
    SB_TRY_ASSIGN(auto value, normalize_value(def, ch.value));
    if (def.type == AttrType::cos_ref) {
        if (auto it = cos_uuids_.find(value); it != cos_uuids_.end()) return it->second;
        SB_TRY_ASSIGN(auto c, cos(value));
        cos_uuids_.emplace(value, c.uuid);
        return c.uuid;
    }
    if (def.type == AttrType::account_ref) {
        SB_TRY_ASSIGN(auto a, account(value));
        return a.uuid;
    }
    return value;
}

Result<void> AccountWriter::apply_attrs(Scope scope, int64_t owner,
                                        const std::vector<AttrChange>& changes) {
    return apply_attrs(scope, owner, changes, /*fresh=*/false);
}

// `fresh`: the owner was just created, so values set go in together (a first directory sync
// writes a million) until another kind of change needs the rows in place.
Result<void> AccountWriter::apply_attrs(Scope scope, int64_t owner,
                                        const std::vector<AttrChange>& changes, bool fresh) {
    const std::string scope_text(scope_name(scope));
    std::vector<std::pair<std::string, std::string>> fresh_rows;
    for (const auto& ch : changes) {
        SB_TRY_ASSIGN(const AttrDef* def, check_change(ch, scope));
        SB_TRY_ASSIGN(auto value, stored_value(*def, ch));
        if (def->storage == AttrStorage::status) {
            SB_TRY(tx_.exec("UPDATE accounts SET status = ? WHERE id = ?",
                            {value.empty() ? std::string("active") : value, owner}));
            continue;
        }
        std::string name(def->name);
        if (fresh && ch.op == AttrChange::Op::set) {
            std::erase_if(fresh_rows, [&](const auto& row) { return row.first == name; });
            if (!value.empty()) fresh_rows.emplace_back(std::move(name), std::move(value));
            continue;
        }
        if (fresh) {
            SB_TRY(insert_rows(tx_, scope_text, owner, fresh_rows));
            fresh_rows.clear();
            fresh = false;
        }
        SB_TRY(apply_change(tx_, scope_text, owner, ch.op, name, value));
    }
    return insert_rows(tx_, scope_text, owner, fresh_rows);
}

Result<void> AccountWriter::rename(int64_t id, const std::string& address) {
    SB_TRY(tx_.exec("DELETE FROM aliases WHERE address = ? AND account_id = ?", {address, id}));
    SB_TRY(require_free(address));
    SB_TRY_ASSIGN(auto domain_id, domain_id_of(address));
    if (!domain_id)
        return fail(Errc::not_found, fmt::format("no such domain: {}", domain_part(address)));
    SB_TRY(tx_.exec("UPDATE accounts SET address = ?, domain_id = ?, modified_at = ? WHERE id = ?",
                    {address, *domain_id, now_ms(), id}));
    notify(id, "renamed");
    return {};
}

Result<void> AccountWriter::remove(int64_t id) {
    SB_TRY(tx_.exec("DELETE FROM attrs WHERE scope = 'account' AND owner_id = ?", {id}));
    SB_TRY(tx_.exec("DELETE FROM accounts WHERE id = ?", {id}));
    notify(id, "deleted");
    return {};
}

Result<void> AccountWriter::add_alias(int64_t id, const std::string& alias) {
    SB_TRY_ASSIGN(auto domain_id, domain_id_of(alias));
    if (!domain_id)
        return fail(Errc::not_found, fmt::format("no such domain: {}", domain_part(alias)));
    SB_TRY(require_free(alias));
    return insert_alias(id, alias, *domain_id);
}

Result<bool> AccountWriter::remove_alias(int64_t id, const std::string& alias) {
    SB_TRY_ASSIGN(
        auto n, tx_.exec("DELETE FROM aliases WHERE address = ? AND account_id = ?", {alias, id}));
    return n > 0;
}

Result<void> AccountWriter::move_alias(const std::string& alias, int64_t from, int64_t to) {
    SB_TRY(remove_alias(from, alias));
    SB_TRY(add_alias(to, alias));
    return touch(from, "alias moved");
}

Result<void> AccountWriter::set_status(int64_t id, AccountStatus status) {
    return tx_
        .exec("UPDATE accounts SET status = ? WHERE id = ?", {std::string(status_name(status)), id})
        .map([](int64_t) {});
}

Result<void> AccountWriter::set_auth_source(int64_t id, std::string_view source) {
    SB_TRY(tx_.exec("UPDATE accounts SET auth_source = ?, modified_at = ? WHERE id = ?",
                    {std::string(source), now_ms(), id}));
    notify(id, "auth source");
    return {};
}

Result<void> AccountWriter::set_password_hash(int64_t id, const std::string& hash) {
    const int64_t now = now_ms();
    SB_TRY(tx_.exec(
        "UPDATE accounts SET password = ?, password_changed_at = ?, modified_at = ? WHERE id = ?",
        {hash, now, now, id}));
    notify(id, "password");
    return {};
}

Result<void> AccountWriter::touch(int64_t id, std::string detail) {
    SB_TRY(tx_.exec("UPDATE accounts SET modified_at = ? WHERE id = ?", {now_ms(), id}));
    notify(id, std::move(detail));
    return {};
}

void AccountWriter::notify(int64_t account_id, std::string detail) {
    tx_.notify(store::Change{std::string(kChannel), account_id, std::move(detail)});
}

}  // namespace sb::directory
