#include "dirsync/config.hpp"

#include <gtest/gtest.h>

namespace sb::dirsync {
namespace {

using Op = SettingChange::Op;

Result<Settings> apply(std::vector<SettingChange> changes, Settings s = {}) {
    auto r = apply_changes(s, changes);
    if (!r) return tl::unexpected(r.error());
    return s;
}

TEST(DirsyncConfig, DefaultsFollowTheGenericLdapValues) {
    auto c = parse_config({});
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_FALSE(c->enabled);
    EXPECT_EQ(c->transport, Transport::ldap);
    EXPECT_EQ(c->user_name_attribute, "uid");
    EXPECT_EQ(c->full_name_attribute, "displayName");
    EXPECT_EQ(c->email_attributes, std::vector<std::string>{"mail"});
    EXPECT_EQ(c->group_members_attribute, "member");
    EXPECT_FALSE(c->delete_out_of_scope);
    EXPECT_EQ(c->delete_threshold, 10);
    EXPECT_EQ(c->delete_grace_period_s, 7 * 86400);
    EXPECT_EQ(c->page_size, 1000);
    EXPECT_EQ(c->interval_s, 3600);
    EXPECT_FALSE(c->default_mobile_enabled.has_value());
    EXPECT_FALSE(c->reuse_account_of_deleted_user) << "a new identity does not take an account";
    EXPECT_EQ(c->login_check_interval_s, 300);
    EXPECT_EQ(c->login_offline_grace_s, 4 * 3600);
}

TEST(DirsyncConfig, LoginCheckKeysAndAccountReuse) {
    auto s = apply({{Op::set, "login_check_interval", "0"},
                    {Op::set, "login-offline-grace", "1d"},
                    {Op::set, "reuse_account_of_deleted_user", "TRUE"}});
    ASSERT_TRUE(s) << s.error().message;
    auto c = parse_config(*s);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->login_check_interval_s, 0) << "0: the directory is asked at every login";
    EXPECT_EQ(c->login_offline_grace_s, 86400);
    EXPECT_TRUE(c->reuse_account_of_deleted_user);
    auto bad = apply({{Op::set, "login_check_interval", "2d"}});
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("login_check_interval must be between 0 and 1d"),
              std::string::npos)
        << bad.error().message;
    EXPECT_FALSE(apply({{Op::set, "login_offline_grace", "31d"}}));
    EXPECT_FALSE(apply({{Op::set, "reuse_account_of_deleted_user", "maybe"}}));
}

TEST(DirsyncConfig, ActiveDirectoryPresetHasTheSampleValues) {
    auto s = apply({{Op::set, "preset", "active-directory"}});
    ASSERT_TRUE(s) << s.error().message;
    auto c = parse_config(*s);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->user_filter, "(&(objectCategory=User)(proxyAddresses=*))");
    EXPECT_EQ(c->user_name_attribute, "userPrincipalName");
    EXPECT_TRUE(c->local_part_only);
    EXPECT_EQ(c->email_attributes, std::vector<std::string>{"proxyAddresses"});
    EXPECT_EQ(c->group_filter, "(objectCategory=Group)");
    EXPECT_EQ(c->group_members_attribute, "member");
    EXPECT_TRUE(c->member_search_filter.empty());
}

TEST(DirsyncConfig, OpenLdapPresetResolvesMemberUidNames) {
    auto s = apply({{Op::set, "preset", "openldap"}});
    ASSERT_TRUE(s) << s.error().message;
    auto c = parse_config(*s);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->user_filter, "(objectClass=posixAccount)");
    EXPECT_EQ(c->group_members_attribute, "memberUid");
    EXPECT_NE(c->member_search_filter.find("{member}"), std::string::npos);
}

