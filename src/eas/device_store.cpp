#include "eas/device_store.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/base64.hpp"
#include "core/strings.hpp"
#include "eas/state_codec.hpp"
#include "eas/sync/sync_key.hpp"

namespace sb::eas {

using store::Row;
using store::Tx;
using store::Value;

namespace {

constexpr std::string_view kV1 = R"SQL(
CREATE TABLE eas_devices (
  account_id {int64} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  device_type TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT '',
  protocol_version TEXT NOT NULL DEFAULT '',
  first_seen {int64} NOT NULL,
  last_seen {int64} NOT NULL,
  last_command TEXT NOT NULL DEFAULT '',
  info TEXT NOT NULL DEFAULT '{}',
  suspended {int64} NOT NULL DEFAULT 0,
  policy_key {int64} NOT NULL DEFAULT 0,
  pending_policy_key {int64} NOT NULL DEFAULT 0,
  policy_hash TEXT NOT NULL DEFAULT '',
  provisioned_at {int64} NOT NULL DEFAULT 0,
  wipe TEXT NOT NULL DEFAULT '',
  wipe_requested_at {int64} NOT NULL DEFAULT 0,
  wipe_sent_at {int64} NOT NULL DEFAULT 0,
  wipe_acknowledged_at {int64} NOT NULL DEFAULT 0,
  wipe_ack_status {int64} NOT NULL DEFAULT 0,
  cache TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (account_id, device_id)
);
CREATE INDEX eas_devices_seen ON eas_devices(last_seen);
CREATE TABLE eas_sync_states (
  account_id {int64} NOT NULL,
  device_id TEXT NOT NULL,
  collection TEXT NOT NULL,
  generation TEXT NOT NULL,
  sync_key {int64} NOT NULL,
  holdings TEXT NOT NULL DEFAULT '',
  prev_key {int64} NOT NULL DEFAULT 0,
  prev_reply TEXT NOT NULL DEFAULT '',
  pending TEXT NOT NULL DEFAULT '',
  options TEXT NOT NULL DEFAULT '',
  modified_at {int64} NOT NULL,
  PRIMARY KEY (account_id, device_id, collection),
  FOREIGN KEY (account_id, device_id) REFERENCES eas_devices(account_id, device_id) ON DELETE CASCADE
);
)SQL";

// What a device holds, one row per item (a Sync request reads and writes the rows it concerns,
// never all of them); where its initial download and its change feed stand.
constexpr std::string_view kV2 = R"SQL(
CREATE TABLE eas_sync_items (
  account_id {int64} NOT NULL,
  device_id TEXT NOT NULL,
  collection TEXT NOT NULL,
  item_id {int64} NOT NULL,
  version {int64} NOT NULL,
  PRIMARY KEY (account_id, device_id, collection, item_id),
  FOREIGN KEY (account_id, device_id) REFERENCES eas_devices(account_id, device_id) ON DELETE CASCADE
){without_rowid};
ALTER TABLE eas_sync_states ADD COLUMN download_after {int64} NOT NULL DEFAULT -1;
ALTER TABLE eas_sync_states ADD COLUMN feed_modseq {int64} NOT NULL DEFAULT 0;
)SQL";

// The reply kept for a SyncKey replay becomes a BLOB (it was base64 in TEXT), and the intent of
// an interrupted request two integers (it was JSON): the rows are converted in place. PostgreSQL
// decodes in SQL; SQLite has no base64 decoder, so its replies are decoded by
// decode_sqlite_replies below, in batches, after this script.
constexpr std::string_view kV3Sqlite = R"SQL(
ALTER TABLE eas_sync_states ADD COLUMN reply BLOB NOT NULL DEFAULT X'';
ALTER TABLE eas_sync_states ADD COLUMN intent_key INTEGER NOT NULL DEFAULT 0;
ALTER TABLE eas_sync_states ADD COLUMN intent_modseq INTEGER NOT NULL DEFAULT 0;
UPDATE eas_sync_states SET intent_key = COALESCE(json_extract(pending, '$.key'), 0),
    intent_modseq = COALESCE(json_extract(pending, '$.modseq'), 0)
  WHERE json_valid(pending) AND json_type(pending) = 'object';
