#include "dirsync/mapping.hpp"

#include <gtest/gtest.h>

namespace sb::dirsync {
namespace {

Entry entry(std::string dn, std::vector<std::pair<std::string, std::vector<std::string>>> attrs) {
    return Entry{std::move(dn), std::move(attrs)};
}

Mapping openldap() {
    SyncConfig c = *parse_config({});
    return mapping_for(c, "example.com", false);
}

Mapping active_directory() {
    Settings s = *preset("active-directory");
    SyncConfig c = *parse_config(s);
    return mapping_for(c, "example.com", true);
}

std::string guid_raw() {
    // GUID f81d4fae-7dec-11d0-a765-00a0c91e6bf6 as objectGUID stores it (MS-DTYP 2.3.4.2).
    const unsigned char b[] = {0xae, 0x4f, 0x1d, 0xf8, 0xec, 0x7d, 0xd0, 0x11,
                               0xa7, 0x65, 0x00, 0xa0, 0xc9, 0x1e, 0x6b, 0xf6};
    return std::string(reinterpret_cast<const char*>(b), 16);
}

TEST(DirsyncMapping, ProxyAddressesPrimaryIsUpperCaseSmtp) {
    auto v = parse_email_values({"smtp:jd@example.com", "X500:/o=Org/ou=Exchange/cn=jdoe",
                                 "SMTP:John.Doe@Example.com", "sip:jdoe@example.com",
                                 "smtp:john@example.org", "x400:c=US;a= ;p=Org;"});
    ASSERT_TRUE(v.primary);
    EXPECT_EQ(*v.primary, "john.doe@example.com");
    EXPECT_EQ(v.others, (std::vector<std::string>{"jd@example.com", "john@example.org"}));
}

TEST(DirsyncMapping, PlainMailValuesFirstIsPrimary) {
    auto v = parse_email_values({"  a@example.com ", "b@example.com", ""});
    EXPECT_EQ(*v.primary, "a@example.com");
    EXPECT_EQ(v.others, std::vector<std::string>{"b@example.com"});
    EXPECT_FALSE(parse_email_values({"X500:/o=x", "sip:a@b.c"}).primary);
}

TEST(DirsyncMapping, OpenLdapUidBecomesAnAddressInTheDomain) {
    auto u = map_user(entry("uid=jdoe,ou=people,dc=example,dc=com",
                            {{"entryUUID", {"2AEC0C0C-7D3F-1041-84A3-6B0B340507EC"}},
                             {"uid", {"JDoe"}},
                             {"displayName", {"John Doe"}},
                             {"mail", {"john.doe@example.com", "jd@example.net"}},
                             {"telephoneNumber", {"+39 02 1234", "+39 02 9999"}},
                             {"department", {"Sales"}},
                             {"modifyTimestamp", {"20261125171241Z"}}}),
                      openldap());
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_EQ(u->external_id, "2aec0c0c-7d3f-1041-84a3-6b0b340507ec");
    EXPECT_EQ(u->address, "jdoe@example.com");
    EXPECT_EQ(u->aliases, (std::vector<std::string>{"john.doe@example.com", "jd@example.net"}));
    EXPECT_EQ(u->display_name, "John Doe");
    EXPECT_FALSE(u->disabled);
    EXPECT_EQ(u->modify_timestamp, "20261125171241Z");
    auto has = [&](const std::string& k, const std::string& v) {
        for (auto& [a, b] : u->attrs)
            if (a == k) return b == v;
        return false;
    };
    EXPECT_TRUE(has("displayName", "John Doe"));
    EXPECT_TRUE(has("cn", "John Doe"));
    EXPECT_TRUE(has("telephoneNumber", "+39 02 1234")) << "first value of a multi-valued attribute";
    EXPECT_TRUE(has("ou", "Sales")) << "department maps to ou by default";
}

TEST(DirsyncMapping, ActiveDirectoryUpnWithLocalPartOnly) {
    auto u = map_user(entry("CN=John Doe,OU=Staff,DC=corp,DC=local",
                            {{"objectGUID", {guid_raw()}},
                             {"userPrincipalName", {"jdoe@corp.local"}},
                             {"displayName", {"John Doe"}},
                             {"proxyAddresses",
                              {"smtp:jd@example.com", "SMTP:john.doe@example.com", "X500:/o=x"}},
                             {"userAccountControl", {"514"}}}),
                      active_directory());
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_EQ(u->external_id, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
    EXPECT_EQ(u->address, "jdoe@example.com");
    EXPECT_EQ(u->aliases, (std::vector<std::string>{"john.doe@example.com", "jd@example.com"}));
    EXPECT_TRUE(u->disabled) << "514 = NORMAL_ACCOUNT | ACCOUNTDISABLE";
}

Result<RemoteUser> with_uac(std::vector<std::string> values) {
    std::vector<std::pair<std::string, std::vector<std::string>>> attrs = {
        {"objectGUID", {guid_raw()}}, {"userPrincipalName", {"jdoe@example.com"}}};
    if (!values.empty()) attrs.emplace_back("userAccountControl", std::move(values));
    return map_user(entry("CN=John Doe,OU=Staff,DC=corp,DC=local", std::move(attrs)),
                    active_directory());
}

TEST(DirsyncMapping, UserAccountControlBitTwoDisablesWhateverTheOtherFlags) {
    struct Case {
        const char* value;
        bool disabled;
        const char* why;
    };
    for (const Case& c : {
             Case{"512", false, "NORMAL_ACCOUNT"},
             Case{"514", true, "NORMAL_ACCOUNT | ACCOUNTDISABLE"},
             Case{"66048", false, "NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD"},
             Case{"66050", true, "NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD | ACCOUNTDISABLE"},
             Case{"546", true, "NORMAL_ACCOUNT | PASSWD_NOTREQD | ACCOUNTDISABLE"},
             Case{"544", false, "NORMAL_ACCOUNT | PASSWD_NOTREQD"},
             Case{"4260352", false, "NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD | DONT_REQ_PREAUTH"},
             Case{"2", true, "ACCOUNTDISABLE alone"},
             Case{" 514 ", true, "spaces around the number"},
             Case{"-2147483646", true, "bit 31 and ACCOUNTDISABLE, shown as a negative number"},
             Case{"-2147483136", false, "bit 31 and NORMAL_ACCOUNT, shown as a negative number"},
             Case{"4294967295", true, "every bit"},
         }) {
        auto u = with_uac({c.value});
        ASSERT_TRUE(u) << c.value << ": " << u.error().message;
        EXPECT_EQ(u->disabled, c.disabled) << c.value << " = " << c.why;
    }
    auto absent = with_uac({});
    ASSERT_TRUE(absent);
    EXPECT_FALSE(absent->disabled) << "no userAccountControl (OpenLDAP): enabled";
}

TEST(DirsyncMapping, UserAccountControlThatIsNotANumberIsAnEntryError) {
    // Guessing "enabled" could unlock an account the directory means to keep disabled.
    for (const char* bad : {"disabled", "514abc", "0x202", "5.14", "4294967296", "-2147483649",
                            "99999999999999999999999"}) {
        auto u = with_uac({bad});
        ASSERT_FALSE(u) << bad << " was accepted";
        EXPECT_NE(u.error().message.find("CN=John Doe,OU=Staff,DC=corp,DC=local"),
                  std::string::npos)
            << u.error().message;
        EXPECT_NE(u.error().message.find("userAccountControl"), std::string::npos)
            << u.error().message;
        EXPECT_NE(u.error().message.find(bad), std::string::npos) << u.error().message;
    }
    auto control =
        with_uac({std::string("51\x01"
                              "4")});
    ASSERT_FALSE(control);
    EXPECT_EQ(control.error().message.find('\x01'), std::string::npos)
        << "control characters are not echoed";
}

TEST(DirsyncMapping, UpnOfAnotherDomainWithoutLocalPartOnlyIsAnError) {
    Mapping m = active_directory();
    m.local_part_only = false;
    auto u = map_user(entry("CN=x,DC=corp", {{"objectGUID", {guid_raw()}},
                                             {"userPrincipalName", {"jdoe@corp.local"}}}),
                      m);
    ASSERT_FALSE(u);
    EXPECT_NE(u.error().message.find("CN=x,DC=corp"), std::string::npos);
    EXPECT_NE(u.error().message.find("set local_part_only TRUE"), std::string::npos)
        << u.error().message;
}

TEST(DirsyncMapping, PrimaryAddressFromEmail) {
    Mapping m = active_directory();
    m.primary_address = PrimaryAddress::email;
    auto u = map_user(entry("CN=x", {{"objectGUID", {guid_raw()}},
                                     {"userPrincipalName", {"jdoe@corp.local"}},
                                     {"proxyAddresses", {"SMTP:john.doe@example.com"}}}),
                      m);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->address, "john.doe@example.com");
    EXPECT_EQ(u->aliases, std::vector<std::string>{"jdoe@example.com"})
        << "the user name still logs in";
    EXPECT_EQ(u->derived_alias, "jdoe@example.com")
        << "marked as made from the user name: an e-mail address of another user beats it";
    // The entry's own e-mail attributes name it too: an address, not only a user name.
    auto own = map_user(
        entry("CN=x", {{"objectGUID", {guid_raw()}},
                       {"userPrincipalName", {"jdoe@corp.local"}},
                       {"proxyAddresses", {"SMTP:john.doe@example.com", "smtp:JDoe@example.com"}}}),
        m);
    ASSERT_TRUE(own);
    EXPECT_EQ(own->aliases, std::vector<std::string>{"jdoe@example.com"});
    EXPECT_EQ(own->derived_alias, "");
    // A primary e-mail address outside the domain does not become the account name.
    auto v = map_user(entry("CN=y", {{"objectGUID", {guid_raw()}},
                                     {"userPrincipalName", {"ann@corp.local"}},
                                     {"proxyAddresses", {"SMTP:ann@other.org"}}}),
                      m);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->address, "ann@example.com");
}

TEST(DirsyncMapping, MissingAttributesAreNamed) {
    auto no_name = map_user(entry("uid=x,dc=example,dc=com", {{"entryUUID", {"abc"}}}), openldap());
    ASSERT_FALSE(no_name);
    EXPECT_NE(no_name.error().message.find("entry uid=x,dc=example,dc=com: has no uid"),
              std::string::npos)
        << no_name.error().message;
    auto no_id = map_user(entry("uid=x,dc=example,dc=com", {{"uid", {"x"}}}), openldap());
    ASSERT_FALSE(no_id);
    EXPECT_NE(no_id.error().message.find("has no entryUUID"), std::string::npos)
        << no_id.error().message;
    auto bad = map_user(entry("uid=x", {{"entryUUID", {"abc"}}, {"uid", {"a b"}}}), openldap());
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("does not make an address"), std::string::npos)
        << bad.error().message;
}

