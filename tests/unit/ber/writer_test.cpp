#include "ldap/ber/writer.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "ber_test_util.hpp"
#include "ldap/ber/reader.hpp"

namespace sb::ber {
namespace {

using test::from_hex;
using test::to_hex;

std::string encode_integer(int64_t v) {
    std::string out;
    Writer(out).integer(v);
    return to_hex(out);
}

TEST(Writer, MinimalIntegers) {
    EXPECT_EQ(encode_integer(0), "02 01 00");
    EXPECT_EQ(encode_integer(127), "02 01 7f");
    EXPECT_EQ(encode_integer(128), "02 02 00 80");
    EXPECT_EQ(encode_integer(255), "02 02 00 ff");
    EXPECT_EQ(encode_integer(256), "02 02 01 00");
    EXPECT_EQ(encode_integer(-1), "02 01 ff");
    EXPECT_EQ(encode_integer(-128), "02 01 80");
    EXPECT_EQ(encode_integer(-129), "02 02 ff 7f");
    EXPECT_EQ(encode_integer(2147483647), "02 04 7f ff ff ff");
    EXPECT_EQ(encode_integer(std::numeric_limits<int64_t>::max()), "02 08 7f ff ff ff ff ff ff ff");
    EXPECT_EQ(encode_integer(std::numeric_limits<int64_t>::min()), "02 08 80 00 00 00 00 00 00 00");
}

TEST(Writer, IntegersRoundTrip) {
    for (int64_t v = -70000; v <= 70000; v += 7) {
        std::string out;
        Writer(out).integer(v);
        EXPECT_EQ(*Reader(out).read_integer(), v);
    }
    for (int shift = 0; shift < 63; ++shift) {
        for (int64_t v : {int64_t{1} << shift, -(int64_t{1} << shift), (int64_t{1} << shift) - 1}) {
            std::string out;
            Writer(out).integer(v);
            EXPECT_EQ(*Reader(out).read_integer(), v);
        }
    }
}

TEST(Writer, BooleanTrueIsFF) {
    std::string out;
    Writer w(out);
    w.boolean(true);
    w.boolean(false);
    EXPECT_EQ(to_hex(out), "01 01 ff 01 01 00");
}

TEST(Writer, NullEnumeratedAndTaggedStrings) {
    std::string out;
    Writer w(out);
    w.null();
    w.enumerated(53);
    w.octet_string("cn", context_tag(7, false));
    w.null(application_tag(2, false));
    EXPECT_EQ(to_hex(out), "05 00 0a 01 35 87 02 63 6e 42 00");
}

TEST(Writer, MinimalLengths) {
    for (size_t n : {0u, 1u, 127u, 128u, 255u, 256u, 65535u, 65536u, 1000000u}) {
        std::string out;
        Writer(out).octet_string(std::string(n, 'a'));
        const size_t header = out.size() - n;
        EXPECT_EQ(header, 1 + length_octets(n)) << n;
        EXPECT_EQ(element_size(n), out.size());
        if (n < 128) {
            EXPECT_EQ(static_cast<unsigned char>(out[1]), n);
        } else if (n < 256) {
            EXPECT_EQ(to_hex(out.substr(0, 3)), "04 81 " + to_hex(std::string(1, char(n))));
        }
        Reader r(out);
        auto s = r.read_octet_string();
        ASSERT_TRUE(s);
        EXPECT_EQ(s->size(), n);
    }
}

TEST(Writer, ConstructedLengthsAreBackPatchedMinimally) {
    // Whatever the size hint, the result is the minimal encoding.
    for (size_t hint : {0u, 100u, 200u, 70000u, 20000000u}) {
        for (size_t n : {0u, 5u, 120u, 125u, 126u, 200u, 300u, 70000u}) {
            std::string out = "prefix";
            Writer w(out);
            auto outer = w.begin(tag::kSequence, hint);
            auto inner = w.begin(tag::kSet, hint);
            w.octet_string(std::string(n, 'z'));
            w.end(inner);
            w.integer(7);
            w.end(outer);

            std::string expected = "prefix";
            Writer e(expected);
            std::string s;
            Writer(s).octet_string(std::string(n, 'z'));
            std::string set;
            Writer(set).element(tag::kSet, s);
            Writer(set).integer(7);
            e.element(tag::kSequence, set);
            EXPECT_EQ(out, expected) << "hint " << hint << " n " << n;
        }
    }
}

TEST(Writer, HeaderWithKnownSize) {
    std::string out;
    Writer w(out);
    w.header(tag::kSequence, 3);
    w.integer(5);
    EXPECT_EQ(to_hex(out), "30 03 02 01 05");
}

TEST(Writer, AppendsWithoutTouchingEarlierBytes) {
    std::string out = from_hex("30 00");
    Writer w(out);
    auto m = w.begin(tag::kSequence);
    w.end(m);
    EXPECT_EQ(to_hex(out), "30 00 30 00");
}

}  // namespace
}  // namespace sb::ber
