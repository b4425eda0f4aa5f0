// Folding (RFC 4518 simplified), DN parsing (RFC 4514) and entries.
#include <gtest/gtest.h>

#include "core/utc_time.hpp"
#include "ldap/addressbook/dn.hpp"
#include "ldap/addressbook/entry.hpp"
#include "ldap/addressbook/fold.hpp"
#include "ldap/addressbook/person.hpp"
#include "ldap/addressbook/schema.hpp"

namespace sb::addressbook {
namespace {

TEST(Fold, CaseAndInsignificantSpace) {
    EXPECT_EQ(fold("  Ada   LOVELACE "), "ada lovelace");
    EXPECT_EQ(fold("Ada\tLovelace"), "ada lovelace");
    EXPECT_EQ(fold(""), "");
    EXPECT_EQ(fold("   "), "");
}

TEST(Fold, LatinGreekCyrillic) {
    EXPECT_EQ(fold("SØREN ÅSA ZOË JÜRGEN FRANÇOIS"), "søren åsa zoë jürgen françois");
    EXPECT_EQ(fold("ŁUKASZ ŽOFIE ČAPEK"), "łukasz žofie čapek");
    EXPECT_EQ(fold("ΣΩΚΡΆΤΗΣ"), "σωκράτησ");  // final sigma folds to sigma
    EXPECT_EQ(fold("ΑΝΝΑ"), fold("αννα"));
    EXPECT_EQ(fold("ИВАН ЁЛКИН"), "иван ёлкин");
    EXPECT_EQ(fold("Nguyễn ĐỨC"), fold("NGUYỄN đức"));
}

TEST(Fold, InvalidUtf8IsKept) {
    const std::string bad =
        "A\xff"
        "B";
    EXPECT_EQ(fold(bad),
              "a\xff"
              "b");
}

TEST(Fold, Telephone) {
    std::string a, b;
    fold_telephone_append("+39 02-1234 567", a);
    fold_telephone_append("+39021234567", b);
    EXPECT_EQ(a, b);
}

TEST(Fold, ApproxKey) {
    EXPECT_EQ(approx_key("Jean-Pierre"), approx_key("jean pierre"));
    EXPECT_NE(approx_key("Jean"), approx_key("Joan"));
}

TEST(Schema, NamesAliasesAndOids) {
    ASSERT_NE(find_attr("CN"), nullptr);
    EXPECT_EQ(find_attr("commonName")->id, Attr::cn);
    EXPECT_EQ(find_attr("2.5.4.3")->id, Attr::cn);
    EXPECT_EQ(find_attr("surname")->id, Attr::sn);
    EXPECT_EQ(find_attr("company")->id, Attr::o);
    EXPECT_EQ(find_attr("display-name")->id, Attr::display_name);
    EXPECT_EQ(find_attr("department")->id, Attr::department);
    EXPECT_EQ(find_attr("comment")->id, Attr::info);
    EXPECT_EQ(find_attr("nosuchattribute"), nullptr);
    EXPECT_EQ(find_attr("cn;lang-de"), nullptr);
    EXPECT_EQ(find_attr("userCertificate;binary"), nullptr);
    EXPECT_EQ(find_attr(""), nullptr);
}

TEST(Schema, IndexedAttributesAgreeWithTheTable) {
    for (size_t i = 0; i < kAttrCount; ++i) {
        const Attr a = static_cast<Attr>(i);
        EXPECT_EQ(is_indexed(a), attr_info(a).indexed) << attr_info(a).name;
    }
}

TEST(Dn, ParsesRfc4514) {
    auto d = parse_dn("uid=ada@example.com,ou=InternalGAL/example.com,o=switchboard");
    ASSERT_TRUE(d) << d.error().message;
    ASSERT_EQ(d->size(), 3u);
    EXPECT_EQ((*d)[0][0].type, "uid");
    EXPECT_EQ((*d)[0][0].value, "ada@example.com");
    EXPECT_EQ((*d)[1][0].value, "InternalGAL/example.com");
    EXPECT_EQ((*d)[2][0].type, "o");
}

TEST(Dn, EscapesHexPairsQuotesAndSpaces) {
    auto d = parse_dn(R"(cn=Lovelace\, Ada , ou = a\2Cb ; o="x, y" )");
    ASSERT_TRUE(d) << d.error().message;
    ASSERT_EQ(d->size(), 3u);
    EXPECT_EQ((*d)[0][0].value, "Lovelace, Ada");
    EXPECT_EQ((*d)[1][0].value, "a,b");
    EXPECT_EQ((*d)[2][0].value, "x, y");
    auto multi = parse_dn("cn=a+sn=b,o=x");
    ASSERT_TRUE(multi);
    EXPECT_EQ((*multi)[0].size(), 2u);
    auto hex = parse_dn("cn=#04024869,o=x");  // BER OCTET STRING "Hi"
    ASSERT_TRUE(hex);
    EXPECT_EQ((*hex)[0][0].value, "Hi");
    auto oid = parse_dn("2.5.4.3=Ada,OID.2.5.4.10=x");
    ASSERT_TRUE(oid);
    EXPECT_EQ((*oid)[1][0].type, "2.5.4.10");
    EXPECT_TRUE(parse_dn("")->empty());
}

TEST(Dn, RejectsMalformed) {
    for (std::string_view bad :
         {"cn", "=x", "cn=a,", "cn=a\\", "cn=a\\zz", "cn=a=b", "1.=x", "cn=\"open", "cn=#0",
          "cn=a,,o=b", "-cn=a", "OID..41..40=x", "2..5=x", "2.5.=x", "02.5=x", "2.05=x", "OID.=x",
          "OID.2=x", "7=x"}) {
        auto d = parse_dn(bad);
        EXPECT_FALSE(d) << bad;
        if (!d) {
            EXPECT_EQ(d.error().code, Errc::parse_error) << bad;
        }
    }
    std::string deep;
    for (int i = 0; i < 100; ++i)
        deep += "ou=x,";
    deep += "o=y";
    EXPECT_EQ(parse_dn(deep).error().code, Errc::limit_exceeded);
    EXPECT_EQ(parse_dn(std::string(5000, 'a')).error().code, Errc::limit_exceeded);
}

TEST(Dn, EscapeRoundTrip) {
    for (const std::string& v :
         std::vector<std::string>{"plain", " leading", "trailing ", "#hash", "a,b+c\"d\\e<f>g;h=i",
                                  std::string("nul\0x", 5)}) {
        auto d = parse_dn("cn=" + escape_dn_value(v) + ",o=x");
        ASSERT_TRUE(d) << v;
        EXPECT_EQ((*d)[0][0].value, v);
    }
    EXPECT_TRUE(rdn_is(parse_dn("CommonName=ADA")->front(), Attr::cn, "ada"));
    EXPECT_FALSE(rdn_is(parse_dn("sn=ada")->front(), Attr::cn, "ada"));
}

TEST(Entry, ValuesFoldedFormsAndRdn) {
    EntryBuilder b;
    b.key(42).rdn(Attr::uid, "Ada@Example.com");
    b.add(Attr::cn, "Ada  Lovelace")
        .add(Attr::mail, "ada@example.com")
        .add(Attr::mail, "ADA@x.org");
    b.add(Attr::mail, "ada@example.com");  // duplicate dropped
    b.add(Attr::title, "");                // empty dropped
    auto e = b.build();
    EXPECT_EQ(e->key(), 42);
    EXPECT_EQ(e->rdn(), "uid=Ada@Example.com");
    EXPECT_EQ(e->rdn_key(), "ada@example.com");
    EXPECT_EQ(e->values(Attr::mail).size(), 2u);
    EXPECT_EQ(e->folded(Attr::mail).size(), 2u);
    EXPECT_EQ(e->folded(Attr::cn).front(), "ada lovelace");
    EXPECT_EQ(e->values(Attr::cn).front(), "Ada  Lovelace");
    EXPECT_FALSE(e->has(Attr::title));
    EXPECT_TRUE(e->folded(Attr::uid).empty());  // uid is not an indexed name
    EXPECT_EQ(e->sort_key(Attr::mail), "ada@example.com");
}

TEST(Person, AccountEntryCarriesMailAliasesAndNames) {
    AccountRecord a;
    a.id = 7;
    a.uuid = "00000000-0000-4000-8000-000000000007";
    a.address = "ada@example.com";
    a.aliases = {"countess@example.com"};
    a.attrs["givenName"] = {"Ada"};
    a.attrs["sn"] = {"Lovelace"};
    a.attrs["ou"] = {"Research"};
    a.attrs["company"] = {"Analytical Engines"};
    auto e = entry_from_account(a);
    EXPECT_EQ(e->rdn(), "uid=ada@example.com");
    EXPECT_EQ(e->values(Attr::cn).front(), "Ada Lovelace");
    EXPECT_EQ(e->values(Attr::display_name).front(), "Ada Lovelace");
    ASSERT_EQ(e->values(Attr::mail).size(), 2u);
    EXPECT_EQ(e->values(Attr::mail).front(), "ada@example.com");
    EXPECT_EQ(e->values(Attr::department).front(), "Research");
    EXPECT_EQ(e->values(Attr::o).front(), "Analytical Engines");
    EXPECT_EQ(e->values(Attr::entry_uuid).front(), a.uuid);
    EXPECT_EQ(e->values(Attr::object_class).size(), 4u);
}

TEST(Person, ContactEntryMapsFields) {
    mailbox::Contact c;
    c.id = 300;
    c.fields = {{"firstName", "Grace"}, {"lastName", "Hopper"},         {"email", "grace@navy.mil"},
                {"email2", "g@h.org"},  {"mobilePhone", "+1 555 0100"}, {"workCity", "Arlington"},
                {"workCountry", "US"},  {"company", "US Navy"},         {"notes", "COBOL"}};
    auto e = entry_from_contact(c);
    EXPECT_EQ(e->rdn(), "uid=300");
    EXPECT_EQ(e->values(Attr::cn).front(), "Grace Hopper");
    EXPECT_EQ(e->values(Attr::mail).size(), 2u);
    EXPECT_EQ(e->values(Attr::mobile).front(), "+1 555 0100");
    EXPECT_EQ(e->values(Attr::l).front(), "Arlington");
    EXPECT_EQ(e->values(Attr::c).front(), "US");
    EXPECT_EQ(e->values(Attr::co).front(), "US");
    EXPECT_EQ(e->values(Attr::info).front(), "COBOL");
    EXPECT_EQ(e->values(Attr::postal_address).front(), "Arlington$US");
}

TEST(Person, GeneralizedTime) {
    EXPECT_EQ(generalized_time(0), "19700101000000Z");
    EXPECT_EQ(generalized_time(1700000000123 / 1000), "20231114221320Z");
}

}  // namespace
}  // namespace sb::addressbook