ALTER TABLE eas_sync_states DROP COLUMN pending;
)SQL";

constexpr std::string_view kV3SqliteSwap = R"SQL(
ALTER TABLE eas_sync_states DROP COLUMN prev_reply;
ALTER TABLE eas_sync_states RENAME COLUMN reply TO prev_reply;
)SQL";

// A reply that is not valid base64 (Switchboard never wrote one) is dropped: the phone's next
// replay of that request then starts the collection over, as after any lost SyncState.
Result<void> decode_sqlite_replies(store::Tx& tx, std::string_view dialect) {
    if (dialect != "sqlite") return {};
    constexpr int64_t kBatch = 200;
    for (int64_t after = 0;;) {
        SB_TRY_ASSIGN(auto rows, tx.query("SELECT rowid, prev_reply FROM eas_sync_states WHERE "
                                          "rowid > ? AND prev_reply <> '' ORDER BY rowid LIMIT ?",
                                          {after, kBatch}));
        if (rows.empty()) break;
        for (const auto& row : rows) {
            after = row.integer(0);
            auto bytes = crypto::base64_decode(row.text(1));
            // Bound as text, cast to a BLOB (as write_state does).
            SB_TRY(tx.exec("UPDATE eas_sync_states SET reply = CAST(? AS BLOB) WHERE rowid = ?",
                           {Value(bytes ? std::move(*bytes) : std::string()), Value(after)}));
        }
    }
    return tx.script(std::string(kV3SqliteSwap));
}

constexpr std::string_view kV3Postgres = R"SQL(
ALTER TABLE eas_sync_states ALTER COLUMN prev_reply DROP DEFAULT;
ALTER TABLE eas_sync_states ALTER COLUMN prev_reply TYPE BYTEA USING decode(prev_reply, 'base64');
ALTER TABLE eas_sync_states ALTER COLUMN prev_reply SET DEFAULT ''::bytea;
ALTER TABLE eas_sync_states ADD COLUMN intent_key BIGINT NOT NULL DEFAULT 0;
ALTER TABLE eas_sync_states ADD COLUMN intent_modseq BIGINT NOT NULL DEFAULT 0;
UPDATE eas_sync_states SET
    intent_key = COALESCE(substring(pending from '"key"\s*:\s*(-?\d+)')::bigint, 0),
    intent_modseq = COALESCE(substring(pending from '"modseq"\s*:\s*(-?\d+)')::bigint, 0)
  WHERE pending <> '';
ALTER TABLE eas_sync_states DROP COLUMN pending;
)SQL";

// Ids go into "IN (...)" lists of at most kMaxIdList, padded with the last id to a power of two
// so that few distinct statements reach the store's statement cache.
constexpr size_t kMaxIdList = 512;
std::string id_list(const std::vector<int64_t>& ids, size_t from, std::vector<Value>& params) {
    size_t n = std::min(kMaxIdList, ids.size() - from);
    size_t padded = 1;
    while (padded < n)
        padded *= 2;
    std::string list;
    for (size_t i = 0; i < padded; ++i) {
        list += i ? ",?" : "?";
        params.emplace_back(std::in_place_type<int64_t>, ids[from + std::min(i, n - 1)]);
    }
    return list;
}

constexpr std::string_view kDeviceCols =
    "SELECT account_id, device_id, device_type, user_agent, protocol_version, first_seen, "
    "last_seen, "
    "last_command, info, suspended, policy_key, pending_policy_key, policy_hash, provisioned_at, "
    "wipe, "
    "wipe_requested_at, wipe_sent_at, wipe_acknowledged_at, wipe_ack_status, cache FROM "
    "eas_devices ";

Wipe parse_wipe(std::string_view s) {
    if (s == "full") return Wipe::full;
    if (s == "account") return Wipe::account_only;
    return Wipe::none;
}

