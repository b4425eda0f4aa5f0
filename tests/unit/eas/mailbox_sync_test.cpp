// Contact sync on the real mailbox, on both store backends: the initial download and the change
// feed follow every kind of change (edits, deletions, moves between folders, a deleted folder)
// made before, during and after a device's first sync, and the device ends with exactly the
// folder's contacts. On SQLite, what one Sync request reads and writes is counted: it depends on
// the window, not on the size of the folder, and no statement scans a table or sorts; and a
// whole request through the pipeline reads the account's attributes only when they changed.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "auth/authenticator.hpp"
#include "auth/credentials.hpp"
#include "core/base64.hpp"
#include "directory/directory.hpp"
#include "eas/commands/command_table.hpp"
#include "eas/exchange.hpp"
#include "eas/service.hpp"
#include "eas/sync/collection_sync.hpp"
#include "eas/wbxml/xml.hpp"
#include "mailbox/mailbox.hpp"
#include "mailbox/migrations.hpp"
#include "store/migrations.hpp"
#include "store_backends.hpp"

using namespace sb;
using namespace sb::eas;
namespace as = sb::wbxml::cp::airsync;

namespace {

// Every statement a store runs: its text and parameters, the rows it returned, the bytes it wrote.
struct Statement {
    std::string sql;
    std::vector<store::Value> params;
    size_t rows = 0;
    size_t bytes = 0;
    bool write = false;
    bool relaxed = false;  // in a write_relaxed() transaction
};

class CountingTx final : public store::Tx {
  public:
    CountingTx(store::Tx& inner, std::vector<Statement>& log, bool write, bool relaxed = false)
        : inner_(inner), log_(log), write_(write), relaxed_(relaxed) {}
    Result<store::Rows> query(std::string_view sql,
                              std::initializer_list<store::Value> params) override {
        return query(sql, std::vector<store::Value>(params));
    }
    Result<store::Rows> query(std::string_view sql,
                              const std::vector<store::Value>& params) override {
        auto r = inner_.query(sql, params);
        record(sql, params, r ? r->size() : 0);
        return r;
    }
    Result<int64_t> exec(std::string_view sql,
                         std::initializer_list<store::Value> params) override {
        return exec(sql, std::vector<store::Value>(params));
    }
    Result<int64_t> exec(std::string_view sql, const std::vector<store::Value>& params) override {
        auto r = inner_.exec(sql, params);
        record(sql, params, 0);
        return r;
    }
    Result<void> script(std::string_view sql) override { return inner_.script(sql); }
    void notify(store::Change change) override { inner_.notify(std::move(change)); }

  private:
    void record(std::string_view sql, const std::vector<store::Value>& params, size_t rows) {
        Statement s{std::string(sql), params, rows, 0, write_, relaxed_};
        if (write_)
            for (auto& p : params)
                if (auto* t = std::get_if<std::string>(&p)) s.bytes += t->size();
        log_.push_back(std::move(s));
    }
    store::Tx& inner_;
    std::vector<Statement>& log_;
    bool write_;
    bool relaxed_;
};

// The store's own setting inside a transaction: whether its commit waits for the disk.
std::string commit_setting(store::Tx& tx, std::string_view dialect) {
    auto r = tx.query(dialect == "sqlite" ? "PRAGMA synchronous" : "SHOW synchronous_commit");
    if (!r || r->empty()) return "?";
    const auto& v = r->front().cols.at(0);
    if (auto* i = std::get_if<int64_t>(&v)) return *i == 2 ? "FULL" : *i == 1 ? "NORMAL" : "?";
    return std::get<std::string>(v);
}

class CountingDatabase final : public store::Database {
  public:
    explicit CountingDatabase(store::Database& inner) : inner_(inner) {}
    std::vector<Statement> log;

    Result<void> write_tx(const store::TxFn& fn) override {
        return inner_.write([&](store::Tx& tx) -> Result<void> {
            CountingTx t(tx, log, true);
            return fn(t);
        });
    }
    Result<void> write_relaxed_tx(const store::TxFn& fn) override {
        return inner_.write_relaxed([&](store::Tx& tx) -> Result<void> {
            CountingTx t(tx, log, true, true);
            return fn(t);
        });
    }
    Result<void> read_tx(const store::TxFn& fn) override {
        return inner_.read([&](store::Tx& tx) -> Result<void> {
            CountingTx t(tx, log, false);
            return fn(t);
        });
    }

