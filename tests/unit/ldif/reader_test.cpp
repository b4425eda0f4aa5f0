#include <fstream>
#include <iterator>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "directory/ldif/reader.hpp"
#include "ldif_test_util.hpp"
#include "test_support.hpp"

namespace sb::ldif {
namespace {

using test::parse_error;
using test::parse_ok;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// RFC 2849 Example 1: two entries, version line directly followed by the first dn.
constexpr std::string_view kExample1 =
    "version: 1\n"
    "dn: cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com\n"
    "objectclass: top\n"
    "objectclass: person\n"
    "objectclass: organizationalPerson\n"
    "cn: Barbara Jensen\n"
    "cn: Barbara J Jensen\n"
    "cn: Babs Jensen\n"
    "sn: Jensen\n"
    "uid: bjensen\n"
    "telephonenumber: +1 408 555 1212\n"
    "description: A big sailing fan.\n"
    "\n"
    "dn: cn=Bjorn Jensen, ou=Accounting, dc=airius, dc=com\n"
    "objectclass: top\n"
    "objectclass: person\n"
    "objectclass: organizationalPerson\n"
    "cn: Bjorn Jensen\n"
    "sn: Jensen\n"
    "telephonenumber: +1 408 555 1212\n";

// RFC 2849 Example 2: no space after the colons, a folded value.
constexpr std::string_view kExample2 =
    "version: 1\n"
    "dn:cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com\n"
    "objectclass:top\n"
    "objectclass:person\n"
    "objectclass:organizationalPerson\n"
    "cn:Barbara Jensen\n"
    "cn:Barbara J Jensen\n"
    "cn:Babs Jensen\n"
    "sn:Jensen\n"
    "uid:bjensen\n"
    "telephonenumber:+1 408 555 1212\n"
    "description:Babs is a big sailing fan, and travels extensively in sea\n"
    " rch of perfect sailing conditions.\n"
    "title:Product Manager, Rod and Reel Division\n";

// RFC 2849 Example 3: a folded base64 value holding a CR.
constexpr std::string_view kExample3 =
    "version: 1\n"
    "dn: cn=Gern Jensen, ou=Product Testing, dc=airius, dc=com\n"
    "objectclass: top\n"
    "objectclass: person\n"
    "objectclass: organizationalPerson\n"
    "cn: Gern Jensen\n"
    "cn: Gern O Jensen\n"
    "sn: Jensen\n"
    "uid: gernj\n"
    "telephonenumber: +1 408 555 1212\n"
    "description:: V2hhdCBhIGNhcmVmdWwgcmVhZGVyIHlvdSBhcmUhICBUaGlzIHZhbHVl\n"
    " IGlzIGJhc2UtNjQtZW5jb2RlZCBiZWNhdXNlIGl0IGhhcyBhIGNvbnRyb2wgY2hhcmFjdG\n"
    " VyIGluIGl0IChhIENSKS4NICBCeSB0aGUgd2F5LCB5b3Ugc2hvdWxkIHJlYWxseSBnZXQg\n"
    " b3V0IG1vcmUu\n";

// RFC 2849 Example 4 (first entry, and part of the second): base64 dn, UTF-8 values, language
// options, comments inside the entry and a folded comment.
constexpr std::string_view kExample4 =
    "version: 1\n"
    "dn:: b3U95Za25qWt6YOoLG89QWlyaXVz\n"
    "# dn:: ou=<JapaneseOU>,o=Airius\n"
    "objectclass: top\n"
    "objectclass: organizationalUnit\n"
    "ou:: 5Za25qWt6YOo\n"
    "# ou:: <JapaneseOU>\n"
    "ou;lang-ja:: 5Za25qWt6YOo\n"
    "# ou;lang-ja:: <JapaneseOU>\n"
    "ou;lang-ja;phonetic:: 44GI44GE44GO44KH44GG44G2\n"
    "# ou;lang-ja:: <JapaneseOU_in_phonetic_representation>\n"
    "ou;lang-en: Sales\n"
    "description: Japanese office\n"
    "\n"
    "dn:: dWlkPXJvZ2FzYXdhcmEsb3U95Za25qWt6YOoLG89QWlyaXVz\n"
    "# dn:: uid=<uid>,ou=<JapaneseOU>,o=Airius\n"
    "userpassword: {SHA}O3HSv1MusyL4kTjP+HKI5uxuNoM=\n"
    "objectclass: inetOrgPerson\n"
    "uid: rogasawara\n"
    "cn;lang-ja:: 5bCP56yg5Y6fIOODreODieODi+ODvA==\n"
    "# givenname;lang-ja;phonetic::\n"
    " <JapaneseGivenname_in_phonetic_representation_kana>\n"
    "cn;lang-en: Rodney Ogasawara\n";

TEST(LdifReader, Rfc2849Example1TwoEntries) {
    auto entries = parse_ok(kExample1);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].dn, "cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com");
    EXPECT_EQ(entries[0].line, 2u);
    ASSERT_EQ(entries[0].attributes.size(), 10u);
    EXPECT_EQ(entries[0].attributes[0], (Attribute{"objectclass", "top"}));
    EXPECT_EQ(entries[0].attributes[0].line, 3u);
    EXPECT_EQ(entries[0].attributes[9], (Attribute{"description", "A big sailing fan."}));
    EXPECT_THAT(entries[0].values("CN"),
                ElementsAre("Barbara Jensen", "Barbara J Jensen", "Babs Jensen"));
    EXPECT_EQ(entries[1].dn, "cn=Bjorn Jensen, ou=Accounting, dc=airius, dc=com");
    EXPECT_EQ(entries[1].line, 14u);
    EXPECT_EQ(entries[1].first_value("telephoneNumber"), "+1 408 555 1212");
    EXPECT_EQ(entries[1].attributes.back().line, 20u);
}