Device device_from(const Row& r) {
    Device d;
    d.account_id = r.integer(0);
    d.device_id = r.text(1);
    d.device_type = r.text(2);
    d.user_agent = r.text(3);
    d.protocol_version = r.text(4);
    d.first_seen = r.integer(5);
    d.last_seen = r.integer(6);
    d.last_command = r.text(7);
    d.info = decode_info(r.text(8));
    d.suspended = r.integer(9) != 0;
    d.policy_key = static_cast<uint32_t>(r.integer(10));
    d.pending_policy_key = static_cast<uint32_t>(r.integer(11));
    d.policy_hash = r.text(12);
    d.provisioned_at = r.integer(13);
    d.wipe = parse_wipe(r.text(14));
    d.wipe_requested_at = r.integer(15);
    d.wipe_sent_at = r.integer(16);
    d.wipe_acknowledged_at = r.integer(17);
    d.wipe_ack_status = static_cast<int>(r.integer(18));
    d.cache = decode_cache(r.text(19));
    return d;
}

std::vector<Device> devices_from(const store::Rows& rows) {
    std::vector<Device> out;
    out.reserve(rows.size());
    for (auto& r : rows)
        out.push_back(device_from(r));
    return out;
}

Result<std::optional<Device>> load(Tx& tx, int64_t account, std::string_view device_id) {
    SB_TRY_ASSIGN(auto row,
                  tx.first(std::string(kDeviceCols) + "WHERE account_id = ? AND device_id = ?",
                           {account, std::string(device_id)}));
    if (!row) return std::optional<Device>();
    return std::optional<Device>(device_from(*row));
}

Result<void> must_change(Result<int64_t> changed, std::string_view device_id) {
    SB_TRY_ASSIGN(int64_t n, std::move(changed));
    if (n == 0)
        return fail(Errc::not_found, fmt::format("no device '{}' for this account", device_id));
    return {};
}

store::Change changed(int64_t account, std::string_view what) {
    return store::Change{std::string(kChannel), account, std::string(what)};
}

}  // namespace

const store::ModuleMigrations& migrations() {
    static const store::ModuleMigrations module{
        "eas",
        {
            {1, "devices and sync states", kV1},
            {2, "held items as rows, download and feed positions", kV2},
            // A conversion of data in place: each backend has its own script.
            {3, "sync replies as BLOBs, intents as columns", kV3Sqlite, kV3Postgres,
             decode_sqlite_replies},
        }};
    return module;
}

std::string_view wipe_name(Wipe w) {
    switch (w) {
        case Wipe::none:
            return "";
        case Wipe::full:
            return "full";
        case Wipe::account_only:
            return "account";
    }
    return "";
}

Result<Device> DeviceStore::touch(int64_t account, std::string_view device_id,
                                  std::string_view device_type, std::string_view user_agent,
                                  std::string_view protocol_version, std::string_view command) {
    // Most requests change nothing but the last-seen time: that is written once a minute, not
    // once a request (a write is a WAL sync, and phones send a Ping or a Sync every few seconds).
    if (auto known = find(account, device_id); known && *known) {
        const Device& d = **known;
        bool same = d.device_type == device_type && d.last_command == command &&
                    (user_agent.empty() || d.user_agent == user_agent) &&
                    (protocol_version.empty() || d.protocol_version == protocol_version);
        if (same && now_ms() - d.last_seen < kLastSeenResolutionMs) return d;
    }
    return db_.write([&](Tx& tx) -> Result<Device> {
        int64_t now = now_ms();
        SB_TRY_ASSIGN(auto d, load(tx, account, device_id));
        if (!d) {
            SB_TRY(tx.exec(
                "INSERT INTO eas_devices (account_id, device_id, device_type, user_agent, "
                "protocol_version, "
                "first_seen, last_seen, last_command) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                {account, std::string(device_id), std::string(device_type), std::string(user_agent),
                 std::string(protocol_version), now, now, std::string(command)}));
            tx.notify(changed(account, "device"));
        } else {
            // An OPTIONS request carries no version: keep the one the device last used.
            std::string version =
                protocol_version.empty() ? d->protocol_version : std::string(protocol_version);
            std::string agent = user_agent.empty() ? d->user_agent : std::string(user_agent);
            SB_TRY(
                tx.exec("UPDATE eas_devices SET device_type = ?, user_agent = ?, protocol_version "
                        "= ?, last_seen = ?, "
                        "last_command = ? WHERE account_id = ? AND device_id = ?",
                        {std::string(device_type), agent, version, now, std::string(command),
                         account, std::string(device_id)}));
        }
        SB_TRY_ASSIGN(auto again, load(tx, account, device_id));
        if (!again) return fail(Errc::internal, "the device row vanished in its transaction");
        return std::move(*again);
    });
}