    std::string_view dialect() const override { return inner_.dialect(); }
    store::Subscription subscribe(store::ChangeListener l) override {
        return inner_.subscribe(std::move(l));
    }
    void unsubscribe_all() override { inner_.unsubscribe_all(); }

  private:
    store::Database& inner_;
};

struct Answer {
    std::string body;
    wbxml::Document doc;
    wbxml::Element collection() const {
        return doc.root().child(as::Collections).child(as::Collection);
    }
    std::string key() const { return std::string(collection().child_text(as::SyncKey)); }
    int status() const { return std::stoi(std::string(collection().child_text(as::Status, "0"))); }
    bool more() const { return collection().has_child(as::MoreAvailable); }
    size_t commands() const {
        auto c = collection().child(as::Commands);
        return c ? c.child_count() : 0;
    }
    std::string xml() const { return doc.root() ? wbxml::to_xml(doc) : "(no body)"; }
};

// A phone's copy of the Contacts collection: ServerId → last name.
struct Phone {
    std::string key = "0";
    std::map<std::string, std::string> items;

    void receive(const Answer& a) {
        auto cmds = a.collection().child(as::Commands);
        if (!cmds) return;
        for (auto c : cmds.children()) {
            std::string sid(c.child_text(as::ServerId));
            if (c.is(as::Add)) {
                EXPECT_FALSE(items.count(sid)) << sid << " added twice\n" << a.xml();
            } else {
                EXPECT_TRUE(items.count(sid)) << sid << " changed or deleted, never added\n"
                                              << a.xml();
            }
            if (c.is(as::Delete))
                items.erase(sid);
            else
                items[sid] = std::string(
                    c.child(as::ApplicationData).child_text(wbxml::cp::contacts::LastName));
        }
    }
};

class MailboxSyncTest : public test::StoreBackendTest {
  protected:
    void SetUp() override {
        test::StoreBackendTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        ASSERT_TRUE(store::migrate(*db_, eas::migrations()));
        ASSERT_TRUE(store::migrate(*db_, mailbox::migrations()));
        counting_ = std::make_unique<CountingDatabase>(*db_);
        dir_ = std::make_unique<directory::Directory>(*counting_);
        ASSERT_TRUE(dir_->ensure_defaults());
        ASSERT_TRUE(dir_->create_domain("example.com"));
        creds_ = std::make_unique<auth::Credentials>(*dir_);
        auth_ = std::make_unique<auth::Authenticator>(*dir_, *creds_);
        mailbox_ = std::make_unique<mailbox::Mailbox>(*counting_);
        svc_ = std::make_unique<Service>(*counting_, *dir_, *auth_, *mailbox_);
    }
    void TearDown() override {
        if (db_) db_->unsubscribe_all();  // the service's listeners go with it
        svc_.reset();
    }

    // A new account with `n` contacts in Contacts and a device that did its FolderSync.
    int64_t account(const std::string& local, size_t n) {
        directory::NewAccount na;
        na.address = local + "@example.com";
        auto a = dir_->create_account(na);
        EXPECT_TRUE(a) << a.error().message;
        accounts_[a->id] = *a;
        std::vector<mailbox::ContactFields> list;
        for (size_t i = 0; i < n; ++i)
            list.push_back({{"firstName", "P"}, {"lastName", "L" + std::to_string(i)}});
        if (n) {
            EXPECT_TRUE(mailbox_->add_contacts(a->id, 7, list));
        }
        EXPECT_TRUE(svc_->devices().touch(a->id, "Dev", "iPhone", "Apple-iPhone", "14.1", "Sync"));
        run(a->id, run_folder_sync,
            "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>");
        return a->id;
    }

    Answer run(int64_t account, Handler handler, std::string_view xml) {
        Answer a;
        auto request = wbxml::from_xml(xml);
        EXPECT_TRUE(request) << request.error().message;
        wbxml::Document doc = wbxml::decode_owned(*request).value();
        Device device = svc_->devices().find(account, "Dev").value().value();
        Query query;
        query.device_id = "Dev";
        query.device_type = "iPhone";
        Context c{*svc_, accounts_.at(account), device, query, kV141, doc};
        auto reply = handler(c);
        EXPECT_TRUE(reply) << reply.error().message;
        if (!reply) return a;
        a.body = std::move(reply->body);
        if (!a.body.empty()) a.doc = wbxml::decode_owned(a.body).value();
        return a;
    }