TEST(LdifReader, Rfc2849Example2FoldedValueWithoutFill) {
    auto entries = parse_ok(kExample2);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].dn, "cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com");
    EXPECT_EQ(entries[0].first_value("description"),
              "Babs is a big sailing fan, and travels extensively in search of perfect sailing "
              "conditions.");
    const Attribute* title = entries[0].find("title");
    ASSERT_NE(title, nullptr);
    EXPECT_EQ(title->value, "Product Manager, Rod and Reel Division");
    EXPECT_EQ(title->line, 14u);  // after the two physical lines of description
}

TEST(LdifReader, Rfc2849Example3FoldedBase64) {
    auto entries = parse_ok(kExample3);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].first_value("description"),
              "What a careful reader you are!  This value is base-64-encoded because it has a "
              "control character in it (a CR).\r  By the way, you should really get out more.");
}

TEST(LdifReader, Rfc2849Example4Utf8OptionsAndComments) {
    auto entries = parse_ok(kExample4);
    ASSERT_EQ(entries.size(), 2u);
    const Entry& ou = entries[0];
    EXPECT_EQ(ou.dn, "ou=\xE5\x96\xB6\xE6\xA5\xAD\xE9\x83\xA8,o=Airius");
    EXPECT_EQ(ou.line, 2u);
    ASSERT_EQ(ou.attributes.size(), 7u);
    EXPECT_EQ(ou.attributes[3].name, "ou;lang-ja");
    EXPECT_EQ(ou.attributes[4].name, "ou;lang-ja;phonetic");
    EXPECT_EQ(ou.attributes[4].value,
              "\xE3\x81\x88\xE3\x81\x84\xE3\x81\x8E\xE3\x82\x87\xE3\x81\x86\xE3\x81\xB6");
    EXPECT_EQ(ou.attributes[4].line, 10u);
    EXPECT_THAT(ou.values("ou"), ElementsAre("\xE5\x96\xB6\xE6\xA5\xAD\xE9\x83\xA8"));
    EXPECT_EQ(ou.values("ou", Match::subtypes).size(), 4u);
    EXPECT_EQ(ou.first_value("OU;LANG-EN"), "Sales");
    EXPECT_EQ(ou.first_value("ou;phonetic;lang-ja"), ou.attributes[4].value);

    const Entry& person = entries[1];
    EXPECT_EQ(person.dn, "uid=rogasawara,ou=\xE5\x96\xB6\xE6\xA5\xAD\xE9\x83\xA8,o=Airius");
    // The folded comment swallowed its continuation: the next attribute is cn;lang-en.
    ASSERT_EQ(person.attributes.size(), 5u);
    EXPECT_EQ(person.attributes[4], (Attribute{"cn;lang-en", "Rodney Ogasawara"}));
    EXPECT_EQ(person.attributes[4].line, 23u);
}

