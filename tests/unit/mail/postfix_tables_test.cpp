#include "mail/lookup/postfix_tables.hpp"

#include "fixture.hpp"

using namespace sb;
using namespace sb::mail;

namespace {
class PostfixTablesTest : public sb::mail::test::DirectoryFixture {
  protected:
    std::string ask(const std::string& request) { return PostfixTables(*dir_).answer(request); }
};
}  // namespace

TEST_F(PostfixTablesTest, Domains) {
    EXPECT_EQ(ask("domains example.com"), "OK example.com");
    EXPECT_EQ(ask("domains EXAMPLE.com"), "OK example.com");
    EXPECT_EQ(ask("domains example.org"), "NOTFOUND ");
    EXPECT_EQ(ask("domains john@example.com"), "NOTFOUND ");
    auto d = dir_->domain("example.com");
    ASSERT_TRUE(d);
    EXPECT_EQ(ask("domains " + d->uuid), "NOTFOUND ");  // ids are not names
}

TEST_F(PostfixTablesTest, MailboxesAndAliases) {
    EXPECT_EQ(ask("mailboxes john@example.com"), "OK " + john_.uuid + "/");
    EXPECT_EQ(ask("mailboxes j.doe@example.com"), "NOTFOUND ");  // reached through aliases
    EXPECT_EQ(ask("aliases j.doe@example.com"), "OK john@example.com");
    EXPECT_EQ(ask("aliases john@example.com"), "NOTFOUND ");  // no loop on the primary
    EXPECT_EQ(ask("mailboxes nobody@example.com"), "NOTFOUND ");
    EXPECT_EQ(ask("mailboxes @example.com"), "NOTFOUND ");  // no catch-all
    EXPECT_EQ(ask("mailboxes " + john_.uuid), "NOTFOUND ");
}

TEST_F(PostfixTablesTest, NewAliasAnswersAtOnce) {
    EXPECT_EQ(ask("aliases sales@example.com"), "NOTFOUND ");
    ASSERT_TRUE(dir_->add_alias("jane@example.com", "sales@example.com"));
    EXPECT_EQ(ask("aliases sales@example.com"), "OK jane@example.com");
    EXPECT_EQ(ask("senders sales@example.com"), "OK jane@example.com,sales@example.com");
    ASSERT_TRUE(dir_->remove_alias("jane@example.com", "sales@example.com"));
    EXPECT_EQ(ask("aliases sales@example.com"), "NOTFOUND ");
}

TEST_F(PostfixTablesTest, SendersAreTheAccountsLogins) {
    EXPECT_EQ(ask("senders john@example.com"), "OK john@example.com,j.doe@example.com");
    EXPECT_EQ(ask("senders j.doe@example.com"), "OK john@example.com,j.doe@example.com");
    EXPECT_EQ(ask("senders someone@elsewhere.example"), "NOTFOUND ");
}

TEST_F(PostfixTablesTest, ClosedAccountsReceiveAndSendNothing) {
    ASSERT_TRUE(dir_->modify_account(
        "john@example.com", {{directory::AttrChange::Op::set, "zimbraAccountStatus", "closed"}}));
    EXPECT_EQ(ask("mailboxes john@example.com"), "NOTFOUND ");
    EXPECT_EQ(ask("aliases j.doe@example.com"), "NOTFOUND ");
    EXPECT_EQ(ask("senders john@example.com"), "NOTFOUND ");
}

TEST_F(PostfixTablesTest, BadRequests) {
    EXPECT_EQ(ask("mailboxes"), "PERM request must be \"<table> <key>\"");
    EXPECT_EQ(ask("passwords john@example.com").rfind("PERM unknown table 'passwords'", 0), 0u);
    EXPECT_EQ(ask("mailboxes john@example.com\r\nx"), "NOTFOUND ");
    EXPECT_EQ(ask("mailboxes "), "NOTFOUND ");
    EXPECT_EQ(ask("aliases " + std::string(5000, 'a') + "@example.com"), "NOTFOUND ");
}