    Answer sync(int64_t account, Phone& phone, size_t window, const std::string& inner = "") {
        auto a = run(account, run_sync,
                     "<Sync xmlns=\"AirSync:\" xmlns:c=\"Contacts:\"><Collections><Collection>"
                     "<SyncKey>" +
                         phone.key + "</SyncKey><CollectionId>7</CollectionId><WindowSize>" +
                         std::to_string(window) + "</WindowSize>" + inner +
                         "</Collection></Collections></Sync>");
        EXPECT_EQ(a.status(), 1) << a.xml();
        phone.receive(a);
        phone.key = a.key();
        return a;
    }

    // Syncs until nothing is left; the phone must then hold exactly the folder's contacts.
    void expect_converges(int64_t account, Phone& phone, size_t window) {
        for (int i = 0; i < 1000; ++i) {
            auto a = sync(account, phone, window);
            if (!a.more() && a.commands() == 0) break;
        }
        std::map<std::string, std::string> server;
        auto contacts = mailbox_->contacts(account, 7).value();
        for (auto& c : contacts)
            server["7:" + std::to_string(c.id)] = c.fields.at("lastName");
        EXPECT_EQ(phone.items, server);
        EXPECT_EQ(pending_changes(*svc_, account, "Dev", "7").value(), std::optional<size_t>(0));
    }

    int64_t contact_id(int64_t account, std::string_view last) {
        auto contacts = mailbox_->contacts(account).value();
        for (auto& c : contacts)
            if (c.fields.at("lastName") == last) return c.id;
        ADD_FAILURE() << "no contact " << last;
        return 0;
    }

    std::unique_ptr<CountingDatabase> counting_;
    std::unique_ptr<directory::Directory> dir_;
    std::unique_ptr<auth::Credentials> creds_;
    std::unique_ptr<auth::Authenticator> auth_;
    std::unique_ptr<mailbox::Mailbox> mailbox_;
    std::unique_ptr<Service> svc_;
    std::map<int64_t, directory::Account> accounts_;
};

// What one Sync request costs the store.
struct Cost {
    size_t statements = 0, rows = 0, written = 0;
};

Cost cost_of(const std::vector<Statement>& log, size_t from) {
    Cost c;
    for (size_t i = from; i < log.size(); ++i) {
        ++c.statements;
        c.rows += log[i].rows;
        c.written += log[i].bytes;
    }
    return c;
}

}  // namespace

TEST_P(MailboxSyncTest, DownloadAndFeedFollowEveryKindOfChange) {
    int64_t a = account("ann", 0);
    // Elsewhere, a folder whose contacts have lower ids than those of Contacts.
    auto other = mailbox_->create_folder(a, "/Contacts/Other", mailbox::View::contact).value();
    ASSERT_TRUE(mailbox_->add_contacts(a, other.id, {{{"lastName", "O1"}}, {{"lastName", "O2"}}}));
    std::vector<mailbox::ContactFields> list;
    for (int i = 0; i < 30; ++i)
        list.push_back({{"lastName", "C" + std::to_string(i)}});
    ASSERT_TRUE(mailbox_->add_contacts(a, 7, list));
    Phone phone;
    sync(a, phone, 10);  // SyncKey 0
    sync(a, phone, 10);
    sync(a, phone, 10);
    ASSERT_EQ(phone.items.size(), 20u);

    // During the download: an edit of a sent contact and of one still to come, a deletion of
    // each kind, a sent contact moved away, a contact with a low id moved in, a new contact.
    ASSERT_TRUE(mailbox_->update_contact(a, contact_id(a, "C3"), {{"lastName", "C3-edited"}}));
    ASSERT_TRUE(mailbox_->update_contact(a, contact_id(a, "C25"), {{"lastName", "C25-edited"}}));
    ASSERT_TRUE(mailbox_->delete_contact(a, contact_id(a, "C4")));
    ASSERT_TRUE(mailbox_->delete_contact(a, contact_id(a, "C26")));
    ASSERT_TRUE(mailbox_->move_contact(a, contact_id(a, "C5"), other.id));
    ASSERT_TRUE(mailbox_->move_contact(a, contact_id(a, "O1"), 7));
    ASSERT_TRUE(mailbox_->add_contact(a, 7, {{"lastName", "New1"}}));
    expect_converges(a, phone, 10);
    ASSERT_FALSE(HasFailure());

    // After the download, the feed alone: the same kinds again, then the other folder deleted
    // with a contact that had been moved into Contacts and back out.
    ASSERT_TRUE(mailbox_->update_contact(a, contact_id(a, "C0"), {{"lastName", "C0-edited"}}));
    ASSERT_TRUE(mailbox_->delete_contact(a, contact_id(a, "C1")));
    ASSERT_TRUE(mailbox_->move_contact(a, contact_id(a, "O1"), other.id));
    ASSERT_TRUE(mailbox_->move_contact(a, contact_id(a, "O2"), 7));
    ASSERT_TRUE(mailbox_->add_contact(a, 7, {{"lastName", "New2"}}));
    expect_converges(a, phone, 2);
    ASSERT_FALSE(HasFailure());
    ASSERT_TRUE(mailbox_->move_contact(a, contact_id(a, "O2"), other.id));
    ASSERT_TRUE(mailbox_->delete_folder(a, other.id));
    expect_converges(a, phone, 100);
    EXPECT_EQ(phone.items.size(), 28u);  // 30 - C1, C4, C5, C26 + New1, New2; nothing of Other
}

