// The EAS state in the store: a data directory written before the typed state (the device cache,
// a collection's options and intent as JSON text, the replayable reply as base64 in TEXT) is
// migrated in place, on both store backends, and reads back as the state it held.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/base64.hpp"
#include "eas/device_store.hpp"
#include "eas/state_codec.hpp"
#include "store/migrations.hpp"
#include "store_backends.hpp"

using namespace sb;
using namespace sb::eas;

namespace {

// Bytes that text columns mangle: NUL, high bytes, every value once.
std::string binary(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i)
        s.push_back(static_cast<char>((i * 37 + 11) % 256));
    return s;
}

class StateMigration : public test::StoreBackendTest {
  protected:
    // The schema of the release before the typed state: every EAS migration up to version 2.
    void migrate_to_v2() {
        const auto& all = eas::migrations();
        store::ModuleMigrations old{all.module, {}};
        for (auto& m : all.list)
            if (m.version <= 2) old.list.push_back(m);
        auto r = store::migrate(*db_, old);
        ASSERT_TRUE(r) << r.error().message;
    }

    int64_t add_account() {
        auto id = db_->write([](store::Tx& tx) -> Result<int64_t> {
            SB_TRY(
                tx.exec("INSERT INTO domains (uuid, name, created_at) VALUES ('d', 'x.test', 0)"));
            SB_TRY_ASSIGN(int64_t domain, tx.scalar("SELECT id FROM domains WHERE uuid = 'd'"));
            SB_TRY(
                tx.exec("INSERT INTO accounts (uuid, domain_id, address, created_at, modified_at) "
                        "VALUES ('a', ?, 'ann@x.test', 0, 0)",
                        {domain}));
            return tx.scalar("SELECT id FROM accounts WHERE uuid = 'a'");
        });
        EXPECT_TRUE(id) << id.error().message;
        return id ? *id : 0;
    }

    // A row as version 2 wrote it.
    void add_old_state(int64_t account, const std::string& collection, const std::string& reply,
                       const std::string& pending, const std::string& options,
                       const std::string& holdings = "") {
        auto r = db_->write([&](store::Tx& tx) -> Result<void> {
            SB_TRY(tx.exec(
                "INSERT INTO eas_sync_states (account_id, device_id, collection, generation, "
                "sync_key, holdings, prev_key, prev_reply, pending, options, modified_at, "
                "download_after, feed_modseq) VALUES (?, 'Dev', ?, 'g1', 4, ?, 3, ?, ?, ?, 0, -1, "
                "9)",
                {account, collection, holdings, crypto::base64_encode(reply), pending, options}));
            return {};
        });
        ASSERT_TRUE(r) << r.error().message;
    }

    std::string scalar_text(const std::string& sql) {
        auto r = db_->read([&](store::Tx& tx) -> Result<std::string> {
            SB_TRY_ASSIGN(auto row, tx.first(sql));
            return row ? row->text(0) : std::string();
        });
        EXPECT_TRUE(r) << r.error().message;
        return r ? *r : std::string();
    }
};

