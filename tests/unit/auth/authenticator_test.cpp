#include <gtest/gtest.h>

#include "auth/authenticator.hpp"
#include "auth/credentials.hpp"
#include "core/base64.hpp"
#include "core/digest.hpp"
#include "core/password.hpp"
#include "test_support.hpp"

using namespace sb;
using namespace sb::auth;
using directory::AttrChange;

namespace {

class AuthTest : public testing::Test {
  protected:
    void SetUp() override {
        crypto::set_argon2_cost(1, 8192);
        db_ = store::open({"sqlite", sb::test::temp_dir("sbauth") + "/t.db", ""}).value();
        dir_ = std::make_unique<directory::Directory>(*db_);
        ASSERT_TRUE(dir_->ensure_defaults());
        ASSERT_TRUE(dir_->create_domain("example.com"));
        creds_ = std::make_unique<Credentials>(*dir_);
        auth_ = std::make_unique<Authenticator>(*dir_, *creds_);
        directory::NewAccount na;
        na.address = "john@example.com";
        na.password = "account-pw";
        na.aliases = {"jd@example.com"};
        ASSERT_TRUE(dir_->create_account(na));
        na.address = "jane@example.com";
        na.password = "jane-pw";
        na.aliases = {};
        ASSERT_TRUE(dir_->create_account(na));
    }
    bool ok(Service s, const char* login, const char* secret, const char* client = "192.0.2.1") {
        return static_cast<bool>(auth_->authenticate(s, login, secret, client));
    }
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<directory::Directory> dir_;
    std::unique_ptr<Credentials> creds_;
    std::unique_ptr<Authenticator> auth_;
};

}  // namespace

TEST_F(AuthTest, PasswordWorksEverywhereWithoutMobilePassword) {
    for (Service s : {Service::eas, Service::address_book, Service::imap, Service::web})
        EXPECT_TRUE(ok(s, "john@example.com", "account-pw"));
    EXPECT_TRUE(ok(Service::eas, "JD@Example.com", "account-pw"));  // alias, any case
    EXPECT_FALSE(ok(Service::eas, "john@example.com", "wrong"));
    EXPECT_FALSE(ok(Service::eas, "nobody@example.com", "account-pw"));
    EXPECT_FALSE(ok(Service::eas, "john@example.com", ""));
}

TEST_F(AuthTest, MobilePasswordRule) {
    NewCredential nc;
    nc.password = "mobile-pw";
    auto c = creds_->add("john@example.com", nc);
    ASSERT_TRUE(c) << c.error().message;
    // Only the credential for ActiveSync and the address book...
    EXPECT_TRUE(ok(Service::eas, "john@example.com", "mobile-pw"));
    EXPECT_TRUE(ok(Service::address_book, "jd@example.com", "mobile-pw"));
    auto refused = auth_->authenticate(Service::eas, "john@example.com", "account-pw", "192.0.2.1");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::auth_failed);
    EXPECT_NE(refused.error().message.find("mobile password"), std::string::npos);
    EXPECT_FALSE(ok(Service::address_book, "john@example.com", "account-pw"));
    // ...and never elsewhere, where the account password still works.
    EXPECT_FALSE(ok(Service::imap, "john@example.com", "mobile-pw"));
    EXPECT_TRUE(ok(Service::imap, "john@example.com", "account-pw"));
    // A disabled credential is refused, and the account password is still not accepted.
    ASSERT_TRUE(creds_->update("john@example.com", c->first.public_id,
                               {std::nullopt, false, std::nullopt}));
    EXPECT_FALSE(ok(Service::eas, "john@example.com", "mobile-pw"));
    EXPECT_FALSE(ok(Service::eas, "john@example.com", "account-pw"));
    // Without any credential, the account password works again.
    ASSERT_TRUE(creds_->remove("john@example.com", c->first.public_id));
    EXPECT_TRUE(ok(Service::eas, "john@example.com", "account-pw"));
}

TEST_F(AuthTest, GeneratedCredentialIsUsable) {
    auto c = creds_->add("john@example.com", {});
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->first.generated);
    EXPECT_EQ(c->second.size(), 16u);
    EXPECT_TRUE(ok(Service::eas, "john@example.com", c->second.c_str()));
}

