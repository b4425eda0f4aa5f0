// Credentials and the authenticator on both store backends, and the cluster case: a password
// changed through one node ends the logins another node has cached.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "auth/authenticator.hpp"
#include "auth/credentials.hpp"
#include "core/base64.hpp"
#include "core/digest.hpp"
#include "core/password.hpp"
#include "store_backends.hpp"

using namespace sb;
using namespace sb::auth;
using directory::AttrChange;

namespace {

// One Switchboard node: its own store handle, directory, credentials and authenticator.
struct Node {
    explicit Node(store::Database& db)
        : dir(db), creds(dir), auth(std::make_unique<Authenticator>(dir, creds)) {}
    directory::Directory dir;
    Credentials creds;
    std::unique_ptr<Authenticator> auth;
};

// Waits for a directory change about `account` to reach a node's subscribers.
class ChangeWaiter {
  public:
    explicit ChangeWaiter(store::Database& db) {
        subscription_ = db.subscribe([this](const std::vector<store::Change>& changes) {
            std::lock_guard lock(m_);
            for (const auto& c : changes)
                seen_.push_back(c.subject);
            cv_.notify_all();
        });
    }
    bool wait(int64_t account) {
        std::unique_lock lock(m_);
        return cv_.wait_for(lock, std::chrono::seconds(15), [&] {
            return std::find(seen_.begin(), seen_.end(), account) != seen_.end();
        });
    }
    void clear() {
        std::lock_guard lock(m_);
        seen_.clear();
    }

  private:
    std::mutex m_;
    std::condition_variable cv_;
    std::vector<int64_t> seen_;
    store::Subscription subscription_;
};

class AuthOnBackend : public test::StoreBackendTest {
  protected:
    void SetUp() override {
        crypto::set_argon2_cost(1, 8192);
        test::StoreBackendTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        node_ = std::make_unique<Node>(*db_);
        ASSERT_TRUE(node_->dir.ensure_defaults());
        ASSERT_TRUE(node_->dir.create_domain("example.com"));
        directory::NewAccount na;
        na.address = "john@example.com";
        na.password = "account-pw";
        na.aliases = {"jd@example.com"};
        john_ = node_->dir.create_account(na).value().id;
        na.address = "jane@example.com";
        na.password = "jane-pw";
        na.aliases = {};
        ASSERT_TRUE(node_->dir.create_account(na));
    }
    // The store goes first: its change feed thread may call the authenticator until it closes.
    void TearDown() override { db_.reset(); }
    static Result<AuthSuccess> login(Node& n, Service s, const char* user, const char* secret) {
        return n.auth->authenticate(s, user, secret, "192.0.2.1");
    }
    bool ok(Service s, const char* user, const char* secret) {
        return static_cast<bool>(login(*node_, s, user, secret));
    }
    std::unique_ptr<Node> node_;
    int64_t john_ = 0;
};

}  // namespace

TEST_P(AuthOnBackend, PasswordWorksEverywhereWithoutMobilePassword) {
    for (Service s : {Service::eas, Service::address_book, Service::imap, Service::web})
        EXPECT_TRUE(ok(s, "john@example.com", "account-pw"));
    EXPECT_TRUE(ok(Service::eas, "JD@Example.com", "account-pw"));
    EXPECT_FALSE(ok(Service::eas, "john@example.com", "wrong"));
    EXPECT_FALSE(ok(Service::eas, "nobody@example.com", "account-pw"));
}

TEST_P(AuthOnBackend, MobilePasswordRuleAndCredentialLifecycle) {
    NewCredential nc;
    nc.password = "mobile-pw";
    nc.label = "John's phone";
    auto c = node_->creds.add("john@example.com", nc);
    ASSERT_TRUE(c) << c.error().message;
    auto listed = node_->creds.list("john@example.com").value();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].label, "John's phone");
    EXPECT_TRUE(listed[0].enabled);
    EXPECT_FALSE(listed[0].generated);
    EXPECT_TRUE(ok(Service::eas, "john@example.com", "mobile-pw"));
    EXPECT_TRUE(ok(Service::address_book, "jd@example.com", "mobile-pw"));
    EXPECT_FALSE(ok(Service::eas, "john@example.com", "account-pw"));
    EXPECT_FALSE(ok(Service::imap, "john@example.com", "mobile-pw"));
    EXPECT_TRUE(ok(Service::imap, "john@example.com", "account-pw"));
    auto u = node_->creds.update("john@example.com", c->first.public_id,
                                 {std::string("Work phone"), false, std::nullopt});
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_EQ(u->label, "Work phone");
    EXPECT_FALSE(ok(Service::eas, "john@example.com", "mobile-pw"));
    ASSERT_TRUE(node_->creds.remove("john@example.com", c->first.public_id));
    EXPECT_TRUE(node_->creds.list("john@example.com").value().empty());
    EXPECT_TRUE(ok(Service::eas, "john@example.com", "account-pw"));
}

