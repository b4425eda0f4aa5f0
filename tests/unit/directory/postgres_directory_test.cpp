// The directory on both store backends (SQLite and PostgreSQL), and what only a shared
// PostgreSQL database adds: two nodes changing the same directory at once.
#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "core/password.hpp"
#include "directory/directory.hpp"
#include "store_backends.hpp"

using namespace sb;
using namespace sb::directory;
using Op = AttrChange::Op;

namespace {

class DirectoryOnBackend : public test::StoreBackendTest {
  protected:
    void SetUp() override {
        crypto::set_argon2_cost(1, 8192);
        test::StoreBackendTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        dir_ = std::make_unique<Directory>(*db_);
        ASSERT_TRUE(dir_->ensure_defaults());
        ASSERT_TRUE(dir_->create_domain("example.com"));
    }
    Account make(const std::string& address, std::vector<AttrChange> attrs = {}) {
        NewAccount na;
        na.address = address;
        na.password = "pw-" + address;
        na.attrs = std::move(attrs);
        auto a = dir_->create_account(na);
        EXPECT_TRUE(a) << a.error().message;
        return a ? *a : Account{};
    }
    EffectiveValue eff(const std::string& account, const std::string& attr) {
        return dir_->effective(dir_->account(account).value(), attr).value();
    }
    std::unique_ptr<Directory> dir_;
};

}  // namespace

TEST_P(DirectoryOnBackend, InheritanceChain) {
    make("a@example.com");
    EXPECT_EQ(eff("a@example.com", "zimbraHideInGal").source, "default");
    ASSERT_TRUE(dir_->set_global({{Op::set, "zimbraHideInGal", "TRUE"}}));
    EXPECT_EQ(eff("a@example.com", "zimbraHideInGal").source, "global");
    ASSERT_TRUE(dir_->modify_domain("example.com", {{Op::set, "zimbraHideInGal", "FALSE"}}));
    EXPECT_EQ(eff("a@example.com", "zimbraHideInGal").source, "domain example.com");
    ASSERT_TRUE(dir_->create_cos("sales", {{Op::set, "zimbraHideInGal", "TRUE"}}));
    ASSERT_TRUE(dir_->modify_account("a@example.com", {{Op::set, "zimbraCOSId", "sales"}}));
    auto e = eff("a@example.com", "zimbraHideInGal");
    EXPECT_EQ(e.source, "cos sales");
    EXPECT_EQ(e.values, std::vector<std::string>{"TRUE"});
    EXPECT_EQ(eff("a@example.com", "zimbraCOSId").values.front(), dir_->cos("sales").value().uuid);
    // Multi-valued attributes keep their order.
    ASSERT_TRUE(dir_->modify_account("a@example.com",
                                     {{Op::add, "zimbraMobilePolicyApprovedApplication", "x1"},
                                      {Op::add, "zimbraMobilePolicyApprovedApplication", "x2"}}));
    auto own = dir_->own_attrs(Scope::account, dir_->account("a@example.com").value().id).value();
    EXPECT_EQ(own["zimbraMobilePolicyApprovedApplication"], (std::vector<std::string>{"x1", "x2"}));
}

TEST_P(DirectoryOnBackend, FailedChangeListChangesNothing) {
    make("c@example.com");
    auto r = dir_->modify_account(
        "c@example.com",
        {{Op::set, "title", "Boss"}, {Op::set, "zimbraMobilePolicyRefreshInterval", "x"}});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("must be an integer"), std::string::npos);
    EXPECT_TRUE(eff("c@example.com", "title").values.empty());
    r = dir_->modify_account("c@example.com", {{Op::set, "zimbraCOSId", "nope"}});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("no such COS: nope"), std::string::npos);
}

TEST_P(DirectoryOnBackend, AddressesAreUniqueAcrossAccountsAndAliases) {
    make("e@example.com");
    ASSERT_TRUE(dir_->add_alias("e@example.com", "E.Alias@Example.com"));
    EXPECT_EQ(dir_->account("e.alias@example.com").value().address, "e@example.com");
    NewAccount dup;
    dup.address = "e.alias@example.com";
    auto r = dir_->create_account(dup);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::already_exists);
    dup.address = "E@example.com";
    EXPECT_EQ(dir_->create_account(dup).error().code, Errc::already_exists);
    EXPECT_FALSE(dir_->add_alias("e@example.com", "x@unknown.example"));
    EXPECT_FALSE(dir_->remove_alias("e@example.com", "nobody@example.com"));
    ASSERT_TRUE(dir_->remove_alias("e@example.com", "e.alias@example.com"));
    EXPECT_FALSE(dir_->account("e.alias@example.com"));
    EXPECT_EQ(dir_->create_domain("EXAMPLE.com").error().code, Errc::already_exists);
    EXPECT_EQ(dir_->create_cos("default").error().code, Errc::already_exists);
}

