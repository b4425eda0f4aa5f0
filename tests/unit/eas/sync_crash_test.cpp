// Crash safety of a Sync with commands from the device (docs/activesync.md, "SyncState"), on the
// real mailbox and a SQLite store. A Database wrapper plays kill -9: at a chosen write it throws,
// so that write's transaction rolls back and no code after it runs; the test then "restarts" (a
// new store connection and new services on the same file) and the device resends its request
// with the same SyncKey, as it does when it got no reply.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "auth/authenticator.hpp"
#include "auth/credentials.hpp"
#include "directory/directory.hpp"
#include "eas/commands/command_table.hpp"
#include "eas/service.hpp"
#include "eas/sync/collection_sync.hpp"
#include "eas/sync/contact_codec.hpp"
#include "eas/wbxml/xml.hpp"
#include "mailbox/mailbox.hpp"
#include "store/migrations.hpp"
#include "test_support.hpp"

using namespace sb;
using namespace sb::eas;
namespace as = sb::wbxml::cp::airsync;

namespace {

// The process dies here: nothing after this point runs, and the open transaction is lost.
struct Crash {};

using CrashPoint = std::function<bool(std::string_view sql, const std::vector<store::Value>&)>;

class CrashingTx final : public store::Tx {
  public:
    CrashingTx(store::Tx& inner, const CrashPoint& crash) : inner_(inner), crash_(crash) {}
    Result<store::Rows> query(std::string_view sql,
                              std::initializer_list<store::Value> params) override {
        return query(sql, std::vector<store::Value>(params));
    }
    Result<store::Rows> query(std::string_view sql,
                              const std::vector<store::Value>& params) override {
        check(sql, params);
        return inner_.query(sql, params);
    }
    Result<int64_t> exec(std::string_view sql,
                         std::initializer_list<store::Value> params) override {
        return exec(sql, std::vector<store::Value>(params));
    }
    Result<int64_t> exec(std::string_view sql, const std::vector<store::Value>& params) override {
        check(sql, params);
        return inner_.exec(sql, params);
    }
    Result<void> script(std::string_view sql) override { return inner_.script(sql); }
    void notify(store::Change change) override { inner_.notify(std::move(change)); }

  private:
    void check(std::string_view sql, const std::vector<store::Value>& params) {
        if (crash_ && crash_(sql, params)) throw Crash{};
    }
    store::Tx& inner_;
    const CrashPoint& crash_;
};

// The real store, with a crash injected before one statement of a write transaction.
class CrashingDatabase final : public store::Database {
  public:
    explicit CrashingDatabase(store::Database& inner) : inner_(inner) {}
    CrashPoint crash_before;

    Result<void> write_tx(const store::TxFn& fn) override {
        return inner_.write([&](store::Tx& tx) -> Result<void> {
            CrashingTx t(tx, crash_before);
            return fn(t);
        });
    }
    Result<void> read_tx(const store::TxFn& fn) override { return inner_.read_tx(fn); }
    std::string_view dialect() const override { return inner_.dialect(); }
    store::Subscription subscribe(store::ChangeListener l) override {
        return inner_.subscribe(std::move(l));
    }
    void unsubscribe_all() override { inner_.unsubscribe_all(); }

