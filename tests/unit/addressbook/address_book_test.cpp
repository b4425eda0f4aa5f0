// The AddressBook service over a real store: who is in a GAL (status, zimbraHideInGal and its
// inheritance), own folders, published books and their labels, and the change feed.
#include <gtest/gtest.h>

#include <algorithm>

#include "directory/directory.hpp"
#include "ldap/addressbook/address_book.hpp"
#include "ldap/addressbook/migrations.hpp"
#include "ldap/addressbook/search.hpp"
#include "ldap_reply.hpp"
#include "mailbox/mailbox.hpp"
#include "store/database.hpp"
#include "test_support.hpp"

namespace sb::addressbook {
namespace {

using directory::AttrChange;

class AddressBookTest : public ::testing::Test {
  protected:
    std::unique_ptr<store::Database> db;
    std::unique_ptr<directory::Directory> dir;
    std::unique_ptr<mailbox::Mailbox> mbox;
    std::unique_ptr<AddressBook> book;

    std::string db_path;

    void SetUp() override {
        db_path = test::temp_dir("sbab") + "/t.db";
        db = store::open({"sqlite", db_path, ""}).value();
        ASSERT_TRUE(store::migrate(*db, ldap_migrations()));
        dir = std::make_unique<directory::Directory>(*db);
        ASSERT_TRUE(dir->ensure_defaults());
        mbox = std::make_unique<mailbox::Mailbox>(*db);
        ASSERT_TRUE(dir->create_domain("example.com"));
        ASSERT_TRUE(dir->create_domain("other.org"));
        account("ada@example.com", {{AttrChange::Op::set, "displayName", "Ada Lovelace"}});
        account("bob@example.com", {{AttrChange::Op::set, "displayName", "Bob Brown"}});
        account("dan@other.org", {{AttrChange::Op::set, "displayName", "Dan Other"}});
        AddressBookOptions o;
        o.debounce = std::chrono::milliseconds(1);
        book = std::make_unique<AddressBook>(*db, *dir, *mbox, o);
        ASSERT_TRUE(book->start());
    }
    void TearDown() override { book.reset(); }

    int64_t account(const std::string& address, std::vector<AttrChange> attrs = {}) {
        directory::NewAccount na;
        na.address = address;
        na.password = "pw";
        na.attrs = std::move(attrs);
        auto a = dir->create_account(na);
        EXPECT_TRUE(a) << a.error().message;
        return a ? a->id : 0;
    }
    int64_t id(const std::string& address) { return dir->account(address)->id; }

    // An address book whose updater pauses a minute after a change before applying it: what a
    // bind sees while bulk changes are still being applied, without depending on timing.
    void restart_with_slow_updater() {
        book.reset();
        AddressBookOptions o;
        o.debounce = std::chrono::minutes(1);
        book = std::make_unique<AddressBook>(*db, *dir, *mbox, o);
        ASSERT_TRUE(book->start());
    }

    // What `address` finds searching for its own address, straight after view() (no sync).
    std::vector<std::string> own_entry_now(const std::string& address) {
        auto v = book->view(id(address));
        EXPECT_TRUE(v) << v.error().message;
        if (!v) return {};
        EXPECT_EQ((*v)->own_dn(), "uid=" + address + ",ou=InternalGAL/example.com,o=switchboard");
        ldapproto::SearchRequest req;
        req.scope = ldapproto::SearchScope::whole_subtree;
        const std::string text = "(mail=" + address + ")";
        req.filter = *ldapproto::parse_filter(text);
        req.attributes = {"mail"};
        SearchCursor c(*v, req, 2, {}, {});
        std::string out;
        while (!c.pump(out, 65536)) {
        }
        std::vector<std::string> mails;
        for (const auto& e : test::parse_replies(out).entries)
            mails.push_back(e.first("mail"));
        return mails;
    }

    std::vector<std::string> labels(const std::string& address) {
        EXPECT_TRUE(book->sync());
        auto v = book->view(id(address));
        EXPECT_TRUE(v) << v.error().message;
        std::vector<std::string> out;
        for (const auto& b : (*v)->books())
            out.push_back(b.label);
        return out;
    }