TEST(LdifReader, Rfc2849Example5UrlValueIsRejected) {
    const std::string text =
        "version: 1\n"
        "dn: cn=Horatio Jensen, ou=Product Testing, dc=airius, dc=com\n"
        "objectclass: top\n"
        "cn: Horatio N Jensen\n"
        "jpegphoto:< file:///usr/local/directory/photos/hjensen.jpg\n";
    Error e = parse_error(text);
    EXPECT_EQ(e.code, Errc::parse_error);
    EXPECT_THAT(e.message, StartsWith("line 5: URL values ('jpegphoto:< ...') are not supported"));
}

TEST(LdifReader, Rfc2849Example6ChangeAddIsContentOtherChangesRejected) {
    const std::string text =
        "version: 1\n"
        "# Add a new entry\n"
        "dn: cn=Fiona Jensen, ou=Marketing, dc=airius, dc=com\n"
        "changetype: add\n"
        "objectclass: top\n"
        "cn: Fiona Jensen\n"
        "\n"
        "# Delete an existing entry\n"
        "dn: cn=Robert Jensen, ou=Marketing, dc=airius, dc=com\n"
        "changetype: delete\n";
    Reader reader(text);
    auto first = reader.next();
    ASSERT_TRUE(first && *first) << (first ? "" : first.error().message);
    EXPECT_EQ((*first)->dn, "cn=Fiona Jensen, ou=Marketing, dc=airius, dc=com");
    EXPECT_EQ((*first)->line, 3u);
    EXPECT_EQ((*first)->attributes,
              (std::vector<Attribute>{{"objectclass", "top"}, {"cn", "Fiona Jensen"}}));
    auto second = reader.next();
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, Errc::parse_error);
    EXPECT_EQ(second.error().message,
              "line 10: changetype 'delete' is not supported: only content records (optionally "
              "'changetype: add') can be imported");
    // Errors are sticky.
    auto third = reader.next();
    ASSERT_FALSE(third);
    EXPECT_EQ(third.error().message, second.error().message);
    EXPECT_EQ(reader.entries_read(), 1u);
}

TEST(LdifReader, EveryOtherChangetypeIsRejected) {
    for (std::string type : {"modify", "MODIFY", "modrdn", "moddn", "delete"}) {
        Error e = parse_error("dn: cn=a\nchangetype: " + type + "\nreplace: cn\ncn: b\n-\n");
        EXPECT_THAT(e.message, StartsWith("line 2: changetype '" + type + "' is not supported"));
    }
    EXPECT_THAT(parse_error("dn: cn=a\nchangetype: rename\ncn: b\n").message,
                StartsWith("line 2: unknown changetype 'rename'"));
    EXPECT_THAT(parse_error("dn: cn=a\ncn: b\nchangetype: add\n").message,
                StartsWith("line 3: 'changetype:' must directly follow the 'dn:' line"));
    auto entries = parse_ok("dn: cn=a\nChangeType: ADD\ncn: b\n");
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].attributes, (std::vector<Attribute>{{"cn", "b"}}));
}

TEST(LdifReader, Rfc2849Example7ControlIsRejected) {
    const std::string text =
        "version: 1\n"
        "# Delete an entry. The operation will attach the LDAPv3\n"
        "# Tree Delete Control.\n"
        "dn: ou=Product Development, dc=airius, dc=com\n"
        "control: 1.2.840.113556.1.4.805 true\n"
        "changetype: delete\n";
    EXPECT_THAT(parse_error(text).message, StartsWith("line 5: 'control:' lines belong to change"));
}