TEST(DirsyncMapping, FullNameFallsBackToCn) {
    auto u = map_user(entry("uid=x", {{"entryUUID", {"1"}}, {"uid", {"x"}}, {"cn", {"Xavier"}}}),
                      openldap());
    ASSERT_TRUE(u);
    EXPECT_EQ(u->display_name, "Xavier");
}

TEST(DirsyncMapping, UserAttributesIncludeOperationalOnes) {
    auto attrs = user_attributes(openldap(), "modifyTimestamp");
    for (const char* a : {"entryUUID", "uid", "displayName", "mail", "userAccountControl",
                          "modifyTimestamp", "department"})
        EXPECT_NE(std::find(attrs.begin(), attrs.end(), a), attrs.end()) << a;
}

TEST(DirsyncMapping, RangeRetrievalDescriptions) {
    auto r = parse_range("member;range=0-1499");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->attribute, "member");
    EXPECT_EQ(r->low, 0u);
    ASSERT_TRUE(r->high);
    EXPECT_EQ(*r->high, 1499u);
    auto last = parse_range("Member;Range=1500-*");
    ASSERT_TRUE(last);
    EXPECT_EQ(last->attribute, "Member");
    EXPECT_EQ(last->low, 1500u);
    EXPECT_FALSE(last->high);
    auto opts = parse_range("member;binary;range=10-20");
    ASSERT_TRUE(opts);
    EXPECT_EQ(opts->attribute, "member;binary");
    for (const char* bad : {"member", "member;range=", "member;range=5", "member;range=a-b",
                            "member;range=9-3", "member;range=-5", "member;range=1-"})
        EXPECT_FALSE(parse_range(bad)) << bad;
    EXPECT_EQ(range_request("member", 1500), "member;range=1500-*");
}