Result<std::optional<Device>> DeviceStore::find(int64_t account, std::string_view device_id) {
    return db_.read([&](Tx& tx) { return load(tx, account, device_id); });
}

Result<std::vector<Device>> DeviceStore::list(int64_t account) {
    return db_.read([&](Tx& tx) -> Result<std::vector<Device>> {
        SB_TRY_ASSIGN(auto rows,
                      tx.query(std::string(kDeviceCols) + "WHERE account_id = ? ORDER BY device_id",
                               {account}));
        return devices_from(rows);
    });
}

Result<std::vector<Device>> DeviceStore::all() {
    return db_.read([&](Tx& tx) -> Result<std::vector<Device>> {
        SB_TRY_ASSIGN(auto rows,
                      tx.query(std::string(kDeviceCols) + "ORDER BY account_id, device_id"));
        return devices_from(rows);
    });
}

Result<void> DeviceStore::set_info(int64_t account, std::string_view device_id,
                                   const std::map<std::string, std::string>& info) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto d, load(tx, account, device_id));
        if (!d) return fail(Errc::not_found, "unknown device");
        auto merged = d->info;
        for (auto& [k, v] : info)
            merged[k] = v;
        SB_TRY(tx.exec("UPDATE eas_devices SET info = ? WHERE account_id = ? AND device_id = ?",
                       {encode_info(merged), account, std::string(device_id)}));
        return {};
    });
}

Result<int64_t> DeviceStore::set_suspended(int64_t account,
                                           std::optional<std::string_view> device_id,
                                           bool suspended) {
    return db_.write([&](Tx& tx) -> Result<int64_t> {
        SB_TRY_ASSIGN(
            int64_t r,
            device_id
                ? tx.exec(
                      "UPDATE eas_devices SET suspended = ? WHERE account_id = ? AND device_id = ?",
                      {int64_t(suspended), account, std::string(*device_id)})
                : tx.exec("UPDATE eas_devices SET suspended = ? WHERE account_id = ?",
                          {int64_t(suspended), account}));
        if (device_id && r == 0)
            return fail(Errc::not_found,
                        fmt::format("no device '{}' for this account", *device_id));
        tx.notify(changed(account, "suspend"));
        return r;
    });
}

Result<bool> DeviceStore::remove(int64_t account, std::string_view device_id) {
    return db_.write([&](Tx& tx) -> Result<bool> {
        SB_TRY(tx.exec("DELETE FROM eas_sync_items WHERE account_id = ? AND device_id = ?",
                       {account, std::string(device_id)}));
        SB_TRY(tx.exec("DELETE FROM eas_sync_states WHERE account_id = ? AND device_id = ?",
                       {account, std::string(device_id)}));
        SB_TRY_ASSIGN(auto n,
                      tx.exec("DELETE FROM eas_devices WHERE account_id = ? AND device_id = ?",
                              {account, std::string(device_id)}));
        tx.notify(changed(account, "remove"));
        return n > 0;
    });
}

