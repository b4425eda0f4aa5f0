#include "dirsync/sync_store.hpp"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "core/json.hpp"
#include "core/random.hpp"
#include "directory/account_writer.hpp"

namespace sb::dirsync {
namespace {

using store::Change;
using store::Tx;
using store::Value;

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

// Context of one apply: where new accounts go and what they get.
struct ApplyContext {
    int64_t domain_id;
    const NewAccountDefaults& defaults;
    std::string cos_id;  // uuid of defaults.cos, resolved once
};

// Moves a synced alias from one account to another in the caller's transaction: the address
// never goes to nobody, nor stays with the account it no longer belongs to.
Result<void> move_alias(directory::AccountWriter& w, Tx& tx, const AliasMove& m, int64_t to) {
    SB_TRY(w.move_alias(m.alias, m.from_account, to));
    SB_TRY_ASSIGN(auto row,
                  tx.first("SELECT synced_aliases FROM dirsync_links WHERE account_id = ?",
                           {m.from_account}));
    if (!row) return {};
    auto list = split_lines(row->text(0));
    std::erase(list, m.alias);
    return tx
        .exec("UPDATE dirsync_links SET synced_aliases = ? WHERE account_id = ?",
              {join_lines(list), m.from_account})
        .map([](int64_t) {});
}

bool is_taken(const std::vector<AliasMove>& takes, const std::string& alias) {
    return std::any_of(takes.begin(), takes.end(),
                       [&](const AliasMove& m) { return m.alias == alias; });
}

// The account the directory entry describes, with the sync's defaults for new accounts.
directory::NewAccount new_account(const AccountCreate& c, const ApplyContext& ctx) {
    using directory::AttrChange;
    const RemoteUser& u = c.user;
    directory::NewAccount na;
    na.address = u.address;
    na.status = u.disabled ? directory::AccountStatus::locked : directory::AccountStatus::active;
    na.auth_source = "directory";
    for (const auto& [k, v] : u.attrs)
        na.attrs.push_back(AttrChange{AttrChange::Op::set, k, v});
    if (!ctx.cos_id.empty())
        na.attrs.push_back(AttrChange{AttrChange::Op::set, "zimbraCOSId", ctx.cos_id});
    if (ctx.defaults.mobile_enabled)
        na.attrs.push_back(AttrChange{AttrChange::Op::set, "zimbraFeatureMobileSyncEnabled",
                                      *ctx.defaults.mobile_enabled ? "TRUE" : "FALSE"});
    for (const auto& a : c.aliases)
        if (!is_taken(c.take_aliases, a)) na.aliases.push_back(a);
    return na;
}

Result<void> create_account(directory::AccountWriter& w, Tx& tx, const AccountCreate& c,
                            const ApplyContext& ctx) {
    const RemoteUser& u = c.user;
    SB_TRY_ASSIGN(auto id, w.create(new_account(c, ctx)));
    for (const auto& m : c.take_aliases)
        SB_TRY(move_alias(w, tx, m, id));
    const int64_t now = now_ms();
    return tx
        .exec(
            "INSERT INTO dirsync_links (account_id, domain_id, external_id, dn, "
            "synced_aliases, sync_lock, missing_since, linked_at, fingerprint, synced_at, "
            "derived_alias) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
            {id, ctx.domain_id, u.external_id, u.dn, join_lines(c.aliases),
             std::string(u.disabled ? kLockDisabled : ""), now, c.fingerprint, now,
             u.derived_alias})
        .map([](int64_t) {});
}

// The account's own part of a change: name, attributes, aliases and status.
Result<void> change_account_values(directory::AccountWriter& w, Tx& tx, const AccountChange& ch) {
    const int64_t id = ch.account_id;
    if (ch.rename_to) SB_TRY(w.rename(id, *ch.rename_to));
    if (!ch.attrs.empty()) SB_TRY(w.apply_attrs(directory::Scope::account, id, ch.attrs));
    for (const auto& a : ch.remove_aliases)
        SB_TRY(w.remove_alias(id, a));
    for (const auto& a : ch.add_aliases)
        SB_TRY(w.add_alias(id, a));
    for (const auto& m : ch.take_aliases)
        SB_TRY(move_alias(w, tx, m, id));
    if (ch.status) SB_TRY(w.set_status(id, *ch.status));
    if (ch.content_changed) SB_TRY(w.touch(id, "account"));
    return {};
}

// The link's part of a change: what the entry said, written after the account's part so the
// account does not count as changed by someone else since.
Result<void> change_link(directory::AccountWriter& w, Tx& tx, const AccountChange& ch,
                         const ApplyContext& ctx) {
    const int64_t id = ch.account_id;
    // Aliases being handed to another account stay listed until that account's change took them.
    std::vector<std::string> synced = ch.synced_aliases;
    for (const auto& a : ch.handing_over) {
        SB_TRY_ASSIGN(auto holder, w.alias_holder(a));
        if (holder != id) std::erase(synced, a);
    }
    if (ch.relink) {
        SB_TRY(tx.exec(
            "DELETE FROM dirsync_links WHERE account_id = ? OR (domain_id = ? AND external_id = ?)",
            {id, ctx.domain_id, ch.external_id}));
        SB_TRY(w.set_auth_source(id, "directory"));
    }
    // synced_at after the account's last write: this very write does not count as a change.
    const int64_t now = now_ms();
    if (ch.relink)
        return tx
            .exec(
                "INSERT INTO dirsync_links (account_id, domain_id, external_id, dn, "
                "synced_aliases, sync_lock, missing_since, linked_at, fingerprint, synced_at, "
                "derived_alias) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {id, ctx.domain_id, ch.external_id, ch.dn, join_lines(synced), ch.sync_lock,
                 ch.missing_since.value_or(0), now, ch.fingerprint, now, ch.derived_alias})
            .map([](int64_t) {});
    if (ch.missing_since)
        return tx
            .exec(
                "UPDATE dirsync_links SET dn = ?, synced_aliases = ?, sync_lock = ?, "
                "missing_since = ?, fingerprint = ?, synced_at = ?, derived_alias = ? WHERE "
                "account_id = ?",
                {ch.dn, join_lines(synced), ch.sync_lock, *ch.missing_since, ch.fingerprint, now,
                 ch.derived_alias, id})
            .map([](int64_t) {});
    return tx
        .exec(
            "UPDATE dirsync_links SET dn = ?, synced_aliases = ?, sync_lock = ?, fingerprint = ?, "
            "synced_at = ?, derived_alias = ? WHERE account_id = ?",
            {ch.dn, join_lines(synced), ch.sync_lock, ch.fingerprint, now, ch.derived_alias, id})
        .map([](int64_t) {});
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
    Result<void> run(directory::AccountWriter& w, Tx& tx, const ApplyContext& ctx) const {
        if (index < plan.creates.size()) return create_account(w, tx, plan.creates[index], ctx);
        size_t i = index - plan.creates.size();
        if (i < plan.changes.size()) {
            SB_TRY(change_account_values(w, tx, plan.changes[i]));
            return change_link(w, tx, plan.changes[i], ctx);
        }
        return w.remove(plan.deletes[i - plan.changes.size()].account_id);
    }
    std::string name() const {
        if (index < plan.creates.size()) return "creating " + plan.creates[index].user.address;
        size_t i = index - plan.creates.size();
        if (i < plan.changes.size()) return "updating " + plan.changes[i].address;
        return "deleting " + plan.deletes[i - plan.changes.size()].address;
    }
};

// Runs operations [from, to) in one transaction; returns their notifications, held back.
Result<std::vector<Change>> run_ops(store::Database& db, const Plan& plan, size_t from, size_t to,
                                    const ApplyContext& ctx) {
    return db.write([&](Tx& tx) -> Result<std::vector<Change>> {
        std::vector<Change> changes;
        DeferredNotifyTx deferred(tx, changes);
        directory::AccountWriter w(deferred);
        for (size_t i = from; i < to; ++i)
            SB_TRY((Op{plan, i}.run(w, deferred, ctx)));
        return changes;
    });
}

}  // namespace

