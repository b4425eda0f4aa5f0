#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "eas/query.hpp"
#include "eas/sync/sync_key.hpp"

namespace sb::eas {
namespace {

TEST(Query, PlainForm) {
    auto q = parse_query(
        "Cmd=Sync&User=anna%40x.example&DeviceId=Appl79032X2WA4S&DeviceType=iPhone&SaveInSent=T");
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
    for (const char* bad : {"", "Cmd=Sync", "Cmd=Sync&DeviceId=a%2&DeviceType=t",
                            "Cmd=Sync&DeviceId=a%20b&DeviceType=t", "DeviceId=a&DeviceType=b",
                            "!!!", "AAAA", "jQAJBAAAAA"})
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

TEST(Query, SpecExampleOfTheBase64Form) {
    // MS-ASHTTP 2.2.1.1.1.1: version 140, Sync, locale 0x0409, device v140Device, no policy key,
    // device type SmartPhone.
    auto q = parse_query("jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l");
    ASSERT_TRUE(q) << q.error().message;
    EXPECT_EQ(q->version, kV140);
    EXPECT_EQ(q->command, Command::Sync);
    EXPECT_EQ(q->locale, 0x0409);
    EXPECT_EQ(q->device_id, "v140Device");
    EXPECT_FALSE(q->policy_key);
    EXPECT_EQ(q->device_type, "SmartPhone");
}

TEST(Query, PolicyKeyIsLittleEndianAndBinaryDeviceIdsBecomeHex) {
    // A 12.1 Provision with a 16-byte binary device id and the policy key bytes 7C 7C 4C E8,
    // least significant first like the locale: 0xE84C7C7C.
    std::string b = {char(121), char(20), char(0x09), char(0x04), char(16)};
    const unsigned char guid[16] = {0xae, 0x4e, 0xcd, 0x19, 0xf5, 0x92, 0xba, 0x56,
                                    0x57, 0x70, 0x6f, 0xf7, 0x4c, 0xf0, 0x9b, 0xac};
    b.append(reinterpret_cast<const char*>(guid), 16);
    b += std::string{char(4), char(0x7C), char(0x7C), char(0x4C), char(0xE8), char(3)} + "PPC";
    // The same bytes in base64 as a client sends them.
    auto q = parse_query("eRQJBBCuTs0Z9ZK6Vldwb/dM8JusBHx8TOgDUFBD");
    ASSERT_TRUE(q) << q.error().message;
    EXPECT_EQ(q->version, kV121);
    EXPECT_EQ(q->command, Command::Provision);
    EXPECT_EQ(q->policy_key, 0xE84C7C7Cu);
    EXPECT_EQ(q->policy_key, 3897326716u);
    EXPECT_EQ(q->device_id, "ae4ecd19f592ba5657706ff74cf09bac");
    EXPECT_EQ(q->device_type, "PPC");
    Query in = *q;
    in.device_id = std::string(reinterpret_cast<const char*>(guid), 16);
    EXPECT_EQ(encode_base64_query(in), "eRQJBBCuTs0Z9ZK6Vldwb/dM8JusBHx8TOgDUFBD");
    EXPECT_EQ(crypto::base64_encode(b), "eRQJBBCuTs0Z9ZK6Vldwb/dM8JusBHx8TOgDUFBD");
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
    for (const char* bad : {"", "1", "{}1", "{a}", "{a}0", "{a}x", "{a}-1", "a}1"})
        EXPECT_FALSE(parse_sync_key(bad)) << bad;
    ItemSet items{{257, 3}, {300, 12}, {1000000, 7}};
    auto back = parse_items(serialize_items(items));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, items);
    EXPECT_FALSE(parse_items("1:2,x"));
    EXPECT_TRUE(parse_items("")->empty());
}

}  // namespace
}  // namespace sb::eas
