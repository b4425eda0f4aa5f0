#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mailbox/vcard/date_value.hpp"
#include "mailbox/vcard/text_codec.hpp"

namespace sb::vcard::detail {
namespace {

using ::testing::ElementsAre;

TEST(VcardTextCodec, SplitUnescaped) {
    EXPECT_THAT(split_unescaped("a;b\\;c;;d\\\\;e", ';'),
                ElementsAre("a", "b\\;c", "", "d\\\\", "e"));
    EXPECT_THAT(split_unescaped("", ','), ElementsAre(""));
    EXPECT_THAT(split_unescaped("x\\", ','), ElementsAre("x\\"));
}

TEST(VcardTextCodec, EscapeText) {
    EXPECT_EQ(escape_text("a,b;c\\d\ne\r\nf\rg:h"), "a\\,b\\;c\\\\d\\ne\\nf\\ng:h");
    EXPECT_EQ(escape_uri("a,b;c\\d\ne"), "a,b;c\\\\d\\ne");
    for (std::string s : {"", "plain", ",;\\\n", "\\n", "日本,語"}) {
        EXPECT_EQ(unescape(escape_text(s), Dialect::v3), s);
        EXPECT_EQ(unescape(escape_uri(s), Dialect::v4), s);
    }
}

TEST(VcardTextCodec, QuotedPrintable) {
    EXPECT_EQ(decode_quoted_printable("a=3Db=C3=A9=0D=0Ac"), "a=b\xC3\xA9\r\nc");
    EXPECT_EQ(decode_quoted_printable("=e9"), "\xE9");
    EXPECT_EQ(decode_quoted_printable("x=4"), "x=4");
    EXPECT_EQ(decode_quoted_printable("x="), "x");
}

TEST(VcardTextCodec, Base64) {
    EXPECT_EQ(decode_base64("SGVs bG8=\n"), "Hello");
    EXPECT_EQ(decode_base64("SGVsbG8"), "Hello");
    EXPECT_EQ(decode_base64(""), "");
    EXPECT_FALSE(decode_base64("SGV*"));
    EXPECT_FALSE(decode_base64("SG=Vs"));
}

TEST(VcardTextCodec, Utf8Validation) {
    EXPECT_TRUE(is_valid_utf8("a\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80"));
    EXPECT_FALSE(is_valid_utf8("\xC3"));
    EXPECT_FALSE(is_valid_utf8("\xC0\x80"));          // overlong NUL
    EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
    EXPECT_FALSE(is_valid_utf8("\x80"));
}

TEST(VcardTextCodec, Windows1252) {
    EXPECT_EQ(windows1252_to_utf8("caf\xE9 \x80 \x9F \x81"), "café € Ÿ \xC2\x81");
}

TEST(VcardTextCodec, Newlines) {
    EXPECT_EQ(normalize_newlines("a\r\nb\rc\n\r"), "a\nb\nc\n\n");
}

TEST(VcardTextCodec, Folding) {
    std::string out;
    append_folded(out, std::string(75, 'a'));
    EXPECT_EQ(out, std::string(75, 'a') + "\r\n");
    out.clear();
    append_folded(out, std::string(76, 'a'));
    EXPECT_EQ(out, std::string(75, 'a') + "\r\n a\r\n");
    out.clear();
    append_folded(out, std::string(74, 'a') + "é");  // é would straddle octets 75 and 76
    EXPECT_EQ(out, std::string(74, 'a') + "\r\n é\r\n");
}

TEST(VcardTextCodec, Excerpt) {
    EXPECT_EQ(excerpt("abc"), "abc");
    EXPECT_EQ(excerpt(std::string(39, 'a') + "é"), std::string(39, 'a') + "...");
    EXPECT_EQ(excerpt("a\x01\xFF"), "a??");
    EXPECT_EQ(excerpt("é\t"), "é?");
}

TEST(VcardDateValue, NormalizeAndFormat) {
    EXPECT_EQ(normalize_date("20240229"), "2024-02-29");
    EXPECT_EQ(normalize_date("--1231"), "--12-31");
    EXPECT_FALSE(normalize_date("2024-0229"));
    EXPECT_FALSE(normalize_date("--1301"));
    EXPECT_FALSE(normalize_date("---12"));
    EXPECT_FALSE(normalize_date("abcd-01-01"));
    EXPECT_FALSE(normalize_date(""));
    EXPECT_TRUE(is_canonical_date("1985-04-12"));
    EXPECT_TRUE(is_canonical_date("--04-12"));
    EXPECT_FALSE(is_canonical_date("19850412"));
    EXPECT_FALSE(is_canonical_date("1985-04-12T00:00:00Z"));
    EXPECT_EQ(format_date("1985-04-12", false), "1985-04-12");
    EXPECT_EQ(format_date("1985-04-12", true), "19850412");
    EXPECT_EQ(format_date("--04-12", false), "--04-12");
    EXPECT_EQ(format_date("--04-12", true), "--0412");
}

}  // namespace
}  // namespace sb::vcard::detail