Result<int64_t> DeviceStore::reset(int64_t account, std::optional<std::string_view> device_id) {
    return db_.write([&](Tx& tx) -> Result<int64_t> {
        SB_TRY_ASSIGN(
            int64_t count,
            device_id
                ? tx.scalar(
                      "SELECT COUNT(*) FROM eas_devices WHERE account_id = ? AND device_id = ?",
                      {account, std::string(*device_id)})
                : tx.scalar("SELECT COUNT(*) FROM eas_devices WHERE account_id = ?", {account}));
        if (device_id && count == 0)
            return fail(Errc::not_found,
                        fmt::format("no device '{}' for this account", *device_id));
        if (device_id) {
            SB_TRY(tx.exec("DELETE FROM eas_sync_items WHERE account_id = ? AND device_id = ?",
                           {account, std::string(*device_id)}));
            SB_TRY(tx.exec("DELETE FROM eas_sync_states WHERE account_id = ? AND device_id = ?",
                           {account, std::string(*device_id)}));
            SB_TRY(
                tx.exec("UPDATE eas_devices SET cache = '' WHERE account_id = ? AND device_id = ?",
                        {account, std::string(*device_id)}));
        } else {
            SB_TRY(tx.exec("DELETE FROM eas_sync_items WHERE account_id = ?", {account}));
            SB_TRY(tx.exec("DELETE FROM eas_sync_states WHERE account_id = ?", {account}));
            SB_TRY(tx.exec("UPDATE eas_devices SET cache = '' WHERE account_id = ?", {account}));
        }
        tx.notify(changed(account, "reset"));
        return count;
    });
}

Result<void> DeviceStore::request_wipe(int64_t account, std::string_view device_id, Wipe kind) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(must_change(
            tx.exec("UPDATE eas_devices SET wipe = ?, wipe_requested_at = ?, wipe_sent_at = 0, "
                    "wipe_acknowledged_at = 0, wipe_ack_status = 0 WHERE account_id = ? AND "
                    "device_id = ?",
                    {std::string(wipe_name(kind)), now_ms(), account, std::string(device_id)}),
            device_id));
        tx.notify(changed(account, "wipe"));
        return {};
    });
}

Result<void> DeviceStore::wipe_sent(int64_t account, std::string_view device_id) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(tx.exec(
            "UPDATE eas_devices SET wipe_sent_at = ? WHERE account_id = ? AND device_id = ?",
            {now_ms(), account, std::string(device_id)}));
        return {};
    });
}

Result<void> DeviceStore::wipe_acknowledged(int64_t account, std::string_view device_id,
                                            int status) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(
            tx.exec("UPDATE eas_devices SET wipe_acknowledged_at = ?, wipe_ack_status = ? "
                    "WHERE account_id = ? AND device_id = ?",
                    {now_ms(), int64_t(status), account, std::string(device_id)}));
        return {};
    });
}

Result<void> DeviceStore::set_pending_policy_key(int64_t account, std::string_view device_id,
                                                 uint32_t key) {
    return db_.write([&](Tx& tx) -> Result<void> {
        return must_change(tx.exec("UPDATE eas_devices SET pending_policy_key = ? WHERE account_id "
                                   "= ? AND device_id = ?",
                                   {int64_t(key), account, std::string(device_id)}),
                           device_id);
    });
}

Result<void> DeviceStore::set_policy_key(int64_t account, std::string_view device_id, uint32_t key,
                                         std::string_view policy_hash) {
    return db_.write([&](Tx& tx) -> Result<void> {
        return must_change(
            tx.exec(
                "UPDATE eas_devices SET policy_key = ?, pending_policy_key = 0, policy_hash = ?, "
                "provisioned_at = ? WHERE account_id = ? AND device_id = ?",
                {int64_t(key), std::string(policy_hash), now_ms(), account,
                 std::string(device_id)}),
            device_id);
    });
}

Result<void> DeviceStore::set_cache(int64_t account, std::string_view device_id,
                                    const DeviceCache& cache) {
    const std::string text = encode_cache(cache);
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(tx.exec("UPDATE eas_devices SET cache = ? WHERE account_id = ? AND device_id = ?",
                       {text, account, std::string(device_id)}));
        return {};
    });
}

