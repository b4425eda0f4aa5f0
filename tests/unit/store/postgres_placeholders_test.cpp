#include <gtest/gtest.h>

#include "store/postgres/payload.hpp"
#include "store/postgres/placeholders.hpp"
#include "store/postgres/settings.hpp"

using namespace sb::store;
using sb::store::postgres::number_placeholders;

TEST(PostgresPlaceholders, NumbersMarkersInOrder) {
    auto n = number_placeholders("INSERT INTO t (a, b, c) VALUES (?, ?, ?)");
    EXPECT_EQ(n.sql, "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)");
    EXPECT_EQ(n.parameters, 3);
    n = number_placeholders("SELECT 1");
    EXPECT_EQ(n.sql, "SELECT 1");
    EXPECT_EQ(n.parameters, 0);
    n = number_placeholders("?,?");
    EXPECT_EQ(n.sql, "$1,$2");
    n = number_placeholders("x IN (?,?,?,?,?,?,?,?,?,?,?)");
    EXPECT_EQ(n.sql, "x IN ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)");
}

TEST(PostgresPlaceholders, LeavesStringLiteralsAlone) {
    EXPECT_EQ(number_placeholders("SELECT '?', ?").sql, "SELECT '?', $1");
    // '' is a quote inside a literal, not its end.
    EXPECT_EQ(number_placeholders("SELECT 'it''s ?', ?").sql, "SELECT 'it''s ?', $1");
    EXPECT_EQ(number_placeholders("SELECT '', ?, ''").sql, "SELECT '', $1, ''");
    // A plain literal keeps backslashes literally (standard_conforming_strings).
    EXPECT_EQ(number_placeholders(R"(SELECT 'a\', ?)").sql, R"(SELECT 'a\', $1)");
    // E'...' honours backslash escapes: \' does not end it.
    EXPECT_EQ(number_placeholders(R"(SELECT E'a\'?', ?)").sql, R"(SELECT E'a\'?', $1)");
    EXPECT_EQ(number_placeholders(R"(SELECT e'\\', ?)").sql, R"(SELECT e'\\', $1)");
    // A name ending in E before a quote is no escape-string prefix.
    EXPECT_EQ(number_placeholders(R"(SELECT typE'a\', ?)").sql, R"(SELECT typE'a\', $1)");
    // An unterminated literal swallows the rest (the server reports the error).
    EXPECT_EQ(number_placeholders("SELECT 'abc ?").sql, "SELECT 'abc ?");
}

TEST(PostgresPlaceholders, LeavesQuotedIdentifiersAlone) {
    EXPECT_EQ(number_placeholders(R"(SELECT "what?" FROM t WHERE "a""?" = ?)").sql,
              R"(SELECT "what?" FROM t WHERE "a""?" = $1)");
}

TEST(PostgresPlaceholders, DollarSigns) {
    EXPECT_EQ(number_placeholders("SELECT $$ ? $$, ?").sql, "SELECT $$ ? $$, $1");
    EXPECT_EQ(number_placeholders("SELECT $fn$ it's ? $$ $fn$, ?").sql,
              "SELECT $fn$ it's ? $$ $fn$, $1");
    // $1 is a parameter reference, not a dollar quote; a$b is one identifier.
    EXPECT_EQ(number_placeholders("SELECT $1, ?").sql, "SELECT $1, $1");
    EXPECT_EQ(number_placeholders("SELECT a$b$ FROM t WHERE x = ? AND y = '$'").sql,
              "SELECT a$b$ FROM t WHERE x = $1 AND y = '$'");
    EXPECT_EQ(number_placeholders("SELECT $tag$ ?").sql, "SELECT $tag$ ?");
}

TEST(PostgresPlaceholders, LeavesCommentsAlone) {
    EXPECT_EQ(number_placeholders("SELECT ? -- why?\n, ?").sql, "SELECT $1 -- why?\n, $2");
    EXPECT_EQ(number_placeholders("SELECT ? -- trailing ?").sql, "SELECT $1 -- trailing ?");
    EXPECT_EQ(number_placeholders("SELECT /* ? /* nested ? */ still ? */ ?").sql,
              "SELECT /* ? /* nested ? */ still ? */ $1");
    // Not comments: a lone dash or slash.
    EXPECT_EQ(number_placeholders("SELECT ?-1, ?/2").sql, "SELECT $1-1, $2/2");
}

