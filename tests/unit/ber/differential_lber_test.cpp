// Primitives compared with liblber in both directions.
#include <gtest/gtest.h>

#include <random>

#include "ber_test_util.hpp"
#include "lber_util.hpp"
#include "ldap/ber/framer.hpp"
#include "ldap/ber/reader.hpp"
#include "ldap/ber/writer.hpp"

namespace sb::ber {
namespace {

using namespace test;

std::vector<ber_int_t> sample_ints() {
    std::vector<ber_int_t> v = {
        0,     1,      -1,     127,     128,     -128,       -129,           255, 256, 32767,
        32768, -32768, -32769, 8388607, 8388608, 2147483647, -2147483647 - 1};
    std::mt19937 rng(4511);
    for (int i = 0; i < 2000; ++i)
        v.push_back(static_cast<ber_int_t>(rng()) >> (rng() % 31));
    return v;
}

TEST(DifferentialLber, IntegersFromLber) {
    for (int options : {0, LBER_USE_DER}) {
        for (ber_int_t v : sample_ints()) {
            const std::string bytes = lber_encode(options, "{ie}", v, v);
            Reader r(bytes);
            auto seq = r.enter();
            ASSERT_TRUE(seq);
            EXPECT_EQ(*seq->read_integer(), v);
            EXPECT_EQ(*seq->read_enumerated(), v);
            EXPECT_TRUE(seq->expect_end());
        }
    }
}

TEST(DifferentialLber, IntegersToLber) {
    for (ber_int_t v : sample_ints()) {
        std::string out;
        Writer w(out);
        auto m = w.begin(tag::kSequence);
        w.integer(v);
        w.enumerated(v);
        w.end(m);
        auto ber = lber_reader(out);
        ber_int_t i = 0, e = 0;
        ASSERT_NE(ber_scanf(ber.get(), "{ie}", &i, &e), LBER_ERROR);
        EXPECT_EQ(i, v);
        EXPECT_EQ(e, v);
        // DER encodings agree byte for byte.
        EXPECT_EQ(to_hex(out), to_hex(lber_encode(LBER_USE_DER, "{ie}", v, v)));
    }
}

TEST(DifferentialLber, StringsOfEveryLengthClass) {
    for (size_t n : {0u, 1u, 127u, 128u, 255u, 256u, 65535u, 65536u, 300000u}) {
        const std::string value(n, 'q');
        for (int options : {0, LBER_USE_DER}) {
            const std::string bytes = lber_encode(options, "{o}", value.data(), value.size());
            auto f = frame(bytes, 1 << 20);
            ASSERT_TRUE(f);
            EXPECT_TRUE(f->complete);
            EXPECT_EQ(f->size, bytes.size());
            auto seq = Reader(bytes).enter();
            ASSERT_TRUE(seq);
            EXPECT_EQ(*seq->read_octet_string(), value);
        }
        std::string out;
        Writer w(out);
        auto m = w.begin(tag::kSequence);
        w.octet_string(value);
        w.end(m);
        auto ber = lber_reader(out);
        struct berval bv {};
        ASSERT_NE(ber_scanf(ber.get(), "{m}", &bv), LBER_ERROR);
        EXPECT_EQ(as_string(bv), value);
        EXPECT_EQ(out, lber_encode(LBER_USE_DER, "{o}", value.data(), value.size()));
    }
}

TEST(DifferentialLber, BooleansNullsAndTags) {
    const std::string bytes = lber_encode(LBER_USE_DER, "{bbnt{}to}", 1, 0, ber_tag_t{0xa3},
                                          ber_tag_t{0x87}, "cn", size_t{2});
    auto seq = Reader(bytes).enter();
    ASSERT_TRUE(seq);
    EXPECT_EQ(*seq->read_boolean(), true);
    EXPECT_EQ(*seq->read_boolean(), false);
    EXPECT_TRUE(seq->read_null());
    auto a3 = seq->enter(context_tag(3, true));
    ASSERT_TRUE(a3);
    EXPECT_TRUE(a3->at_end());
    EXPECT_EQ(*seq->read_octet_string(context_tag(7, false)), "cn");
    EXPECT_TRUE(seq->expect_end());

    std::string out;
    Writer w(out);
    auto m = w.begin(tag::kSequence);
    w.boolean(true);
    w.boolean(false);
    w.null();
    auto inner = w.begin(context_tag(3, true));
    w.end(inner);
    w.octet_string("cn", context_tag(7, false));
    w.end(m);
    EXPECT_EQ(to_hex(out), to_hex(bytes));
    auto ber = lber_reader(out);
    ber_int_t t = 0, f = 1;
    ber_tag_t tag = 0;
    struct berval bv {};
    ASSERT_NE(ber_scanf(ber.get(), "{bbn", &t, &f), LBER_ERROR);
    EXPECT_NE(t, 0);  // liblber returns the octet sign-extended (0xFF -> -1)
    EXPECT_EQ(f, 0);
    ASSERT_NE(ber_scanf(ber.get(), "T", &tag), LBER_ERROR);
    EXPECT_EQ(tag, 0xa3u);
    ASSERT_NE(ber_scanf(ber.get(), "tm}", &tag, &bv), LBER_ERROR);
    EXPECT_EQ(tag, 0x87u);
    EXPECT_EQ(as_string(bv), "cn");
}

TEST(DifferentialLber, NestedSequencesAndSetsWithLongForms) {
    const std::string big(400, 'b');
    for (int options : {0, LBER_USE_DER}) {
        const std::string bytes =
            lber_encode(options, "{i{s[ss]}{o}}", 7, "a", "b", "c", big.data(), big.size());
        auto outer = Reader(bytes).enter();
        ASSERT_TRUE(outer);
        EXPECT_EQ(*outer->read_integer(), 7);
        auto s1 = outer->enter();
        ASSERT_TRUE(s1);
        EXPECT_EQ(*s1->read_octet_string(), "a");
        auto set = s1->enter(tag::kSet);
        ASSERT_TRUE(set);
        EXPECT_EQ(*set->read_octet_string(), "b");
        EXPECT_EQ(*set->read_octet_string(), "c");
        EXPECT_TRUE(set->expect_end());
        EXPECT_TRUE(s1->expect_end());
        auto s2 = outer->enter();
        ASSERT_TRUE(s2);
        EXPECT_EQ(*s2->read_octet_string(), big);
        EXPECT_TRUE(outer->expect_end());
    }
}

TEST(DifferentialLber, LberRejectsWhatWeReject) {
    // Inputs both decoders must refuse: indefinite length, truncated contents.
    for (const char* hex : {"30 80 02 01 01 00 00", "30 05 02 01", "04 84 ff ff ff ff 61"}) {
        const std::string bytes = from_hex(hex);
        auto ber = lber_reader(bytes);
        ber_int_t v;
        struct berval bv {};
        const bool lber_ok = ber_scanf(ber.get(), "{i}", &v) != LBER_ERROR &&
                             ber_scanf(ber.get(), "m", &bv) != LBER_ERROR;
        EXPECT_FALSE(lber_ok) << hex;
        auto seq = Reader(bytes).enter();
        EXPECT_FALSE(seq && seq->read_integer() && seq->expect_end()) << hex;
    }
}

}  // namespace
}  // namespace sb::ber