Result<int64_t> DeviceStore::purge(int64_t before_ms) {
    return db_.write([&](Tx& tx) -> Result<int64_t> {
        SB_TRY(
            tx.exec("DELETE FROM eas_sync_items WHERE (account_id, device_id) IN "
                    "(SELECT account_id, device_id FROM eas_devices WHERE last_seen < ?)",
                    {before_ms}));
        SB_TRY(
            tx.exec("DELETE FROM eas_sync_states WHERE (account_id, device_id) IN "
                    "(SELECT account_id, device_id FROM eas_devices WHERE last_seen < ?)",
                    {before_ms}));
        SB_TRY_ASSIGN(int64_t n,
                      tx.exec("DELETE FROM eas_devices WHERE last_seen < ?", {before_ms}));
        if (n) tx.notify(changed(0, "purge"));
        return n;
    });
}

namespace {

constexpr std::string_view kStateCols =
    "SELECT collection, generation, sync_key, holdings, prev_key, prev_reply, intent_key, "
    "intent_modseq, options, modified_at, download_after, feed_modseq "
    "FROM eas_sync_states ";

SyncState state_from(const Row& r) {
    SyncState s;
    s.collection = r.text(0);
    s.generation = r.text(1);
    s.key = r.integer(2);
    s.holdings = r.text(3);
    s.prev_key = r.integer(4);
    s.prev_reply = r.text(5);
    if (int64_t key = r.integer(6); key != 0) s.intent = SyncIntent{key, r.integer(7)};
    s.options = decode_options(r.text(8));
    s.modified_at = r.integer(9);
    s.download_after = r.integer(10);
    s.feed_modseq = r.integer(11);
    return s;
}

// A collection state written before the held items had rows of their own keeps them in
// `holdings` ("id:version,..."). It becomes rows, with the feed followed from the start: what
// the device holds is exact, so the feed sends it exactly what it misses, once.
bool legacy(const SyncState& s) {
    return !s.collection.empty() && !s.holdings.empty();
}

void bind_item(std::vector<Value>& p, int64_t account, const std::string& device,
               const std::string& collection, int64_t id, int64_t version) {
    p.insert(p.end(), {account, device, collection, id, version});
}

// Upserts rows in statements of 64, 16, 4 and 1 rows (few distinct statements, few round trips).
Result<void> upsert_items(Tx& tx, int64_t account, const std::string& device,
                          const std::string& collection,
                          const std::vector<std::pair<int64_t, int64_t>>& rows) {
    size_t at = 0;
    for (size_t chunk : {size_t(64), size_t(16), size_t(4), size_t(1)}) {
        while (rows.size() - at >= chunk) {
            std::string sql =
                "INSERT INTO eas_sync_items (account_id, device_id, collection, item_id, version) "
                "VALUES ";
            std::vector<Value> p;
            p.reserve(chunk * 5);
            for (size_t i = 0; i < chunk; ++i) {
                sql += i ? ",(?,?,?,?,?)" : "(?,?,?,?,?)";
                bind_item(p, account, device, collection, rows[at + i].first, rows[at + i].second);
            }
            sql +=
                " ON CONFLICT (account_id, device_id, collection, item_id) DO UPDATE SET version "
                "= excluded.version";
            SB_TRY(tx.exec(sql, p));
            at += chunk;
        }
    }
    return {};
}

Result<void> delete_items(Tx& tx, int64_t account, const std::string& device,
                          const std::string& collection, const std::vector<int64_t>& ids) {
    for (size_t at = 0; at < ids.size(); at += kMaxIdList) {
        std::vector<Value> p{account, device, collection};
        auto list = id_list(ids, at, p);
        SB_TRY(
            tx.exec("DELETE FROM eas_sync_items WHERE account_id = ? AND device_id = ? AND "
                    "collection = ? AND item_id IN (" +
                        list + ")",
                    p));
    }
    return {};
}

Result<std::optional<SyncState>> load_state(Tx& tx, int64_t account, const std::string& device,
                                            const std::string& collection) {
    SB_TRY_ASSIGN(auto row,
                  tx.first(std::string(kStateCols) +
                               "WHERE account_id = ? AND device_id = ? AND collection = ?",
                           {account, device, collection}));
    if (!row) return std::optional<SyncState>();
    return std::optional<SyncState>(state_from(*row));
}

Result<void> convert_legacy_holdings(Tx& tx, int64_t account, const std::string& device,
                                     SyncState& s) {
    SB_TRY_ASSIGN(auto items, parse_items(s.holdings));
    SB_TRY(upsert_items(tx, account, device, s.collection,
                        std::vector<std::pair<int64_t, int64_t>>(items.begin(), items.end())));
    s.holdings.clear();
    s.download_after = SyncState::kDownloaded;
    s.feed_modseq = 0;
    SB_TRY(
        tx.exec("UPDATE eas_sync_states SET holdings = '', download_after = ?, "
                "feed_modseq = 0 WHERE account_id = ? AND device_id = ? AND collection = ?",
                {SyncState::kDownloaded, account, device, s.collection}));
    return {};
}

// SQLite would store a text-bound reply as TEXT in its BLOB column: the cast keeps it a BLOB.
// PostgreSQL sends a bytea parameter as raw bytes by itself.
constexpr std::string_view kInsertStateSqlite =
    "INSERT INTO eas_sync_states (account_id, device_id, collection, generation, sync_key, "
    "holdings, prev_key, prev_reply, intent_key, intent_modseq, options, modified_at, "
    "download_after, feed_modseq) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS BLOB), ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kInsertStatePostgres =
    "INSERT INTO eas_sync_states (account_id, device_id, collection, generation, sync_key, "
    "holdings, prev_key, prev_reply, intent_key, intent_modseq, options, modified_at, "
    "download_after, feed_modseq) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

Result<void> write_state(Tx& tx, std::string_view insert, int64_t account,
                         const std::string& device, const SyncState& s) {
    // The first nine values in this order: the crash tests recognise the state write by them
    // (the ninth, intent_key, is 0 when the write clears the intent).
    std::vector<Value> p = {account,
                            device,
                            s.collection,
                            s.generation,
                            s.key,
                            s.holdings,
                            s.prev_key,
                            s.prev_reply,
                            s.intent ? s.intent->key : int64_t(0),
                            s.intent ? s.intent->modseq : int64_t(0),
                            encode_options(s.options),
                            now_ms(),
                            s.download_after,
                            s.feed_modseq};
    SB_TRY(tx.exec(
        "DELETE FROM eas_sync_states WHERE account_id = ? AND device_id = ? AND collection = ?",
        {account, device, s.collection}));
    SB_TRY(tx.exec(insert, p));
    return {};
}

}  // namespace

