#include "mail/auth/dovecot_auth.hpp"

#include "fixture.hpp"

using namespace sb;
using namespace sb::mail;
using Fields = std::vector<std::string>;

namespace {

constexpr const char* kSecret = "master-secret-0123456789abcdefghij";

class DovecotAuthTest : public sb::mail::test::DirectoryFixture {
  protected:
    void SetUp() override {
        DirectoryFixture::SetUp();
        bridge_ = std::make_unique<DovecotAuth>(*auth_, *dir_, MailboxLayout{"/var/vmail", "vmail"},
                                                kSecret);
    }
    Fields pass(const char* service, const char* login, const char* pw,
                const char* ip = "192.0.2.10") {
        return bridge_->answer({"PASS", service, login, ip, pw});
    }
    std::unique_ptr<DovecotAuth> bridge_;
};

}  // namespace

TEST_F(DovecotAuthTest, AccountPasswordLogsInAsThePrimaryAddress) {
    EXPECT_EQ(pass("imap", "john@example.com", "john-pw"), (Fields{"OK", "john@example.com"}));
    // An alias, in any case, is the same mailbox.
    EXPECT_EQ(pass("pop3", "J.Doe@Example.COM", "john-pw"), (Fields{"OK", "john@example.com"}));
    EXPECT_EQ(pass("submission", "jane@example.com", "jane-pw"),
              (Fields{"OK", "jane@example.com"}));
    auto bad = pass("imap", "john@example.com", "wrong");
    ASSERT_EQ(bad.size(), 3u);
    EXPECT_EQ(bad[0], "FAIL");
    EXPECT_EQ(bad[1], "denied");
    EXPECT_EQ(pass("imap", "nobody@example.com", "john-pw")[1], "denied");
}

TEST_F(DovecotAuthTest, MobilePasswordIsNeverAMailPassword) {
    auth::NewCredential nc;
    nc.password = "john-mobile";
    ASSERT_TRUE(creds_->add("john@example.com", nc));
    for (const char* service : {"imap", "pop3", "smtp", "submission"}) {
        EXPECT_EQ(pass(service, "john@example.com", "john-mobile")[0], "FAIL") << service;
        EXPECT_EQ(pass(service, "john@example.com", "john-pw")[0], "OK") << service;
    }
    // Other services are not answered here at all (no guessing what "sieve" should accept).
    auto other = pass("sieve", "john@example.com", "john-pw");
    EXPECT_EQ(other[0], "FAIL");
    EXPECT_NE(other[2].find("sieve"), std::string::npos);
}

TEST_F(DovecotAuthTest, LockedAndClosedAccountsAreRefused) {
    ASSERT_TRUE(dir_->modify_account(
        "john@example.com", {{directory::AttrChange::Op::set, "zimbraAccountStatus", "locked"}}));
    EXPECT_EQ(pass("imap", "john@example.com", "john-pw")[0], "FAIL");
    // A locked account still has its mailbox (mail is delivered); a closed one does not.
    EXPECT_EQ(bridge_->answer({"USER", "lmtp", "john@example.com"})[0], "OK");
    ASSERT_TRUE(dir_->modify_account(
        "john@example.com", {{directory::AttrChange::Op::set, "zimbraAccountStatus", "closed"}}));
    EXPECT_EQ(bridge_->answer({"USER", "lmtp", "john@example.com"})[0], "NOTFOUND");
    EXPECT_EQ(
        bridge_->answer({"MASTER", "imap", "master", "john@example.com", "127.0.0.1", kSecret})[0],
        "FAIL");
}

