#include <gtest/gtest.h>

#include "config/config.hpp"

using sb::config::load_string;

TEST(Config, DefaultsAreComplete) {
    auto c = sb::config::defaults("/srv");
    EXPECT_EQ(c.data_dir, "/srv/data");
    EXPECT_EQ(c.admin_socket, "/srv/data/admin.sock");
    EXPECT_EQ(c.store.backend, "sqlite");
    EXPECT_EQ(c.store.path, "/srv/data/switchboard.db");
    EXPECT_EQ(c.ldap.ldaps.port, 8636);
    EXPECT_EQ(c.ldap.ldap.port, 8389);
    EXPECT_EQ(c.eas.https.port, 8443);
    EXPECT_FALSE(c.ldap.allow_cleartext_bind);
}

TEST(Config, ReadsEveryKnownKey) {
    auto c = load_string(R"(
data_dir = "var"
log_level = "debug"
[admin]
socket = "/run/sb.sock"
[store]
backend = "sqlite"
path = "db/x.db"
[tls]
cert = "certs/a.pem"
key = "certs/a.key"
hostnames = ["mail.example.com", "mx.example.com"]
[ldap]
ldaps = "127.0.0.1:1636"
ldap = "off"
allow_cleartext_bind = true
max_size_limit = 500
[eas]
https = "[::1]:9443"
)",
                         "t.toml", "/etc/sb");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->data_dir, "/etc/sb/var");
    EXPECT_EQ(c->admin_socket, "/run/sb.sock");
    EXPECT_EQ(c->store.path, "/etc/sb/var/db/x.db");
    EXPECT_EQ(c->tls.cert_file, "/etc/sb/certs/a.pem");
    EXPECT_EQ(c->tls.hostnames.size(), 2u);
    EXPECT_EQ(c->ldap.ldaps.host, "127.0.0.1");
    EXPECT_EQ(c->ldap.ldaps.port, 1636);
    EXPECT_FALSE(c->ldap.ldap.enabled);
    EXPECT_TRUE(c->ldap.allow_cleartext_bind);
    EXPECT_EQ(c->ldap.max_size_limit, 500u);
    EXPECT_EQ(c->eas.https.host, "::1");
    EXPECT_EQ(c->eas.https.port, 9443);
}

struct BadCase {
    const char* toml;
    const char* expected;  // part of the one error message
};

class ConfigErrors : public testing::TestWithParam<BadCase> {};

TEST_P(ConfigErrors, NameTheKey) {
    auto c = load_string(GetParam().toml, "bad.toml", "/");
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message.find(GetParam().expected), std::string::npos) << c.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    All, ConfigErrors,
    testing::Values(
        BadCase{"colour = 1\n", "unknown configuration key 'colour'"},
        BadCase{"[ldap]\nport = 1\n", "unknown configuration key 'ldap.port'"},
        BadCase{"[ldap]\nldaps = 8636\n", "'ldap.ldaps' must be a string"},
        BadCase{"[ldap]\nldaps = \"0.0.0.0\"\n", "'ldap.ldaps' must be \"host:port\""},
        BadCase{"[ldap]\nldaps = \"0.0.0.0:70000\"\n", "'ldap.ldaps' must be a port"},
        BadCase{"[ldap]\nmax_size_limit = 0\n", "'ldap.max_size_limit' must be an integer from 1"},
        BadCase{"log_level = \"loud\"\n", "'log_level' must be one of"},
        BadCase{"[store]\nbackend = \"mysql\"\n", "'store.backend'"},
        BadCase{"[store]\nbackend = \"postgresql\"\n", "'store.url' is required"},
        BadCase{"[tls]\ncert = \"a.pem\"\n", "'tls.cert' and 'tls.key'"},
        BadCase{"ldap = 3\n", "'ldap' must be a table"}, BadCase{"[ldap\nx=1\n", "bad.toml:1:"},
        BadCase{"[mail]\nmail_root = \"vmail\"\n", "'mail.mail_root' must be an absolute"},
        BadCase{"[mail]\nsocketmap_listen = \"7025\"\n",
                "'mail.socketmap_listen' must be \"host:port\""},
        BadCase{"[mail]\nauth_threads = 0\n", "'mail.auth_threads' must be an integer"},
        BadCase{"[mail]\nauth_listen = "
                "\"/"
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.sock\"\n",
                "'mail.auth_listen': path too long"}));

TEST(Config, MailSection) {
    auto d = sb::config::defaults("/srv");
    EXPECT_EQ(d.mail.auth_listen, "/srv/data/dovecot-auth.sock");
    EXPECT_TRUE(d.mail.auth_enabled);
    EXPECT_EQ(d.mail.socketmap_listen.to_string(), "127.0.0.1:7025");
    EXPECT_EQ(d.mail.events_listen.to_string(), "127.0.0.1:7026");
    EXPECT_EQ(d.mail.lmtp.to_string(), "127.0.0.1:24");
    EXPECT_EQ(d.mail.mail_root, "/var/vmail");
    auto c = load_string(R"(
[mail]
imap = "10.0.0.5:143"
lmtp = "10.0.0.5:24"
submission = "10.0.0.6:587"
auth_listen = "127.0.0.1:7027"
socketmap_listen = "off"
events_listen = "[::1]:7026"
mail_root = "/srv/mail/"
mail_user = "vmail"
auth_threads = 8
)",
                         "t.toml", "/etc/sb");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->mail.imap.to_string(), "10.0.0.5:143");
    EXPECT_EQ(c->mail.submission.to_string(), "10.0.0.6:587");
    EXPECT_EQ(c->mail.auth_listen, "127.0.0.1:7027");  // host:port stays as it is
    EXPECT_FALSE(c->mail.socketmap_listen.enabled);
    EXPECT_EQ(c->mail.events_listen.to_string(), "[::1]:7026");
    EXPECT_EQ(c->mail.mail_root, "/srv/mail");
    EXPECT_EQ(c->mail.mail_user, "vmail");
    EXPECT_EQ(c->mail.auth_threads, 8u);
    auto off = load_string("[mail]\nauth_listen = \"off\"\n", "t.toml", "/etc/sb");
    ASSERT_TRUE(off);
    EXPECT_FALSE(off->mail.auth_enabled);
    auto rel = load_string("[mail]\nauth_listen = \"run/auth.sock\"\n", "t.toml", "/etc/sb");
    ASSERT_TRUE(rel);
    EXPECT_EQ(rel->mail.auth_listen, "/etc/sb/data/run/auth.sock");  // under data_dir
}
