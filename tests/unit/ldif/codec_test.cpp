#include <random>
#include <string>

#include <gtest/gtest.h>

#include "directory/ldif/base64.hpp"
#include "directory/ldif/utf8.hpp"

namespace sb::ldif {
namespace {

std::string encode(std::string_view in) {
    std::string out;
    base64_encode(in, out);
    return out;
}

TEST(LdifBase64, Rfc4648TestVectors) {
    const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                           {"f", "Zg=="},
                                                           {"fo", "Zm8="},
                                                           {"foo", "Zm9v"},
                                                           {"foob", "Zm9vYg=="},
                                                           {"fooba", "Zm9vYmE="},
                                                           {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, coded] : vectors) {
        EXPECT_EQ(encode(plain), coded);
        EXPECT_EQ(base64_encoded_size(plain.size()), coded.size());
        std::string out;
        EXPECT_FALSE(base64_decode(coded, out)) << coded;
        EXPECT_EQ(out, plain);
    }
}

TEST(LdifBase64, DecodeAppendsAndEveryByteSurvives) {
    std::string all;
    for (int c = 0; c < 256; ++c)
        all += static_cast<char>(c);
    std::mt19937 rng(64);
    for (size_t len = 0; len <= 256; ++len) {
        std::string in = all.substr(0, len);
        std::shuffle(in.begin(), in.end(), rng);
        std::string out = "prefix";
        ASSERT_FALSE(base64_decode(encode(in), out));
        ASSERT_EQ(out, "prefix" + in);
    }
}

TEST(LdifBase64, StrictDecodingReportsTheOffset) {
    struct Case {
        std::string in;
        size_t offset;
        std::string_view reason;
    };
    const Case cases[] = {
        {"Zm9v!", 4, "character not in the base64 alphabet"},
        {"Zm 9v", 2, "character not in the base64 alphabet"},
        {"Zm9v\n", 4, "character not in the base64 alphabet"},
        {"Zm-_", 2, "character not in the base64 alphabet"},  // base64url is not LDIF's
        {"Zm9", 3, "length is not a multiple of 4"},
        {"Zg", 2, "length is not a multiple of 4"},
        {"Zg=", 3, "length is not a multiple of 4"},
        {"Z===", 1, "'=' padding before the end"},
        {"Zg==Zg==", 2, "'=' padding before the end"},
        {"Zm=v", 2, "'=' padding before the end"},
        {"=", 1, "length is not a multiple of 4"},
    };
    for (const auto& c : cases) {
        std::string out = "keep";
        auto problem = base64_decode(c.in, out);
        ASSERT_TRUE(problem) << c.in;
        EXPECT_EQ(problem->offset, c.offset) << c.in;
        EXPECT_EQ(problem->reason, c.reason) << c.in;
        EXPECT_EQ(out, "keep");
    }
}

TEST(LdifBase64, NonCanonicalTrailingBitsAreIgnored) {
    std::string out;
    EXPECT_FALSE(base64_decode("Zh==", out));  // 'h' carries bits beyond the byte
    EXPECT_EQ(out, "f");
}

TEST(LdifUtf8, WellFormedSequences) {
    EXPECT_EQ(find_invalid_utf8(""), std::string_view::npos);
    EXPECT_EQ(find_invalid_utf8("ascii \x01\x7F"), std::string_view::npos);
    EXPECT_EQ(find_invalid_utf8("\xC2\x80 \xDF\xBF \xE0\xA0\x80 \xEF\xBF\xBF"),
              std::string_view::npos);
    EXPECT_EQ(find_invalid_utf8("\xF0\x90\x80\x80 \xF4\x8F\xBF\xBF"), std::string_view::npos);
    EXPECT_EQ(utf8_sequence_length("\xE5\x96\xB6"), 3u);
    EXPECT_EQ(utf8_sequence_length("a"), 1u);
}

TEST(LdifUtf8, IllFormedSequences) {
    EXPECT_EQ(find_invalid_utf8("ab\x80"), 2u);            // lone continuation
    EXPECT_EQ(find_invalid_utf8("a\xC0\xAF"), 1u);         // overlong
    EXPECT_EQ(find_invalid_utf8("\xC1\xBF"), 0u);          // overlong
    EXPECT_EQ(find_invalid_utf8("\xE0\x9F\xBF"), 0u);      // overlong 3-byte
    EXPECT_EQ(find_invalid_utf8("\xED\xA0\x80"), 0u);      // surrogate U+D800
    EXPECT_EQ(find_invalid_utf8("\xF0\x8F\xBF\xBF"), 0u);  // overlong 4-byte
    EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
    EXPECT_EQ(find_invalid_utf8("\xF5\x80\x80\x80"), 0u);
    EXPECT_EQ(find_invalid_utf8("\xFF"), 0u);
    EXPECT_EQ(find_invalid_utf8("ok\xE5\x96"), 2u);  // truncated
    EXPECT_EQ(find_invalid_utf8("\xE5\x96"
                                "a"),
              0u);  // bad continuation
}

}  // namespace
}  // namespace sb::ldif