TEST(LdifReader, VersionIsOptionalAndOnlyOne) {
    EXPECT_EQ(parse_ok("dn: cn=a\ncn: a\n").size(), 1u);
    EXPECT_EQ(parse_ok("# header\n\nversion:1\n\n\ndn: cn=a\ncn: a\n").size(), 1u);
    EXPECT_EQ(parse_ok("version: 1\n").size(), 0u);
    EXPECT_EQ(parse_ok("").size(), 0u);
    EXPECT_EQ(parse_ok("\n\n# only a comment\n").size(), 0u);
    EXPECT_THAT(parse_error("version: 2\ndn: cn=a\ncn: a\n").message,
                StartsWith("line 1: unsupported LDIF version '2'"));
    // Only the first line of the file can be the version.
    EXPECT_THAT(parse_error("dn: cn=a\ncn: a\n\nversion: 1\n").message,
                StartsWith("line 4: an entry must start with a 'dn:' line, found 'version'"));
}

TEST(LdifReader, CrLfAndLfGiveTheSameEntries) {
    for (std::string_view text : {kExample1, kExample2, kExample3, kExample4}) {
        auto lf = parse_ok(text);
        auto crlf = parse_ok(test::to_crlf(text));
        EXPECT_EQ(lf, crlf);
        ASSERT_EQ(lf.size(), crlf.size());
        for (size_t i = 0; i < lf.size(); ++i) {
            EXPECT_EQ(lf[i].line, crlf[i].line);
            for (size_t j = 0; j < lf[i].attributes.size(); ++j)
                EXPECT_EQ(lf[i].attributes[j].line, crlf[i].attributes[j].line);
        }
    }
    // Mixed endings and a final line without any.
    auto mixed = parse_ok("dn: cn=a\r\ncn: a\n\r\n\ndn: cn=b\ncn: b\r\nsn: c");
    ASSERT_EQ(mixed.size(), 2u);
    EXPECT_EQ(mixed[1].attributes.back(), (Attribute{"sn", "c"}));
}

TEST(LdifReader, ByteOrderMarkAtStartIsSkipped) {
    auto entries = parse_ok("\xEF\xBB\xBFversion: 1\ndn: cn=a\ncn: a\n");
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].line, 2u);
    // Anywhere else it is just bytes, and not a valid attribute name.
    EXPECT_THAT(parse_error("dn: cn=a\n\xEF\xBB\xBF"
                            "cn: a\n")
                    .message,
                StartsWith("line 2: invalid attribute description"));
}

TEST(LdifReader, CommentsAndTheirContinuationsAreIgnored) {
    const std::string text =
        "# file comment\n"
        " continued\n"
        "dn: cn=a\n"
        "#cn: not me\n"
        "  still the comment\n"
        "cn: a\n"
        "# comment between entries\n"
        "\n"
        "# comment before an entry\n"
        "dn: cn=b\n"
        "cn: b\n"
        "#\n";
    auto entries = parse_ok(text);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].line, 3u);
    EXPECT_EQ(entries[0].attributes, (std::vector<Attribute>{{"cn", "a"}}));
    EXPECT_EQ(entries[0].attributes[0].line, 6u);
    EXPECT_EQ(entries[1].line, 10u);
}

TEST(LdifReader, FoldingJoinsLinesDroppingExactlyOneSpace) {
    auto entries = parse_ok(
        "d\n n: cn=fol\n ded\n"
        "description: a\n  b\n \n   c\n"
        "cn:\n  x\n");
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].dn, "cn=folded");
    EXPECT_EQ(entries[0].first_value("description"), "a b  c");
    // FILL is skipped after joining, so a fold right after the colon is harmless.
    EXPECT_EQ(entries[0].first_value("cn"), "x");
}

