#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "directory/ldif/entry.hpp"

namespace sb::ldif {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(LdifEntry, AttributeTypeDropsOptions) {
    EXPECT_EQ(attribute_type("cn"), "cn");
    EXPECT_EQ(attribute_type("cn;lang-en"), "cn");
    EXPECT_EQ(attribute_type("userCertificate;binary;x"), "userCertificate");
    EXPECT_EQ(attribute_type(""), "");
}

TEST(LdifEntry, IEquals) {
    EXPECT_TRUE(iequals("objectClass", "OBJECTCLASS"));
    EXPECT_TRUE(iequals("", ""));
    EXPECT_FALSE(iequals("cn", "cn "));
    EXPECT_FALSE(iequals("cn", "sn"));
    EXPECT_FALSE(iequals("\xC3\xBC", "\xC3\x9C"));  // ASCII only
}

TEST(LdifEntry, ValidDescriptions) {
    for (const char* ok :
         {"cn", "C", "x-custom-1", "cn;lang-en", "cn;lang-ja;phonetic", "userCertificate;binary",
          "2.5.4.3", "0", "1.2.840.113556.1.4.221", "2.5.4.3;x-1", "a-"})
        EXPECT_TRUE(valid_description(ok)) << ok;
    for (const char* bad : {"", "-cn", "1cn", "c n", "cn;", ";x", "cn;;x", "cn;la_ng", "2.5.", ".2",
                            "2..5", "2.5.a", "cn:", "c\xC3\xA9", "cn\t"})
        EXPECT_FALSE(valid_description(bad)) << bad;
}

TEST(LdifEntry, ReservedTypes) {
    EXPECT_TRUE(reserved_type("dn"));
    EXPECT_TRUE(reserved_type("DN"));
    EXPECT_TRUE(reserved_type("changeType"));
    EXPECT_TRUE(reserved_type("CONTROL"));
    EXPECT_FALSE(reserved_type("dnQualifier"));
    EXPECT_FALSE(reserved_type("version"));
    EXPECT_FALSE(reserved_type("cn"));
}

TEST(LdifEntry, MatchExactComparesTypeAndOptionSets) {
    EXPECT_TRUE(matches("CN", "cn"));
    EXPECT_FALSE(matches("cn;lang-en", "cn"));
    EXPECT_FALSE(matches("cn", "cn;lang-en"));
    EXPECT_TRUE(matches("cn;Lang-EN", "CN;lang-en"));
    EXPECT_TRUE(matches("cn;lang-ja;phonetic", "cn;phonetic;lang-ja"));
    EXPECT_FALSE(matches("cn;lang-ja;phonetic", "cn;lang-ja"));
    EXPECT_FALSE(matches("cn;lang-ja", "cn;lang-en"));
    EXPECT_FALSE(matches("sn", "cn"));
}

TEST(LdifEntry, MatchSubtypesFollowsRfc4512) {
    EXPECT_TRUE(matches("cn", "cn", Match::subtypes));
    EXPECT_TRUE(matches("cn;lang-en", "cn", Match::subtypes));
    EXPECT_TRUE(matches("cn;lang-ja;phonetic", "CN;LANG-JA", Match::subtypes));
    EXPECT_FALSE(matches("cn;lang-ja", "cn;lang-ja;phonetic", Match::subtypes));
    EXPECT_FALSE(matches("cn", "cn;lang-en", Match::subtypes));
    EXPECT_FALSE(matches("sn;lang-en", "cn", Match::subtypes));
}

TEST(LdifEntry, Lookups) {
    Entry e{"uid=a,dc=example",
            3,
            {{"objectClass", "top", 4},
             {"cn;lang-de", "Anna", 5},
             {"CN", "Ann", 6},
             {"objectclass", "inetOrgPerson", 7},
             {"mail", "", 8}}};
    const Attribute* cn = e.find("cn");
    ASSERT_NE(cn, nullptr);
    EXPECT_EQ(cn->line, 6u);
    EXPECT_EQ(e.first_value("cn"), "Ann");
    EXPECT_EQ(e.first_value("cn", Match::subtypes), "Anna");
    EXPECT_EQ(e.first_value("mail"), "");
    EXPECT_EQ(e.first_value("sn"), std::nullopt);
    EXPECT_EQ(e.find("sn"), nullptr);
    EXPECT_THAT(e.values("OBJECTCLASS"), ElementsAre("top", "inetOrgPerson"));
    EXPECT_THAT(e.values("cn", Match::subtypes), ElementsAre("Anna", "Ann"));
    EXPECT_THAT(e.values("cn;lang-de"), ElementsAre("Anna"));
    EXPECT_THAT(e.values("givenName"), IsEmpty());
}

TEST(LdifEntry, EqualityIgnoresLineNumbers) {
    Entry a{"cn=x", 1, {{"cn", "x", 2}}};
    Entry b{"cn=x", 10, {{"cn", "x", 11}}};
    EXPECT_EQ(a, b);
    b.attributes[0].name = "CN";  // names compare as bytes: round trips keep them as written
    EXPECT_NE(a, b);
    b = a;
    b.dn = "cn=y";
    EXPECT_NE(a, b);
    b = a;
    b.attributes.push_back({"sn", "y"});
    EXPECT_NE(a, b);
}

}  // namespace
}  // namespace sb::ldif
