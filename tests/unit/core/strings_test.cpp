#include "core/strings.hpp"

#include <gtest/gtest.h>

namespace sb {
namespace {

TEST(Utf8, WellFormedTextIsKept) {
    for (std::string_view s : {"", "plain ascii", "Zo\xc3\xab", "\xe2\x82\xac 5",
                               "\xf0\x9f\x93\xb1", "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf"}) {
        EXPECT_TRUE(is_valid_utf8(s)) << s;
        EXPECT_EQ(valid_utf8(s), s);
    }
}

TEST(Utf8, EachIllFormedSubpartBecomesOneReplacementCharacter) {
    const std::string r = "\xef\xbf\xbd";
    struct Case {
        std::string_view in;
        std::string out;
    };
    const Case cases[] = {
        {"caf\xe9", "caf" + r},               // Latin-1
        {"\xc0\xaf", r + r},                  // overlong
        {"\xed\xa0\x80", r + r + r},          // surrogate
        {"\xf4\x90\x80\x80", r + r + r + r},  // above U+10FFFF
        {"a\xe2\x82", "a" + r},               // cut short at the end
        {"\xe2\x82x", r + "x"},               // cut short before ASCII
        {"\xff\xfe", r + r},
    };
    for (const auto& c : cases) {
        EXPECT_FALSE(is_valid_utf8(c.in)) << c.in;
        EXPECT_EQ(valid_utf8(c.in), c.out) << c.in;
        EXPECT_TRUE(is_valid_utf8(valid_utf8(c.in)));
    }
}

}  // namespace
}  // namespace sb