Result<std::optional<SyncState>> DeviceStore::state(int64_t account, std::string_view device_id,
                                                    std::string_view collection) {
    const std::string device(device_id), coll(collection);
    auto read = [&](Tx& tx) { return load_state(tx, account, device, coll); };
    SB_TRY_ASSIGN(auto found, db_.read(read));
    if (!found || !legacy(*found)) return found;
    return db_.write([&](Tx& tx) -> Result<std::optional<SyncState>> {
        SB_TRY_ASSIGN(auto s, read(tx));
        if (!s || !legacy(*s)) return s;  // converted meanwhile
        SB_TRY(convert_legacy_holdings(tx, account, device, *s));
        return s;
    });
}

Result<std::vector<SyncState>> DeviceStore::states(int64_t account, std::string_view device_id) {
    return db_.read([&](Tx& tx) -> Result<std::vector<SyncState>> {
        SB_TRY_ASSIGN(auto rows,
                      tx.query(std::string(kStateCols) +
                                   "WHERE account_id = ? AND device_id = ? ORDER BY collection",
                               {account, std::string(device_id)}));
        SB_TRY_ASSIGN(auto counts, tx.query("SELECT collection, COUNT(*) FROM eas_sync_items WHERE "
                                            "account_id = ? AND device_id "
                                            "= ? GROUP BY collection",
                                            {account, std::string(device_id)}));
        std::map<std::string, size_t> held;
        for (auto& c : counts)
            held[c.text(0)] = static_cast<size_t>(c.integer(1));
        std::vector<SyncState> out;
        for (auto& r : rows) {
            SyncState s = state_from(r);
            if (legacy(s)) {
                auto items = parse_items(s.holdings);
                s.held_items = items ? items->size() : 0;
            } else if (!s.collection.empty()) {
                s.held_items = held[s.collection];
            } else {
                auto folders = decode_folders(s.holdings);
                s.held_items = folders ? folders->size() : 0;
            }
            out.push_back(std::move(s));
        }
        return out;
    });
}

