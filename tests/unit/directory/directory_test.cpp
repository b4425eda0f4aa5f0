#include <gtest/gtest.h>

#include "core/password.hpp"
#include "directory/directory.hpp"
#include "test_support.hpp"

using namespace sb;
using namespace sb::directory;
using Op = AttrChange::Op;

namespace {

class DirectoryTest : public testing::Test {
  protected:
    void SetUp() override {
        crypto::set_argon2_cost(1, 8192);
        db_ = store::open({"sqlite", sb::test::temp_dir("sbdir") + "/t.db", ""}).value();
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
        return *a;
    }
    EffectiveValue eff(const std::string& account, const std::string& attr) {
        return dir_->effective(dir_->account(account).value(), attr).value();
    }
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<Directory> dir_;
};

}  // namespace

TEST_F(DirectoryTest, MobileSyncInheritsFromCosAndAccountOverrides) {
    make("john@example.com");
    make("jane@example.com");
    auto e = eff("john@example.com", "zimbraFeatureMobileSyncEnabled");
    EXPECT_EQ(e.values, std::vector<std::string>{"FALSE"});
    EXPECT_EQ(e.source, "cos default");

    ASSERT_TRUE(dir_->modify_cos("default", {{Op::set, "zimbraFeatureMobileSyncEnabled", "TRUE"}}));
    ASSERT_TRUE(dir_->modify_account("john@example.com",
                                     {{Op::set, "zimbraFeatureMobileSyncEnabled", "false"}}));
    e = eff("john@example.com", "zimbraFeatureMobileSyncEnabled");
    EXPECT_EQ(e.values, std::vector<std::string>{"FALSE"});
    EXPECT_EQ(e.source, "account");
    e = eff("jane@example.com", "zimbraFeatureMobileSyncEnabled");
    EXPECT_EQ(e.values, std::vector<std::string>{"TRUE"});
    EXPECT_EQ(e.source, "cos default");
    EXPECT_TRUE(dir_->mobile_sync_enabled(dir_->account("jane@example.com").value()).value());
    EXPECT_FALSE(dir_->mobile_sync_enabled(dir_->account("john@example.com").value()).value());

    // Unsetting the account value restores inheritance.
    ASSERT_TRUE(dir_->modify_account("john@example.com",
                                     {{Op::set, "zimbraFeatureMobileSyncEnabled", ""}}));
    EXPECT_EQ(eff("john@example.com", "zimbraFeatureMobileSyncEnabled").source, "cos default");
}

TEST_F(DirectoryTest, ChainGoesAccountCosDomainGlobalDefault) {
    make("a@example.com");
    // zimbraHideInGal has no COS default: the domain, then global, then the built-in default apply.
    EXPECT_EQ(eff("a@example.com", "zimbraHideInGal").source, "default");
    ASSERT_TRUE(dir_->set_global({{Op::set, "zimbraHideInGal", "TRUE"}}));
    EXPECT_EQ(eff("a@example.com", "zimbraHideInGal").source, "global");
    ASSERT_TRUE(dir_->modify_domain("example.com", {{Op::set, "zimbraHideInGal", "FALSE"}}));
    auto e = eff("a@example.com", "zimbraHideInGal");
    EXPECT_EQ(e.source, "domain example.com");
    EXPECT_EQ(e.values.front(), "FALSE");
    ASSERT_TRUE(dir_->create_cos("sales", {{Op::set, "zimbraHideInGal", "TRUE"}}));
    ASSERT_TRUE(dir_->modify_account("a@example.com", {{Op::set, "zimbraCOSId", "sales"}}));
    e = eff("a@example.com", "zimbraHideInGal");
    EXPECT_EQ(e.source, "cos sales");
    // The COS reference is stored as the COS id.
    EXPECT_EQ(eff("a@example.com", "zimbraCOSId").values.front(), dir_->cos("sales").value().uuid);
}

TEST_F(DirectoryTest, DomainDefaultCosAppliesToItsAccounts) {
    ASSERT_TRUE(dir_->create_cos("staff", {{Op::set, "zimbraFeatureMobileSyncEnabled", "TRUE"}}));
    ASSERT_TRUE(
        dir_->modify_domain("example.com", {{Op::set, "zimbraDomainDefaultCOSId", "staff"}}));
    make("b@example.com");
    EXPECT_EQ(eff("b@example.com", "zimbraFeatureMobileSyncEnabled").source, "cos staff");
}