TEST(DirsyncConfig, SampleFiltersWithSpacesAreAcceptedAndNormalised) {
    // MailStore's OpenLDAP sample writes "(&(objectClass=posixAccount) (mail=*))".
    auto s = apply({{Op::set, "user_filter", "(&(objectClass=posixAccount) (mail=*))"},
                    {Op::set, "member_search_filter",
                     "(   (& (objectClass=posixAccount) (uid={member})) (& "
                     "(objectClass=posixGroup) (cn={member})) )"}});
    ASSERT_FALSE(s) << "the second filter has no operator after '(': it is not a filter";
    s = apply({{Op::set, "user_filter", "(&(objectClass=posixAccount) (mail=*))"},
               {Op::set, "member_search_filter",
                "( | (& (objectClass=posixAccount) (uid={member})) (& (objectClass=posixGroup) "
                "(cn={member})) )"}});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->at("user_filter"), "(&(objectClass=posixAccount)(mail=*))");
    EXPECT_EQ(
        s->at("member_search_filter"),
        "(|(&(objectClass=posixAccount)(uid={member}))(&(objectClass=posixGroup)(cn={member})))");
}

TEST(DirsyncConfig, ProtocolAcceptsMailStoresNames) {
    for (auto [given, want] : {std::pair{"LDAP", Transport::ldap},
                               {"LDAP-TLS", Transport::starttls},
                               {"LDAP-SSL", Transport::ldaps},
                               {"starttls", Transport::starttls},
                               {"ldaps", Transport::ldaps}}) {
        auto s = apply({{Op::set, "protocol", given}});
        ASSERT_TRUE(s) << given << ": " << s.error().message;
        EXPECT_EQ(parse_config(*s)->transport, want) << given;
    }
    auto bad = apply({{Op::set, "protocol", "ldapi"}});
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("protocol must be one of ldap,starttls,ldaps"),
              std::string::npos)
        << bad.error().message;
}

TEST(DirsyncConfig, ServerUriMustAgreeWithProtocol) {
    auto bad = apply({{Op::set, "server", "ldaps://dc1.example.com"}});
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("set protocol ldaps"), std::string::npos)
        << bad.error().message;
    auto ok = apply({{Op::set, "protocol", "ldaps"},
                     {Op::set, "server", "ldaps://dc1.example.com dc2.example.com:3269"}});
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(parse_config(*ok)->servers,
              (std::vector<std::string>{"ldaps://dc1.example.com", "dc2.example.com:3269"}));
}

TEST(DirsyncConfig, ListsAddAndRemoveValues) {
    auto s = apply({{Op::set, "email_attributes", "mail, proxyAddresses"}});
    ASSERT_TRUE(s);
    s = apply(
        {{Op::add, "email_attributes", "otherMailbox"}, {Op::remove, "email_attributes", "mail"}},
        *s);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(parse_config(*s)->email_attributes,
              (std::vector<std::string>{"proxyAddresses", "otherMailbox"}));
    auto missing = apply({{Op::remove, "email_attributes", "nosuch"}}, *s);
    ASSERT_FALSE(missing);
    // An empty list is kept as a value of its own: no e-mail attribute at all.
    s = apply({{Op::set, "email_attributes", ""}}, *s);
    ASSERT_TRUE(s);
    EXPECT_TRUE(parse_config(*s)->email_attributes.empty());
}

TEST(DirsyncConfig, GroupNamesKeepCommasAndSpaces) {
    auto s = apply({{Op::set, "group_filter", "(objectClass=groupOfNames)"},
                    {Op::set, "groups", "MailStore Users"},
                    {Op::add, "groups", "cn=Sales, Europe,ou=groups,dc=example,dc=com"}});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(parse_config(*s)->groups,
              (std::vector<std::string>{"MailStore Users",
                                        "cn=Sales, Europe,ou=groups,dc=example,dc=com"}));
}

TEST(DirsyncConfig, GroupsNeedAGroupFilter) {
    auto s = apply({{Op::set, "groups", "Staff"}});
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("group_filter"), std::string::npos);
}