TEST(PostgresPayload, RoundTripsAndSkipsNothing) {
    std::vector<Change> changes = {{"directory", 42, "account"},
                                   {"mailbox", 0, "contact \"quoted\" \u00e9"},
                                   {"ldap", -1, ""}};
    auto payloads = postgres::encode_payloads("node-1", changes);
    ASSERT_EQ(payloads.size(), 1u);
    auto p = postgres::decode_payload(payloads[0]);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->node, "node-1");
    ASSERT_EQ(p->changes.size(), 3u);
    for (size_t i = 0; i < changes.size(); ++i) {
        EXPECT_EQ(p->changes[i].channel, changes[i].channel);
        EXPECT_EQ(p->changes[i].subject, changes[i].subject);
        EXPECT_EQ(p->changes[i].detail, changes[i].detail);
    }
    EXPECT_TRUE(postgres::encode_payloads("n", {}).empty());
}

TEST(PostgresPayload, SplitsAtTheLimitAndDropsOversizedDetails) {
    std::vector<Change> changes;
    for (int i = 0; i < 1000; ++i)
        changes.push_back({"mailbox", i, "contact number " + std::to_string(i)});
    changes.push_back({"directory", 7, std::string(20000, 'x')});
    auto payloads = postgres::encode_payloads("node-1", changes);
    ASSERT_GT(payloads.size(), 1u);
    std::vector<Change> back;
    for (const auto& text : payloads) {
        EXPECT_LE(text.size(), postgres::kMaxPayload);
        auto p = postgres::decode_payload(text);
        ASSERT_TRUE(p);
        back.insert(back.end(), p->changes.begin(), p->changes.end());
    }
    ASSERT_EQ(back.size(), changes.size());
    for (int i = 0; i < 1000; ++i) {
        EXPECT_EQ(back[i].subject, i);
        EXPECT_EQ(back[i].detail, changes[i].detail);
    }
    EXPECT_EQ(back.back().channel, "directory");
    EXPECT_EQ(back.back().subject, 7);
    EXPECT_EQ(back.back().detail, "");
    // Invalid UTF-8 does not throw; small limits still produce valid payloads.
    auto odd = postgres::encode_payloads("n", {{"c", 1, std::string("\xff\xfe", 2)}}, 100);
    ASSERT_EQ(odd.size(), 1u);
    EXPECT_TRUE(postgres::decode_payload(odd[0]));
}

TEST(PostgresPayload, RejectsForeignText) {
    for (const char* text :
         {"", "hello", "{}", "[1,2]", R"({"node":"n"})", R"({"node":1,"changes":[]})",
          R"({"node":"n","changes":[["c"]]})", R"({"node":"n","changes":[["c","1",""]]})"})
        EXPECT_FALSE(postgres::decode_payload(text)) << text;
}

TEST(PostgresSettings, TakesOutSwitchboardKeys) {
    auto s = postgres::parse_settings(
        "postgresql://sb:secret@db1:5433/switchboard?sslmode=disable&pool_size=3&"
        "pool_timeout=2.5&statement_timeout=5s&write_attempts=4");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->conninfo, "postgresql://sb:secret@db1:5433/switchboard?sslmode=disable");
    EXPECT_EQ(s->server, "db1:5433/switchboard");
    EXPECT_EQ(s->pool_size, 3);
    EXPECT_EQ(s->pool_timeout.count(), 2500);
    EXPECT_EQ(s->statement_timeout, "5s");
    EXPECT_EQ(s->write_attempts, 4);

    s = postgres::parse_settings("host=/run/pg port=5544 dbname='sw itch' pool_size=2 user=x");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->conninfo, "host='/run/pg' port='5544' dbname='sw itch' user='x'");
    EXPECT_EQ(s->server, "/run/pg:5544/sw itch");
    EXPECT_EQ(s->pool_size, 2);

    s = postgres::parse_settings("postgresql:///sb?pool_size=5");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->conninfo, "postgresql:///sb");
    EXPECT_EQ(s->pool_size, 5);
    EXPECT_EQ(s->server, "localhost:5432/sb");
    EXPECT_EQ(s->statement_timeout, "60s");
}

TEST(PostgresSettings, BadValuesNameTheKey) {
    for (const char* url :
         {"postgresql:///sb?pool_size=0", "postgresql:///sb?pool_size=abc",
          "dbname=sb pool_timeout=-1", "dbname=sb statement_timeout='1;DROP'",
          "dbname=sb write_attempts=", "dbname=sb nonsense=1", "dbname='sb", "dbname"}) {
        auto s = postgres::parse_settings(url);
        EXPECT_FALSE(s) << url;
        if (!s) {
            EXPECT_EQ(s.error().code, sb::Errc::invalid_argument) << url;
            EXPECT_NE(s.error().message.find("store.url"), std::string::npos) << url;
        }
    }
}
