#include "dirsync/sync_store.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/json.hpp"
#include "core/random.hpp"
#include "directory/queries.hpp"

namespace sb::dirsync {
namespace {

using store::Change;
using store::Tx;
using store::Value;

constexpr std::string_view kV1Sqlite = R"SQL(
CREATE TABLE dirsync_config (
  domain_id INTEGER PRIMARY KEY REFERENCES domains(id) ON DELETE CASCADE,
  settings TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE dirsync_links (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  domain_id INTEGER NOT NULL,
  external_id TEXT NOT NULL,
  dn TEXT NOT NULL,
  synced_aliases TEXT NOT NULL DEFAULT '',
  sync_lock TEXT NOT NULL DEFAULT '',
  missing_since INTEGER NOT NULL DEFAULT 0,
  linked_at INTEGER NOT NULL,
  UNIQUE (domain_id, external_id)
);
CREATE TABLE dirsync_groups (
  domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  dn TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  members TEXT NOT NULL DEFAULT '[]',
  member_values INTEGER NOT NULL DEFAULT 0,
  selected INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (domain_id, external_id)
);
CREATE TABLE dirsync_state (
  domain_id INTEGER PRIMARY KEY REFERENCES domains(id) ON DELETE CASCADE,
  cookie TEXT NOT NULL DEFAULT '',
  high_water TEXT NOT NULL DEFAULT '',
  config_hash TEXT NOT NULL DEFAULT '',
  membership TEXT NOT NULL DEFAULT '',
  last_full_at INTEGER NOT NULL DEFAULT 0,
  last_run_at INTEGER NOT NULL DEFAULT 0,
  next_run_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE dirsync_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  started_at INTEGER NOT NULL,
  report TEXT NOT NULL
);
CREATE INDEX dirsync_runs_domain ON dirsync_runs(domain_id, id);
)SQL";

constexpr std::string_view kV1Postgres = R"SQL(
CREATE TABLE dirsync_config (
  domain_id BIGINT PRIMARY KEY REFERENCES domains(id) ON DELETE CASCADE,
  settings TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE dirsync_links (
  account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  domain_id BIGINT NOT NULL,
  external_id TEXT NOT NULL,
  dn TEXT NOT NULL,
  synced_aliases TEXT NOT NULL DEFAULT '',
  sync_lock TEXT NOT NULL DEFAULT '',
  missing_since BIGINT NOT NULL DEFAULT 0,
  linked_at BIGINT NOT NULL,
  UNIQUE (domain_id, external_id)
);
CREATE TABLE dirsync_groups (
  domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  dn TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  members TEXT NOT NULL DEFAULT '[]',
  member_values BIGINT NOT NULL DEFAULT 0,
  selected INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (domain_id, external_id)
);
CREATE TABLE dirsync_state (
  domain_id BIGINT PRIMARY KEY REFERENCES domains(id) ON DELETE CASCADE,
  cookie TEXT NOT NULL DEFAULT '',
  high_water TEXT NOT NULL DEFAULT '',
  config_hash TEXT NOT NULL DEFAULT '',
  membership TEXT NOT NULL DEFAULT '',
  last_full_at BIGINT NOT NULL DEFAULT 0,
  last_run_at BIGINT NOT NULL DEFAULT 0,
  next_run_at BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE dirsync_runs (
  id BIGSERIAL PRIMARY KEY,
  domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  started_at BIGINT NOT NULL,
  report TEXT NOT NULL
);
CREATE INDEX dirsync_runs_domain ON dirsync_runs(domain_id, id);
)SQL";

// v2: what the directory said at the last write, so unchanged users are not compared attribute
// by attribute on every full run.
constexpr std::string_view kV2 = R"SQL(
ALTER TABLE dirsync_links ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE dirsync_links ADD COLUMN synced_at BIGINT NOT NULL DEFAULT 0;
)SQL";

// v3: the alias each entry's user name gives, so an incremental run knows it may give way to
// another entry's e-mail address.
constexpr std::string_view kV3 = R"SQL(
ALTER TABLE dirsync_links ADD COLUMN derived_alias TEXT NOT NULL DEFAULT '';
)SQL";

// Runs kept per domain in the history.
constexpr int64_t kRunsKept = 100;

Change changed(int64_t account_id, std::string detail) {
    return Change{"directory", account_id, std::move(detail)};
}

std::string join_lines(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v)
        out += (out.empty() ? "" : "\n") + s;
    return out;
}

std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> out;
    for (auto& v : split(s, '\n'))
        if (!v.empty()) out.push_back(v);
    return out;
}

std::string hex_of(const std::string& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes)
        out += digits[c >> 4], out += digits[c & 15];
    return out;
}