// The bulk reader (for caches such as the address book) resolves with the same rule as
// effective(): every level loaded once, every account resolved against it.
TEST_F(DirectoryTest, BulkLevelsResolveLikeEffective) {
    ASSERT_TRUE(dir_->create_domain("example.org"));
    ASSERT_TRUE(dir_->create_cos("staff", {{Op::set, "zimbraHideInGal", "TRUE"}}));
    ASSERT_TRUE(dir_->create_cos("sales", {{Op::set, "zimbraFeatureMobileSyncEnabled", "TRUE"}}));
    ASSERT_TRUE(
        dir_->modify_domain("example.org", {{Op::set, "zimbraDomainDefaultCOSId", "staff"}}));
    ASSERT_TRUE(dir_->set_global({{Op::set, "zimbraFeatureMobilePolicyEnabled", "FALSE"}}));
    make("plain@example.com");
    make("sales@example.com", {{Op::set, "zimbraCOSId", "sales"}});
    make("staff@example.org");
    make("own@example.org", {{Op::set, "zimbraHideInGal", "FALSE"}});
    const std::vector<std::string> names = {"zimbraHideInGal", "zimbraCOSId",
                                            "zimbraFeatureMobileSyncEnabled",
                                            "zimbraFeatureMobilePolicyEnabled", "displayName"};
    auto levels = dir_->setting_levels().value();
    auto accounts = dir_->accounts_with_attrs(std::nullopt, names).value();
    ASSERT_EQ(accounts.size(), 4u);
    for (const auto& a : accounts) {
        for (const auto& name : names) {
            const AttrDef* def = find_attr(name);
            auto bulk = levels.resolve(a.attrs, a.account.domain_id, *def).effective();
            auto one = dir_->effective(a.account, name).value();
            EXPECT_EQ(bulk.values, one.values) << a.account.address << " " << name;
            EXPECT_EQ(bulk.source, one.source) << a.account.address << " " << name;
        }
    }
    EXPECT_EQ(eff("staff@example.org", "zimbraHideInGal").source, "cos staff");
    EXPECT_EQ(eff("own@example.org", "zimbraHideInGal").source, "account");
}

TEST_F(DirectoryTest, NewCosGetsCosDefaults) {
    auto c = dir_->create_cos("fresh");
    ASSERT_TRUE(c);
    auto attrs = dir_->own_attrs(Scope::cos, c->id).value();
    EXPECT_EQ(attrs["zimbraFeatureMobileSyncEnabled"].front(), "FALSE");
    EXPECT_EQ(attrs["zimbraMobilePolicyMinDevicePasswordLength"].front(), "4");
}

TEST_F(DirectoryTest, AttributeValidation) {
    make("c@example.com");
    auto bad = [&](std::vector<AttrChange> ch, const char* msg) {
        auto r = dir_->modify_account("c@example.com", ch);
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().message.find(msg), std::string::npos) << r.error().message;
    };
    bad({{Op::set, "zimbraNoSuchThing", "1"}}, "unknown attribute: zimbraNoSuchThing");
    bad({{Op::set, "zimbraFeatureMobileSyncEnabled", "maybe"}}, "must be TRUE or FALSE");
    bad({{Op::set, "zimbraMobilePolicyRefreshInterval", "lots"}}, "must be an integer");
    bad({{Op::set, "zimbraMobilePolicyAllowBluetooth", "3"}}, "between -1 and 2");
    bad({{Op::set, "zimbraAccountStatus", "frozen"}}, "must be one of active,locked,closed");
    bad({{Op::set, "zimbraId", "x"}}, "read-only");
    bad({{Op::set, "abqMode", "Strict"}}, "cannot be set on a account");
    bad({{Op::add, "displayName", "x"}}, "single value");
    bad({{Op::set, "zimbraCOSId", "nope"}}, "no such COS: nope");
    // A failed change list changes nothing, even its valid first part.
    auto r = dir_->modify_account(
        "c@example.com",
        {{Op::set, "title", "Boss"}, {Op::set, "zimbraMobilePolicyRefreshInterval", "x"}});
    ASSERT_FALSE(r);
    EXPECT_TRUE(eff("c@example.com", "title").values.empty());
}

