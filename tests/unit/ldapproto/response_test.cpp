#include "ldap/protocol/response.hpp"

#include <gtest/gtest.h>

#include "ldap_test_util.hpp"

namespace sb::ldapproto {
namespace {

using test::to_hex;

TEST(Response, SearchResultDoneBytes) {
    std::string out;
    encode_search_result_done(out, 2, {});
    EXPECT_EQ(to_hex(out), "30 0c 02 01 02 65 07 0a 01 00 04 00 04 00");
}

TEST(Response, NoticeOfDisconnectionBytes) {
    std::string out;
    encode_notice_of_disconnection(out, ResultCode::unavailable, "");
    EXPECT_EQ(to_hex(out),
              "30 24 02 01 00 78 1f 0a 01 34 04 00 04 00 8a 16 31 2e 33 2e 36 2e 31 2e 34 2e 31 "
              "2e 31 34 36 36 2e 32 30 30 33 36");
}

TEST(Response, SmallEntryHasShortLengthsEverywhere) {
    std::string out;
    SearchEntryWriter e(out, 3, "cn=a");
    e.add_attribute("cn", {"a"});
    e.add_attribute_type("sn");
    e.finish();
    EXPECT_EQ(to_hex(out),
              "30 20 02 01 03 64 1b 04 04 63 6e 3d 61 30 13 30 09 04 02 63 6e 31 03 04 01 61 30 "
              "06 04 02 73 6e 31 00");
}

TEST(Response, EntriesAppendWithoutReallocatingAReservedBuffer) {
    std::string out;
    out.reserve(1 << 20);
    const char* data = out.data();
    const std::string_view values[] = {"Ada Lovelace", "Ada"};
    for (int i = 0; i < 1000; ++i) {
        SearchEntryWriter e(out, 7, "cn=Ada Lovelace,ou=people,dc=example,dc=com");
        e.add_attribute("cn", values);
        e.add_attribute("mail", {"ada@example.com"});
        e.begin_attribute("telephoneNumber");
        e.add_value("+44 20 7946 0000");
        e.end_attribute();
        e.finish();
    }
    EXPECT_EQ(out.data(), data);
    // Every message frames as a whole, one after the other.
    std::string_view rest = out;
    int count = 0;
    while (!rest.empty()) {
        auto f = ber::frame(rest, 1 << 20);
        ASSERT_TRUE(f && f->complete);
        rest.remove_prefix(f->size);
        ++count;
    }
    EXPECT_EQ(count, 1000);
}

TEST(Response, ResultCodeNames) {
    EXPECT_EQ(result_code_name(ResultCode::protocol_error), "protocolError");
    EXPECT_EQ(result_code_name(ResultCode::sort_control_missing), "sortControlMissing");
    EXPECT_EQ(result_code_name(ResultCode::offset_range_error), "offsetRangeError");
    EXPECT_EQ(result_code_name(static_cast<ResultCode>(9)), "unknown");
    EXPECT_EQ(static_cast<int>(ResultCode::other), 80);
    EXPECT_EQ(static_cast<int>(ResultCode::invalid_dn_syntax), 34);
    EXPECT_EQ(static_cast<int>(ResultCode::confidentiality_required), 13);
}

}  // namespace
}  // namespace sb::ldapproto