std::string bytes_of(const std::string& hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
}

std::string domain_of(const std::string& address) {
    return address.substr(address.rfind('@') + 1);
}

// Context of one apply: domain ids by name, defaults of new accounts.
struct ApplyContext {
    int64_t domain_id;
    const std::map<std::string, int64_t>& domains;
    const NewAccountDefaults& defaults;
    std::string cos_id;  // uuid of defaults.cos, resolved once
};

Result<void> insert_alias(Tx& tx, int64_t account_id, const std::string& alias,
                          const ApplyContext& ctx) {
    auto d = ctx.domains.find(domain_of(alias));
    if (d == ctx.domains.end())
        return fail(Errc::not_found, fmt::format("alias {}: domain not on this server", alias));
    SB_TRY(directory::detail::require_free_address(tx, alias));
    return tx
        .exec("INSERT INTO aliases (address, account_id, domain_id) VALUES (?, ?, ?)",
              {alias, account_id, d->second})
        .map([](int64_t) {});
}

// Moves a synced alias from one account to another in the caller's transaction: the address
// never goes to nobody, nor stays with the account it no longer belongs to.
Result<void> move_alias(Tx& tx, const AliasMove& m, int64_t to, const ApplyContext& ctx) {
    SB_TRY(tx.exec("DELETE FROM aliases WHERE address = ? AND account_id = ?",
                   {m.alias, m.from_account}));
    SB_TRY(insert_alias(tx, to, m.alias, ctx));
    SB_TRY_ASSIGN(auto row,
                  tx.first("SELECT synced_aliases FROM dirsync_links WHERE account_id = ?",
                           {m.from_account}));
    if (row) {
        auto list = split_lines(row->text(0));
        std::erase(list, m.alias);
        SB_TRY(tx.exec("UPDATE dirsync_links SET synced_aliases = ? WHERE account_id = ?",
                       {join_lines(list), m.from_account}));
    }
    SB_TRY(directory::detail::touch_account(tx, m.from_account));
    tx.notify(changed(m.from_account, "alias moved"));
    return {};
}

bool is_taken(const std::vector<AliasMove>& takes, const std::string& alias) {
    return std::any_of(takes.begin(), takes.end(),
                       [&](const AliasMove& m) { return m.alias == alias; });
}

Result<void> create_account(Tx& tx, const AccountCreate& c, const ApplyContext& ctx) {
    const RemoteUser& u = c.user;
    SB_TRY(directory::detail::require_free_address(tx, u.address));
    const int64_t now = now_ms();
    SB_TRY_ASSIGN(
        auto rows,
        tx.query(
            "INSERT INTO accounts (uuid, domain_id, address, status, password, "
            "password_changed_at, "
            "auth_source, "
            "created_at, modified_at) VALUES (?, ?, ?, ?, NULL, 0, 'directory', ?, ?) RETURNING id",
            {crypto::uuid_v4(), ctx.domain_id, u.address,
             std::string(u.disabled ? "locked" : "active"), now, now}));
    const int64_t id = rows.front().integer(0);
    // The names are canonical account attributes (mapping_for) and the values checked text, so
    // they are written directly, in one statement: a first sync of 100k users writes a million.
    std::vector<std::pair<std::string_view, std::string_view>> attrs;
    for (const auto& [k, v] : u.attrs)
        attrs.emplace_back(k, v);
    if (!ctx.cos_id.empty()) attrs.emplace_back("zimbraCOSId", ctx.cos_id);
    if (ctx.defaults.mobile_enabled)
        attrs.emplace_back("zimbraFeatureMobileSyncEnabled",
                           *ctx.defaults.mobile_enabled ? "TRUE" : "FALSE");
    if (!attrs.empty()) {
        std::string sql = "INSERT INTO attrs (scope, owner_id, name, seq, value) VALUES ";
        std::vector<Value> params;
        params.reserve(attrs.size() * 3);
        for (size_t i = 0; i < attrs.size(); ++i) {
            sql += i ? ", ('account', ?, ?, 0, ?)" : "('account', ?, ?, 0, ?)";
            params.emplace_back(id);
            params.emplace_back(std::string(attrs[i].first));
            params.emplace_back(std::string(attrs[i].second));
        }
        SB_TRY(tx.exec(sql, params));
    }
    for (const auto& a : c.aliases)
        if (!is_taken(c.take_aliases, a)) SB_TRY(insert_alias(tx, id, a, ctx));
    for (const auto& m : c.take_aliases)
        SB_TRY(move_alias(tx, m, id, ctx));
    SB_TRY(tx.exec(
        "INSERT INTO dirsync_links (account_id, domain_id, external_id, dn, "
        "synced_aliases, sync_lock, missing_since, linked_at, fingerprint, synced_at, "
        "derived_alias) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
        {id, ctx.domain_id, u.external_id, u.dn, join_lines(c.aliases),
         std::string(u.disabled ? kLockDisabled : ""), now, c.fingerprint, now, u.derived_alias}));
    tx.notify(changed(id, "account"));
    return {};
}