Result<std::optional<Settings>> SyncStore::settings(int64_t domain_id) {
    return db_.read([&](Tx& tx) -> Result<std::optional<Settings>> {
        SB_TRY_ASSIGN(auto row, tx.first("SELECT settings FROM dirsync_config WHERE domain_id = ?",
                                         {domain_id}));
        if (!row) return std::optional<Settings>{};
        auto j = nlohmann::json::parse(row->text(0), nullptr, false);
        if (!j.is_object())
            return fail(Errc::internal, "the stored directory-sync settings are not valid JSON");
        Settings s;
        for (auto& [k, v] : j.items())
            if (v.is_string()) s[k] = v.get<std::string>();
        return std::optional(std::move(s));
    });
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
    SB_TRY_ASSIGN(auto ids, db_.read([](Tx& tx) -> Result<std::vector<int64_t>> {
        SB_TRY_ASSIGN(auto rows,
                      tx.query("SELECT domain_id FROM dirsync_config ORDER BY domain_id"));
        std::vector<int64_t> out;
        for (auto& r : rows)
            out.push_back(r.integer(0));
        return out;
    }));
    std::vector<std::pair<int64_t, Settings>> out;
    for (int64_t id : ids) {
        SB_TRY_ASSIGN(auto s, settings(id));
        if (s) out.emplace_back(id, std::move(*s));
    }
    return out;
}