TEST_P(MailboxSyncTest, DeviceCommandsDuringTheDownloadAreNotSentBack) {
    int64_t a = account("bob", 12);
    Phone phone;
    sync(a, phone, 5);
    sync(a, phone, 5);
    // The device adds a contact (it gets the highest id, ahead of the download), edits and
    // deletes contacts it has, in one request that also receives the next window.
    std::string first_sid = phone.items.begin()->first;
    std::string second_sid = std::next(phone.items.begin())->first;
    auto r = sync(a, phone, 5,
                  "<Commands><Add><ClientId>n1</ClientId><ApplicationData>"
                  "<c:LastName>Mine</c:LastName></ApplicationData></Add>"
                  "<Change><ServerId>" +
                      first_sid +
                      "</ServerId><ApplicationData><c:LastName>Edited</c:LastName>"
                      "</ApplicationData></Change>"
                      "<Delete><ServerId>" +
                      second_sid + "</ServerId></Delete></Commands>");
    auto responses = r.collection().child(as::Responses);
    ASSERT_TRUE(responses) << r.xml();
    std::string mine(responses.child(as::Add).child_text(as::ServerId));
    ASSERT_FALSE(mine.empty()) << r.xml();
    phone.items[mine] = "Mine";
    phone.items[first_sid] = "Edited";
    phone.items.erase(second_sid);
    expect_converges(a, phone, 5);
}

TEST_P(MailboxSyncTest, HoldingsOfAnEarlierVersionBecomeRows) {
    // A state written before held items had rows: "id:version,..." in `holdings`.
    int64_t a = account("cid", 6);
    Phone phone;
    sync(a, phone, 100);
    sync(a, phone, 100);
    ASSERT_EQ(phone.items.size(), 6u);
    auto contacts = mailbox_->contacts(a, 7).value();
    // The device holds the first four, the second of them in an older version.
    std::string legacy;
    for (size_t i = 0; i < 4; ++i)
        legacy += (i ? "," : "") + std::to_string(contacts[i].id) + ":" +
                  std::to_string(contacts[i].modseq - (i == 1));
    phone.items.clear();
    for (size_t i = 0; i < 4; ++i)
        phone.items["7:" + std::to_string(contacts[i].id)] =
            i == 1 ? "old" : contacts[i].fields.at("lastName");
    ASSERT_TRUE(db_->write([&](store::Tx& tx) -> Result<void> {
        SB_TRY(tx.exec("DELETE FROM eas_sync_items WHERE account_id = ?", {a}));
        SB_TRY(
            tx.exec("UPDATE eas_sync_states SET holdings = ?, download_after = -1, "
                    "feed_modseq = 0 WHERE account_id = ? AND collection = '7'",
                    {legacy, a}));
        return {};
    }));
    auto r = sync(a, phone, 100);
    size_t adds = 0, changes = 0;
    for (auto c : r.collection().child(as::Commands).children()) {
        adds += c.is(as::Add);
        changes += c.is(as::Change);
    }
    EXPECT_EQ(adds, 2u) << r.xml();
    EXPECT_EQ(changes, 1u) << r.xml();
    expect_converges(a, phone, 100);
}