Result<void> change_account(Tx& tx, const AccountChange& ch, const ApplyContext& ctx) {
    const int64_t id = ch.account_id;
    if (ch.rename_to) {
        // Renaming to one of its own aliases: that alias goes away (as `prov ra` does).
        SB_TRY(tx.exec("DELETE FROM aliases WHERE address = ? AND account_id = ?",
                       {*ch.rename_to, id}));
        SB_TRY(directory::detail::require_free_address(tx, *ch.rename_to));
        SB_TRY(tx.exec("UPDATE accounts SET address = ? WHERE id = ?", {*ch.rename_to, id}));
        tx.notify(changed(id, "renamed"));
    }
    if (!ch.attrs.empty())
        SB_TRY(directory::detail::apply_attrs(tx, directory::Scope::account, id, ch.attrs));
    for (const auto& a : ch.remove_aliases)
        SB_TRY(tx.exec("DELETE FROM aliases WHERE address = ? AND account_id = ?", {a, id}));
    for (const auto& a : ch.add_aliases)
        SB_TRY(insert_alias(tx, id, a, ctx));
    for (const auto& m : ch.take_aliases)
        SB_TRY(move_alias(tx, m, id, ctx));
    if (ch.status)
        SB_TRY(tx.exec("UPDATE accounts SET status = ? WHERE id = ?",
                       {std::string(directory::status_name(*ch.status)), id}));
    if (ch.content_changed) {
        SB_TRY(directory::detail::touch_account(tx, id));
        tx.notify(changed(id, "account"));
    }
    // Aliases being handed to another account stay listed until that account's change took them.
    std::vector<std::string> synced = ch.synced_aliases;
    for (const auto& a : ch.handing_over) {
        SB_TRY_ASSIGN(auto holder,
                      tx.first("SELECT account_id FROM aliases WHERE address = ?", {a}));
        if (!holder || holder->integer(0) != id) std::erase(synced, a);
    }
    if (ch.relink) {
        SB_TRY(tx.exec(
            "DELETE FROM dirsync_links WHERE account_id = ? OR (domain_id = ? AND external_id = ?)",
            {id, ctx.domain_id, ch.external_id}));
        SB_TRY(tx.exec("UPDATE accounts SET auth_source = 'directory' WHERE id = ?", {id}));
        // synced_at after touch_account: the account is not "touched" by this very write.
        const int64_t now = now_ms();
        SB_TRY(
            tx.exec("INSERT INTO dirsync_links (account_id, domain_id, external_id, dn, "
                    "synced_aliases, sync_lock, missing_since, linked_at, fingerprint, synced_at, "
                    "derived_alias) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    {id, ctx.domain_id, ch.external_id, ch.dn, join_lines(synced), ch.sync_lock,
                     ch.missing_since.value_or(0), now, ch.fingerprint, now, ch.derived_alias}));
        return {};
    }
    const int64_t now = now_ms();
    if (ch.missing_since) {
        SB_TRY(
            tx.exec("UPDATE dirsync_links SET dn = ?, synced_aliases = ?, sync_lock = ?, "
                    "missing_since = ?, fingerprint = ?, synced_at = ?, derived_alias = ? WHERE "
                    "account_id = ?",
                    {ch.dn, join_lines(synced), ch.sync_lock, *ch.missing_since, ch.fingerprint,
                     now, ch.derived_alias, id}));
    } else {
        SB_TRY(tx.exec(
            "UPDATE dirsync_links SET dn = ?, synced_aliases = ?, sync_lock = ?, fingerprint = ?, "
            "synced_at = ?, derived_alias = ? WHERE account_id = ?",
            {ch.dn, join_lines(synced), ch.sync_lock, ch.fingerprint, now, ch.derived_alias, id}));
    }
    return {};
}

Result<void> delete_account(Tx& tx, const AccountRemoval& r) {
    SB_TRY(tx.exec("DELETE FROM attrs WHERE scope = 'account' AND owner_id = ?", {r.account_id}));
    SB_TRY(tx.exec("DELETE FROM accounts WHERE id = ?", {r.account_id}));
    tx.notify(changed(r.account_id, "deleted"));
    return {};
}