  private:
    store::Database& inner_;
};

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// The write of a collection's next SyncState: the one that clears the intent (column 9,
// `intent_key`, 0), as opposed to the write that records the intent before the Adds.
CrashPoint state_commit(std::string collection) {
    return [collection](std::string_view sql, const std::vector<store::Value>& p) {
        return starts_with(sql, "INSERT INTO eas_sync_states") && p.size() > 8 &&
               std::get<std::string>(p[2]) == collection && std::get<int64_t>(p[8]) == 0;
    };
}

// The n-th contact written to the mailbox from now on (1-based).
CrashPoint nth_contact_insert(int n) {
    auto seen = std::make_shared<int>(0);
    return [seen, n](std::string_view sql, const std::vector<store::Value>&) {
        return starts_with(sql, "INSERT INTO contacts") && ++*seen == n;
    };
}

struct Answer {
    bool crashed = false;
    std::string body;
    wbxml::Document doc;
    wbxml::Element collection() const {
        return doc.root().child(as::Collections).child(as::Collection);
    }
    std::string key() const { return std::string(collection().child_text(as::SyncKey)); }
    int status() const { return std::stoi(std::string(collection().child_text(as::Status, "0"))); }
    size_t commands() const {
        auto c = collection().child(as::Commands);
        return c ? c.child_count() : 0;
    }
    std::string xml() const { return doc.root() ? wbxml::to_xml(doc) : "(no body)"; }
};

// An Add from the device: its ClientId and fields.
struct NewItem {
    std::string client_id;
    mailbox::ContactFields fields;
};

mailbox::ContactFields person(std::string first, std::string last, std::string email = "") {
    mailbox::ContactFields f{{"firstName", std::move(first)}, {"lastName", std::move(last)}};
    if (!email.empty()) f["email"] = std::move(email);
    return f;
}

std::string application_data(const mailbox::ContactFields& f) {
    std::string x = "<ApplicationData>";
    if (f.count("firstName")) x += "<c:FirstName>" + f.at("firstName") + "</c:FirstName>";
    if (f.count("lastName")) x += "<c:LastName>" + f.at("lastName") + "</c:LastName>";
    if (f.count("email")) x += "<c:Email1Address>" + f.at("email") + "</c:Email1Address>";
    return x + "</ApplicationData>";
}

// What the phone holds, ServerId → fields, and its commands not yet acknowledged by a reply.
struct Phone {
    std::map<std::string, mailbox::ContactFields> items;
    std::vector<NewItem> adds;
    std::vector<std::pair<std::string, mailbox::ContactFields>> changes;
    std::vector<std::string> deletes;

    std::string commands() const {
        std::string x = "<Commands>";
        for (auto& a : adds)
            x += "<Add><ClientId>" + a.client_id + "</ClientId>" + application_data(a.fields) +
                 "</Add>";
        for (auto& [sid, f] : changes)
            x += "<Change><ServerId>" + sid + "</ServerId>" + application_data(f) + "</Change>";
        for (auto& sid : deletes)
            x += "<Delete><ServerId>" + sid + "</ServerId></Delete>";
        return x + "</Commands>";
    }

    // Applies a reply the phone received: its own commands first, then the server's.
    void receive(const Answer& a) {
        for (auto& [sid, f] : changes)
            items[sid] = f;
        for (auto& sid : deletes)
            items.erase(sid);
        std::map<std::string, mailbox::ContactFields> sent;
        for (auto& n : adds)
            sent[n.client_id] = n.fields;
        if (auto responses = a.collection().child(as::Responses)) {
            for (auto r : responses.children(as::Add)) {
                std::string client(r.child_text(as::ClientId));
                EXPECT_EQ(r.child_text(as::Status), "1") << "Add " << client << "\n" << a.xml();
                std::string sid(r.child_text(as::ServerId));
                ASSERT_FALSE(sid.empty()) << a.xml();
                ASSERT_TRUE(sent.count(client)) << "a response for an unknown ClientId " << client;
                EXPECT_FALSE(items.count(sid)) << "ServerId " << sid << " given twice";
                items[sid] = sent[client];
                sent.erase(client);
            }
        }
        EXPECT_TRUE(sent.empty()) << "Adds without a response\n" << a.xml();
        if (auto cmds = a.collection().child(as::Commands)) {
            for (auto c : cmds.children()) {
                std::string sid(c.child_text(as::ServerId));
                if (c.is(as::Delete)) {
                    items.erase(sid);
                } else {
                    auto f = read_contact(c.child(as::ApplicationData));
                    ASSERT_TRUE(f) << f.error().message;
                    if (c.is(as::Add)) {
                        EXPECT_FALSE(items.count(sid)) << sid << " added twice";
                    }
                    items[sid] = *f;
                }
            }
        }
        adds.clear();
        changes.clear();
        deletes.clear();
    }
};

class SyncCrashTest : public testing::Test {
  protected:
    void SetUp() override {
        path_ = sb::test::temp_dir("sbeascrash") + "/t.db";
        boot();
        ASSERT_TRUE(dir_->ensure_defaults());
        ASSERT_TRUE(dir_->create_domain("example.com"));
        directory::NewAccount na;
        na.address = "john@example.com";
        account_ = dir_->create_account(na).value();
        ASSERT_TRUE(svc_->devices().touch(account_.id, "Dev", "iPhone", "Apple-iPhone", "14.1",
                                          "FolderSync"));
        auto fs = run(run_folder_sync,
                      "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>");
        ASSERT_EQ(fs.doc.root().child_text(wbxml::cp::folderhierarchy::Status), "1") << fs.xml();
    }

    void TearDown() override { shut_down(); }