TEST_P(StateMigration, OldRowsReadBackTyped) {
    migrate_to_v2();
    const int64_t account = add_account();
    auto dev = db_->write([&](store::Tx& tx) -> Result<void> {
        SB_TRY(tx.exec(
            "INSERT INTO eas_devices (account_id, device_id, device_type, first_seen, last_seen, "
            "info, cache) VALUES (?, 'Dev', 'iPhone', 1, 2, ?, ?)",
            {account, std::string(R"({"Model":"iPhone","OS":"iOS 17"})"),
             std::string(R"({"ping":{"folders":[{"class":"Contacts","id":"7"}],"heartbeat":480},)"
                         R"("sync":[{"id":"7"},{"id":"9"}],"sync_wait":300})")}));
        return {};
    });
    ASSERT_TRUE(dev) << dev.error().message;

    // Replies of every padding (0, 1, 2 '='), one of several 1024-character pieces, none.
    const std::vector<std::pair<std::string, std::string>> replies = {
        {"7", binary(3000)}, {"8", binary(1)},    {"9", binary(2)},    {"10", binary(3)},
        {"11", binary(0)},   {"12", binary(768)}, {"13", binary(769)}, {"14", binary(70'001)}};
    add_old_state(account, "7", replies[0].second, R"({"key":4,"modseq":42})",
                  R"({"body":{"aon":true,"trunc":512,"type":1},"conflict":0,)"
                  R"("supported":["firstName","lastName"],"window":25})");
    for (size_t i = 1; i < replies.size(); ++i)
        add_old_state(account, replies[i].first, replies[i].second, "", "");
    add_old_state(account, "", "", "", "", R"({"7":"0\t9\tContacts"})");

    auto r = store::migrate(*db_, eas::migrations());
    ASSERT_TRUE(r) << r.error().message;

    DeviceStore store(*db_);
    auto device = store.find(account, "Dev");
    ASSERT_TRUE(device && *device);
    const DeviceCache& cache = (*device)->cache;
    EXPECT_EQ(cache.sync_collections, (std::vector<std::string>{"7", "9"}));
    EXPECT_EQ(cache.sync_wait, std::optional<int64_t>(300));
    EXPECT_EQ(cache.ping_heartbeat, std::optional<int64_t>(480));
    EXPECT_EQ(cache.ping_folders, (std::vector<PingFolder>{{"7", "Contacts"}}));
    EXPECT_EQ((*device)->info.at("OS"), "iOS 17");

    auto s = store.state(account, "Dev", "7");
    ASSERT_TRUE(s && *s);
    EXPECT_EQ((*s)->intent, (SyncIntent{4, 42}));
    EXPECT_EQ((*s)->options.window, 25u);
    EXPECT_EQ((*s)->options.conflict, 0);
    ASSERT_TRUE((*s)->options.body);
    EXPECT_EQ((*s)->options.body->truncation, 512);
    EXPECT_TRUE((*s)->options.body->all_or_none);
    EXPECT_EQ((*s)->options.supported, (std::set<std::string>{"firstName", "lastName"}));
    EXPECT_EQ((*s)->key, 4);
    EXPECT_EQ((*s)->prev_key, 3);
    EXPECT_EQ((*s)->feed_modseq, 9);

    for (auto& [collection, reply] : replies) {
        auto st = store.state(account, "Dev", collection);
        ASSERT_TRUE(st && *st) << collection;
        EXPECT_EQ((*st)->prev_reply.size(), reply.size()) << collection;
        EXPECT_TRUE((*st)->prev_reply == reply) << collection;
        if (collection != "7") {
            EXPECT_FALSE((*st)->intent) << collection;
            EXPECT_EQ((*st)->options, CollectionOptions{}) << collection;
        }
    }
    auto h = store.state(account, "Dev", "");
    ASSERT_TRUE(h && *h);
    auto folders = decode_folders((*h)->holdings);
    ASSERT_TRUE(folders);
    EXPECT_EQ(folders->at(7), "0\t9\tContacts");
}

TEST_P(StateMigration, RepliesAreStoredAsBlobs) {
    auto r = store::migrate(*db_, eas::migrations());
    ASSERT_TRUE(r) << r.error().message;
    const int64_t account = add_account();
    DeviceStore store(*db_);
    ASSERT_TRUE(store.touch(account, "Dev", "iPhone", "ua", "16.1", "Sync"));

    SyncState s;
    s.collection = "7";
    s.generation = "g";
    s.key = 2;
    s.prev_key = 1;
    s.prev_reply = binary(5000);
    s.intent = SyncIntent{2, 77};
    s.options.window = 50;
    ASSERT_TRUE(store.put_state(account, "Dev", s));
    auto back = store.state(account, "Dev", "7");
    ASSERT_TRUE(back && *back);
    EXPECT_TRUE((*back)->prev_reply == s.prev_reply);
    EXPECT_EQ((*back)->intent, s.intent);
    EXPECT_EQ((*back)->options, s.options);

    if (postgres())
        EXPECT_EQ(scalar_text("SELECT pg_typeof(prev_reply)::text FROM eas_sync_states"), "bytea");
    else
        EXPECT_EQ(scalar_text("SELECT typeof(prev_reply) FROM eas_sync_states"), "blob");
}

INSTANTIATE_TEST_SUITE_P(Backends, StateMigration, testing::ValuesIn(test::kStoreBackends),
                         test::backend_name);

TEST(StateCodec, CacheRoundTrip) {
    DeviceCache c;
    EXPECT_EQ(decode_cache(encode_cache(c)), c);
    EXPECT_EQ(decode_cache(""), c);
    EXPECT_EQ(decode_cache("not json"), c);
    c.sync_collections = {"7", "9"};
    c.sync_wait = 120;
    c.ping_heartbeat = 600;
    c.ping_folders = {{"7", "Contacts"}, {"9", "Email"}};
    EXPECT_EQ(decode_cache(encode_cache(c)), c);
}

TEST(StateCodec, OptionsRoundTrip) {
    CollectionOptions o;
    EXPECT_EQ(decode_options(encode_options(o)), o);
    EXPECT_EQ(decode_options(""), o);
    o.window = 7;
    o.conflict = 0;
    o.body = BodyPreference{2, 1024, true};
    o.supported = std::set<std::string>{"email"};
    EXPECT_EQ(decode_options(encode_options(o)), o);
}

}  // namespace