TEST_F(DirectoryTest, StatusAndNames) {
    make("d@example.com", {{Op::set, "displayName", "D Person"}, {Op::set, "department", "Sales"}});
    EXPECT_EQ(eff("d@example.com", "ou").values.front(), "Sales");
    ASSERT_TRUE(
        dir_->modify_account("d@example.com", {{Op::set, "zimbraAccountStatus", "LOCKED"}}));
    EXPECT_EQ(dir_->account("d@example.com").value().status, AccountStatus::locked);
}

TEST_F(DirectoryTest, AddressesAreUniqueAcrossAccountsAndAliases) {
    make("e@example.com");
    ASSERT_TRUE(dir_->add_alias("e@example.com", "E.Alias@Example.com"));
    EXPECT_EQ(dir_->account("e.alias@example.com").value().address, "e@example.com");
    NewAccount dup;
    dup.address = "e.alias@example.com";
    auto r = dir_->create_account(dup);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::already_exists);
    EXPECT_FALSE(dir_->add_alias("e@example.com", "e@example.com"));
    EXPECT_FALSE(dir_->add_alias("e@example.com", "x@unknown.example"));
    EXPECT_FALSE(dir_->remove_alias("e@example.com", "nobody@example.com"));
    ASSERT_TRUE(dir_->remove_alias("e@example.com", "e.alias@example.com"));
    EXPECT_FALSE(dir_->account("e.alias@example.com"));
}

TEST_F(DirectoryTest, RenameKeepsIdentityAndAliases) {
    auto a = make("f@example.com");
    ASSERT_TRUE(dir_->create_domain("example.org"));
    ASSERT_TRUE(dir_->add_alias("f@example.com", "ff@example.com"));
    auto r = dir_->rename_account("f@example.com", "F.New@example.org");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->uuid, a.uuid);
    EXPECT_EQ(r->address, "f.new@example.org");
    EXPECT_EQ(r->domain, "example.org");
    EXPECT_EQ(r->aliases, std::vector<std::string>{"ff@example.com"});
    EXPECT_FALSE(dir_->account("f@example.com"));
    EXPECT_EQ(dir_->account(a.uuid).value().address, "f.new@example.org");
}

TEST_F(DirectoryTest, DomainDeletionRefusedWhileInUse) {
    make("g@example.com");
    auto r = dir_->delete_domain("example.com");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("still has 1"), std::string::npos);
    ASSERT_TRUE(dir_->delete_account("g@example.com"));
    EXPECT_TRUE(dir_->delete_domain("example.com"));
}

TEST_F(DirectoryTest, BulkCreationIsAllOrNothing) {
    std::vector<NewAccount> list(3);
    list[0].address = "h1@example.com";
    list[1].address = "h2@example.com";
    list[2].address = "h1@example.com";
    list[2].context = "line 42";
    auto r = dir_->create_accounts(list);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message.rfind("line 42: ", 0), 0u) << r.error().message;
    EXPECT_TRUE(dir_->accounts().value().empty());
}

TEST_F(DirectoryTest, ImportedHashesAreKept) {
    NewAccount na;
    na.address = "i@example.com";
    na.imported_password =
        "{SSHA}BPvS8u8ab6R8KzPvMrbdCzuGI/VH9e3F";  // slappasswd -s secret (any salt)
    auto a = dir_->create_account(na);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(dir_->password_hash(a->id).value(), na.imported_password);
    na.address = "j@example.com";
    na.imported_password = "{MD5}abc";
    EXPECT_FALSE(dir_->create_account(na));
}

TEST(Names, AddressesAndDomainsAreChecked) {
    EXPECT_EQ(normalize_address(" John.Doe@Example.COM ").value(), "john.doe@example.com");
    for (const char* bad :
         {"nodomain", "@example.com", "a@", "a b@example.com", "a..b@example.com", ".a@example.com",
          "a@-example.com", "a@exa_mple..com", "a@example.com-"})
        EXPECT_FALSE(normalize_address(bad)) << bad;
    EXPECT_EQ(normalize_domain("Mail.Example.COM").value(), "mail.example.com");
    EXPECT_FALSE(normalize_domain(""));
    EXPECT_FALSE(normalize_domain("a" + std::string(64, 'b') + ".com"));
}