TEST(DirsyncMapping, GuidTextRoundTrip) {
    EXPECT_EQ(guid_text(guid_raw()), "f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
    auto back = guid_bytes("{F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6}");
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, guid_raw());
    EXPECT_FALSE(guid_bytes("not-a-guid"));
    EXPECT_EQ(guid_text("\x01\x02"), "0102");
}

TEST(DirsyncMapping, GeneralizedTime) {
    EXPECT_EQ(*parse_generalized_time("19700101000000Z"), 0);
    EXPECT_EQ(*parse_generalized_time("20261125171241Z"), 1795626761);
    EXPECT_EQ(*parse_generalized_time("20261125171241.0Z"), 1795626761);
    EXPECT_FALSE(parse_generalized_time("2026112517124Z"));
    EXPECT_FALSE(parse_generalized_time("20261325171241Z"));
    EXPECT_FALSE(parse_generalized_time(""));
    EXPECT_EQ(format_generalized_time(1795626761, false), "20261125171241Z");
    EXPECT_EQ(format_generalized_time(1795626761, true), "20261125171241.0Z");
}

TEST(DirsyncMapping, DnKeysIgnoreCaseAndSpacing) {
    EXPECT_EQ(dn_key("CN=John Doe, OU=Staff ,DC=Example,DC=com"),
              "cn=john doe,ou=staff,dc=example,dc=com");
    EXPECT_EQ(dn_key("uid = a + cn=b,dc=x"), "uid=a+cn=b,dc=x");
    EXPECT_EQ(dn_key("cn=Smith\\, John,dc=x"), "cn=smith\\, john,dc=x");
}

}  // namespace
}  // namespace sb::dirsync
