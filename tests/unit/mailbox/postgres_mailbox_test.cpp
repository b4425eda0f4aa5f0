// The mailbox on both store backends, and the cluster case: nodes adding contacts to one
// mailbox at once get distinct ids and modseqs (conflicting transactions are retried).
#include <gtest/gtest.h>

#include <latch>
#include <set>
#include <thread>

#include "directory/directory.hpp"
#include "mailbox/mailbox.hpp"
#include "store_backends.hpp"

using namespace sb;
using namespace sb::mailbox;

namespace {

class MailboxOnBackend : public test::StoreBackendTest {
  protected:
    void SetUp() override {
        test::StoreBackendTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        directory::Directory dir(*db_);
        ASSERT_TRUE(dir.ensure_defaults());
        ASSERT_TRUE(dir.create_domain("example.com"));
        directory::NewAccount na;
        na.address = "john@example.com";
        account_ = dir.create_account(na).value().id;
        mb_ = std::make_unique<Mailbox>(*db_);
    }
    std::unique_ptr<Mailbox> mb_;
    int64_t account_ = 0;
};

}  // namespace

TEST_P(MailboxOnBackend, SystemFoldersAndNestedPaths) {
    std::map<int64_t, std::string> byid;
    auto folders = mb_->folders(account_).value();
    for (auto& f : folders)
        byid[f.id] = f.path;
    EXPECT_EQ(byid[2], "/Inbox");
    EXPECT_EQ(byid[7], "/Contacts");
    EXPECT_EQ(byid[13], "/Emailed Contacts");
    auto f = mb_->create_folder(account_, "/Contacts/Suppliers", View::contact);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_GE(f->id, folder_id::kFirstUserItem);
    auto g = mb_->create_folder(account_, "Contacts/Suppliers/EMEA", View::contact);
    ASSERT_TRUE(g);
    // Folder names compare without case, on both backends.
    EXPECT_EQ(mb_->find_folder(account_, "/contacts/suppliers/emea").value().id, g->id);
    EXPECT_EQ(mb_->create_folder(account_, "/Contacts/suppliers", View::contact).error().code,
              Errc::already_exists);
    EXPECT_EQ(mb_->create_folder(account_, "/Nowhere/X", View::contact).error().code,
              Errc::not_found);
    ASSERT_TRUE(mb_->rename_folder(account_, f->id, "Vendors"));
    EXPECT_EQ(mb_->folder(account_, g->id).value().path, "/Contacts/Vendors/EMEA");
    EXPECT_EQ(mb_->folders(999999).error().code, Errc::not_found);
}

TEST_P(MailboxOnBackend, ChangesBumpModseqAndDeletesLeaveTombstones) {
    int64_t m0 = mb_->modseq(account_).value();
    auto c = mb_->add_contact(account_, folder_id::kContacts,
                              {{"firstName", "Ann"}, {"email", "ann@x.example"}});
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->modseq, m0 + 1);
    auto u = mb_->update_contact(account_, c->id, {{"firstName", "Anna \u00e9 \"q\""}});
    ASSERT_TRUE(u);
    EXPECT_EQ(u->modseq, m0 + 2);
    auto cs = mb_->changes_since(account_, m0).value();
    ASSERT_EQ(cs.contacts.size(), 1u);
    EXPECT_EQ(cs.contacts[0].fields.at("firstName"), "Anna \u00e9 \"q\"");
    ASSERT_TRUE(mb_->delete_contact(account_, c->id));
    cs = mb_->changes_since(account_, m0 + 2).value();
    EXPECT_TRUE(cs.contacts.empty());
    ASSERT_EQ(cs.deleted.size(), 1u);
    EXPECT_EQ(cs.deleted[0].kind, "contact");
    EXPECT_EQ(cs.modseq, m0 + 3);
    EXPECT_EQ(mb_->delete_contact(account_, c->id).error().code, Errc::not_found);
}

TEST_P(MailboxOnBackend, DeletingAFolderTombstonesEverythingInIt) {
    auto f = mb_->create_folder(account_, "/Contacts/Old", View::contact).value();
    auto sub = mb_->create_folder(account_, "/Contacts/Old/Older", View::contact).value();
    auto ids =
        mb_->add_contacts(account_, sub.id, {{{"lastName", "A"}}, {{"lastName", "B"}}}).value();
    int64_t before = mb_->modseq(account_).value();
    ASSERT_TRUE(mb_->delete_folder(account_, f.id));
    std::set<int64_t> gone;
    auto changes = mb_->changes_since(account_, before).value();
    for (auto& t : changes.deleted)
        gone.insert(t.id);
    EXPECT_EQ(gone, (std::set<int64_t>{f.id, sub.id, ids[0], ids[1]}));
    EXPECT_TRUE(mb_->contacts(account_, sub.id).value().empty());
}

TEST_P(MailboxOnBackend, BulkAddIsAllOrNothing) {
    auto r = mb_->add_contacts(account_, folder_id::kContacts,
                               {{{"firstName", "Ok"}}, {{"favouriteColour", "blue"}}});
    ASSERT_FALSE(r);
    EXPECT_TRUE(mb_->contacts(account_).value().empty());
    EXPECT_FALSE(mb_->add_contact(account_, folder_id::kInbox, {{"firstName", "X"}}));
}

TEST_P(MailboxOnBackend, WritersOnSeveralNodesGetDistinctIdsAndModseqs) {
    // Every writer bumps the same mailbox row: on PostgreSQL they conflict and are retried.
    constexpr int kWriters = 4, kEach = 10;
    std::vector<std::unique_ptr<store::Database>> nodes;
    std::vector<std::unique_ptr<Mailbox>> boxes;
    for (int i = 0; i < kWriters; ++i) {
        nodes.push_back(postgres() ? open_node() : nullptr);
        boxes.push_back(std::make_unique<Mailbox>(postgres() ? *nodes.back() : *db_));
    }
    std::latch go(kWriters);
    std::vector<std::vector<int64_t>> ids(kWriters);
    std::vector<std::string> errors;
    std::mutex errors_mutex;
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w)
        threads.emplace_back([&, w] {
            go.arrive_and_wait();
            for (int i = 0; i < kEach; ++i) {
                auto r = boxes[w]->add_contacts(
                    account_, folder_id::kContacts,
                    {{{"lastName", "W" + std::to_string(w)}}, {{"firstName", std::to_string(i)}}});
                if (!r) {
                    std::lock_guard lock(errors_mutex);
                    errors.push_back(r.error().message);
                    continue;
                }
                ids[w].insert(ids[w].end(), r->begin(), r->end());
            }
        });
    for (auto& t : threads)
        t.join();
    EXPECT_TRUE(errors.empty()) << errors.front();
    std::set<int64_t> all;
    for (const auto& v : ids) {
        EXPECT_EQ(v.size(), size_t{2 * kEach});
        all.insert(v.begin(), v.end());
    }
    EXPECT_EQ(all.size(), size_t{2 * kEach * kWriters});
    auto stored = mb_->contacts(account_).value();
    EXPECT_EQ(stored.size(), size_t{2 * kEach * kWriters});
    std::set<int64_t> modseqs;
    for (const auto& c : stored)
        modseqs.insert(c.modseq);
    EXPECT_EQ(modseqs.size(), stored.size());
}

INSTANTIATE_TEST_SUITE_P(Backends, MailboxOnBackend, testing::ValuesIn(test::kStoreBackends),
                         test::backend_name);