Result<SyncMark> SyncStore::mark(int64_t domain_id) {
    return db_.read([&](Tx& tx) -> Result<SyncMark> {
        SB_TRY_ASSIGN(
            auto row,
            tx.first(
                "SELECT cookie, high_water, config_hash, membership, last_full_at, last_run_at, "
                "next_run_at FROM dirsync_state WHERE domain_id = ?",
                {domain_id}));
        SyncMark m;
        if (!row) return m;
        const auto& r = *row;
        m.cookie = bytes_of(r.text(0));
        m.high_water = r.text(1);
        m.config_hash = r.text(2);
        m.membership = r.text(3);
        m.last_full_ms = r.integer(4);
        m.last_run_ms = r.integer(5);
        m.next_run_ms = r.integer(6);
        return m;
    });
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
    return db_.read([&](Tx& tx) -> Result<std::vector<nlohmann::ordered_json>> {
        SB_TRY_ASSIGN(
            auto rows,
            tx.query("SELECT report FROM dirsync_runs WHERE domain_id = ? ORDER BY id DESC LIMIT ?",
                     {domain_id, int64_t{limit}}));
        std::vector<nlohmann::ordered_json> out;
        for (auto& r : rows) {
            auto j = nlohmann::ordered_json::parse(r.text(0), nullptr, false);
            if (j.is_object()) out.push_back(std::move(j));
        }
        return out;
    });
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
    return db_.read([&](Tx& tx) -> Result<std::vector<RemoteGroup>> {
        SB_TRY_ASSIGN(
            auto rows,
            tx.query("SELECT external_id, dn, name, description, members, member_values, selected "
                     "FROM dirsync_groups WHERE domain_id = ? ORDER BY name",
                     {domain_id}));
        std::vector<RemoteGroup> out;
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
        return out;
    });
}