TEST_P(DirectoryOnBackend, RenameListAndDelete) {
    auto a = make("f@example.com");
    make("b@example.com");
    ASSERT_TRUE(dir_->create_domain("example.org"));
    ASSERT_TRUE(dir_->add_alias("f@example.com", "ff@example.com"));
    auto r = dir_->rename_account("f@example.com", "F.New@example.org");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->uuid, a.uuid);
    EXPECT_EQ(r->address, "f.new@example.org");
    EXPECT_EQ(r->aliases, std::vector<std::string>{"ff@example.com"});
    auto all = dir_->accounts().value();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].address, "b@example.com");
    EXPECT_TRUE(all[0].has_password);
    EXPECT_EQ(all[1].address, "f.new@example.org");
    EXPECT_EQ(dir_->accounts("example.org").value().size(), 1u);
    auto d = dir_->delete_domain("example.org");
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().message.find("still has 1"), std::string::npos);
    ASSERT_TRUE(dir_->delete_account("f.new@example.org"));
    EXPECT_TRUE(dir_->delete_domain("example.org"));
    EXPECT_EQ(dir_->domains().value().size(), 1u);
}

TEST_P(DirectoryOnBackend, BulkCreationIsAllOrNothing) {
    std::vector<NewAccount> list(3);
    list[0].address = "h1@example.com";
    list[1].address = "h2@example.com";
    list[2].address = "h1@example.com";
    list[2].context = "line 42";
    auto r = dir_->create_accounts(list);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message.rfind("line 42: ", 0), 0u) << r.error().message;
    EXPECT_TRUE(dir_->accounts().value().empty());
    list.pop_back();
    ASSERT_TRUE(dir_->create_accounts(list));
    EXPECT_EQ(dir_->accounts().value().size(), 2u);
}

TEST_P(DirectoryOnBackend, PasswordHashes) {
    auto a = make("i@example.com");
    auto h = dir_->password_hash(a.id).value();
    EXPECT_EQ(crypto::password_scheme(h), crypto::PasswordScheme::argon2id);
    ASSERT_TRUE(dir_->upgrade_password_hash(a.id, "not-the-hash", "{SSHA}x"));
    EXPECT_EQ(dir_->password_hash(a.id).value(), h);  // expected value differs: untouched
    ASSERT_TRUE(dir_->set_password("i@example.com", "other"));
    EXPECT_NE(dir_->password_hash(a.id).value(), h);
}

TEST_P(DirectoryOnBackend, NodesCreatingTheSameAddressAtOnce) {
    // Several nodes (or threads) race to create one address: exactly one wins and the others get
    // already_exists, never a duplicate or an internal error.
    constexpr int kNodes = 4;
    std::vector<std::unique_ptr<store::Database>> nodes;
    std::vector<std::unique_ptr<Directory>> dirs;
    for (int i = 0; i < kNodes; ++i) {
        nodes.push_back(postgres() ? open_node() : nullptr);
        dirs.push_back(std::make_unique<Directory>(postgres() ? *nodes.back() : *db_));
    }
    std::latch go(kNodes);
    std::vector<Result<Account>> results(kNodes);
    std::vector<std::thread> threads;
    for (int i = 0; i < kNodes; ++i)
        threads.emplace_back([&, i] {
            NewAccount na;
            na.address = "race@example.com";
            na.aliases = {"race-" + std::to_string(i) + "@example.com"};
            go.arrive_and_wait();
            results[i] = dirs[i]->create_account(na);
        });
    for (auto& t : threads)
        t.join();
    int won = 0;
    for (auto& r : results) {
        if (r) {
            ++won;
        } else {
            EXPECT_EQ(r.error().code, Errc::already_exists) << r.error().message;
        }
    }
    EXPECT_EQ(won, 1);
    auto all = dir_->accounts().value();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].aliases.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, DirectoryOnBackend, testing::ValuesIn(test::kStoreBackends),
                         test::backend_name);