// A transaction whose notifications are kept aside (sent after the last chunk).
class DeferredNotifyTx final : public Tx {
  public:
    DeferredNotifyTx(Tx& tx, std::vector<Change>& out) : tx_(tx), out_(out) {}
    Result<store::Rows> query(std::string_view sql, std::initializer_list<Value> p) override {
        return tx_.query(sql, p);
    }
    Result<store::Rows> query(std::string_view sql, const std::vector<Value>& p) override {
        return tx_.query(sql, p);
    }
    Result<int64_t> exec(std::string_view sql, std::initializer_list<Value> p) override {
        return tx_.exec(sql, p);
    }
    Result<int64_t> exec(std::string_view sql, const std::vector<Value>& p) override {
        return tx_.exec(sql, p);
    }
    Result<void> script(std::string_view sql) override { return tx_.script(sql); }
    void notify(Change change) override { out_.push_back(std::move(change)); }

  private:
    Tx& tx_;
    std::vector<Change>& out_;
};

// One operation of a plan, by index over creates, then changes, then deletes.
struct Op {
    const Plan& plan;
    size_t index;
    Result<void> run(Tx& tx, const ApplyContext& ctx) const {
        if (index < plan.creates.size()) return create_account(tx, plan.creates[index], ctx);
        size_t i = index - plan.creates.size();
        if (i < plan.changes.size()) return change_account(tx, plan.changes[i], ctx);
        return delete_account(tx, plan.deletes[i - plan.changes.size()]);
    }
    std::string name() const {
        if (index < plan.creates.size()) return "creating " + plan.creates[index].user.address;
        size_t i = index - plan.creates.size();
        if (i < plan.changes.size()) return "updating " + plan.changes[i].address;
        return "deleting " + plan.deletes[i - plan.changes.size()].address;
    }
};

}  // namespace

const std::vector<store::Migration>& migrations() {
    static const std::vector<store::Migration> list = {
        {"dirsync", 1, "directory sync: configuration, links, groups, state, runs", kV1Sqlite,
         kV1Postgres},
        {"dirsync", 2, "directory sync: entry fingerprints", kV2, kV2},
        {"dirsync", 3, "directory sync: aliases made from user names", kV3, kV3},
    };
    return list;
}

Result<std::optional<Settings>> SyncStore::settings(int64_t domain_id) {
    std::optional<Settings> out;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto row, tx.first("SELECT settings FROM dirsync_config WHERE domain_id = ?",
                                         {domain_id}));
        if (!row) return {};
        auto j = nlohmann::json::parse(row->text(0), nullptr, false);
        if (!j.is_object())
            return fail(Errc::internal, "the stored directory-sync settings are not valid JSON");
        Settings s;
        for (auto& [k, v] : j.items())
            if (v.is_string()) s[k] = v.get<std::string>();
        out = std::move(s);
        return {};
    }));
    return out;
}

Result<void> SyncStore::save_settings(int64_t domain_id, const Settings& s) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : s)
        j[k] = v;
    const std::string text = json_text(j);
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(
            auto n,
            tx.exec("UPDATE dirsync_config SET settings = ?, updated_at = ? WHERE domain_id = ?",
                    {text, now_ms(), domain_id}));
        if (n == 0)
            SB_TRY(tx.exec(
                "INSERT INTO dirsync_config (domain_id, settings, updated_at) VALUES (?, ?, ?)",
                {domain_id, text, now_ms()}));
        return {};
    });
}

Result<void> SyncStore::delete_settings(int64_t domain_id) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(tx.exec("DELETE FROM dirsync_config WHERE domain_id = ?", {domain_id}));
        SB_TRY(tx.exec("DELETE FROM dirsync_state WHERE domain_id = ?", {domain_id}));
        return {};
    });
}

Result<std::vector<std::pair<int64_t, Settings>>> SyncStore::all_settings() {
    std::vector<int64_t> ids;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto rows,
                      tx.query("SELECT domain_id FROM dirsync_config ORDER BY domain_id"));
        for (auto& r : rows)
            ids.push_back(r.integer(0));
        return {};
    }));
    std::vector<std::pair<int64_t, Settings>> out;
    for (int64_t id : ids) {
        SB_TRY_ASSIGN(auto s, settings(id));
        if (s) out.emplace_back(id, std::move(*s));
    }
    return out;
}

Result<SyncMark> SyncStore::mark(int64_t domain_id) {
    SyncMark m;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(
            auto row,
            tx.first(
                "SELECT cookie, high_water, config_hash, membership, last_full_at, last_run_at, "
                "next_run_at FROM dirsync_state WHERE domain_id = ?",
                {domain_id}));
        if (!row) return {};
        const auto& r = *row;
        m.cookie = bytes_of(r.text(0));
        m.high_water = r.text(1);
        m.config_hash = r.text(2);
        m.membership = r.text(3);
        m.last_full_ms = r.integer(4);
        m.last_run_ms = r.integer(5);
        m.next_run_ms = r.integer(6);
        return {};
    }));
    return m;
}