namespace {

// The link rows selected by `where` on dirsync_links l, with their accounts' names, statuses
// and aliases from the directory.
Result<void> load_linked(Tx& tx, const std::string& where, const std::vector<Value>& params,
                         std::vector<LinkedAccount>& out) {
    SB_TRY_ASSIGN(auto rows, tx.query("SELECT l.account_id, l.external_id, l.dn, l.synced_aliases, "
                                      "l.missing_since, l.sync_lock, l.fingerprint, l.synced_at, "
                                      "l.derived_alias FROM dirsync_links l WHERE " +
                                          where + " ORDER BY l.account_id",
                                      params));
    if (rows.empty()) return {};
    std::vector<int64_t> ids;
    ids.reserve(rows.size());
    for (const auto& r : rows)
        ids.push_back(r.integer(0));
    SB_TRY_ASSIGN(auto accounts, directory::DirectoryReader(tx).accounts(ids));
    std::unordered_map<int64_t, directory::Account*> by_id;
    by_id.reserve(accounts.size());
    for (auto& a : accounts)
        by_id.emplace(a.account.id, &a.account);
    out.reserve(out.size() + rows.size());
    for (const auto& r : rows) {
        auto it = by_id.find(r.integer(0));
        if (it == by_id.end()) continue;
        directory::Account& a = *it->second;
        LinkedAccount l;
        l.account_id = a.id;
        l.external_id = r.text(1);
        l.dn = r.text(2);
        l.address = std::move(a.address);
        l.status = a.status;
        l.aliases = std::move(a.aliases);
        l.synced_aliases = split_lines(r.text(3));
        l.missing_since = r.integer(4);
        l.sync_lock = r.text(5);
        l.fingerprint = r.text(6);
        l.touched = a.modified_at > r.integer(7);
        l.derived_alias = r.text(8);
        out.push_back(std::move(l));
    }
    return {};
}

// The account ids of the links selected by `where` on dirsync_links.
Result<std::vector<int64_t>> linked_ids(Tx& tx, std::string_view where, int64_t domain_id) {
    SB_TRY_ASSIGN(
        auto rows,
        tx.query("SELECT account_id FROM dirsync_links WHERE " + std::string(where), {domain_id}));
    std::vector<int64_t> out;
    out.reserve(rows.size());
    for (const auto& r : rows)
        out.push_back(r.integer(0));
    return out;
}

}  // namespace

Result<std::vector<LinkedAccount>> SyncStore::linked(int64_t domain_id,
                                                     const std::vector<std::string>* only) {
    return db_.read([&](Tx& tx) -> Result<std::vector<LinkedAccount>> {
        std::vector<LinkedAccount> out;
        if (!only) {
            SB_TRY(load_linked(tx, "l.domain_id = ?", {domain_id}, out));
            return out;
        }
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
        return out;
    });
}

Result<void> SyncStore::load_attrs(std::vector<LinkedAccount>& accounts,
                                   const std::vector<size_t>& which,
                                   const std::vector<std::string>& managed) {
    if (which.empty() || managed.empty()) return {};
    std::vector<int64_t> ids;
    ids.reserve(which.size());
    for (size_t i : which)
        ids.push_back(accounts[i].account_id);
    SB_TRY_ASSIGN(auto values, db_.read([&](Tx& tx) {
        return directory::DirectoryReader(tx).account_attrs(ids, managed);
    }));
    for (size_t i : which) {
        auto it = values.find(accounts[i].account_id);
        if (it == values.end()) continue;
        for (const auto& [name, v] : it->second)
            accounts[i].attrs.emplace(name, v.front());
    }
    return {};
}

Result<std::optional<AddressOwner>> SyncStore::owner_of(int64_t domain_id,
                                                        const std::string& address) {
    return db_.read([&](Tx& tx) -> Result<std::optional<AddressOwner>> {
        SB_TRY_ASSIGN(auto holder, directory::DirectoryReader(tx).holder_of(address));
        if (!holder) return std::optional<AddressOwner>{};
        const directory::AddressHolder& h = *holder;
        SB_TRY_ASSIGN(auto link, tx.first("SELECT derived_alias, synced_aliases FROM "
                                          "dirsync_links WHERE account_id = ? AND domain_id = ?",
                                          {h.account_id, domain_id}));
        const auto synced = link ? split_lines(link->text(1)) : std::vector<std::string>{};
        const bool derived = link && address != h.address && link->text(0) == address &&
                             std::find(synced.begin(), synced.end(), address) != synced.end();
        return std::optional(AddressOwner{h.account_id, link.has_value(),
                                          h.auth_source == "directory", derived, h.address});
    });
}

