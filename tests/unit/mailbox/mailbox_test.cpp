#include <gtest/gtest.h>

#include "directory/directory.hpp"
#include "mailbox/mailbox.hpp"
#include "test_support.hpp"

using namespace sb;
using namespace sb::mailbox;

namespace {

class MailboxTest : public testing::Test {
  protected:
    void SetUp() override {
        db_ = store::open({"sqlite", sb::test::temp_dir("sbmbox") + "/t.db", ""}).value();
        directory::Directory dir(*db_);
        ASSERT_TRUE(dir.ensure_defaults());
        ASSERT_TRUE(dir.create_domain("example.com"));
        directory::NewAccount na;
        na.address = "john@example.com";
        account_ = dir.create_account(na).value().id;
        mb_ = std::make_unique<Mailbox>(*db_);
    }
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<Mailbox> mb_;
    int64_t account_ = 0;
};

}  // namespace

TEST_F(MailboxTest, SystemFoldersHaveZimbraIds) {
    auto fs = mb_->folders(account_).value();
    std::map<int64_t, std::string> byid;
    for (auto& f : fs)
        byid[f.id] = f.path;
    EXPECT_EQ(byid[2], "/Inbox");
    EXPECT_EQ(byid[3], "/Trash");
    EXPECT_EQ(byid[4], "/Junk");
    EXPECT_EQ(byid[5], "/Sent");
    EXPECT_EQ(byid[6], "/Drafts");
    EXPECT_EQ(byid[7], "/Contacts");
    EXPECT_EQ(byid[10], "/Calendar");
    EXPECT_EQ(byid[13], "/Emailed Contacts");
    EXPECT_EQ(byid[15], "/Tasks");
}

TEST_F(MailboxTest, NestedFoldersAndPaths) {
    auto f = mb_->create_folder(account_, "/Contacts/Suppliers", View::contact);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_GE(f->id, folder_id::kFirstUserItem);
    EXPECT_EQ(f->parent_id, folder_id::kContacts);
    EXPECT_EQ(f->path, "/Contacts/Suppliers");
    auto g = mb_->create_folder(account_, "Contacts/Suppliers/EMEA", View::contact);
    ASSERT_TRUE(g);
    EXPECT_EQ(mb_->find_folder(account_, "/contacts/suppliers/emea").value().id, g->id);
    EXPECT_EQ(mb_->find_folder(account_, std::to_string(g->id)).value().path,
              "/Contacts/Suppliers/EMEA");
    EXPECT_EQ(mb_->create_folder(account_, "/Contacts/suppliers", View::contact).error().code,
              Errc::already_exists);
    EXPECT_EQ(mb_->create_folder(account_, "/Nowhere/X", View::contact).error().code,
              Errc::not_found);
    EXPECT_FALSE(mb_->create_folder(account_, "/Contacts/a\x01", View::contact));
    EXPECT_FALSE(mb_->rename_folder(account_, folder_id::kContacts, "People"));
    EXPECT_FALSE(mb_->rename_folder(account_, f->id, "X", g->id));  // not into itself
    auto r = mb_->rename_folder(account_, f->id, "Vendors");
    ASSERT_TRUE(r);
    EXPECT_EQ(mb_->folder(account_, g->id).value().path, "/Contacts/Vendors/EMEA");
}

TEST_F(MailboxTest, EveryChangeBumpsModseqAndDeletesLeaveTombstones) {
    int64_t m0 = mb_->modseq(account_).value();
    auto c = mb_->add_contact(account_, folder_id::kContacts,
                              {{"firstName", "Ann"}, {"email", "ann@x.example"}});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->modseq, m0 + 1);
    auto u = mb_->update_contact(account_, c->id, {{"firstName", "Anna"}});
    ASSERT_TRUE(u);
    EXPECT_EQ(u->modseq, m0 + 2);
    EXPECT_EQ(u->fields.count("email"), 0u);  // update replaces the field set
    auto cs = mb_->changes_since(account_, m0);
    ASSERT_TRUE(cs);
    ASSERT_EQ(cs->contacts.size(), 1u);
    EXPECT_EQ(cs->contacts[0].fields.at("firstName"), "Anna");
    ASSERT_TRUE(mb_->delete_contact(account_, c->id));
    cs = mb_->changes_since(account_, m0 + 2);
    ASSERT_TRUE(cs);
    EXPECT_TRUE(cs->contacts.empty());
    ASSERT_EQ(cs->deleted.size(), 1u);
    EXPECT_EQ(cs->deleted[0].id, c->id);
    EXPECT_EQ(cs->deleted[0].kind, "contact");
    EXPECT_EQ(cs->modseq, m0 + 3);
    EXPECT_EQ(mb_->delete_contact(account_, c->id).error().code, Errc::not_found);
}

TEST_F(MailboxTest, DeletingAFolderTombstonesEverythingInIt) {
    auto f = mb_->create_folder(account_, "/Contacts/Old", View::contact).value();
    auto sub = mb_->create_folder(account_, "/Contacts/Old/Older", View::contact).value();
    auto ids =
        mb_->add_contacts(account_, sub.id, {{{"lastName", "A"}}, {{"lastName", "B"}}}).value();
    int64_t before = mb_->modseq(account_).value();
    ASSERT_TRUE(mb_->delete_folder(account_, f.id));
    auto cs = mb_->changes_since(account_, before).value();
    std::set<int64_t> gone;
    for (auto& t : cs.deleted)
        gone.insert(t.id);
    EXPECT_EQ(gone, (std::set<int64_t>{f.id, sub.id, ids[0], ids[1]}));
    EXPECT_TRUE(mb_->contacts(account_, sub.id).value().empty());
    EXPECT_FALSE(mb_->delete_folder(account_, folder_id::kContacts));
}

TEST_F(MailboxTest, BulkAddIsAllOrNothingAndFieldsAreChecked) {
    auto r = mb_->add_contacts(account_, folder_id::kContacts,
                               {{{"firstName", "Ok"}}, {{"favouriteColour", "blue"}}});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("contact 2: unknown contact field: favouriteColour"),
              std::string::npos);
    EXPECT_TRUE(mb_->contacts(account_).value().empty());
    EXPECT_FALSE(mb_->add_contact(account_, folder_id::kInbox,
                                  {{"firstName", "X"}}));  // not a contact folder
    EXPECT_FALSE(
        mb_->add_contact(account_, folder_id::kContacts, {{"firstName", ""}}));  // nothing left
}