TEST_P(AuthOnBackend, CacheIsDroppedOnPasswordChange) {
    ASSERT_TRUE(login(*node_, Service::eas, "john@example.com", "account-pw"));
    auto again = login(*node_, Service::eas, "john@example.com", "account-pw");
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->cached);
    ASSERT_TRUE(node_->dir.set_password("john@example.com", "new-pw"));
    EXPECT_FALSE(ok(Service::eas, "john@example.com", "account-pw"));
    EXPECT_TRUE(ok(Service::eas, "john@example.com", "new-pw"));
}

TEST_P(AuthOnBackend, ImportedHashIsUpgradedAtFirstLogin) {
    directory::NewAccount na;
    na.address = "old@example.com";
    // {SSHA} of "secret" with salt "salt": base64(sha1("secret" + "salt") + "salt").
    na.imported_password = "{SSHA}" + crypto::base64_encode(crypto::sha1("secretsalt") + "salt");
    auto a = node_->dir.create_account(na);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_TRUE(ok(Service::imap, "old@example.com", "secret"));
    EXPECT_EQ(crypto::password_scheme(node_->dir.password_hash(a->id).value()),
              crypto::PasswordScheme::argon2id);
}

// Nodes share a database only with PostgreSQL.
class AuthOnCluster : public AuthOnBackend {};

TEST_P(AuthOnCluster, AnotherNodesChangeEndsCachedLogins) {
    auto db_b = open_node();
    ASSERT_TRUE(db_b);
    Node b(*db_b);
    ChangeWaiter b_heard(*db_b);  // subscribed after b's authenticator, so it runs after it
    // Closes node B's store before b and b_heard go: its feed thread may call them until then.
    struct Closer {
        std::unique_ptr<store::Database>& db;
        ~Closer() { db.reset(); }
    } closer{db_b};

    auto first = login(b, Service::eas, "john@example.com", "account-pw");
    ASSERT_TRUE(first) << first.error().message;
    auto cached = login(b, Service::eas, "john@example.com", "account-pw");
    ASSERT_TRUE(cached);
    EXPECT_TRUE(cached->cached);

    // Node A changes the password; node B learns it through NOTIFY and drops its cache.
    ASSERT_TRUE(node_->dir.set_password("john@example.com", "new-pw"));
    ASSERT_TRUE(b_heard.wait(john_));
    auto stale = login(b, Service::eas, "john@example.com", "account-pw");
    EXPECT_FALSE(stale) << "node B still accepts the old password from its cache";
    EXPECT_TRUE(login(b, Service::eas, "john@example.com", "new-pw"));

    // Same for a mobile password added through A: B's cached account-password login ends.
    b_heard.clear();
    ASSERT_TRUE(login(b, Service::eas, "john@example.com", "new-pw"));
    NewCredential nc;
    nc.password = "mobile-pw";
    ASSERT_TRUE(node_->creds.add("john@example.com", nc));
    ASSERT_TRUE(b_heard.wait(john_));
    EXPECT_FALSE(login(b, Service::eas, "john@example.com", "new-pw"));
    EXPECT_TRUE(login(b, Service::eas, "john@example.com", "mobile-pw"));

    // And a lock.
    b_heard.clear();
    ASSERT_TRUE(node_->dir.modify_account(
        "john@example.com", {{AttrChange::Op::set, "zimbraAccountStatus", "locked"}}));
    ASSERT_TRUE(b_heard.wait(john_));
    EXPECT_FALSE(login(b, Service::eas, "john@example.com", "mobile-pw"));
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthOnBackend, testing::ValuesIn(test::kStoreBackends),
                         test::backend_name);
INSTANTIATE_TEST_SUITE_P(Cluster, AuthOnCluster, testing::Values("postgresql"), test::backend_name);
