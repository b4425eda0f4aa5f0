// The SQLite store's semantics on PostgreSQL, plus what only a cluster has: retries of
// conflicting writers, NOTIFY between nodes, reconnection, the connection pool.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "pg_cluster.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

using namespace sb;
using namespace std::chrono_literals;
using store::Change;
using store::Tx;

namespace {

// Collects the changes a node's subscribers receive, and waits for them.
class Inbox {
  public:
    store::ChangeListener listener() {
        return [this](const std::vector<Change>& c) {
            std::lock_guard lock(m_);
            got_.insert(got_.end(), c.begin(), c.end());
            cv_.notify_all();
        };
    }
    // Waits until `pred(received so far)` holds (at most 15 s).
    template <class Pred>
    bool wait_for(Pred pred) {
        std::unique_lock lock(m_);
        return cv_.wait_for(lock, 15s, [&] { return pred(got_); });
    }
    bool wait_count(size_t n) {
        return wait_for([&](const std::vector<Change>& g) { return g.size() >= n; });
    }
    std::vector<Change> changes() {
        std::lock_guard lock(m_);
        return got_;
    }

  private:
    std::mutex m_;
    std::condition_variable cv_;
    std::vector<Change> got_;
};

class PostgresStore : public testing::Test {
  protected:
    void SetUp() override {
        std::string why;
        cluster_ = test::PgCluster::shared(&why);
        if (!cluster_) GTEST_SKIP() << why;
        url_ = cluster_->create_database();
    }
    std::unique_ptr<store::Database> open(const std::string& extra = "") {
        auto db = store::open({"postgresql", "", url_ + extra});
        EXPECT_TRUE(db) << db.error().message;
        return db ? std::move(*db) : nullptr;
    }
    static Result<void> insert_domain(Tx& tx, const std::string& name) {
        return tx
            .exec("INSERT INTO domains (uuid, name, created_at) VALUES (?, ?, 0)",
                  {"u-" + name, name})
            .map([](int64_t) {});
    }
    int64_t count(store::Database& db, const std::string& sql) {
        int64_t n = -1;
        EXPECT_TRUE(db.read([&](Tx& tx) -> Result<void> {
            auto v = tx.scalar(sql);
            if (!v) return tl::unexpected(v.error());
            n = *v;
            return {};
        }));
        return n;
    }

    test::PgCluster* cluster_ = nullptr;
    std::string url_;
};

}  // namespace

TEST_F(PostgresStore, MigrationsAreRecordedAndIdempotent) {
    for (int i = 0; i < 2; ++i) {
        auto db = open();
        ASSERT_TRUE(db);
        EXPECT_EQ(db->dialect(), "postgresql");
        EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM schema_migrations WHERE module = 'core'"),
                  store::current_schema_version());
    }
}

TEST_F(PostgresStore, ConcurrentStartsMigrateOnce) {
    constexpr int kNodes = 4;
    std::latch go(kNodes);
    std::vector<std::string> errors(kNodes);
    std::vector<std::thread> nodes;
    for (int i = 0; i < kNodes; ++i)
        nodes.emplace_back([&, i] {
            go.arrive_and_wait();
            auto db = store::open({"postgresql", "", url_});
            if (!db) errors[i] = db.error().message;
        });
    for (auto& t : nodes)
        t.join();
    for (const auto& e : errors)
        EXPECT_EQ(e, "");
    auto db = open();
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM schema_migrations"),
              store::current_schema_version());
}

TEST_F(PostgresStore, NewerSchemaIsRefused) {
    {
        auto db = open();
        ASSERT_TRUE(db->write([](Tx& tx) -> Result<void> {
            return tx.exec("INSERT INTO schema_migrations VALUES ('core', 999, 'future', 0)")
                .map([](int64_t) {});
        }));
    }
    auto db = store::open({"postgresql", "", url_});
    ASSERT_FALSE(db);
    EXPECT_NE(db.error().message.find("newer than this Switchboard"), std::string::npos);
}