    void boot() {
        raw_ = store::open({"sqlite", path_, ""}).value();
        ASSERT_TRUE(store::migrate(*raw_, eas::migrations()));
        db_ = std::make_unique<CrashingDatabase>(*raw_);
        dir_ = std::make_unique<directory::Directory>(*db_);
        creds_ = std::make_unique<auth::Credentials>(*dir_);
        auth_ = std::make_unique<auth::Authenticator>(*dir_, *creds_);
        mailbox_ = std::make_unique<mailbox::Mailbox>(*db_);
        svc_ = std::make_unique<Service>(*db_, *dir_, *auth_, *mailbox_);  // real contacts
    }

    void shut_down() {
        svc_.reset();
        mailbox_.reset();
        auth_.reset();
        creds_.reset();
        dir_.reset();
        db_.reset();
        if (raw_) raw_->unsubscribe_all();
        raw_.reset();
    }

    // The server starts again on the same database; nothing of the dead process is left.
    void restart() {
        shut_down();
        boot();
    }

    // `patch` edits the encoded request: bytes XML cannot carry (a phone's broken UTF-8).
    Answer run(Handler handler, std::string_view xml,
               const std::function<void(std::string&)>& patch = {}) {
        Answer a;
        auto request = wbxml::from_xml(xml);
        EXPECT_TRUE(request) << request.error().message;
        if (!request) return a;
        if (patch) patch(*request);
        wbxml::Document doc = wbxml::decode_owned(*request).value();
        Device device = svc_->devices().find(account_.id, "Dev").value().value();
        Query query;
        query.device_id = "Dev";
        query.device_type = "iPhone";
        Context c{*svc_, account_, device, query, kV141, doc};
        Result<Reply> reply;
        try {
            reply = handler(c);
        } catch (const Crash&) {
            a.crashed = true;
            return a;
        }
        EXPECT_TRUE(reply) << reply.error().message;
        if (!reply) return a;
        a.body = std::move(reply->body);
        if (!a.body.empty()) a.doc = wbxml::decode_owned(a.body).value();
        return a;
    }

    Answer sync(const std::string& key, const std::string& inner = "",
                const std::function<void(std::string&)>& patch = {}) {
        return run(
            run_sync,
            "<Sync xmlns=\"AirSync:\" xmlns:c=\"Contacts:\"><Collections><Collection><SyncKey>" +
                key + "</SyncKey><CollectionId>7</CollectionId>" + inner +
                "</Collection></Collections></Sync>",
            patch);
    }

    // Primes the Contacts folder and brings the phone up to date; returns the current key.
    std::string catch_up(Phone& phone) {
        auto a = sync("0");
        EXPECT_EQ(a.status(), 1) << a.xml();
        std::string key = a.key();
        for (int i = 0; i < 10; ++i) {
            a = sync(key);
            EXPECT_EQ(a.status(), 1) << a.xml();
            phone.receive(a);
            key = a.key();
            if (!a.collection().has_child(as::MoreAvailable)) break;
        }
        return key;
    }

    // The Contacts folder as the phone should see it: ServerId → the fields EAS carries.
    std::map<std::string, mailbox::ContactFields> server_view() {
        std::map<std::string, mailbox::ContactFields> out;
        auto all = mailbox_->contacts(account_.id, 7).value();
        for (auto& c : all) {
            mailbox::ContactFields f;
            for (auto& [k, v] : c.fields)
                if (eas_carries(k)) f[k] = v;
            out["7:" + std::to_string(c.id)] = f;
        }
        return out;
    }

    size_t count_named(std::string_view first) {
        size_t n = 0;
        auto all = mailbox_->contacts(account_.id, 7).value();
        for (auto& c : all) {
            auto it = c.fields.find("firstName");
            n += it != c.fields.end() && it->second == first;
        }
        return n;
    }

    SyncState state() { return svc_->devices().state(account_.id, "Dev", "7").value().value(); }
    // The items the device holds in Contacts, as the store records them.
    size_t held() {
        auto states = svc_->devices().states(account_.id, "Dev").value();
        for (auto& st : states)
            if (st.collection == "7") return st.held_items;
        return 0;
    }

    // The phone's next Sync, then Syncs until nothing is left: it must end with exactly the
    // server's contacts, and nothing stays pending.
    void expect_consistent(Phone& phone, std::string key) {
        for (int i = 0; i < 5; ++i) {
            auto a = sync(key);
            ASSERT_EQ(a.status(), 1) << a.xml();
            phone.receive(a);
            key = a.key();
            if (a.commands() == 0 && !a.collection().has_child(as::MoreAvailable)) break;
        }
        EXPECT_EQ(phone.items, server_view());
        EXPECT_EQ(pending_changes(*svc_, account_.id, "Dev", "7").value(),
                  std::optional<size_t>(0));
        EXPECT_FALSE(state().intent) << "the intent outlived its request";
    }

