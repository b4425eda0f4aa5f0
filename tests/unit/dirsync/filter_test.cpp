#include "dirsync/filter_text.hpp"

#include <gtest/gtest.h>

#include <random>

namespace sb::dirsync {
namespace {

TEST(DirsyncFilter, AcceptsRfc4515Examples) {
    // RFC 4515 section 4.
    for (const char* f : {"(cn=Babs Jensen)",
                          "(!(cn=Tim Howes))",
                          "(&(objectClass=Person)(|(sn=Jensen)(cn=Babs J*)))",
                          "(o=univ*of*mich*)",
                          "(seeAlso=)",
                          "(cn:caseExactMatch:=Fred Flintstone)",
                          "(cn:=Betty Rubble)",
                          "(sn:dn:2.4.6.8.10:=Barney Rubble)",
                          "(o:dn:=Ace Industry)",
                          "(:1.2.3:=Wilma Flintstone)",
                          "(:DN:2.4.6.8.10:=Dino)",
                          "(o=Parens R Us \\28for all your parenthetical needs\\29)",
                          "(cn=*\\2A*)",
                          "(filename=C:\\5cMyFile)",
                          "(bin=\\00\\00\\00\\04)",
                          "(sn=Lu\\c4\\8di\\c4\\87)",
                          "(1.3.6.1.4.1.1466.0=\\04\\02\\48\\69)",
                          "(&)",
                          "(|)",
                          "(memberOf:1.2.840.113556.1.4.1941:=cn=Staff,dc=example,dc=com)",
                          "(cn;lang-en=x)",
                          "(modifyTimestamp>=20240101000000Z)",
                          "(uid<=m)",
                          "(cn~=jon)"}) {
        auto r = normalize_filter(f);
        ASSERT_TRUE(r) << f << ": " << r.error().message;
        EXPECT_EQ(*r, f);
    }
}

TEST(DirsyncFilter, RemovesSpacesBetweenComponentsButNotInValues) {
    EXPECT_EQ(*normalize_filter("  (&(objectClass=posixAccount) (mail=*))  "),
              "(&(objectClass=posixAccount)(mail=*))");
    EXPECT_EQ(*normalize_filter("( & ( cn=MailStore Users ) )"), "(&(cn=MailStore Users ))");
    EXPECT_EQ(*normalize_filter("(! (uid=a))"), "(!(uid=a))");
}

TEST(DirsyncFilter, RejectsBrokenFiltersWithThePosition) {
    struct Case {
        const char* filter;
        const char* expect;
    } cases[] = {
        {"", "empty"},
        {"cn=x", "position 1: expected '('"},
        {"(cn=x", "missing ')'"},
        {"(cn=x))", "unexpected text after the filter"},
        {"(=x)", "expected an attribute name"},
        {"(cn)", "expected '='"},
        {"(cn=a(b)", "'(' inside a value"},
        {"(cn=a\\4)", "two hex digits"},
        {"(cn=a\\zz)", "two hex digits"},
        {"(cn>=a*)", "'*' is only allowed with '='"},
        {"(cn=a**b)", "two '*' in a row"},
        {"(!(a=b)(c=d))", "expected ')'"},
        {"(cn:1.2.:=x)", "cannot end with '.'"},
        {"(:=x)", "needs an attribute or a matching rule"},
        {"(cn;=x)", "attribute option"},
        {"(&(a=b)x)", "expected ')'"},
    };
    for (const auto& c : cases) {
        auto r = normalize_filter(c.filter);
        ASSERT_FALSE(r) << c.filter;
        EXPECT_NE(r.error().message.find(c.expect), std::string::npos)
            << c.filter << ": " << r.error().message;
        EXPECT_EQ(r.error().code, Errc::invalid_argument);
    }
}

TEST(DirsyncFilter, DeepNestingIsRefusedNotRecursedForever) {
    std::string f;
    for (int i = 0; i < 200; ++i)
        f += "(!";
    f += "(a=b)";
    for (int i = 0; i < 200; ++i)
        f += ")";
    auto r = normalize_filter(f);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("nested too deeply"), std::string::npos);
}

TEST(DirsyncFilter, EscapesValues) {
    EXPECT_EQ(escape_filter_value("a*b(c)d\\e"), "a\\2ab\\28c\\29d\\5ce");
    EXPECT_EQ(escape_filter_value(std::string("x\0y", 3)), "x\\00y");
    EXPECT_EQ(escape_filter_value("Müller"), "Müller") << "UTF-8 stays as it is";
    EXPECT_EQ(escape_filter_bytes(std::string("\x01\xff", 2)), "\\01\\ff");
}

TEST(DirsyncFilter, SubstitutesMembersSafely) {
    const std::string f =
        "(|(&(objectClass=posixAccount)(uid={member}))(&(objectClass=posixGroup)(cn={member})))";
    EXPECT_EQ(substitute_member(f, "jdoe"),
              "(|(&(objectClass=posixAccount)(uid=jdoe))(&(objectClass=posixGroup)(cn=jdoe)))");
    // A hostile member value cannot widen the search.
    auto injected = substitute_member("(uid={member})", "*)(uid=*");
    EXPECT_EQ(injected, "(uid=\\2a\\29\\28uid=\\2a)");
    EXPECT_TRUE(normalize_filter(injected));
}

TEST(DirsyncFilter, AttributeNames) {
    for (const char* ok :
         {"mail", "proxyAddresses", "1.2.840.113556.1.4.221", "cn;lang-en", "cn;binary", "x-1"})
        EXPECT_TRUE(valid_attribute(ok)) << ok;
    // AD range options (member;range=0-1499) are answers, never configured names.
    for (const char* bad :
         {"", "1mail", "ma il", "mail;", "1.2.", "-x", "a=b", "member;range=0-1499"})
        EXPECT_FALSE(valid_attribute(bad)) << bad;
}

TEST(DirsyncFilter, RandomInputNeverCrashes) {
    std::mt19937 rng(4515);
    const std::string alphabet = "()&|!=*<>~:\\ab01 .;{}";
    for (int i = 0; i < 20000; ++i) {
        std::string s;
        size_t n = rng() % 40;
        for (size_t j = 0; j < n; ++j)
            s += alphabet[rng() % alphabet.size()];
        auto r = normalize_filter(s);
        if (r) {
            // Canonical output is a fixed point.
            auto again = normalize_filter(*r);
            ASSERT_TRUE(again) << s;
            EXPECT_EQ(*again, *r) << s;
        }
    }
}

}  // namespace
}  // namespace sb::dirsync