TEST_F(PostgresStore, FailedTransactionChangesNothingAndNotifiesNobody) {
    Inbox inbox;  // outlives the store, whose feed thread may call it until the store closes
    auto db = open();
    auto subscription = db->subscribe(inbox.listener());
    auto r = db->write([](Tx& tx) -> Result<void> {
        SB_TRY(insert_domain(tx, "a.example"));
        tx.notify({"directory", 0, "domain"});
        return fail(Errc::invalid_argument, "second step failed");
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "second step failed");
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM domains"), 0);
    EXPECT_TRUE(inbox.changes().empty());
}

TEST_F(PostgresStore, CommitNotifiesAfterwardsAndListenersMayRead) {
    // One connection: the writer's connection must be back in the pool before listeners run.
    auto db = open(" pool_size=1 pool_timeout=2");
    std::vector<Change> seen;
    int64_t domains_seen = -1;
    auto subscription = db->subscribe([&](const std::vector<Change>& c) {
        (void)db->read([&](Tx& tx) -> Result<void> {
            domains_seen = tx.scalar("SELECT COUNT(*) FROM domains").value();
            return {};
        });
        seen.insert(seen.end(), c.begin(), c.end());
    });
    ASSERT_TRUE(db->write([](Tx& tx) -> Result<void> {
        SB_TRY(insert_domain(tx, "a.example"));
        tx.notify({"directory", 7, "domain"});
        return {};
    }));
    // Local subscribers run synchronously, before write() returns.
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].subject, 7);
    EXPECT_EQ(seen[0].detail, "domain");
    EXPECT_EQ(domains_seen, 1);
}