    std::string path_;
    std::unique_ptr<store::Database> raw_;
    std::unique_ptr<CrashingDatabase> db_;
    std::unique_ptr<directory::Directory> dir_;
    directory::Account account_;
    std::unique_ptr<auth::Credentials> creds_;
    std::unique_ptr<auth::Authenticator> auth_;
    std::unique_ptr<mailbox::Mailbox> mailbox_;
    std::unique_ptr<Service> svc_;
};

}  // namespace

TEST_F(SyncCrashTest, CrashBetweenTheMailboxWriteAndTheStateWrite) {
    auto ann = mailbox_->add_contact(account_.id, 7, person("Ann", "A", "ann@x.example")).value();
    auto bob = mailbox_->add_contact(account_.id, 7, person("Bob", "B")).value();
    mailbox_->add_contact(account_.id, 7, person("Carl", "C")).value();
    Phone phone;
    std::string key = catch_up(phone);
    ASSERT_EQ(phone.items.size(), 3u);
    // A server change waiting for the phone, sent in the same reply as the answers to its commands.
    mailbox_->add_contact(account_.id, 7, person("Dora", "D")).value();

    // Two identical new contacts (each must exist once, not be merged), another one, a Change
    // and a Delete.
    phone.adds = {{"c1", person("Zoe", "Z", "zoe@x.example")},
                  {"c2", person("Zoe", "Z", "zoe@x.example")},
                  {"c3", person("Yann", "Y")}};
    phone.changes = {{"7:" + std::to_string(ann.id), person("Anna", "A", "ann@x.example")}};
    phone.deletes = {"7:" + std::to_string(bob.id)};
    const std::string cmds = phone.commands();
    const SyncState before = state();
    const size_t held_before = held();

    db_->crash_before = state_commit("7");
    auto lost = sync(key, cmds);
    ASSERT_TRUE(lost.crashed) << "the crash point was never reached: " << lost.xml();
    restart();

    // The crash fell between the two writes: the mailbox has every command, the state none.
    EXPECT_EQ(count_named("Zoe"), 2u);
    EXPECT_EQ(count_named("Yann"), 1u);
    EXPECT_EQ(mailbox_->contact(account_.id, ann.id).value().fields.at("firstName"), "Anna");
    EXPECT_FALSE(mailbox_->contact(account_.id, bob.id));
    SyncState after = state();
    EXPECT_EQ(after.key, before.key);
    EXPECT_EQ(held(), held_before) << "the items held moved on without the state";
    EXPECT_EQ(after.feed_modseq, before.feed_modseq);
    EXPECT_TRUE(after.intent) << "no intent was recorded before the Adds";

    // The phone got no reply: it sends the same request again.
    auto again = sync(key, cmds);
    ASSERT_FALSE(again.crashed);
    ASSERT_EQ(again.status(), 1) << again.xml();
    EXPECT_NE(again.key(), key);
    EXPECT_EQ(count_named("Zoe"), 2u) << "a resent Add was created twice";
    EXPECT_EQ(count_named("Yann"), 1u) << "a resent Add was created twice";
    EXPECT_EQ(server_view().size(), 6u);  // Anna, Carl, Dora, Zoe, Zoe, Yann
    phone.receive(again);
    ASSERT_FALSE(HasFatalFailure());
    // Every ServerId the phone was given for its Adds is a contact with what it sent.
    auto server = server_view();
    size_t zoes = 0;
    for (auto& [sid, f] : phone.items) {
        ASSERT_TRUE(server.count(sid)) << sid << " is not on the server\n" << again.xml();
        if (f.at("firstName") == "Zoe") ++zoes;
    }
    EXPECT_EQ(zoes, 2u);
    EXPECT_EQ(mailbox_->contact(account_.id, ann.id).value().fields.at("firstName"), "Anna");
    expect_consistent(phone, again.key());
}

