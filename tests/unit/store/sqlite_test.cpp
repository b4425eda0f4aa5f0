#include <gtest/gtest.h>

#include "store/database.hpp"
#include "store/migrations.hpp"
#include "test_support.hpp"

using namespace sb;
using store::Tx;

namespace {

std::unique_ptr<store::Database> open_db() {
    auto db = store::open({"sqlite", sb::test::temp_dir("sbstore") + "/t.db", ""});
    EXPECT_TRUE(db) << db.error().message;
    return std::move(*db);
}

}  // namespace

TEST(SqliteStore, MigrationsAreRecordedAndIdempotent) {
    auto dir = sb::test::temp_dir("sbstore");
    for (int i = 0; i < 2; ++i) {
        auto db = store::open({"sqlite", dir + "/t.db", ""});
        ASSERT_TRUE(db) << db.error().message;
        int64_t n = -1;
        ASSERT_TRUE((*db)->read([&](Tx& tx) -> Result<void> {
            n = tx.scalar("SELECT COUNT(*) FROM schema_migrations WHERE module = 'core'").value();
            return {};
        }));
        EXPECT_EQ(n, store::current_schema_version());
    }
}

TEST(Migrations, DialectWordsExpandPerBackend) {
    const std::string_view script =
        "CREATE TABLE t (id {id}, n {int64} NOT NULL, info TEXT DEFAULT '{}'){without_rowid};";
    EXPECT_EQ(store::expand(script, "sqlite"),
              "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER NOT NULL, info TEXT "
              "DEFAULT '{}') WITHOUT ROWID;");
    EXPECT_EQ(store::expand(script, "postgresql"),
              "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, n BIGINT NOT NULL, info TEXT DEFAULT "
              "'{}');");
}

TEST(SqliteStore, ModuleMigrationsApplyOnceInOrder) {
    const store::ModuleMigrations module{
        "test",
        {
            {1, "a table", "CREATE TABLE t (id {id}, n {int64} NOT NULL);"},
            {2, "a column", "ALTER TABLE t ADD COLUMN m {int64} NOT NULL DEFAULT 0;"},
        }};
    auto db = open_db();
    const store::ModuleMigrations* const registry[] = {&store::core_migrations(), &module};
    for (int i = 0; i < 2; ++i)
        ASSERT_TRUE(store::migrate(*db, registry));
    auto versions = db->read([](Tx& tx) {
        return tx.scalar("SELECT SUM(version) FROM schema_migrations WHERE module = 'test'");
    });
    ASSERT_TRUE(versions);
    EXPECT_EQ(*versions, 3);
    EXPECT_TRUE(db->write(
        [](Tx& tx) { return tx.exec("INSERT INTO t (n, m) VALUES (1, 2)").map([](int64_t) {}); }));
}

TEST(SqliteStore, NewerSchemaIsRefused) {
    auto dir = sb::test::temp_dir("sbstore");
    {
        auto db = store::open({"sqlite", dir + "/t.db", ""});
        ASSERT_TRUE(db);
        ASSERT_TRUE((*db)->write([](Tx& tx) -> Result<void> {
            return tx.exec("INSERT INTO schema_migrations VALUES ('core', 999, 'future', 0)")
                .map([](int64_t) {});
        }));
    }
    auto db = store::open({"sqlite", dir + "/t.db", ""});
    ASSERT_FALSE(db);
    EXPECT_NE(db.error().message.find("newer than this Switchboard"), std::string::npos);
}

TEST(SqliteStore, FailedTransactionChangesNothingAndNotifiesNobody) {
    auto db = open_db();
    int notified = 0;
    auto subscription = db->subscribe(
        [&](const std::vector<store::Change>& c) { notified += static_cast<int>(c.size()); });
    auto r = db->write([](Tx& tx) -> Result<void> {
        SB_TRY(
            tx.exec("INSERT INTO domains (uuid, name, created_at) VALUES ('u1', 'a.example', 0)"));
        tx.notify({"directory", 0, "domain"});
        return fail(Errc::invalid_argument, "second step failed");
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(notified, 0);
    int64_t n = -1;
    ASSERT_TRUE(db->read([&](Tx& tx) -> Result<void> {
        n = tx.scalar("SELECT COUNT(*) FROM domains").value();
        return {};
    }));
    EXPECT_EQ(n, 0);
}

TEST(SqliteStore, CommitNotifiesAfterwards) {
    auto db = store::open({"sqlite", sb::test::temp_dir("sbstore") + "/t.db", ""}).value();
    std::vector<store::Change> seen;
    auto subscription = db->subscribe([&](const std::vector<store::Change>& c) {
        // Listeners run after the commit and may read the database.
        int64_t n = 0;
        (void)db->read([&](Tx& tx) -> Result<void> {
            n = tx.scalar("SELECT COUNT(*) FROM domains").value();
            return {};
        });
        EXPECT_EQ(n, 1);
        seen.insert(seen.end(), c.begin(), c.end());
    });
    ASSERT_TRUE(db->write([](Tx& tx) -> Result<void> {
        SB_TRY(
            tx.exec("INSERT INTO domains (uuid, name, created_at) VALUES ('u1', 'a.example', 0)"));
        tx.notify({"directory", 7, "domain"});
        return {};
    }));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].subject, 7);
}

