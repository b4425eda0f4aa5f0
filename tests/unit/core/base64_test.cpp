#include "core/base64.hpp"

#include <gtest/gtest.h>

#include <random>

namespace sb::crypto {
namespace {

struct Vector {
    std::string_view plain, encoded;
};

// RFC 4648 section 10.
constexpr Vector kRfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TEST(Base64, EncodesRfc4648Vectors) {
    for (const auto& v : kRfc4648)
        EXPECT_EQ(base64_encode(v.plain), v.encoded) << v.plain;
}

TEST(Base64, DecodesRfc4648Vectors) {
    for (const auto& v : kRfc4648) {
        auto strict = base64_decode(v.encoded);
        ASSERT_TRUE(strict) << v.encoded << ": " << strict.error().message;
        EXPECT_EQ(*strict, v.plain);
        auto lenient = base64_decode_lenient(v.encoded);
        ASSERT_TRUE(lenient) << v.encoded;
        EXPECT_EQ(*lenient, v.plain);
    }
}

TEST(Base64, RoundTripsEveryByteValueAndLength) {
    std::mt19937 rng(42);
    for (size_t len = 0; len < 200; ++len) {
        std::string bytes(len, '\0');
        for (auto& c : bytes)
            c = static_cast<char>(rng());
        const std::string encoded = base64_encode(bytes);
        EXPECT_EQ(encoded.size(), (len + 2) / 3 * 4);
        auto decoded = base64_decode(encoded);
        ASSERT_TRUE(decoded) << encoded;
        EXPECT_EQ(*decoded, bytes);
    }
    std::string all;
    for (int i = 0; i < 256; ++i)
        all.push_back(static_cast<char>(i));
    EXPECT_EQ(*base64_decode(base64_encode(all)), all);
    EXPECT_EQ(base64_encode("\xfb\xff\xbf"), "+/+/");
}

TEST(Base64, StrictRejectsMalformedInput) {
    const char* bad[] = {
        "Zg=",           // length not a multiple of 4
        "Zg",            // missing padding
        "Zm9vY",         //
        "Zg=a",          // data after padding
        "Z===",          // three padding characters
        "====",          //
        "Zm9vYg==Zm9v",  // padding in the middle
        "Zm9v\n",        // whitespace is not skipped
        " Zm9v",         //
        "Zm-v",          // URL-safe alphabet is not standard base64
        "Zm_v",          //
        "Zm9\x80",       // non-ASCII
        "Zh==",          // non-zero unused bits (RFC 4648 3.5)
        "Zm9=",          //
    };
    for (const char* text : bad) {
        auto r = base64_decode(text);
        EXPECT_FALSE(r) << '"' << text << '"';
        if (!r) {
            EXPECT_EQ(r.error().code, Errc::parse_error);
        }
    }
    EXPECT_FALSE(base64_decode(std::string_view("Zm9v\0\0\0\0", 8)));
}

TEST(Base64, LenientSkipsWhitespaceOnly) {
    auto r = base64_decode_lenient(" Zm9v\r\n YmFy\t\v\f\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, "foobar");
    // LDIF folding (RFC 2849): continuation lines start with one space.
    r = base64_decode_lenient("Zm9v\n YmE=\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, "fooba");
    EXPECT_EQ(*base64_decode_lenient("  \n "), "");
    // Tolerated in lenient mode only: non-zero unused bits.
    EXPECT_EQ(*base64_decode_lenient("Zh=="), "f");

    EXPECT_FALSE(base64_decode_lenient("Zm 9"));      // 3 symbols
    EXPECT_FALSE(base64_decode_lenient("Zm9v YmE"));  // unpadded
    EXPECT_FALSE(base64_decode_lenient("Zm-v"));
    EXPECT_FALSE(base64_decode_lenient("Zg==Zg=="));
}

TEST(Base64, ErrorNamesOffsetInOriginalText) {
    auto r = base64_decode("Zm9vY!Fy");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("offset 5"), std::string::npos) << r.error().message;
    r = base64_decode_lenient("Zm9v\n Y!Fy");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("offset 7"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace sb::crypto