Result<LinkCounts> SyncStore::link_counts(int64_t domain_id) {
    return db_.read([&](Tx& tx) -> Result<LinkCounts> {
        SB_TRY_ASSIGN(auto row, tx.first("SELECT COUNT(*), COALESCE(SUM(CASE WHEN missing_since <> "
                                         "0 THEN 1 ELSE 0 END), 0), "
                                         "COALESCE(SUM(CASE WHEN missing_since = 0 AND sync_lock = "
                                         "'gone' THEN 1 ELSE 0 END), "
                                         "0) FROM dirsync_links WHERE domain_id = ?",
                                         {domain_id}));
        LinkCounts n;
        if (row) {
            n.linked = row->integer(0);
            n.locked_for_removal = row->integer(1);
            n.locked_gone = row->integer(2);
        }
        return n;
    });
}

Result<std::vector<std::string>> SyncStore::gone_accounts(int64_t domain_id, int limit) {
    return db_.read([&](Tx& tx) -> Result<std::vector<std::string>> {
        SB_TRY_ASSIGN(auto ids, linked_ids(tx,
                                           "domain_id = ? AND missing_since = 0 AND sync_lock = "
                                           "'gone'",
                                           domain_id));
        SB_TRY_ASSIGN(auto accounts, directory::DirectoryReader(tx).accounts(ids));
        std::sort(accounts.begin(), accounts.end(), [](const auto& a, const auto& b) {
            return a.account.address < b.account.address;
        });
        if (limit >= 0 && accounts.size() > static_cast<size_t>(limit))
            accounts.resize(static_cast<size_t>(limit));
        std::vector<std::string> out;
        for (const auto& a : accounts) {
            out.push_back(a.account.status == directory::AccountStatus::active
                              ? a.account.address + " (unlocked by an admin)"
                              : a.account.address);
        }
        return out;
    });
}

Result<std::optional<int64_t>> SyncStore::account_of(int64_t domain_id,
                                                     const std::string& external_id) {
    return db_.read([&](Tx& tx) -> Result<std::optional<int64_t>> {
        SB_TRY_ASSIGN(
            auto row,
            tx.first("SELECT account_id FROM dirsync_links WHERE domain_id = ? AND external_id = ?",
                     {domain_id, external_id}));
        if (!row) return std::optional<int64_t>{};
        return std::optional(row->integer(0));
    });
}

Result<std::optional<Link>> SyncStore::link(int64_t account_id) {
    return db_.read([&](Tx& tx) -> Result<std::optional<Link>> {
        SB_TRY_ASSIGN(
            auto row,
            tx.first("SELECT account_id, domain_id, external_id, dn, missing_since, sync_lock "
                     "FROM dirsync_links WHERE account_id = ?",
                     {account_id}));
        if (!row) return std::optional<Link>{};
        const auto& r = *row;
        return std::optional(
            Link{r.integer(0), r.integer(1), r.text(2), r.text(3), r.integer(4), r.text(5)});
    });
}

Result<std::unordered_map<std::string, AddressOwner>> SyncStore::owners(int64_t domain_id) {
    using Owners = std::unordered_map<std::string, AddressOwner>;
    return db_.read([&](Tx& tx) -> Result<Owners> {
        SB_TRY_ASSIGN(auto ids, linked_ids(tx, "domain_id = ?", domain_id));
        const std::unordered_set<int64_t> linked(ids.begin(), ids.end());
        SB_TRY_ASSIGN(auto holders, directory::DirectoryReader(tx).address_holders());
        Owners out;
        out.reserve(holders.size());
        for (auto& [address, h] : holders)
            out.emplace(std::move(address),
                        AddressOwner{h.account_id, linked.count(h.account_id) > 0,
                                     h.auth_source == "directory", false, std::move(h.address)});
        return out;
    });
}

Result<std::map<std::string, int64_t>> SyncStore::hosted_domains() {
    SB_TRY_ASSIGN(auto domains,
                  db_.read([](Tx& tx) { return directory::DirectoryReader(tx).domains(); }));
    std::map<std::string, int64_t> out;
    for (const auto& d : domains)
        out.emplace(d.name, d.id);
    return out;
}