Result<void> SyncStore::save_mark(int64_t domain_id, const SyncMark& m) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(tx.exec("DELETE FROM dirsync_state WHERE domain_id = ?", {domain_id}));
        return tx
            .exec(
                "INSERT INTO dirsync_state (domain_id, cookie, high_water, config_hash, "
                "membership, last_full_at, "
                "last_run_at, next_run_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                {domain_id, hex_of(m.cookie), m.high_water, m.config_hash, m.membership,
                 m.last_full_ms, m.last_run_ms, m.next_run_ms})
            .map([](int64_t) {});
    });
}

Result<void> SyncStore::record_run(int64_t domain_id, const nlohmann::ordered_json& report) {
    const std::string text = json_text(report);
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(tx.exec("INSERT INTO dirsync_runs (domain_id, started_at, report) VALUES (?, ?, ?)",
                       {domain_id, report.value("startedMs", int64_t{0}), text}));
        return tx
            .exec(
                "DELETE FROM dirsync_runs WHERE domain_id = ? AND id NOT IN "
                "(SELECT id FROM dirsync_runs WHERE domain_id = ? ORDER BY id DESC LIMIT ?)",
                {domain_id, domain_id, kRunsKept})
            .map([](int64_t) {});
    });
}

Result<std::vector<nlohmann::ordered_json>> SyncStore::runs(int64_t domain_id, int limit) {
    std::vector<nlohmann::ordered_json> out;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(
            auto rows,
            tx.query("SELECT report FROM dirsync_runs WHERE domain_id = ? ORDER BY id DESC LIMIT ?",
                     {domain_id, int64_t{limit}}));
        for (auto& r : rows) {
            auto j = nlohmann::ordered_json::parse(r.text(0), nullptr, false);
            if (j.is_object()) out.push_back(std::move(j));
        }
        return {};
    }));
    return out;
}

Result<void> SyncStore::save_groups(int64_t domain_id, const std::vector<RemoteGroup>& groups) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(tx.exec("DELETE FROM dirsync_groups WHERE domain_id = ?", {domain_id}));
        for (const auto& g : groups) {
            nlohmann::json members = g.member_dns;
            SB_TRY(
                tx.exec("INSERT INTO dirsync_groups (domain_id, external_id, dn, name, "
                        "description, members, "
                        "member_values, selected) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        {domain_id, g.external_id, g.dn, g.name, g.description, json_text(members),
                         g.member_values, int64_t{g.selected ? 1 : 0}}));
        }
        return {};
    });
}

Result<std::vector<RemoteGroup>> SyncStore::groups(int64_t domain_id) {
    std::vector<RemoteGroup> out;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(
            auto rows,
            tx.query("SELECT external_id, dn, name, description, members, member_values, selected "
                     "FROM dirsync_groups WHERE domain_id = ? ORDER BY name",
                     {domain_id}));
        for (auto& r : rows) {
            RemoteGroup g;
            g.external_id = r.text(0);
            g.dn = r.text(1);
            g.name = r.text(2);
            g.description = r.text(3);
            auto j = nlohmann::json::parse(r.text(4), nullptr, false);
            if (j.is_array())
                for (auto& m : j)
                    if (m.is_string()) g.member_dns.push_back(m.get<std::string>());
            g.member_values = r.integer(5);
            g.selected = r.integer(6) != 0;
            out.push_back(std::move(g));
        }
        return {};
    }));
    return out;
}

namespace {

// The link rows (with account and aliases) selected by `where` on dirsync_links l.
Result<void> load_linked(Tx& tx, const std::string& where, const std::vector<Value>& params,
                         std::vector<LinkedAccount>& out) {
    SB_TRY_ASSIGN(
        auto rows,
        tx.query("SELECT l.account_id, l.external_id, l.dn, a.address, a.status, l.synced_aliases, "
                 "l.missing_since, l.sync_lock, l.fingerprint, CASE WHEN a.modified_at > "
                 "l.synced_at THEN 1 "
                 "ELSE 0 END, l.derived_alias FROM dirsync_links l JOIN accounts a ON a.id = "
                 "l.account_id "
                 "WHERE " +
                     where + " ORDER BY l.account_id",
                 params));
    std::unordered_map<int64_t, size_t> index;
    const size_t first = out.size();
    out.reserve(out.size() + rows.size());
    for (auto& r : rows) {
        LinkedAccount l;
        l.account_id = r.integer(0);
        l.external_id = r.text(1);
        l.dn = r.text(2);
        l.address = r.text(3);
        l.status = r.text(4) == "locked"   ? directory::AccountStatus::locked
                   : r.text(4) == "closed" ? directory::AccountStatus::closed
                                           : directory::AccountStatus::active;
        l.synced_aliases = split_lines(r.text(5));
        l.missing_since = r.integer(6);
        l.sync_lock = r.text(7);
        l.fingerprint = r.text(8);
        l.touched = r.integer(9) != 0;
        l.derived_alias = r.text(10);
        index.emplace(l.account_id, out.size());
        out.push_back(std::move(l));
    }
    if (out.size() == first) return {};
    SB_TRY_ASSIGN(auto aliases, tx.query("SELECT al.account_id, al.address FROM aliases al JOIN "
                                         "dirsync_links l ON l.account_id = "
                                         "al.account_id WHERE " +
                                             where,
                                         params));
    for (auto& r : aliases)
        if (auto it = index.find(r.integer(0)); it != index.end())
            out[it->second].aliases.push_back(r.text(1));
    return {};
}

}  // namespace