TEST_F(SyncCrashTest, CrashBetweenTwoAddsOfTheSameRequest) {
    auto ann = mailbox_->add_contact(account_.id, 7, person("Ann", "A")).value();
    Phone phone;
    std::string key = catch_up(phone);
    phone.adds = {{"c1", person("Zoe", "Z")}, {"c2", person("Yann", "Y")}};
    phone.deletes = {"7:" + std::to_string(ann.id)};
    const std::string cmds = phone.commands();

    db_->crash_before = nth_contact_insert(2);
    auto lost = sync(key, cmds);
    ASSERT_TRUE(lost.crashed);
    restart();
    EXPECT_EQ(count_named("Zoe"), 1u);
    EXPECT_EQ(count_named("Yann"), 0u);
    EXPECT_TRUE(mailbox_->contact(account_.id, ann.id)) << "the Delete came after the crash";

    auto again = sync(key, cmds);
    ASSERT_EQ(again.status(), 1) << again.xml();
    EXPECT_EQ(count_named("Zoe"), 1u) << "a resent Add was created twice";
    EXPECT_EQ(count_named("Yann"), 1u);
    EXPECT_FALSE(mailbox_->contact(account_.id, ann.id));
    phone.receive(again);
    ASSERT_FALSE(HasFatalFailure());
    expect_consistent(phone, again.key());
}

TEST_F(SyncCrashTest, CrashAfterTheStateWriteReplaysTheStoredReply) {
    auto ann = mailbox_->add_contact(account_.id, 7, person("Ann", "A")).value();
    auto bob = mailbox_->add_contact(account_.id, 7, person("Bob", "B")).value();
    Phone phone;
    std::string key = catch_up(phone);
    mailbox_->add_contact(account_.id, 7, person("Dora", "D")).value();
    phone.adds = {{"c1", person("Zoe", "Z")}};
    phone.changes = {{"7:" + std::to_string(ann.id), person("Anna", "A")}};
    phone.deletes = {"7:" + std::to_string(bob.id)};
    const std::string cmds = phone.commands();

    // The state is committed and the reply computed, then the process dies before sending it.
    auto lost = sync(key, cmds);
    ASSERT_FALSE(lost.crashed);
    ASSERT_EQ(lost.status(), 1) << lost.xml();
    restart();
    // Meanwhile the server changes again: the replay must not mix this in.
    mailbox_->add_contact(account_.id, 7, person("Eve", "E")).value();

    auto again = sync(key, cmds);
    EXPECT_EQ(again.body, lost.body) << "the resend must get the stored reply byte for byte\n"
                                     << lost.xml() << "\n"
                                     << again.xml();
    EXPECT_EQ(count_named("Zoe"), 1u);
    EXPECT_EQ(count_named("Anna"), 1u);
    EXPECT_FALSE(mailbox_->contact(account_.id, bob.id));
    phone.receive(again);
    ASSERT_FALSE(HasFatalFailure());
    expect_consistent(phone, again.key());
    EXPECT_EQ(count_named("Eve"), 1u);
    EXPECT_TRUE(phone.items.count(
        "7:" + std::to_string(mailbox_->contacts(account_.id, 7).value().back().id)));
}

TEST_F(SyncCrashTest, AddWithBrokenUtf8IsMatchedAfterACrash) {
    // Some phones send Latin-1 bytes as if they were UTF-8. The mailbox stores such a value with
    // U+FFFD in place of the bad bytes; the resent Add must still find the contact it made.
    Phone phone;
    std::string key = catch_up(phone);
    phone.adds = {{"c1", person("RENE_PLACEHOLDER", "Z")}};
    const std::string cmds = phone.commands();
    auto latin1 = [](std::string& wbxml) {
        auto at = wbxml.find("RENE_PLACEHOLDER");
        ASSERT_NE(at, std::string::npos);
        wbxml.replace(at, 16, "Ren\xE9");
    };

    db_->crash_before = state_commit("7");
    ASSERT_TRUE(sync(key, cmds, latin1).crashed);
    restart();
    ASSERT_EQ(server_view().size(), 1u);

    auto again = sync(key, cmds, latin1);
    ASSERT_EQ(again.status(), 1) << again.xml();
    EXPECT_EQ(server_view().size(), 1u) << "a resent Add was created twice";
    phone.receive(again);
    ASSERT_FALSE(HasFatalFailure());
    auto next = sync(again.key());
    ASSERT_EQ(next.status(), 1);
    phone.receive(next);
    std::set<std::string> held, on_server;
    for (auto& [sid, f] : phone.items)
        held.insert(sid);
    for (auto& [sid, f] : server_view())
        on_server.insert(sid);
    EXPECT_EQ(held, on_server) << next.xml();
}