TEST_P(MailboxSyncTest, ARequestCostsItsWindowNotTheFolder) {
    if (postgres()) GTEST_SKIP() << "counted once, on SQLite";
    struct Measured {
        Cost download, later;
    };
    auto measure = [&](const std::string& who, size_t n) {
        int64_t a = account(who, n);
        Phone phone;
        sync(a, phone, 25);
        sync(a, phone, 25);
        sync(a, phone, 25);
        Measured m;
        size_t from = counting_->log.size();
        auto w = sync(a, phone, 25);  // the third window of the download
        m.download = cost_of(counting_->log, from);
        EXPECT_EQ(w.commands(), 25u);
        for (int i = 0; i < 1000 && w.more(); ++i)
            w = sync(a, phone, 512);
        EXPECT_EQ(phone.items.size(), n);
        EXPECT_TRUE(mailbox_->add_contact(a, 7, {{"lastName", "Later"}}));
        from = counting_->log.size();
        w = sync(a, phone, 25);  // a later Sync: one new contact
        m.later = cost_of(counting_->log, from);
        EXPECT_EQ(w.commands(), 1u);
        return m;
    };
    Measured small = measure("small", 200), big = measure("big", 5000);
    for (auto [what, s, b] : {std::tuple{"download", small.download, big.download},
                              std::tuple{"later Sync", small.later, big.later}}) {
        SCOPED_TRACE(what);
        EXPECT_EQ(b.statements, s.statements);
        EXPECT_EQ(b.rows, s.rows) << "rows read by one request";
        // The stored reply holds the same contacts; only their numbers differ in length.
        EXPECT_LE(b.written, s.written + 400) << "bytes written by one request";
        EXPECT_LE(s.rows, 4 * 25u + 40);
    }
}

TEST_P(MailboxSyncTest, NoStatementOfASyncScansATableOrSorts) {
    if (postgres()) GTEST_SKIP() << "SQLite's query plans";
    int64_t a = account("dan", 300);
    auto other = mailbox_->create_folder(a, "/Contacts/Other", mailbox::View::contact).value();
    Phone phone;
    size_t from = counting_->log.size();
    sync(a, phone, 25);
    sync(a, phone, 25);
    ASSERT_TRUE(mailbox_->update_contact(a, contact_id(a, "L3"), {{"lastName", "L3b"}}));
    ASSERT_TRUE(mailbox_->move_contact(a, contact_id(a, "L4"), other.id));
    ASSERT_TRUE(mailbox_->delete_contact(a, contact_id(a, "L5")));
    for (int i = 0; i < 100 && (phone.key == "0" || sync(a, phone, 100).more()); ++i) {
    }
    pending_changes(*svc_, a, "Dev", "7").value();
    std::set<std::string> seen;
    for (size_t i = from; i < counting_->log.size(); ++i) {
        const auto& s = counting_->log[i];
        if (!seen.insert(s.sql).second) continue;
        // In a write transaction (writes are explained too), rolled back.
        std::string error;
        (void)db_->write([&](store::Tx& tx) -> Result<void> {
            auto rows = tx.query("EXPLAIN QUERY PLAN " + s.sql, s.params);
            if (!rows) {
                error = rows.error().message;
                return tl::unexpected(rows.error());
            }
            for (auto& r : *rows) {
                const std::string& detail = r.text(3);
                // "SCAN n CONSTANT ROWS" is a VALUES list.
                bool scan = detail.rfind("SCAN ", 0) == 0 &&
                            detail.find("CONSTANT ROWS") == std::string::npos;
                EXPECT_FALSE(scan) << s.sql << "\n  " << detail;
                EXPECT_EQ(detail.find("TEMP B-TREE"), std::string::npos)
                    << s.sql << "\n  " << detail;
            }
            return fail(Errc::internal, "roll back");
        });
        ASSERT_EQ(error, "") << s.sql;
    }
    EXPECT_GT(seen.size(), 10u);
}