Result<std::vector<LinkedAccount>> SyncStore::linked(int64_t domain_id,
                                                     const std::vector<std::string>* only) {
    std::vector<LinkedAccount> out;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        if (!only) return load_linked(tx, "l.domain_id = ?", {domain_id}, out);
        constexpr size_t kBatch = 200;
        for (size_t i = 0; i < only->size(); i += kBatch) {
            std::string where = "l.domain_id = ? AND l.external_id IN (";
            std::vector<Value> params{domain_id};
            for (size_t j = i; j < std::min(only->size(), i + kBatch); ++j) {
                where += j == i ? "?" : ", ?";
                params.emplace_back((*only)[j]);
            }
            where += ")";
            SB_TRY(load_linked(tx, where, params, out));
        }
        return {};
    }));
    return out;
}

Result<void> SyncStore::load_attrs(std::vector<LinkedAccount>& accounts,
                                   const std::vector<size_t>& which,
                                   const std::vector<std::string>& managed) {
    if (which.empty() || managed.empty()) return {};
    return db_.read([&](Tx& tx) -> Result<void> {
        constexpr size_t kBatch = 400;
        std::string names;
        for (size_t i = 0; i < managed.size(); ++i)
            names += i ? ", ?" : "?";
        for (size_t i = 0; i < which.size(); i += kBatch) {
            std::unordered_map<int64_t, size_t> index;
            std::string sql =
                "SELECT owner_id, name, value FROM attrs WHERE scope = 'account' AND name IN (" +
                names + ") AND owner_id IN (";
            std::vector<Value> params(managed.begin(), managed.end());
            for (size_t j = i; j < std::min(which.size(), i + kBatch); ++j) {
                sql += j == i ? "?" : ", ?";
                params.emplace_back(accounts[which[j]].account_id);
                index.emplace(accounts[which[j]].account_id, which[j]);
            }
            sql += ") ORDER BY seq";
            SB_TRY_ASSIGN(auto rows, tx.query(sql, params));
            for (auto& r : rows)
                if (auto it = index.find(r.integer(0)); it != index.end())
                    accounts[it->second].attrs.emplace(r.text(1), r.text(2));
        }
        return {};
    });
}

Result<std::optional<AddressOwner>> SyncStore::owner_of(int64_t domain_id,
                                                        const std::string& address) {
    std::optional<AddressOwner> out;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(
            auto row,
            tx.first(
                "SELECT a.id, a.auth_source, CASE WHEN l.account_id IS NULL THEN 0 ELSE 1 END, "
                "a.address, COALESCE(l.derived_alias, ''), COALESCE(l.synced_aliases, '') FROM "
                "accounts a "
                "LEFT JOIN dirsync_links l ON l.account_id = a.id AND l.domain_id = ? WHERE "
                "a.address "
                "= ? OR a.id = "
                "(SELECT account_id FROM aliases WHERE address = ?)",
                {domain_id, address, address}));
        if (row) {
            const auto& r = *row;
            const auto synced = split_lines(r.text(5));
            out = AddressOwner{r.integer(0), r.integer(2) != 0, r.text(1) == "directory",
                               address != r.text(3) && r.text(4) == address &&
                                   std::find(synced.begin(), synced.end(), address) != synced.end(),
                               r.text(3)};
        }
        return {};
    }));
    return out;
}

Result<LinkCounts> SyncStore::link_counts(int64_t domain_id) {
    LinkCounts n;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto row, tx.first("SELECT COUNT(*), COALESCE(SUM(CASE WHEN missing_since <> "
                                         "0 THEN 1 ELSE 0 END), 0), "
                                         "COALESCE(SUM(CASE WHEN missing_since = 0 AND sync_lock = "
                                         "'gone' THEN 1 ELSE 0 END), "
                                         "0) FROM dirsync_links WHERE domain_id = ?",
                                         {domain_id}));
        if (row) {
            n.linked = row->integer(0);
            n.locked_for_removal = row->integer(1);
            n.locked_gone = row->integer(2);
        }
        return {};
    }));
    return n;
}