TEST_F(DovecotAuthTest, ThrottledIsATemporaryFailureAndCountsTheClientAddress) {
    ASSERT_TRUE(
        dir_->set_global({{directory::AttrChange::Op::set, "authThrottleAccountFailures", "3"}}));
    auth_->invalidate(0);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(pass("imap", "john@example.com", "wrong")[1], "denied");
    auto blocked = pass("imap", "john@example.com", "john-pw");
    EXPECT_EQ(blocked[0], "FAIL");
    EXPECT_EQ(blocked[1], "temp");  // Dovecot answers "temporary failure", not "wrong password"
    EXPECT_NE(blocked[2].find("too many failed logins"), std::string::npos);
}

TEST_F(DovecotAuthTest, UserdbKeysTheMailboxByTheAccountId) {
    auto u = bridge_->answer({"USER", "imap", "J.DOE@example.com"});
    const Fields expected = {"OK",
                             "john@example.com",
                             "home=/var/vmail/" + john_.uuid,
                             "switchboard_account=" + john_.uuid,
                             "uid=vmail",
                             "gid=vmail"};
    EXPECT_EQ(u, expected);
    // A renamed account keeps its home.
    ASSERT_TRUE(dir_->rename_account("john@example.com", "johnny@example.com"));
    auto renamed = bridge_->answer({"USER", "lmtp", "johnny@example.com"});
    ASSERT_GE(renamed.size(), 3u);
    EXPECT_EQ(renamed[1], "johnny@example.com");
    EXPECT_EQ(renamed[2], "home=/var/vmail/" + john_.uuid);
    EXPECT_EQ(bridge_->answer({"USER", "lmtp", "john@example.com"})[0], "NOTFOUND");
}

TEST_F(DovecotAuthTest, MasterNeedsTheSecretTheNameAndTheLocalHost) {
    auto master = [&](const char* name, const char* target, const char* ip, const char* secret) {
        return bridge_->answer({"MASTER", "imap", name, target, ip, secret});
    };
    EXPECT_EQ(master("master", "j.doe@example.com", "127.0.0.1", kSecret),
              (Fields{"OK", "john@example.com"}));
    EXPECT_EQ(master("master", "jane@example.com", "::1", kSecret)[0], "OK");
    EXPECT_EQ(master("master", "jane@example.com", "::ffff:127.0.0.1", kSecret)[0], "OK");
    EXPECT_EQ(master("master", "jane@example.com", "127.0.0.1", "wrong")[0], "FAIL");
    EXPECT_EQ(master("master", "jane@example.com", "192.0.2.1", kSecret)[0], "FAIL");
    EXPECT_EQ(master("master", "jane@example.com", "", kSecret)[0], "FAIL");
    // SASL PLAIN with an authorization id reaches the master passdb as the user's name: a
    // user's own password never opens another mailbox.
    EXPECT_EQ(master("jane@example.com", "john@example.com", "127.0.0.1", "jane-pw")[0], "FAIL");
    EXPECT_EQ(master("master", "nobody@example.com", "127.0.0.1", kSecret)[0], "FAIL");
}

TEST_F(DovecotAuthTest, MalformedRequestsAreErrors) {
    EXPECT_EQ(bridge_->answer({})[0], "ERROR");
    EXPECT_EQ(bridge_->answer({""})[0], "ERROR");
    EXPECT_EQ(bridge_->answer({"HELLO"})[0], "ERROR");
    EXPECT_EQ(bridge_->answer({"PASS", "imap", "john@example.com"})[0], "ERROR");
    EXPECT_EQ(bridge_->answer({"USER"})[0], "ERROR");
    EXPECT_EQ(bridge_->answer({"MASTER", "imap", "master", "x", "127.0.0.1"})[0], "ERROR");
}

TEST(LoopbackAddress, OnlyTheLocalHost) {
    for (const char* ip : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"})
        EXPECT_TRUE(is_loopback_address(ip)) << ip;
    for (const char* ip : {"", "10.0.0.1", "128.0.0.1", "::2", "::ffff:10.0.0.1", "localhost",
                           "127.0.0.1 ", "fe80::1"})
        EXPECT_FALSE(is_loopback_address(ip)) << ip;
}