    std::vector<std::string> cns(const std::string& address, std::string_view filter = "(mail=*)") {
        EXPECT_TRUE(book->sync());
        auto v = book->view(id(address));
        ldapproto::SearchRequest req;
        req.scope = ldapproto::SearchScope::whole_subtree;
        req.filter = *ldapproto::parse_filter(filter);
        req.attributes = {"cn"};
        SearchCursor c(*v, req, 2, {}, {});
        std::string out;
        while (!c.pump(out, 65536)) {
        }
        std::vector<std::string> names;
        for (const auto& e : test::parse_replies(out).entries)
            names.push_back(e.first("cn"));
        std::sort(names.begin(), names.end());
        return names;
    }
};

TEST_F(AddressBookTest, GalHoldsActiveVisibleAccountsOfTheDomain) {
    EXPECT_EQ(cns("ada@example.com"), (std::vector<std::string>{"Ada Lovelace", "Bob Brown"}));
    EXPECT_EQ(cns("dan@other.org"), std::vector<std::string>{"Dan Other"});
    ASSERT_TRUE(dir->modify_account("bob@example.com",
                                    {{AttrChange::Op::set, "zimbraAccountStatus", "locked"}}));
    EXPECT_EQ(cns("ada@example.com"), std::vector<std::string>{"Ada Lovelace"});
    ASSERT_TRUE(dir->modify_account("bob@example.com",
                                    {{AttrChange::Op::set, "zimbraAccountStatus", "active"}}));
    ASSERT_TRUE(
        dir->modify_account("bob@example.com", {{AttrChange::Op::set, "zimbraHideInGal", "TRUE"}}));
    EXPECT_EQ(cns("ada@example.com"), std::vector<std::string>{"Ada Lovelace"});
}

TEST_F(AddressBookTest, HideInGalIsInheritedFromCosDomainAndGlobal) {
    ASSERT_TRUE(
        dir->modify_domain("example.com", {{AttrChange::Op::set, "zimbraHideInGal", "TRUE"}}));
    EXPECT_TRUE(cns("ada@example.com").empty());
    ASSERT_TRUE(dir->modify_account("bob@example.com",
                                    {{AttrChange::Op::set, "zimbraHideInGal", "FALSE"}}));
    EXPECT_EQ(cns("ada@example.com"), std::vector<std::string>{"Bob Brown"});  // the account wins
    ASSERT_TRUE(dir->modify_domain("example.com", {{AttrChange::Op::set, "zimbraHideInGal", ""}}));
    ASSERT_TRUE(dir->create_cos("ghosts", {{AttrChange::Op::set, "zimbraHideInGal", "TRUE"}}));
    ASSERT_TRUE(
        dir->modify_account("ada@example.com", {{AttrChange::Op::set, "zimbraCOSId", "ghosts"}}));
    EXPECT_EQ(cns("bob@example.com"), std::vector<std::string>{"Bob Brown"});
    ASSERT_TRUE(dir->set_global({{AttrChange::Op::set, "zimbraHideInGal", "TRUE"}}));
    EXPECT_EQ(cns("dan@other.org"), std::vector<std::string>{});
}

TEST_F(AddressBookTest, OwnFoldersAreLabelledWithTheirPath) {
    auto ada = id("ada@example.com");
    ASSERT_TRUE(mbox->add_contact(ada, mailbox::folder_id::kContacts,
                                  {{"firstName", "Grace"}, {"email", "g@x"}}));
    auto sup = mbox->create_folder(ada, "/Contacts/Suppliers", mailbox::View::contact);
    ASSERT_TRUE(sup);
    ASSERT_TRUE(mbox->add_contact(ada, sup->id, {{"firstName", "Sam"}, {"email", "s@x"}}));
    EXPECT_EQ(labels("ada@example.com"),
              (std::vector<std::string>{"/Contacts", "/Contacts/Suppliers", "/Emailed Contacts",
                                        "InternalGAL/example.com"}));
    EXPECT_EQ(cns("ada@example.com"),
              (std::vector<std::string>{"Ada Lovelace", "Bob Brown", "Grace", "Sam"}));
    EXPECT_EQ(cns("bob@example.com"),
              (std::vector<std::string>{"Ada Lovelace", "Bob Brown"}));  // not Ada's
}

TEST_F(AddressBookTest, PublishedBooksGlobalDomainAllAndOrphans) {
    auto bob = id("bob@example.com");
    auto partners = mbox->create_folder(bob, "/Partners", mailbox::View::contact);
    ASSERT_TRUE(mbox->add_contact(bob, partners->id, {{"firstName", "Paula"}, {"email", "p@x"}}));
    ASSERT_TRUE(mbox->add_contact(bob, mailbox::folder_id::kContacts,
                                  {{"firstName", "Secret"}, {"email", "s@x"}}));
    auto& pubs = book->publications();
    auto p = pubs.add(PublishScope::domain, std::nullopt, "bob@example.com",
                      std::to_string(partners->id));
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->domain, "example.com");
    EXPECT_EQ(p->folder, "/Partners");
    auto l = labels("ada@example.com");
    EXPECT_NE(std::find(l.begin(), l.end(), "Bob Brown/Partners"), l.end());
    EXPECT_EQ(cns("dan@other.org"), std::vector<std::string>{"Dan Other"});  // another domain
    EXPECT_EQ(
        pubs.add(PublishScope::domain, std::nullopt, "bob@example.com", "/Partners").error().code,
        Errc::already_exists);
    EXPECT_EQ(pubs.add(PublishScope::global, std::nullopt, "bob@example.com", "2").error().code,
              Errc::invalid_argument);  // the Inbox holds no contacts
    ASSERT_TRUE(
        pubs.add(PublishScope::global, std::nullopt, dir->account("bob@example.com")->uuid, "all"));
    EXPECT_EQ(cns("dan@other.org"), (std::vector<std::string>{"Dan Other", "Paula", "Secret"}));
    // Both publications name /Partners for Ada: shown once.
    l = labels("ada@example.com");
    EXPECT_EQ(std::count(l.begin(), l.end(), "Bob Brown/Partners"), 1);
    EXPECT_EQ(pubs.list(PublishScope::global)->size(), 1u);
    EXPECT_EQ(pubs.list()->size(), 2u);
    // The owner is deleted: the books disappear, the publications stay as orphans until removed.
    const std::string uuid = dir->account("bob@example.com")->uuid;
    ASSERT_TRUE(dir->delete_account("bob@example.com"));
    EXPECT_EQ(cns("dan@other.org"), std::vector<std::string>{"Dan Other"});
    auto orphans = pubs.list();
    ASSERT_EQ(orphans->size(), 2u);
    EXPECT_EQ(orphans->front().owner, "");
    EXPECT_EQ(pubs.remove(PublishScope::global, std::nullopt, uuid, std::nullopt).value(), 1u);
    EXPECT_EQ(pubs.remove(PublishScope::domain, "example.com", uuid, "all").value(), 1u);
    EXPECT_EQ(pubs.remove(PublishScope::domain, "example.com", uuid, "all").error().code,
              Errc::not_found);
}

TEST_F(AddressBookTest, LabelsCollideOnlyWithTheOwnerAddressAdded) {
    account("bob2@other.org", {{AttrChange::Op::set, "displayName", "Bob Brown"}});
    for (auto owner : {"bob@example.com", "bob2@other.org"}) {
        auto f = mbox->create_folder(id(owner), "/Partners", mailbox::View::contact);
        ASSERT_TRUE(f);
        ASSERT_TRUE(
            book->publications().add(PublishScope::global, std::nullopt, owner, "/Partners"));
    }
    auto l = labels("dan@other.org");
    EXPECT_NE(std::find(l.begin(), l.end(), "Bob Brown/Partners"), l.end());
    // The second in publication order (by owner address) gets its owner's address.
    EXPECT_NE(std::find(l.begin(), l.end(), "Bob Brown/Partners (bob@example.com)"), l.end());
}

TEST_F(AddressBookTest, ChangesAreVisibleAfterSync) {
    auto ada = id("ada@example.com");
    EXPECT_EQ(cns("ada@example.com", "(sn=Hopper)"), std::vector<std::string>{});
    auto c = mbox->add_contact(ada, mailbox::folder_id::kContacts,
                               {{"firstName", "Grace"}, {"lastName", "Hopper"}});
    EXPECT_EQ(cns("ada@example.com", "(sn=Hopper)"), std::vector<std::string>{"Grace Hopper"});
    ASSERT_TRUE(mbox->update_contact(ada, c->id, {{"firstName", "Grace"}, {"lastName", "Murray"}}));
    EXPECT_EQ(cns("ada@example.com", "(sn=Hopper)"), std::vector<std::string>{});
    ASSERT_TRUE(mbox->delete_contact(ada, c->id));
    EXPECT_EQ(cns("ada@example.com", "(sn=Murray)"), std::vector<std::string>{});
    ASSERT_TRUE(dir->rename_account("bob@example.com", "robert@example.com"));
    EXPECT_EQ(cns("ada@example.com", "(mail=robert@*)"), std::vector<std::string>{"Bob Brown"});
    ASSERT_TRUE(dir->add_alias("robert@example.com", "bobby@example.com"));
    EXPECT_EQ(cns("ada@example.com", "(mail=bobby@*)"), std::vector<std::string>{"Bob Brown"});
}

TEST_F(AddressBookTest, ManyAccountsAtOnceReloadEverything) {
    std::vector<directory::NewAccount> many;
    for (int i = 0; i < 3000; ++i) {
        directory::NewAccount na;
        na.address = "user" + std::to_string(i) + "@example.com";
        many.push_back(na);
    }
    ASSERT_TRUE(dir->create_accounts(many));
    EXPECT_EQ(cns("ada@example.com", "(mail=user2999@*)"), std::vector<std::string>{"user2999"});
    auto st = book->stats();
    EXPECT_EQ(st.gal_entries, 3003u);
    EXPECT_EQ(st.domains, 2u);
}

TEST_F(AddressBookTest, AViewRightAfterABulkCreationWaitsForIt) {
    restart_with_slow_updater();
    std::vector<directory::NewAccount> many;
    for (int i = 0; i < 3000; ++i) {  // beyond full_reload_threshold: the whole GAL is reloaded
        directory::NewAccount na;
        na.address = "user" + std::to_string(i) + "@example.com";
        many.push_back(na);
    }
    ASSERT_TRUE(dir->create_accounts(many));
    EXPECT_EQ(own_entry_now("user2999@example.com"),
              std::vector<std::string>{"user2999@example.com"});
    EXPECT_EQ(book->stats().gal_entries, 3003u);  // and ada, bob, dan
}

TEST_F(AddressBookTest, AViewRightAfterABurstOfCreationsWaitsForThem) {
    restart_with_slow_updater();
    for (int i = 0; i < 20; ++i)
        account("burst" + std::to_string(i) + "@example.com");
    EXPECT_EQ(own_entry_now("burst19@example.com"),
              std::vector<std::string>{"burst19@example.com"});
    EXPECT_EQ(own_entry_now("burst0@example.com"), std::vector<std::string>{"burst0@example.com"});
}

TEST_F(AddressBookTest, AnAccountWhoseChangeWasNotNotifiedIsReadFromTheStore) {
    // Another node (a second connection to the same store, which this address book does not
    // follow) creates the account: no notification reaches the address book.
    auto db2 = store::open({"sqlite", db_path, ""}).value();
    directory::Directory dir2(*db2);
    directory::NewAccount na;
    na.address = "elsewhere@example.com";
    na.password = "pw";
    auto created = dir2.create_account(na);
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_EQ(own_entry_now("elsewhere@example.com"),
              std::vector<std::string>{"elsewhere@example.com"});
    // An id the store does not have either is still unknown.
    auto none = book->view(created->id + 1000);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, Errc::not_found);
}

TEST_F(AddressBookTest, BadOptionsAreRefused) {
    AddressBookOptions o;
    o.label_attribute = "cn";
    EXPECT_EQ(AddressBook(*db, *dir, *mbox, o).start().error().code, Errc::invalid_argument);
    o = {};
    o.naming_context = "cn=x+sn=y";
    EXPECT_FALSE(AddressBook(*db, *dir, *mbox, o).start());
    o = {};
    o.gal_label = "a/b";
    EXPECT_FALSE(AddressBook(*db, *dir, *mbox, o).start());
}

}  // namespace
}  // namespace sb::addressbook