Result<void> DeviceStore::put_state(int64_t account, std::string_view device_id, const SyncState& s,
                                    const HeldDelta& held) {
    const std::string device(device_id);
    std::vector<std::pair<int64_t, int64_t>> upserts;
    std::vector<int64_t> removals;
    for (auto& [id, version] : held.items) {
        if (version)
            upserts.emplace_back(id, *version);
        else
            removals.push_back(id);
    }
    // A SyncState can be rebuilt: should the machine (not the process) crash right after this
    // commit, the device finds its key unknown and syncs the collection again (Status 3). So the
    // commit does not wait for the disk, which a phone syncing in small windows would otherwise
    // wait for once a request. The mailbox changes of the request are durable before it.
    const std::string_view insert =
        db_.dialect() == "postgresql" ? kInsertStatePostgres : kInsertStateSqlite;
    return db_.write_relaxed([&](Tx& tx) -> Result<void> {
        if (held.clear)
            SB_TRY(
                tx.exec("DELETE FROM eas_sync_items WHERE account_id = ? AND device_id = ? AND "
                        "collection = ?",
                        {account, device, s.collection}));
        SB_TRY(delete_items(tx, account, device, s.collection, removals));
        SB_TRY(upsert_items(tx, account, device, s.collection, upserts));
        return write_state(tx, insert, account, device, s);
    });
}

Result<std::map<int64_t, int64_t>> DeviceStore::held(int64_t account, std::string_view device_id,
                                                     std::string_view collection,
                                                     const std::vector<int64_t>& ids) {
    if (ids.empty()) return std::map<int64_t, int64_t>();
    return db_.read([&](Tx& tx) -> Result<std::map<int64_t, int64_t>> {
        std::map<int64_t, int64_t> out;
        for (size_t at = 0; at < ids.size(); at += kMaxIdList) {
            std::vector<Value> p{account, std::string(device_id), std::string(collection)};
            auto list = id_list(ids, at, p);
            SB_TRY_ASSIGN(auto rows, tx.query("SELECT item_id, version FROM eas_sync_items WHERE "
                                              "account_id = ? AND device_id "
                                              "= ? AND collection = ? AND item_id IN (" +
                                                  list + ")",
                                              p));
            for (auto& r : rows)
                out[r.integer(0)] = r.integer(1);
        }
        return out;
    });
}

Result<void> DeviceStore::drop_states(int64_t account, std::string_view device_id,
                                      bool hierarchy_too) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(tx.exec("DELETE FROM eas_sync_items WHERE account_id = ? AND device_id = ?",
                       {account, std::string(device_id)}));
        if (hierarchy_too)
            SB_TRY(tx.exec("DELETE FROM eas_sync_states WHERE account_id = ? AND device_id = ?",
                           {account, std::string(device_id)}));
        else
            SB_TRY(
                tx.exec("DELETE FROM eas_sync_states WHERE account_id = ? AND device_id = ? AND "
                        "collection <> ''",
                        {account, std::string(device_id)}));
        return {};
    });
}

Result<void> DeviceStore::drop_state(int64_t account, std::string_view device_id,
                                     std::string_view collection) {
    return db_.write([&](Tx& tx) -> Result<void> {
        SB_TRY(tx.exec(
            "DELETE FROM eas_sync_items WHERE account_id = ? AND device_id = ? AND collection = ?",
            {account, std::string(device_id), std::string(collection)}));
        SB_TRY(tx.exec(
            "DELETE FROM eas_sync_states WHERE account_id = ? AND device_id = ? AND collection = ?",
            {account, std::string(device_id), std::string(collection)}));
        return {};
    });
}

}  // namespace sb::eas
