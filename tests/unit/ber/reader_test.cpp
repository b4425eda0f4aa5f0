#include "ldap/ber/reader.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "ber_test_util.hpp"

namespace sb::ber {
namespace {

using test::from_hex;

TEST(Reader, IntegersInTwosComplement) {
    struct Case {
        const char* hex;
        int64_t value;
    } cases[] = {
        {"02 01 00", 0},
        {"02 01 7f", 127},
        {"02 02 00 80", 128},
        {"02 02 01 00", 256},
        {"02 01 ff", -1},
        {"02 01 80", -128},
        {"02 02 ff 7f", -129},
        {"02 04 7f ff ff ff", 2147483647},
        {"02 04 80 00 00 00", -2147483648LL},
        {"02 08 7f ff ff ff ff ff ff ff", std::numeric_limits<int64_t>::max()},
        {"02 08 80 00 00 00 00 00 00 00", std::numeric_limits<int64_t>::min()},
        // Redundant sign octets (not DER, but BER decoders must cope).
        {"02 03 00 00 05", 5},
        {"02 03 ff ff ff", -1},
        {"02 05 ff ff ff ff 80", -128},
    };
    for (const auto& c : cases) {
        const std::string bytes = from_hex(c.hex);
        Reader r(bytes);
        auto v = r.read_integer();
        ASSERT_TRUE(v) << c.hex << ": " << v.error().message;
        EXPECT_EQ(*v, c.value) << c.hex;
        EXPECT_TRUE(r.at_end());
    }
}

TEST(Reader, IntegerSizeChecks) {
    EXPECT_FALSE(Reader(from_hex("02 00")).read_integer());
    EXPECT_FALSE(Reader(from_hex("02 09 00 80 00 00 00 00 00 00 00")).read_integer());
    EXPECT_FALSE(Reader(from_hex("02 09 01 00 00 00 00 00 00 00 00")).read_integer());
    EXPECT_FALSE(Reader(from_hex("02 09 ff 7f ff ff ff ff ff ff ff")).read_integer());
    // Nine octets whose first is redundant still fit.
    auto v = Reader(from_hex("02 09 00 7f ff ff ff ff ff ff ff")).read_integer();
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, std::numeric_limits<int64_t>::max());
    auto in = Reader(from_hex("02 01 05")).read_integer_in(0, 4);
    EXPECT_FALSE(in);
    EXPECT_FALSE(Reader(from_hex("02 01 ff")).read_integer_in(0, 10));
}

TEST(Reader, EnumeratedHasItsOwnTag) {
    EXPECT_EQ(*Reader(from_hex("0a 01 02")).read_enumerated(), 2);
    EXPECT_FALSE(Reader(from_hex("02 01 02")).read_enumerated());
}

TEST(Reader, BooleanAnyNonZeroIsTrue) {
    EXPECT_EQ(*Reader(from_hex("01 01 00")).read_boolean(), false);
    EXPECT_EQ(*Reader(from_hex("01 01 ff")).read_boolean(), true);
    EXPECT_EQ(*Reader(from_hex("01 01 01")).read_boolean(), true);
    EXPECT_EQ(*Reader(from_hex("01 01 80")).read_boolean(), true);
    EXPECT_FALSE(Reader(from_hex("01 00")).read_boolean());
    EXPECT_FALSE(Reader(from_hex("01 02 00 00")).read_boolean());
}

TEST(Reader, NullHasNoContents) {
    EXPECT_TRUE(Reader(from_hex("05 00")).read_null());
    EXPECT_FALSE(Reader(from_hex("05 01 00")).read_null());
}

TEST(Reader, OctetStringsAreViewsIntoTheInput) {
    const std::string data = from_hex("04 03 61 62 63 04 00");
    Reader r(data);
    auto s = r.read_octet_string();
    ASSERT_TRUE(s);
    EXPECT_EQ(*s, "abc");
    EXPECT_EQ(s->data(), data.data() + 2);
    auto empty = r.read_octet_string();
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
    EXPECT_TRUE(r.at_end());
    EXPECT_TRUE(r.expect_end());
}

TEST(Reader, LongFormLengthsInsideElements) {
    const std::string bytes = from_hex("30 84 00 00 00 0b 04 84 00 00 00 01 61 01 81 01 ff");
    Reader r(bytes);
    auto seq = r.enter();
    ASSERT_TRUE(seq);
    EXPECT_EQ(*seq->read_octet_string(), "a");
    EXPECT_EQ(*seq->read_boolean(), true);
    EXPECT_TRUE(seq->expect_end());
}

TEST(Reader, TagsMustMatchExactly) {
    // A constructed OCTET STRING (X.690 8.7.1) is not allowed in LDAP (RFC 4511 5.1).
    EXPECT_FALSE(Reader(from_hex("24 03 04 01 61")).read_octet_string());
    EXPECT_FALSE(Reader(from_hex("31 00")).enter(tag::kSequence));
    EXPECT_TRUE(Reader(from_hex("a3 00")).enter(context_tag(3, true)));
    EXPECT_FALSE(Reader(from_hex("83 00")).enter(context_tag(3, true)));
}

TEST(Reader, TruncatedAndOverlongElementsAreErrors) {
    EXPECT_FALSE(Reader(from_hex("04 05 61 62")).read_octet_string());
    EXPECT_FALSE(Reader(from_hex("04")).read_octet_string());
    EXPECT_FALSE(Reader(from_hex("04 84 00 00")).read_octet_string());
    EXPECT_FALSE(Reader(from_hex("04 84 ff ff ff ff 61")).read_octet_string());
    EXPECT_FALSE(Reader(from_hex("04 80 61 00 00")).read_octet_string());
    EXPECT_FALSE(Reader("").read_octet_string());
    // An inner element longer than its SEQUENCE.
    const std::string overlong = from_hex("30 03 04 05 61 62 63 64 65");
    auto seq = Reader(overlong).enter();
    ASSERT_TRUE(seq);
    EXPECT_FALSE(seq->read_octet_string());
}

TEST(Reader, TrailingBytesAreReported) {
    const std::string bytes = from_hex("30 05 02 01 01 05 00");
    auto seq = Reader(bytes).enter();
    ASSERT_TRUE(seq);
    ASSERT_TRUE(seq->read_integer());
    EXPECT_FALSE(seq->expect_end());
    EXPECT_EQ(seq->remaining(), 2u);
}

TEST(Reader, PeekAndSkip) {
    const std::string bytes = from_hex("87 04 6d 61 69 6c a0 00");
    Reader r(bytes);
    EXPECT_EQ(r.peek_tag(), 0x87);
    EXPECT_TRUE(r.next_is(context_tag(7, false)));
    EXPECT_TRUE(r.skip());
    EXPECT_EQ(r.peek_tag(), 0xa0);
    auto e = r.read_any();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->tag, 0xa0);
    EXPECT_TRUE(e->contents.empty());
    EXPECT_EQ(r.peek_tag(), std::nullopt);
    EXPECT_FALSE(r.skip());
}

TEST(Reader, MultiOctetTagsAreRejected) {
    EXPECT_FALSE(Reader(from_hex("1f 81 00 00")).read_any());
    EXPECT_FALSE(Reader(from_hex("bf 22 00")).read_any());
}

TEST(TagHelpers, ClassConstructedNumber) {
    EXPECT_EQ(application_tag(3, true), 0x63);
    EXPECT_EQ(application_tag(2, false), 0x42);
    EXPECT_EQ(context_tag(7, false), 0x87);
    EXPECT_EQ(tag_class(0x63), TagClass::application);
    EXPECT_EQ(tag_class(0xa0), TagClass::context);
    EXPECT_EQ(tag_class(0x30), TagClass::universal);
    EXPECT_EQ(tag_class(0xc1), TagClass::private_use);
    EXPECT_TRUE(is_constructed(0x30));
    EXPECT_FALSE(is_constructed(0x04));
    EXPECT_EQ(tag_number(0x78), 24);
}

}  // namespace
}  // namespace sb::ber
