#include <gtest/gtest.h>

#include "eas/query.hpp"
#include "eas/sync/sync_key.hpp"

namespace sb::eas {
namespace {

TEST(Query, PlainForm) {
    auto q = parse_query("Cmd=Sync&User=anna%40x.example&DeviceId=Appl79032X2WA4S&DeviceType=iPhone&SaveInSent=T");
    ASSERT_TRUE(q) << q.error().message;
    EXPECT_FALSE(q->base64);
    EXPECT_EQ(q->command, Command::Sync);
    EXPECT_EQ(q->user, "anna@x.example");
    EXPECT_EQ(q->device_id, "Appl79032X2WA4S");
    EXPECT_EQ(q->device_type, "iPhone");
    EXPECT_TRUE(q->save_in_sent);
    EXPECT_FALSE(q->version);
}

TEST(Query, Base64RoundTrip) {
    Query in;
    in.version = kV141;
    in.command = Command::Ping;
    in.locale = 0x0409;
    in.device_id = "dev1";
    in.device_type = "Android";
    in.policy_key = 3942919513u;
    in.user = "anna";
    in.collection_id = "7";
    in.save_in_sent = true;
    auto q = parse_query(encode_base64_query(in));
    ASSERT_TRUE(q) << q.error().message;
    EXPECT_TRUE(q->base64);
    EXPECT_EQ(q->version, kV141);
    EXPECT_EQ(q->command, Command::Ping);
    EXPECT_EQ(q->locale, 0x0409);
    EXPECT_EQ(q->device_id, "dev1");
    EXPECT_EQ(q->device_type, "Android");
    EXPECT_EQ(q->policy_key, 3942919513u);
    EXPECT_EQ(q->user, "anna");
    EXPECT_EQ(q->collection_id, "7");
    EXPECT_TRUE(q->save_in_sent);
}

TEST(Query, Rejects) {
    for (const char* bad : {"", "Cmd=Sync", "Cmd=Sync&DeviceId=a%2&DeviceType=t", "Cmd=Sync&DeviceId=a%20b&DeviceType=t",
                            "DeviceId=a&DeviceType=b", "!!!", "AAAA", "jQAJBAAAAA"})
        EXPECT_FALSE(parse_query(bad)) << bad;
    EXPECT_FALSE(parse_query(std::string(5000, 'A')));
    Query in;
    in.version = kV141;
    in.command = Command::Sync;
    in.device_id = "d";
    in.device_type = "t";
    std::string ok = encode_base64_query(in);
    EXPECT_TRUE(parse_query(ok));
}

TEST(SyncKey, ParseAndItems) {
    auto p = parse_sync_key("0");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->initial);
    p = parse_sync_key("{ab12cd34}17");
    ASSERT_TRUE(p && p->key);
    EXPECT_EQ(p->key->generation, "ab12cd34");
    EXPECT_EQ(p->key->counter, 17);
    EXPECT_EQ(p->key->text(), "{ab12cd34}17");
    for (const char* bad : {"", "1", "{}1", "{a}", "{a}0", "{a}x", "{a}-1", "a}1"}) EXPECT_FALSE(parse_sync_key(bad)) << bad;
    ItemSet items{{257, 3}, {300, 12}, {1000000, 7}};
    auto back = parse_items(serialize_items(items));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, items);
    EXPECT_FALSE(parse_items("1:2,x"));
    EXPECT_TRUE(parse_items("")->empty());
}

}  // namespace
}  // namespace sb::eas