Result<std::vector<std::string>> SyncStore::gone_accounts(int64_t domain_id, int limit) {
    std::vector<std::string> out;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(
            auto rows,
            tx.query("SELECT a.address, a.status FROM dirsync_links l JOIN accounts a ON a.id = "
                     "l.account_id WHERE l.domain_id = ? AND l.missing_since = 0 AND l.sync_lock = "
                     "'gone' "
                     "ORDER BY a.address LIMIT ?",
                     {domain_id, int64_t{limit}}));
        for (auto& r : rows)
            out.push_back(r.text(1) == "active" ? r.text(0) + " (unlocked by an admin)"
                                                : r.text(0));
        return {};
    }));
    return out;
}

Result<std::optional<int64_t>> SyncStore::account_of(int64_t domain_id,
                                                     const std::string& external_id) {
    std::optional<int64_t> out;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(
            auto row,
            tx.first("SELECT account_id FROM dirsync_links WHERE domain_id = ? AND external_id = ?",
                     {domain_id, external_id}));
        if (row) out = row->integer(0);
        return {};
    }));
    return out;
}

Result<std::optional<Link>> SyncStore::link(int64_t account_id) {
    std::optional<Link> out;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(
            auto row,
            tx.first("SELECT account_id, domain_id, external_id, dn, missing_since, sync_lock "
                     "FROM dirsync_links WHERE account_id = ?",
                     {account_id}));
        if (!row) return {};
        const auto& r = *row;
        out = Link{r.integer(0), r.integer(1), r.text(2), r.text(3), r.integer(4), r.text(5)};
        return {};
    }));
    return out;
}

Result<std::unordered_map<std::string, AddressOwner>> SyncStore::owners(int64_t domain_id) {
    std::unordered_map<std::string, AddressOwner> out;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto rows, tx.query("SELECT a.id, a.address, a.auth_source, CASE WHEN "
                                          "l.account_id IS NULL THEN 0 ELSE 1 "
                                          "END "
                                          "FROM accounts a LEFT JOIN dirsync_links l ON "
                                          "l.account_id = a.id AND l.domain_id = ?",
                                          {domain_id}));
        std::unordered_map<int64_t, AddressOwner> by_id;
        out.reserve(rows.size() * 2);
        for (auto& r : rows) {
            AddressOwner o{r.integer(0), r.integer(3) != 0, r.text(2) == "directory", false,
                           r.text(1)};
            by_id.emplace(o.account_id, o);
            out.emplace(r.text(1), o);
        }
        SB_TRY_ASSIGN(auto aliases, tx.query("SELECT address, account_id FROM aliases"));
        for (auto& r : aliases)
            if (auto it = by_id.find(r.integer(1)); it != by_id.end())
                out.emplace(r.text(0), it->second);
        return {};
    }));
    return out;
}

Result<std::map<std::string, int64_t>> SyncStore::hosted_domains() {
    std::map<std::string, int64_t> out;
    SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto rows, tx.query("SELECT name, id FROM domains"));
        for (auto& r : rows)
            out.emplace(r.text(0), r.integer(1));
        return {};
    }));
    return out;
}

Result<ApplyResult> SyncStore::apply(const Plan& plan, int64_t domain_id,
                                     const NewAccountDefaults& defaults, size_t chunk) {
    SB_TRY_ASSIGN(auto domains, hosted_domains());
    ApplyContext ctx{domain_id, domains, defaults, {}};
    if (!defaults.cos.empty()) {
        SB_TRY(db_.read([&](Tx& tx) -> Result<void> {
            SB_TRY_ASSIGN(auto cos, directory::detail::require_cos(tx, defaults.cos));
            ctx.cos_id = cos.uuid;
            return {};
        }));
    }
    ApplyResult out;
    // Notifications of committed chunks are sent together at the end: subscribers (GAL, address
    // book) then rebuild once instead of after every chunk of a 100k-user first run.
    std::vector<Change> committed;
    auto publish = [&]() -> Result<void> {
        if (committed.empty()) return {};
        return db_.write([&](Tx& tx) -> Result<void> {
            for (auto& c : committed)
                tx.notify(std::move(c));
            return {};
        });
    };
    const size_t total = plan.creates.size() + plan.changes.size() + plan.deletes.size();
    for (size_t from = 0; from < total; from += chunk) {
        const size_t to = std::min(total, from + chunk);
        std::vector<Change> changes;
        auto r = db_.write([&](Tx& tx) -> Result<void> {
            changes.clear();
            DeferredNotifyTx deferred(tx, changes);
            for (size_t i = from; i < to; ++i)
                SB_TRY((Op{plan, i}.run(deferred, ctx)));
            return {};
        });
        if (r) {
            out.applied += static_cast<int64_t>(to - from);
            committed.insert(committed.end(), std::make_move_iterator(changes.begin()),
                             std::make_move_iterator(changes.end()));
            continue;
        }
        if (r.error().code == Errc::unavailable || r.error().code == Errc::io_error) {
            (void)publish();
            return tl::unexpected(r.error());
        }
        // One at a time, to keep the good ones and name the bad one.
        for (size_t i = from; i < to; ++i) {
            Op op{plan, i};
            changes.clear();
            auto one = db_.write([&](Tx& tx) -> Result<void> {
                changes.clear();
                DeferredNotifyTx deferred(tx, changes);
                return op.run(deferred, ctx);
            });
            if (one) {
                ++out.applied;
                committed.insert(committed.end(), changes.begin(), changes.end());
                continue;
            }
            ++out.failure_count;
            if (out.failures.size() < 20)
                out.failures.push_back(fmt::format("{}: {}", op.name(), one.error().message));
        }
    }
    SB_TRY(publish());
    return out;
}