namespace {

Result<void> add_domain(store::Database& db, const std::string& name) {
    return db.write([&](Tx& tx) -> Result<void> {
        SB_TRY(
            tx.exec("INSERT INTO domains (uuid, name, created_at) VALUES (?, ?, 0)", {name, name}));
        tx.notify({"directory", 0, "domain"});
        return {};
    });
}

}  // namespace

TEST(SqliteStore, SubscriptionEndsWhenDestroyedAndMayOutliveTheDatabase) {
    auto db = open_db();
    int calls = 0;
    auto subscription = db->subscribe([&](const std::vector<store::Change>&) { ++calls; });
    {
        auto other = db->subscribe([&](const std::vector<store::Change>&) { calls += 100; });
        ASSERT_TRUE(add_domain(*db, "a.example"));
    }
    EXPECT_EQ(calls, 101);
    ASSERT_TRUE(add_domain(*db, "b.example"));
    EXPECT_EQ(calls, 102);
    subscription.reset();
    ASSERT_TRUE(add_domain(*db, "c.example"));
    EXPECT_EQ(calls, 102);
    auto late = db->subscribe([&](const std::vector<store::Change>&) { ++calls; });
    db.reset();  // the Subscription is destroyed after the Database
}

TEST(SqliteStore, ListenerMayEndItsOwnSubscription) {
    auto db = open_db();
    int calls = 0;
    store::Subscription subscription;
    subscription = db->subscribe([&](const std::vector<store::Change>&) {
        ++calls;
        subscription.reset();
    });
    ASSERT_TRUE(add_domain(*db, "a.example"));
    ASSERT_TRUE(add_domain(*db, "b.example"));
    EXPECT_EQ(calls, 1);
}

TEST(SqliteStore, UnsubscribeAllEndsEveryListener) {
    auto db = open_db();
    int calls = 0;
    auto subscription = db->subscribe([&](const std::vector<store::Change>&) { ++calls; });
    db->unsubscribe_all();
    ASSERT_TRUE(add_domain(*db, "a.example"));
    EXPECT_EQ(calls, 0);
    subscription.reset();  // already ended: nothing to do
}

TEST(SqliteStore, UniqueViolationIsAlreadyExists) {
    auto db = open_db();
    auto r = db->write([](Tx& tx) -> Result<void> {
        SB_TRY(
            tx.exec("INSERT INTO domains (uuid, name, created_at) VALUES ('u1', 'a.example', 0)"));
        SB_TRY(
            tx.exec("INSERT INTO domains (uuid, name, created_at) VALUES ('u2', 'a.example', 0)"));
        return {};
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::already_exists);
}

TEST(SqliteStore, ReadTransactionRefusesWrites) {
    auto db = open_db();
    auto r = db->read([](Tx& tx) -> Result<void> {
        return tx.exec("INSERT INTO domains (uuid, name, created_at) VALUES ('u1', 'a.example', 0)")
            .map([](int64_t) {});
    });
    EXPECT_FALSE(r);
}

TEST(SqliteStore, ValuesRoundTrip) {
    auto db = open_db();
    std::string blob("a\0b\xff", 4);
    store::Row row;
    ASSERT_TRUE(db->write([&](Tx& tx) -> Result<void> {
        SB_TRY(tx.exec(
            "INSERT INTO attrs (scope, owner_id, name, seq, value) VALUES ('global', ?, ?, 0, ?)",
            {int64_t{1} << 40, std::string("n"), blob}));
        auto r = tx.first("SELECT owner_id, value, NULL FROM attrs");
        if (!r) return tl::unexpected(r.error());
        row = **r;
        return {};
    }));
    EXPECT_EQ(row.integer(0), int64_t{1} << 40);
    EXPECT_EQ(row.text(1), blob);
    EXPECT_TRUE(row.is_null(2));
}