TEST_F(AuthTest, CacheIsDroppedOnPasswordChange) {
    auto first = auth_->authenticate(Service::eas, "john@example.com", "account-pw", "192.0.2.1");
    ASSERT_TRUE(first);
    EXPECT_FALSE(first->cached);
    auto second = auth_->authenticate(Service::eas, "john@example.com", "account-pw", "192.0.2.1");
    ASSERT_TRUE(second);
    EXPECT_TRUE(second->cached);
    ASSERT_TRUE(dir_->set_password("john@example.com", "new-pw"));
    EXPECT_FALSE(ok(Service::eas, "john@example.com", "account-pw"));
    EXPECT_TRUE(ok(Service::eas, "john@example.com", "new-pw"));
    // Locking the account also ends cached logins.
    ASSERT_TRUE(dir_->modify_account("john@example.com",
                                     {{AttrChange::Op::set, "zimbraAccountStatus", "locked"}}));
    EXPECT_FALSE(ok(Service::eas, "john@example.com", "new-pw"));
}

TEST_F(AuthTest, FailuresAreThrottledPerAccountAndPerAddress) {
    ASSERT_TRUE(dir_->set_global({{AttrChange::Op::set, "authThrottleAccountFailures", "3"},
                                  {AttrChange::Op::set, "authThrottleAddressFailures", "5"}}));
    for (int i = 0; i < 3; ++i)
        EXPECT_FALSE(ok(Service::imap, "john@example.com", "bad", "198.51.100.1"));
    auto r = auth_->authenticate(Service::imap, "jd@example.com", "account-pw", "198.51.100.2");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::throttled);  // the alias names the same account
    EXPECT_TRUE(ok(Service::imap, "jane@example.com", "jane-pw", "198.51.100.3"));
    // Five failures from one address block that address for everyone.
    for (int i = 0; i < 5; ++i)
        EXPECT_FALSE(ok(Service::imap, "x@example.com", "bad", "203.0.113.9"));
    auto blocked = auth_->authenticate(Service::imap, "jane@example.com", "jane-pw", "203.0.113.9");
    ASSERT_FALSE(blocked);
    EXPECT_EQ(blocked.error().code, Errc::throttled);
}

TEST_F(AuthTest, ImportedHashIsUpgradedAtFirstLogin) {
    // {SSHA} of "secret" with salt "salt": base64(sha1("secret" + "salt") + "salt").
    std::string ssha = "{SSHA}" + crypto::base64_encode(crypto::sha1("secretsalt") + "salt");
    directory::NewAccount na;
    na.address = "old@example.com";
    na.imported_password = ssha;
    auto a = dir_->create_account(na);
    ASSERT_TRUE(a);
    EXPECT_TRUE(ok(Service::imap, "old@example.com", "secret"));
    auto stored = dir_->password_hash(a->id).value();
    EXPECT_EQ(crypto::password_scheme(stored), crypto::PasswordScheme::argon2id);
    auth_->invalidate(0);
    EXPECT_TRUE(ok(Service::imap, "old@example.com", "secret"));
    EXPECT_FALSE(ok(Service::imap, "old@example.com", "Secret"));
}

TEST(Throttle, DelayDoublesAndExpires) {
    Throttle t;
    ThrottlePolicy p{.limit = 2, .window_ms = 1000, .initial_delay_ms = 1000, .max_delay_ms = 8000};
    t.failure("k", 0, p);
    EXPECT_EQ(t.wait_ms("k", 0), 0);
    t.failure("k", 10, p);
    EXPECT_EQ(t.wait_ms("k", 10), 1000);
    t.failure("k", 20, p);
    EXPECT_EQ(t.wait_ms("k", 20), 2000);
    t.success("k");
    EXPECT_EQ(t.wait_ms("k", 30), 0);
    for (int i = 0; i < 6; ++i)
        t.failure("k", 40, p);            // blocks of 1, 2, 4, 8, then 8 s
    EXPECT_EQ(t.wait_ms("k", 40), 8000);  // capped at the longest delay
    ThrottlePolicy slow{
        .limit = 1, .window_ms = 1000, .initial_delay_ms = 60000, .max_delay_ms = 600000};
    t.failure("s", 0, slow);
    EXPECT_EQ(t.wait_ms("s", 0), 60000);  // the first block is the initial delay
    for (int i = 0; i < 40; ++i)
        t.failure("s", 0, slow);
    EXPECT_EQ(t.wait_ms("s", 0), 600000);  // no overflow on long runs of failures
    Throttle small(4);
    for (int i = 0; i < 100; ++i)
        small.failure("k" + std::to_string(i), i, p);  // bounded memory, no crash
}