Result<void> SyncStore::set_auth_source(int64_t account_id, int64_t domain_id, bool directory,
                                        const std::string& external_id, const std::string& dn) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(tx.exec("UPDATE accounts SET auth_source = ?, modified_at = ? WHERE id = ?",
                       {std::string(directory ? "directory" : "local"), now_ms(), account_id}));
        SB_TRY(tx.exec("DELETE FROM dirsync_links WHERE account_id = ?", {account_id}));
        if (directory) {
            SB_TRY(tx.exec("DELETE FROM dirsync_links WHERE domain_id = ? AND external_id = ?",
                           {domain_id, external_id}));
            SB_TRY(tx.exec(
                "INSERT INTO dirsync_links (account_id, domain_id, external_id, dn, linked_at) "
                "VALUES (?, ?, ?, ?, ?)",
                {account_id, domain_id, external_id, dn, now_ms()}));
        }
        tx.notify(changed(account_id, "auth source"));
        return {};
    });
}

Result<void> SyncStore::relink(int64_t account_id, int64_t domain_id,
                               const std::string& external_id, const std::string& dn) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(
            auto other,
            tx.first("SELECT account_id FROM dirsync_links WHERE domain_id = ? AND external_id = ?",
                     {domain_id, external_id}));
        if (other && other->integer(0) != account_id)
            return fail(Errc::already_exists,
                        fmt::format("directory identity {} is linked to another account (id {})",
                                    external_id, other->integer(0)));
        // An empty fingerprint: the next run compares the account with its new entry.
        SB_TRY_ASSIGN(auto n, tx.exec("UPDATE dirsync_links SET external_id = ?, dn = ?, "
                                      "fingerprint = '' WHERE account_id "
                                      "= ? AND domain_id = ?",
                                      {external_id, dn, account_id, domain_id}));
        if (n == 0) return fail(Errc::not_found, "the account is not linked to the directory");
        tx.notify(changed(account_id, "relinked"));
        return {};
    });
}

Result<std::vector<std::string>> SyncStore::retire(int64_t account_id,
                                                   const std::string& new_address) {
    std::vector<std::string> released;
    SB_TRY(db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto link,
                      tx.first("SELECT synced_aliases FROM dirsync_links WHERE account_id = ?",
                               {account_id}));
        if (!link) return fail(Errc::not_found, "the account is not linked to the directory");
        // The addresses the directory gave it go back to the directory (its new owner).
        for (const auto& a : split_lines(link->text(0))) {
            SB_TRY_ASSIGN(auto n,
                          tx.exec("DELETE FROM aliases WHERE address = ? AND account_id = ?",
                                  {a, account_id}));
            if (n) released.push_back(a);
        }
        SB_TRY(directory::detail::require_free_address(tx, new_address));
        // Locked by the admin's decision (sync_lock ""): the sync never unlocks it.
        SB_TRY(tx.exec(
            "UPDATE accounts SET address = ?, status = CASE WHEN status = 'active' THEN 'locked' "
            "ELSE status END, modified_at = ? WHERE id = ?",
            {new_address, now_ms(), account_id}));
        SB_TRY(tx.exec(
            "UPDATE dirsync_links SET synced_aliases = '', derived_alias = '', sync_lock = '', "
            "fingerprint = '' WHERE account_id = ?",
            {account_id}));
        tx.notify(changed(account_id, "renamed"));
        return {};
    }));
    return released;
}

}  // namespace sb::dirsync