Result<ApplyResult> SyncStore::apply(const Plan& plan, int64_t domain_id,
                                     const NewAccountDefaults& defaults, size_t chunk) {
    ApplyContext ctx{domain_id, defaults, {}};
    if (!defaults.cos.empty()) {
        SB_TRY_ASSIGN(auto cos, db_.read([&](Tx& tx) {
            return directory::DirectoryReader(tx).cos(defaults.cos);
        }));
        ctx.cos_id = cos.uuid;
    }
    ApplyResult out;
    // Notifications of committed chunks are sent together at the end: subscribers (GAL, address
    // book) then rebuild once instead of after every chunk of a 100k-user first run.
    std::vector<Change> committed;
    auto publish = [&]() -> Result<void> {
        if (committed.empty()) return {};
        return db_.write([&](Tx& tx) -> Result<void> {
            for (const auto& c : committed)
                tx.notify(c);
            return {};
        });
    };
    auto keep = [&](std::vector<Change>& changes) {
        committed.insert(committed.end(), std::make_move_iterator(changes.begin()),
                         std::make_move_iterator(changes.end()));
    };
    const size_t total = plan.creates.size() + plan.changes.size() + plan.deletes.size();
    for (size_t from = 0; from < total; from += chunk) {
        const size_t to = std::min(total, from + chunk);
        auto changes = run_ops(db_, plan, from, to, ctx);
        if (changes) {
            out.applied += static_cast<int64_t>(to - from);
            keep(*changes);
            continue;
        }
        if (changes.error().code == Errc::unavailable || changes.error().code == Errc::io_error) {
            (void)publish();
            return tl::unexpected(changes.error());
        }
        // One at a time, to keep the good ones and name the bad one.
        for (size_t i = from; i < to; ++i) {
            auto one = run_ops(db_, plan, i, i + 1, ctx);
            if (one) {
                ++out.applied;
                keep(*one);
                continue;
            }
            ++out.failure_count;
            if (out.failures.size() < 20)
                out.failures.push_back(
                    fmt::format("{}: {}", Op{plan, i}.name(), one.error().message));
        }
    }
    SB_TRY(publish());
    return out;
}

Result<void> SyncStore::set_auth_source(int64_t account_id, int64_t domain_id, bool directory,
                                        const std::string& external_id, const std::string& dn) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(directory::AccountWriter(tx).set_auth_source(account_id,
                                                            directory ? "directory" : "local"));
        SB_TRY(tx.exec("DELETE FROM dirsync_links WHERE account_id = ?", {account_id}));
        if (!directory) return {};
        SB_TRY(tx.exec("DELETE FROM dirsync_links WHERE domain_id = ? AND external_id = ?",
                       {domain_id, external_id}));
        return tx
            .exec(
                "INSERT INTO dirsync_links (account_id, domain_id, external_id, dn, linked_at) "
                "VALUES (?, ?, ?, ?, ?)",
                {account_id, domain_id, external_id, dn, now_ms()})
            .map([](int64_t) {});
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
    return db_.write([&](Tx& tx) -> Result<std::vector<std::string>> {
        SB_TRY_ASSIGN(auto link,
                      tx.first("SELECT synced_aliases FROM dirsync_links WHERE account_id = ?",
                               {account_id}));
        if (!link) return fail(Errc::not_found, "the account is not linked to the directory");
        directory::AccountWriter w(tx);
        // The addresses the directory gave it go back to the directory (its new owner).
        std::vector<std::string> released;
        for (const auto& a : split_lines(link->text(0))) {
            SB_TRY_ASSIGN(auto removed, w.remove_alias(account_id, a));
            if (removed) released.push_back(a);
        }
        SB_TRY(w.require_free(new_address));
        SB_TRY_ASSIGN(auto account, w.account_by_id(account_id));
        SB_TRY(w.rename(account_id, new_address));
        // Locked by the admin's decision (sync_lock ""): the sync never unlocks it.
        if (account.status == directory::AccountStatus::active)
            SB_TRY(w.set_status(account_id, directory::AccountStatus::locked));
        SB_TRY(tx.exec(
            "UPDATE dirsync_links SET synced_aliases = '', derived_alias = '', sync_lock = '', "
            "fingerprint = '' WHERE account_id = ?",
            {account_id}));
        return released;
    });
}

}  // namespace sb::dirsync