TEST(LdifReader, ValueSyntax) {
    auto entries = parse_ok(
        "dn: cn=a\n"
        "description:\n"
        "description: \n"
        "description::\n"
        "cn:   leading spaces skipped, trailing kept  \n"
        "cn:: IGJhc2U2NCBrZWVwcyB0aGVtIA==   \n"
        "street: Stra\xC3\x9F"
        "e \xF0\x9F\x93\xAE\n"
        "note: tab\tand \x01 control are SAFE-CHARs\n"
        "2.5.4.3: numeric oid\n"
        "userCertificate;binary:: AAEC/w==\n");
    ASSERT_EQ(entries.size(), 1u);
    const auto& a = entries[0].attributes;
    ASSERT_EQ(a.size(), 9u);
    EXPECT_EQ(a[0].value, "");
    EXPECT_EQ(a[1].value, "");
    EXPECT_EQ(a[2].value, "");
    EXPECT_EQ(a[3].value, "leading spaces skipped, trailing kept  ");
    EXPECT_EQ(a[4].value, " base64 keeps them ");
    EXPECT_EQ(a[5].value,
              "Stra\xC3\x9F"
              "e \xF0\x9F\x93\xAE");
    EXPECT_EQ(a[6].value, "tab\tand \x01 control are SAFE-CHARs");
    EXPECT_EQ(a[7].name, "2.5.4.3");
    EXPECT_EQ(a[8].value, std::string("\x00\x01\x02\xFF", 4));
    EXPECT_EQ(entries[0].first_value("usercertificate"), std::nullopt);
    EXPECT_EQ(entries[0].first_value("usercertificate", Match::subtypes), a[8].value);
}

TEST(LdifReader, EmptyDnIsAllowed) {
    auto entries = parse_ok("dn:\nobjectClass: top\n");
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].dn, "");
}

TEST(LdifReader, StreamsEntriesOneByOne) {
    Reader reader(kExample1);
    auto a = reader.next();
    ASSERT_TRUE(a && *a);
    EXPECT_EQ(reader.entries_read(), 1u);
    auto b = reader.next();
    ASSERT_TRUE(b && *b);
    EXPECT_EQ((*b)->dn, "cn=Bjorn Jensen, ou=Accounting, dc=airius, dc=com");
    auto end = reader.next();
    ASSERT_TRUE(end);
    EXPECT_FALSE(*end);
    EXPECT_FALSE(*reader.next());
    EXPECT_EQ(reader.entries_read(), 2u);
}

// ---- errors: each names the physical line of the problem ----

struct BadInput {
    std::string text;
    std::string message_prefix;
};