TEST(DirsyncConfig, BadValuesNameTheKey) {
    struct Case {
        const char* key;
        const char* value;
        const char* expect;
    } cases[] = {
        {"user_filter", "(objectClass=person", "user_filter: invalid LDAP filter"},
        {"user_filter", "objectClass=person", "expected '('"},
        {"member_search_filter", "(uid=x)", "must contain {member}"},
        {"delete_threshold", "101", "between 0 and 100"},
        {"delete_threshold", "ten", "must be an integer"},
        {"page_size", "5000", "between 1 and 1000"},
        {"interval", "10s", "interval must be between"},
        {"interval", "soon", "not a duration"},
        {"local_part_only", "maybe", "TRUE or FALSE"},
        {"user_name_attribute", "user name", "not an attribute name"},
        {"base_dn", "example.com", "not a DN"},
        {"attribute_map", "=mobile", "ACCOUNT_ATTRIBUTE=DIRECTORY_ATTRIBUTE"},
        {"attribute_map", "nosuch=mobile", "not an account attribute"},
        {"attribute_map", "zimbraAccountStatus=mobile", "not an account attribute"},
        {"server", "ldapi:///var/run/slapd.sock", "not supported"},
        {"nosuchkey", "1", "unknown dirsync key 'nosuchkey'"},
    };
    for (const auto& c : cases) {
        auto s = apply({{Op::set, c.key, c.value}});
        ASSERT_FALSE(s) << c.key << " " << c.value;
        EXPECT_NE(s.error().message.find(c.expect), std::string::npos)
            << c.key << ": " << s.error().message;
    }
}

TEST(DirsyncConfig, AFailedChangeLeavesTheSettingsAsTheyWere) {
    Settings s = *apply({{Op::set, "server", "ldap.example.com"}});
    Settings before = s;
    auto r = apply_changes(s, {{Op::set, "bind_dn", "cn=admin"}, {Op::set, "page_size", "0"}});
    ASSERT_FALSE(r);
    EXPECT_EQ(s, before);
}

TEST(DirsyncConfig, SecretsAreNeverShown) {
    auto s = apply({{Op::set, "bind_password", " MySecretPassword "}});
    ASSERT_TRUE(s);
    EXPECT_EQ(parse_config(*s)->bind_password, " MySecretPassword ") << "kept exactly as given";
    EXPECT_EQ(shown_value(*s, *find_key("bind_password")), "(set)");
    EXPECT_EQ(shown_value(Settings{}, *find_key("bind_password")), "");
}

TEST(DirsyncConfig, KeyNamesAcceptDashesAndCase) {
    ASSERT_NE(find_key("User-Filter"), nullptr);
    EXPECT_EQ(find_key("User-Filter")->name, "user_filter");
    EXPECT_EQ(find_key("nope"), nullptr);
}

TEST(DirsyncConfig, RunnableNeedsServerAndRefusesAnEmptyBindPassword) {
    auto c = parse_config({});
    ASSERT_TRUE(c);
    auto r = check_runnable(*c, "example.com");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("dirsync set example.com server HOST"), std::string::npos);
    c->servers = {"ldap.example.com"};
    c->bind_dn = "cn=admin,dc=example,dc=com";
    r = check_runnable(*c, "example.com");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("anonymous bind"), std::string::npos) << r.error().message;
    c->bind_password = "x";
    EXPECT_TRUE(check_runnable(*c, "example.com"));
}

TEST(DirsyncConfig, Durations) {
    EXPECT_EQ(*parse_duration("90s"), 90);
    EXPECT_EQ(*parse_duration("15m"), 900);
    EXPECT_EQ(*parse_duration("2h"), 7200);
    EXPECT_EQ(*parse_duration("7d"), 7 * 86400);
    EXPECT_EQ(*parse_duration("1w"), 7 * 86400);
    EXPECT_EQ(*parse_duration("300"), 300);
    EXPECT_FALSE(parse_duration(""));
    EXPECT_FALSE(parse_duration("-5m"));
    EXPECT_FALSE(parse_duration("5x"));
    EXPECT_FALSE(parse_duration("99999999999999999999d"));
    EXPECT_EQ(format_duration(86400), "1d");
    EXPECT_EQ(format_duration(5400), "90m");
    EXPECT_EQ(format_duration(61), "61s");
}

TEST(DirsyncConfig, AttributeMapMustNameDirectoryAttributes) {
    auto s = apply({{Op::set, "attribute_map", "telephoneNumber=ipPhone,title=title"}});
    ASSERT_TRUE(s) << s.error().message;
    auto c = parse_config(*s);
    ASSERT_EQ(c->attribute_map.size(), 2u);
    EXPECT_EQ(c->attribute_map[0].local, "telephoneNumber");
    EXPECT_EQ(c->attribute_map[0].remote, "ipPhone");
}

}  // namespace
}  // namespace sb::dirsync