TEST_F(PostgresStore, UniqueViolationIsAlreadyExistsOtherConstraintsInvalidArgument) {
    auto db = open();
    auto r = db->write([](Tx& tx) -> Result<void> {
        SB_TRY(insert_domain(tx, "a.example"));
        return tx.exec("INSERT INTO domains (uuid, name, created_at) VALUES ('u2', 'a.example', 0)")
            .map([](int64_t) {});
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::already_exists);
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM domains"), 0);

    // Foreign key and NOT NULL.
    r = db->write([](Tx& tx) -> Result<void> {
        return tx
            .exec(
                "INSERT INTO accounts (uuid, domain_id, address, created_at, modified_at) "
                "VALUES ('u', 12345, 'a@b.c', 0, 0)")
            .map([](int64_t) {});
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    r = db->write([](Tx& tx) -> Result<void> {
        return tx.exec("INSERT INTO domains (uuid, name, created_at) VALUES ('u', NULL, 0)")
            .map([](int64_t) {});
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_argument);

    // A syntax error is a bug: internal, with the SQLSTATE and the statement.
    r = db->write([](Tx& tx) -> Result<void> { return tx.exec("SELEKT 1").map([](int64_t) {}); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::internal);
    EXPECT_NE(r.error().message.find("42601"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("SELEKT 1"), std::string::npos) << r.error().message;
}

TEST_F(PostgresStore, ReadTransactionRefusesWrites) {
    auto db = open();
    auto r = db->read([](Tx& tx) -> Result<void> { return insert_domain(tx, "a.example"); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::internal);
    EXPECT_FALSE(db->read([](Tx& tx) -> Result<void> { return tx.script("SELECT 1"); }));
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM domains"), 0);
}

TEST_F(PostgresStore, ReadSeesOneSnapshot) {
    auto db = open();
    auto other = open();
    int64_t before = -1, after = -1;
    ASSERT_TRUE(db->read([&](Tx& tx) -> Result<void> {
        before = tx.scalar("SELECT COUNT(*) FROM domains").value();
        // Committed by another node in the middle of this read: not visible to it.
        EXPECT_TRUE(
            other->write([](Tx& w) -> Result<void> { return insert_domain(w, "x.example"); }));
        after = tx.scalar("SELECT COUNT(*) FROM domains").value();
        return {};
    }));
    EXPECT_EQ(before, 0);
    EXPECT_EQ(after, 0);
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM domains"), 1);
}

TEST_F(PostgresStore, ValuesRoundTrip) {
    auto db = open();
    const std::string text = "it's \"quoted\" ? $1 \\ caf\u00e9 \U0001F600";
    const std::string blob("a\0b\xff\\x00'", 9);
    store::Row row;
    ASSERT_TRUE(db->write([&](Tx& tx) -> Result<void> {
        SB_TRY(tx.script("CREATE TABLE blobs (id BIGINT PRIMARY KEY, data BYTEA NOT NULL)"));
        SB_TRY(tx.exec("INSERT INTO blobs (id, data) VALUES (?, ?)", {int64_t{1}, blob}));
        SB_TRY(tx.exec(
            "INSERT INTO attrs (scope, owner_id, name, seq, value) VALUES ('global', ?, ?, 0, ?)",
            {int64_t{1} << 40, std::string("n?"), text}));
        auto r = tx.first(
            "SELECT a.owner_id, a.value, NULL, b.data, a.name, CAST(2.5 AS DOUBLE PRECISION), "
            "CAST(1.25 AS NUMERIC), TRUE, FALSE, CAST(7 AS SMALLINT), a.seq, '?' "
            "FROM attrs a, blobs b WHERE a.name = ? AND b.id = ?",
            {std::string("n?"), int64_t{1}});
        if (!r) return tl::unexpected(r.error());
        if (!*r) return fail(Errc::not_found, "no row");
        row = **r;
        return {};
    }));
    ASSERT_EQ(row.cols.size(), 12u);
    EXPECT_EQ(std::get<int64_t>(row.cols[0]), int64_t{1} << 40);
    EXPECT_EQ(row.text(1), text);
    EXPECT_TRUE(row.is_null(2));
    EXPECT_EQ(row.text(3), blob);
    EXPECT_EQ(row.text(4), "n?");
    EXPECT_EQ(std::get<double>(row.cols[5]), 2.5);
    EXPECT_EQ(std::get<double>(row.cols[6]), 1.25);
    EXPECT_EQ(std::get<int64_t>(row.cols[7]), 1);
    EXPECT_EQ(std::get<int64_t>(row.cols[8]), 0);
    EXPECT_EQ(std::get<int64_t>(row.cols[9]), 7);
    EXPECT_EQ(std::get<int64_t>(row.cols[10]), 0);
    EXPECT_EQ(row.text(11), "?");

    // Doubles and NULL parameters; exec counts changed rows.
    ASSERT_TRUE(db->write([&](Tx& tx) -> Result<void> {
        SB_TRY(tx.script("CREATE TABLE nums (x DOUBLE PRECISION, y TEXT)"));
        auto n = tx.exec("INSERT INTO nums VALUES (?, ?), (?, ?)",
                         {0.1, store::Null{}, -1e300, std::string("t")});
        if (!n) return tl::unexpected(n.error());
        EXPECT_EQ(*n, 2);
        auto rows = tx.query("SELECT x, y FROM nums ORDER BY x");
        if (!rows) return tl::unexpected(rows.error());
        EXPECT_EQ(std::get<double>((*rows)[0].cols[0]), -1e300);
        EXPECT_EQ(std::get<double>((*rows)[1].cols[0]), 0.1);
        EXPECT_TRUE((*rows)[1].is_null(1));
        auto updated = tx.exec("UPDATE nums SET y = 'u'");
        if (!updated) return tl::unexpected(updated.error());
        EXPECT_EQ(*updated, 2);
        return {};
    }));

    // PostgreSQL text cannot hold NUL: refused clearly, not truncated.
    auto r = db->write([&](Tx& tx) -> Result<void> {
        return tx
            .exec(
                "INSERT INTO attrs (scope, owner_id, name, seq, value) VALUES ('global', 2, "
                "'x', 0, ?)",
                {blob})
            .map([](int64_t) {});
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    EXPECT_NE(r.error().message.find("NUL"), std::string::npos);

    // Wrong parameter count: a bug, reported before reaching the server.
    r = db->read([&](Tx& tx) -> Result<void> {
        return tx.query("SELECT CAST(? AS BIGINT) + CAST(? AS BIGINT)", {int64_t{1}})
            .map([](store::Rows) {});
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::internal);
    EXPECT_NE(r.error().message.find("expects 2 parameters, got 1"), std::string::npos);
}

TEST_F(PostgresStore, AFailedStatementFailsTheTransactionEvenIfSwallowed) {
    auto db = open();
    auto r = db->write([](Tx& tx) -> Result<void> {
        SB_TRY(insert_domain(tx, "a.example"));
        auto dup = insert_domain(tx, "a.example");
        EXPECT_FALSE(dup);
        // PostgreSQL refuses the rest of an aborted transaction; the store says why.
        auto next = insert_domain(tx, "b.example");
        EXPECT_FALSE(next);
        if (!next) {
            EXPECT_EQ(next.error().code, Errc::already_exists);
            EXPECT_NE(next.error().message.find("already failed"), std::string::npos);
        }
        return {};  // the error is swallowed: the store must still not commit
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::already_exists);
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM domains"), 0);
}

TEST_F(PostgresStore, ConflictingWritersAreRetried) {
    auto a = open();
    auto b = open();
    ASSERT_TRUE(a->write([](Tx& tx) -> Result<void> {
        return tx.script(
            "CREATE TABLE counter (id INT PRIMARY KEY, n BIGINT NOT NULL); "
            "INSERT INTO counter VALUES (1, 0)");
    }));
    // Both read n before either writes: one of them must be aborted and run again, and no
    // increment may be lost.
    std::latch both_read(2);
    std::atomic<int> runs{0};
    auto increment = [&](store::Database& db) {
        bool first = true;
        return db.write([&](Tx& tx) -> Result<void> {
            ++runs;
            auto n = tx.scalar("SELECT n FROM counter WHERE id = 1");
            if (!n) return tl::unexpected(n.error());
            if (first) {
                first = false;
                both_read.arrive_and_wait();
            }
            SB_TRY(tx.exec("UPDATE counter SET n = ? WHERE id = 1", {*n + 1}));
            tx.notify({"test", *n + 1, ""});
            return {};
        });
    };
    Result<void> ra, rb;
    std::thread ta([&] { ra = increment(*a); });
    std::thread tb([&] { rb = increment(*b); });
    ta.join();
    tb.join();
    ASSERT_TRUE(ra) << ra.error().message;
    ASSERT_TRUE(rb) << rb.error().message;
    EXPECT_EQ(count(*a, "SELECT n FROM counter"), 2);
    EXPECT_EQ(runs.load(), 3);
}

TEST_F(PostgresStore, RetriesAreBoundedAndDropFailedAttemptsNotifications) {
    auto a = open(" write_attempts=1");
    auto b = open();
    ASSERT_TRUE(a->write([](Tx& tx) -> Result<void> {
        return tx.script(
            "CREATE TABLE counter (id INT PRIMARY KEY, n BIGINT NOT NULL); "
            "INSERT INTO counter VALUES (1, 0)");
    }));
    Inbox inbox_a, inbox_b;
    auto subscription_a = a->subscribe(inbox_a.listener());
    auto subscription_b = b->subscribe(inbox_b.listener());
    std::latch both_read(2);
    std::mutex order;
    std::condition_variable cv;
    bool b_committed = false;
    Result<void> ra;
    std::thread ta([&] {
        ra = a->write([&](Tx& tx) -> Result<void> {
            auto n = tx.scalar("SELECT n FROM counter WHERE id = 1");
            if (!n) return tl::unexpected(n.error());
            tx.notify({"test", 100, "from a"});
            both_read.arrive_and_wait();
            std::unique_lock lock(order);
            cv.wait(lock, [&] { return b_committed; });
            return tx.exec("UPDATE counter SET n = ? WHERE id = 1", {*n + 1}).map([](int64_t) {});
        });
    });
    ASSERT_TRUE(b->write([&](Tx& tx) -> Result<void> {
        auto n = tx.scalar("SELECT n FROM counter WHERE id = 1");
        if (!n) return tl::unexpected(n.error());
        both_read.arrive_and_wait();
        tx.notify({"test", 200, "from b"});
        return tx.exec("UPDATE counter SET n = ? WHERE id = 1", {*n + 1}).map([](int64_t) {});
    }));
    {
        std::lock_guard lock(order);
        b_committed = true;
    }
    cv.notify_all();
    ta.join();
    ASSERT_FALSE(ra);
    EXPECT_EQ(ra.error().code, Errc::unavailable);
    EXPECT_NE(ra.error().message.find("gave up after 1 attempts"), std::string::npos)
        << ra.error().message;
    EXPECT_EQ(count(*a, "SELECT n FROM counter"), 1);
    // b's change reached a; a's failed attempt reached nobody.
    ASSERT_TRUE(inbox_a.wait_count(1));
    std::this_thread::sleep_for(300ms);
    for (auto* inbox : {&inbox_a, &inbox_b}) {
        auto got = inbox->changes();
        ASSERT_EQ(got.size(), 1u);
        EXPECT_EQ(got[0].subject, 200);
    }
}

TEST_F(PostgresStore, ChangesCrossNodesThroughNotify) {
    Inbox inbox_a, inbox_b;
    auto a = open();
    auto b = open();
    auto subscription_a = a->subscribe(inbox_a.listener());
    auto subscription_b = b->subscribe(inbox_b.listener());
    ASSERT_TRUE(a->write([](Tx& tx) -> Result<void> {
        SB_TRY(insert_domain(tx, "a.example"));
        tx.notify({"directory", 0, "domain"});
        tx.notify({"mailbox", 12, "contact"});
        return {};
    }));
    // Local delivery is synchronous; the other node hears it through LISTEN.
    EXPECT_EQ(inbox_a.changes().size(), 2u);
    ASSERT_TRUE(inbox_b.wait_count(2));
    auto got = inbox_b.changes();
    EXPECT_EQ(got[0].channel, "directory");
    EXPECT_EQ(got[0].detail, "domain");
    EXPECT_EQ(got[1].channel, "mailbox");
    EXPECT_EQ(got[1].subject, 12);
    // A node ignores its own NOTIFY: nothing arrives twice.
    ASSERT_TRUE(b->write([](Tx& tx) -> Result<void> {
        tx.notify({"directory", 5, "account"});
        return {};
    }));
    ASSERT_TRUE(inbox_a.wait_count(3));
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(inbox_a.changes().size(), 3u);
    EXPECT_EQ(inbox_b.changes().size(), 3u);
    EXPECT_EQ(inbox_a.changes()[2].subject, 5);

    // Many changes in one transaction: split into several payloads, all delivered in order.
    ASSERT_TRUE(a->write([](Tx& tx) -> Result<void> {
        for (int i = 0; i < 2000; ++i)
            tx.notify({"mailbox", i, "contact " + std::to_string(i)});
        tx.notify({"mailbox", -1, std::string(9000, 'x')});
        return {};
    }));
    ASSERT_TRUE(inbox_b.wait_count(3 + 2001));
    got = inbox_b.changes();
    for (int i = 0; i < 2000; ++i)
        ASSERT_EQ(got[3 + i].subject, i);
    EXPECT_EQ(got.back().subject, -1);
    EXPECT_EQ(got.back().detail, "");
}

TEST_F(PostgresStore, ListenerReconnectsAndAnnouncesACatchAll) {
    Inbox inbox_b;
    auto a = open();
    auto b = open();
    auto subscription_b = b->subscribe(inbox_b.listener());
    ASSERT_TRUE(a->write([](Tx& tx) -> Result<void> {
        tx.notify({"custom", 3, "before"});
        return {};
    }));
    ASSERT_TRUE(inbox_b.wait_count(1));

    cluster_->restart();  // every session is terminated
    // b lost its LISTEN connection; once back it tells its subscribers that anything may have
    // changed: subject 0 on every channel it knows.
    ASSERT_TRUE(inbox_b.wait_for([](const std::vector<Change>& g) {
        for (const auto& c : g)
            if (c.channel == "directory" && c.subject == 0) return true;
        return false;
    }));
    std::set<std::string> caught;
    for (const auto& c : inbox_b.changes())
        if (c.subject == 0) caught.insert(c.channel);
    EXPECT_EQ(caught, (std::set<std::string>{"custom", "directory", "eas", "ldap", "mailbox"}));

    // a's pooled connections died too: the next write reconnects and still reaches b.
    const size_t before = inbox_b.changes().size();
    ASSERT_TRUE(a->write([](Tx& tx) -> Result<void> {
        SB_TRY(insert_domain(tx, "after.example"));
        tx.notify({"directory", 9, "after"});
        return {};
    }));
    ASSERT_TRUE(inbox_b.wait_count(before + 1));
    EXPECT_EQ(inbox_b.changes().back().detail, "after");
    EXPECT_EQ(count(*b, "SELECT COUNT(*) FROM domains"), 1);
}

TEST_F(PostgresStore, PoolIsBoundedAndTimesOut) {
    auto db = open(" pool_size=1 pool_timeout=0.3");
    auto r = db->write([&](Tx&) -> Result<void> {
        // The only connection is taken by this transaction.
        auto inner = db->read([](Tx&) -> Result<void> { return {}; });
        if (inner) return fail(Errc::internal, "a second connection was handed out");
        EXPECT_EQ(inner.error().code, Errc::unavailable);
        EXPECT_NE(inner.error().message.find("pool_size"), std::string::npos);
        return {};
    });
    ASSERT_TRUE(r) << r.error().message;
    // Several threads share the bounded pool without errors.
    auto shared = open(" pool_size=2 pool_timeout=30");
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 6; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10; ++i)
                if (!shared->write([&](Tx& tx) -> Result<void> {
                        return insert_domain(tx, fmt::format("d{}-{}.example", t, i));
                    }))
                    ++failures;
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(count(*shared, "SELECT COUNT(*) FROM domains"), 60);
}

TEST_F(PostgresStore, UnreachableServerIsUnavailableAndNamed) {
    // A port nobody listens on (the cluster's port + 1 is very likely free; if not, the test
    // still needs a failure: a wrong database name).
    auto db = store::open({"postgresql", "", "host=127.0.0.1 port=1 dbname=x connect_timeout=2"});
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, Errc::unavailable);
    EXPECT_NE(db.error().message.find("127.0.0.1:1/x"), std::string::npos) << db.error().message;

    db = store::open({"postgresql", "", cluster_->url("no_such_database")});
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, Errc::unavailable);
    EXPECT_NE(db.error().message.find("no_such_database"), std::string::npos) << db.error().message;

    db = store::open({"postgresql", "", "dbname=x pool_size=0"});
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, Errc::invalid_argument);
}

TEST_F(PostgresStore, TcpConnectionsWorkToo) {
    auto name = url_.substr(url_.find("dbname=") + 7);
    name = name.substr(0, name.find(' '));
    auto db = store::open({"postgresql", "", cluster_->url(name, /*tcp=*/true)});
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(
        (*db)->write([](Tx& tx) -> Result<void> { return insert_domain(tx, "t.example"); }));
    EXPECT_EQ(count(**db, "SELECT COUNT(*) FROM domains"), 1);
}