TEST(LdifReaderErrors, NameTheLineAndTheProblem) {
    const std::vector<BadInput> cases = {
        {"dn: cn=a\ncn: a\n\ndn: cn=b\ncn:: QUJD!\n",
         "line 5: invalid base64 in the value of 'cn': character not in the base64 alphabet at "
         "column 10"},
        {"dn: cn=a\nphoto:: QUJD\n REVG\n R0g\n",
         "line 4: invalid base64 in the value of 'photo': length is not a multiple of 4 at "
         "column 5"},
        {"dn: cn=a\nphoto:: QUJD\n RE=G\n",
         "line 3: invalid base64 in the value of 'photo': '=' padding before the end at column 4"},
        {"dn:: QUJD=\ncn: a\n", "line 1: invalid base64 in the dn"},
        {"dn:: AEE=\ncn: a\n",
         "line 1: the base64 dn does not decode to UTF-8 text without NUL, CR or LF"},
        {"dn:: /w==\ncn: a\n",
         "line 1: the base64 dn does not decode to UTF-8 text without NUL, CR or LF"},
        {"dn: cn=a\ncn: a\n\ncn: b\nsn: c\n",
         "line 4: an entry must start with a 'dn:' line, found 'cn'"},
        {"\n\n# x\nobjectClass: top\n", "line 4: an entry must start with a 'dn:' line"},
        {"dn: cn=a\nmail:< http://example.com/x\n", "line 2: URL values ('mail:< ...')"},
        {"dn:< file:///etc/passwd\ncn: a\n", "line 1: URL values ('dn:< ...')"},
        {"dn: cn=a\nchangetype: modify\nreplace: cn\ncn: b\n-\n",
         "line 2: changetype 'modify' is not supported"},
        {"dn: cn=a\ncn: a\nthis line has no colon\n",
         "line 3: expected 'attribute: value' but the line has no ':' ('this line has no "
         "colon')"},
        {"dn: cn=a\n: value\n", "line 2: attribute name missing before ':'"},
        {"dn: cn=a\ncn: a\ndn: cn=b\ncn: b\n",
         "line 3: a second 'dn:' line in one entry (is the blank line before it missing?)"},
        {"dn: cn=a\n\n", "line 1: entry 'cn=a' has no attributes"},
        {"dn: cn=a\n# c\n\ndn: cn=b\ncn: b\n", "line 1: entry 'cn=a' has no attributes"},
        {"dn: cn=a\ncn: a\n\n cn: b\n",
         "line 4: line starts with a space (a continuation) but follows a blank line"},
        {" dn: cn=a\ncn: a\n", "line 1: line starts with a space"},
        {"dn: cn=a\ncn : a\n", "line 2: invalid attribute description 'cn '"},
        {"dn: cn=a\n1cn: a\n", "line 2: invalid attribute description '1cn'"},
        {"dn: cn=a\ncn;: a\n", "line 2: invalid attribute description 'cn;'"},
        {"dn: cn=a\ncn_x: a\n", "line 2: invalid attribute description 'cn_x'"},
        {"dn: cn=a\n2.5..4: a\n", "line 2: invalid attribute description '2.5..4'"},
        {"dn: cn=a\nc\xC3\xA9: a\n", "line 2: invalid attribute description 'c\\xC3\\xA9'"},
        {"dn: cn=a\ncn: a\nsn: x\xFFy\n",
         "line 3: invalid UTF-8 in the value of 'sn' at column 6 (base64-encode"},
        {"dn: cn=a\ncn: a\nsn: x\n \xC3\n",
         "line 4: invalid UTF-8 in the value of 'sn' at column 2"},
        {"dn: cn=a\ncn: a\nsn: \xED\xA0\x80\n", "line 3: invalid UTF-8"},  // a surrogate
        {"dn: cn=a\ncn: a\nsn: \xC0\xAF\n", "line 3: invalid UTF-8"},      // overlong '/'
        {std::string("dn: cn=a\ncn: a\nsn: x\0y\n", 23),
         "line 3: NUL byte in the value of 'sn' at column 6"},
        {"dn: cn=a\ncn: a\nsn: x\ry\n",
         "line 3: carriage return byte in the value of 'sn' at column 6"},
        {"dn: cn=a\xFF\ncn: a\n", "line 1: invalid UTF-8 in the dn at column 9"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        Error e = parse_error(c.text);
        EXPECT_EQ(e.code, Errc::parse_error);
        EXPECT_THAT(e.message, StartsWith(c.message_prefix));
        // The same problem is on the same line with CR LF endings.
        Error crlf = parse_error(test::to_crlf(c.text));
        EXPECT_EQ(crlf.message.substr(0, crlf.message.find(':')),
                  e.message.substr(0, e.message.find(':')));
    }
}

TEST(LdifReaderErrors, LaterErrorAbortsAfterGoodEntries) {
    std::string text;
    for (int i = 0; i < 50; ++i)
        text += "dn: uid=u" + std::to_string(i) + "\nuid: u\n\n";
    text += "dn: uid=bad\nuid:: ***\n";  // lines 151 and 152
    Reader reader(text);
    size_t good = 0;
    for (;;) {
        auto r = reader.next();
        if (!r) {
            EXPECT_THAT(r.error().message, StartsWith("line 152: invalid base64"));
            break;
        }
        ASSERT_TRUE(*r) << "reached the end without the error";
        ++good;
    }
    EXPECT_EQ(good, 50u);
    EXPECT_FALSE(parse_all(text));
}

// ---- limits ----

TEST(LdifReaderLimits, LineLength) {
    Limits limits;
    limits.max_line_length = 20;
    EXPECT_EQ(parse_ok("dn: cn=a\ncn: 1234567890123456\n", limits).size(), 1u);  // 20 bytes
    Error e = parse_error("dn: cn=a\ncn: a\ncn: 123456789012345678\n", limits);
    EXPECT_EQ(e.code, Errc::limit_exceeded);
    EXPECT_EQ(e.message, "line 3: line is longer than 20 bytes");
    // The joined length counts: the third physical line crosses the limit.
    e = parse_error("dn: cn=a\ncn: 12345678\n 12345678\n 12345678\n", limits);
    EXPECT_EQ(e.code, Errc::limit_exceeded);
    EXPECT_EQ(e.message, "line 4: folded line starting at line 2 is longer than 20 bytes");
    // CR of CR LF is not part of the line.
    EXPECT_EQ(parse_ok("dn: cn=a\r\ncn: 1234567890123456\r\n", limits).size(), 1u);
}

TEST(LdifReaderLimits, AttributesPerEntry) {
    Limits limits;
    limits.max_attributes_per_entry = 3;
    EXPECT_EQ(parse_ok("dn: cn=a\ncn: 1\ncn: 2\ncn: 3\n", limits).size(), 1u);
    Error e = parse_error("dn: cn=a\ncn: 1\n\ndn: cn=b\ncn: 1\ncn: 2\n#\ncn: 3\ncn: 4\n", limits);
    EXPECT_EQ(e.code, Errc::limit_exceeded);
    EXPECT_EQ(e.message, "line 9: the entry starting at line 4 has more than 3 attributes");
}

TEST(LdifReaderLimits, EntryBytes) {
    Limits limits;
    limits.max_entry_bytes = 30;
    EXPECT_EQ(parse_ok("dn: cn=a\ncn: 1\ncn: 2\ncn: 3\n", limits).size(), 1u);  // 27 bytes
    Error e = parse_error("dn: cn=a\ncn: 1\ncn: 2\ncn: 3\ncn: 4\n", limits);
    EXPECT_EQ(e.code, Errc::limit_exceeded);
    EXPECT_EQ(e.message, "line 5: the entry starting at line 1 is longer than 30 bytes");
}

TEST(LdifReaderLimits, ValueBytes) {
    Limits limits;
    limits.max_value_bytes = 4;
    EXPECT_EQ(parse_ok("dn: a\ncn: 1234\nphoto:: MTIzNA==\n", limits).size(), 1u);
    Error e = parse_error("dn: a\ncn: 12345\n", limits);
    EXPECT_EQ(e.code, Errc::limit_exceeded);
    EXPECT_EQ(e.message, "line 2: the value of 'cn' is longer than 4 bytes");
    e = parse_error("dn: a\ncn: 1\nphoto:: MTIzNDU=\n", limits);
    EXPECT_EQ(e.code, Errc::limit_exceeded);
    EXPECT_EQ(e.message, "line 3: the value of 'photo' is longer than 4 bytes");
    e = parse_error("dn: abcde\ncn: 1\n", limits);
    EXPECT_EQ(e.message, "line 1: the dn is longer than 4 bytes");
}

TEST(LdifReaderLimits, Entries) {
    Limits limits;
    limits.max_entries = 2;
    EXPECT_EQ(parse_ok("dn: a\ncn: 1\n\ndn: b\ncn: 2\n", limits).size(), 2u);
    Error e = parse_error("dn: a\ncn: 1\n\ndn: b\ncn: 2\n\ndn: c\ncn: 3\n", limits);
    EXPECT_EQ(e.code, Errc::limit_exceeded);
    EXPECT_EQ(e.message, "line 7: more than 2 entries");
}

TEST(LdifReader, PeopleSampleFromTheGenerator) {
    std::string path = sb::test::source_path("tests/unit/ldif/people_sample.ldif");
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << path;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto entries = parse_ok(text);
    ASSERT_EQ(entries.size(), 22u);
    EXPECT_EQ(entries[0].dn, "dc=example,dc=com");
    EXPECT_EQ(entries[1].dn, "ou=people,dc=example,dc=com");
    size_t people = 0;
    for (const auto& e : entries) {
        if (e.first_value("objectClass") != "inetOrgPerson") continue;
        ++people;
        auto uid = e.first_value("uid");
        ASSERT_TRUE(uid);
        EXPECT_EQ(e.dn, "uid=" + std::string(*uid) + ",ou=people,dc=example,dc=com");
        EXPECT_EQ(e.first_value("mail"), std::string(*uid) + "@example.com");
        EXPECT_THAT(std::string(*e.first_value("userPassword")), StartsWith("{SSHA}"));
        EXPECT_EQ(e.first_value("cn"), std::string(*e.first_value("givenName")) + " " +
                                           std::string(*e.first_value("sn")));
    }
    EXPECT_EQ(people, 20u);
    // Base64 values decode to UTF-8 names.
    bool found = false;
    for (const auto& e : entries)
        if (e.first_value("sn") == "M\xC3\xBCller") found = true;
    EXPECT_TRUE(found);
}

}  // namespace
}  // namespace sb::ldif