TEST_P(MailboxSyncTest, ARequestReadsTheAccountAttributesOnlyWhenTheyChanged) {
    if (postgres()) GTEST_SKIP() << "counted once, on SQLite";
    directory::NewAccount na;
    na.address = "eve@example.com";
    na.password = "Eve-Secret-1";
    na.attrs = {{directory::AttrChange::Op::set, "zimbraFeatureMobileSyncEnabled", "TRUE"},
                {directory::AttrChange::Op::set, "zimbraFeatureMobilePolicyEnabled", "FALSE"}};
    ASSERT_TRUE(dir_->create_account(na));
    auto request = [&](const std::string& xml) {
        Request r;
        r.method = "POST";
        r.target =
            "/Microsoft-Server-ActiveSync?Cmd=FolderSync&User=eve@example.com&DeviceId=EveDev"
            "&DeviceType=iPhone";
        r.authorization = "Basic " + crypto::base64_encode("eve@example.com:Eve-Secret-1");
        r.user_agent = "Apple-iPhone/1705.1";
        r.protocol_version = "14.1";
        r.body = wbxml::from_xml(xml).value();
        return svc_->handle(std::move(r)).response;
    };
    auto attr_reads = [&](size_t from) {
        size_t n = 0;
        for (size_t i = from; i < counting_->log.size(); ++i)
            n += counting_->log[i].sql.find("FROM attrs") != std::string::npos;
        return n;
    };
    const std::string folder_sync =
        "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>";
    ASSERT_EQ(request(folder_sync).status, 200);
    // The same again: the account's settings are known, its attributes are not read.
    size_t from = counting_->log.size();
    ASSERT_EQ(request(folder_sync).status, 200);
    EXPECT_EQ(attr_reads(from), 0u);
    // A change in the directory is seen by the next request.
    ASSERT_TRUE(dir_->modify_account(
        "eve@example.com",
        {{directory::AttrChange::Op::set, "zimbraFeatureMobileSyncEnabled", "FALSE"}}));
    from = counting_->log.size();
    EXPECT_EQ(request(folder_sync).status, 403);
    EXPECT_GT(attr_reads(from), 0u);
    ASSERT_TRUE(dir_->modify_cos(
        "default", {{directory::AttrChange::Op::set, "zimbraFeatureMobileSyncEnabled", "TRUE"}}));
    ASSERT_TRUE(dir_->modify_account("eve@example.com", {{directory::AttrChange::Op::set,
                                                          "zimbraFeatureMobileSyncEnabled", ""}}));
    EXPECT_EQ(request(folder_sync).status, 200) << "inherited from the COS";
}

TEST_P(MailboxSyncTest, SyncStatesAreCommittedWithoutWaitingForTheDisk) {
    // A phone's Sync writes its SyncState once a request: that commit does not wait for the disk
    // (the state can be rebuilt), the mailbox changes of the request do.
    int64_t a = account("fay", 3);
    Phone phone;
    sync(a, phone, 10);
    size_t from = counting_->log.size();
    auto r = sync(a, phone, 10,
                  "<Commands><Add><ClientId>n1</ClientId><ApplicationData><c:LastName>New"
                  "</c:LastName></ApplicationData></Add></Commands>");
    phone.items[std::string(
        r.collection().child(as::Responses).child(as::Add).child_text(as::ServerId))] = "New";
    bool state_relaxed = false, contact_relaxed = true;
    for (size_t i = from; i < counting_->log.size(); ++i) {
        const auto& st = counting_->log[i];
        if (st.sql.rfind("INSERT INTO eas_sync_states", 0) == 0) state_relaxed = st.relaxed;
        if (st.sql.rfind("INSERT INTO contacts", 0) == 0) contact_relaxed = st.relaxed;
    }
    EXPECT_TRUE(state_relaxed);
    EXPECT_FALSE(contact_relaxed);
    expect_converges(a, phone, 10);

    // The backend: such a commit does not wait, and the next ordinary one waits again. (The
    // test PostgreSQL server does not wait by default: the database is set to wait, and a new
    // node's connections take that setting.)
    std::unique_ptr<store::Database> node;
    if (postgres()) {
        ASSERT_TRUE(db_->write([&](store::Tx& tx) -> Result<void> {
            auto name = tx.query("SELECT current_database()");
            if (!name) return tl::unexpected(name.error());
            return tx
                .exec("ALTER DATABASE \"" + name->front().text(0) +
                      "\" SET synchronous_commit = on")
                .map([](int64_t) {});
        }));
        node = open_node();
        ASSERT_TRUE(node);
    }
    store::Database& db = node ? *node : *db_;
    std::string before, relaxed, after;
    auto look = [&](std::string& out) {
        return [&](store::Tx& tx) -> Result<void> {
            out = commit_setting(tx, db.dialect());
            return {};
        };
    };
    ASSERT_TRUE(db.write(look(before)));
    ASSERT_TRUE(db.write_relaxed(look(relaxed)));
    ASSERT_TRUE(db.write(look(after)));
    EXPECT_EQ(before, postgres() ? "on" : "FULL");
    EXPECT_EQ(relaxed, postgres() ? "off" : "NORMAL");
    EXPECT_EQ(after, before);
    if (node) node->unsubscribe_all();
}

INSTANTIATE_TEST_SUITE_P(Backends, MailboxSyncTest, testing::ValuesIn(test::kStoreBackends),
                         test::backend_name);
