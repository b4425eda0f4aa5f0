// The contact-sync logic (Sync command and collection SyncStates) driven through a fake
// ContactSource: windows and MoreAvailable, a replayed SyncKey, the device's Add/Change/Delete,
// conflicts, Supported, Sync with Wait / HeartbeatInterval. Requests are written as XML, encoded
// by the WBXML codec and run through the real command handlers on a SQLite store.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "auth/authenticator.hpp"
#include "auth/credentials.hpp"
#include "directory/directory.hpp"
#include "eas/commands/command_table.hpp"
#include "eas/service.hpp"
#include "eas/sync/collection_sync.hpp"
#include "eas/wbxml/xml.hpp"
#include "mailbox/mailbox.hpp"
#include "store/migrations.hpp"
#include "test_support.hpp"

using namespace sb;
using namespace sb::eas;
namespace as = sb::wbxml::cp::airsync;

namespace {

// Contacts in memory, with a modseq per change and tombstones like the mailbox's.
class FakeContacts final : public ContactSource {
  public:
    std::map<int64_t, mailbox::Contact> items;
    std::map<int64_t, std::pair<int64_t, int64_t>> gone;  // id → (folder, modseq)
    int64_t modseq_ = 100;
    int64_t next_id = 1000;
    int adds = 0, updates = 0, removes = 0;
    size_t largest_read = 0;  // the most items one call returned (a request reads a window)

    mailbox::Contact& put(int64_t folder, mailbox::ContactFields f) {
        mailbox::Contact c;
        c.id = next_id++;
        c.folder_id = folder;
        c.fields = std::move(f);
        c.modseq = ++modseq_;
        return items[c.id] = c;
    }
    void touch(int64_t id, std::string_view field, std::string value) {
        auto& c = items.at(id);
        c.fields[std::string(field)] = std::move(value);
        c.modseq = ++modseq_;
    }
    void move(int64_t id, int64_t folder) {
        auto& c = items.at(id);
        c.folder_id = folder;
        c.modseq = ++modseq_;
    }
    void erase(int64_t id) {
        gone[id] = {items.at(id).folder_id, ++modseq_};
        items.erase(id);
    }
    size_t note(size_t n) {
        largest_read = std::max(largest_read, n);
        return n;
    }

    Result<int64_t> head(int64_t) override { return modseq_; }
    Result<std::vector<ItemVersion>> items_after(int64_t, int64_t folder, int64_t after,
                                                 size_t limit) override {
        std::vector<ItemVersion> out;
        for (auto it = items.upper_bound(after); it != items.end() && out.size() < limit; ++it)
            if (it->second.folder_id == folder) out.push_back({it->first, it->second.modseq});
        note(out.size());
        return out;
    }
    Result<size_t> count_after(int64_t, int64_t folder, int64_t after, size_t limit) override {
        size_t n = 0;
        for (auto it = items.upper_bound(after); it != items.end() && n < limit; ++it)
            n += it->second.folder_id == folder;
        return n;
    }
    Result<ChangeBatch> changes_since(int64_t, int64_t folder, int64_t since,
                                      size_t limit) override {
        ChangeBatch b;
        b.head = b.complete_to = modseq_;
        std::vector<ItemChange> all;
        for (auto& [id, c] : items)
            if (c.modseq > since) all.push_back({id, c.modseq, c.folder_id == folder});
        for (auto& [id, g] : gone)
            if (g.second > since) all.push_back({id, g.second, false});
        std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.version < b.version; });
        if (all.size() > limit) {
            all.resize(limit);
            b.complete_to = all.back().version;
        }
        b.changes = std::move(all);
        note(b.changes.size());
        return b;
    }
    Result<mailbox::Contact> get(int64_t, int64_t id) override {
        auto it = items.find(id);
        if (it == items.end()) return fail(Errc::not_found, "no such contact");
        return it->second;
    }
    Result<std::vector<mailbox::Contact>> get_many(int64_t,
                                                   const std::vector<int64_t>& ids) override {
        std::vector<mailbox::Contact> out;
        for (int64_t id : std::set<int64_t>(ids.begin(), ids.end()))
            if (auto it = items.find(id); it != items.end()) out.push_back(it->second);
        note(out.size());
        return out;
    }
    Result<mailbox::Contact> add(int64_t, int64_t folder,
                                 const mailbox::ContactFields& f) override {
        ++adds;
        return put(folder, f);
    }
    Result<mailbox::Contact> update(int64_t, int64_t id, const mailbox::ContactFields& f) override {
        ++updates;
        auto it = items.find(id);
        if (it == items.end()) return fail(Errc::not_found, "no such contact");
        it->second.fields = f;
        it->second.modseq = ++modseq_;
        return it->second;
    }
    Result<void> remove(int64_t, int64_t id) override {
        ++removes;
        if (!items.count(id)) return fail(Errc::not_found, "no such contact");
        erase(id);
        return {};
    }
};

// A decoded reply; keeps its body alive for the Document.
struct Answer {
    std::string body;
    wbxml::Document doc;
    std::shared_ptr<Wait> wait;
    wbxml::Element root() const { return doc.root(); }
    wbxml::Element collection() const {
        return root().child(as::Collections).child(as::Collection);
    }
    std::string key() const { return std::string(collection().child_text(as::SyncKey)); }
    int status() const { return std::stoi(std::string(collection().child_text(as::Status, "0"))); }
    bool more() const { return collection().has_child(as::MoreAvailable); }
    size_t count(wbxml::Tag op) const {
        auto cmds = collection().child(as::Commands);
        size_t n = 0;
        if (cmds)
            for (auto e : cmds.children(op))
                (void)e, ++n;
        return n;
    }
    std::string xml() const { return doc.root() ? wbxml::to_xml(doc) : "(no body)"; }
};

class ContactSyncTest : public testing::Test {
  protected:
    void SetUp() override {
        db_ = store::open({"sqlite", sb::test::temp_dir("sbeas") + "/t.db", ""}).value();
        ASSERT_TRUE(store::migrate(*db_, eas::migrations()));
        dir_ = std::make_unique<directory::Directory>(*db_);
        ASSERT_TRUE(dir_->ensure_defaults());
        ASSERT_TRUE(dir_->create_domain("example.com"));
        directory::NewAccount na;
        na.address = "john@example.com";
        account_ = dir_->create_account(na).value();
        creds_ = std::make_unique<auth::Credentials>(*dir_);
        auth_ = std::make_unique<auth::Authenticator>(*dir_, *creds_);
        mailbox_ = std::make_unique<mailbox::Mailbox>(*db_);
        auto fake = std::make_unique<FakeContacts>();
        contacts_ = fake.get();
        svc_ =
            std::make_unique<Service>(*db_, *dir_, *auth_, *mailbox_, Options{}, std::move(fake));
        ASSERT_TRUE(svc_->devices().touch(account_.id, "Dev", "iPhone", "Apple-iPhone", "14.1",
                                          "FolderSync"));
        auto fs = run(run_folder_sync,
                      "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>");
        ASSERT_EQ(fs.root().child_text(wbxml::cp::folderhierarchy::Status), "1") << fs.xml();
    }

    Answer run(Handler handler, std::string_view xml) {
        Answer a;
        std::string request;
        if (!xml.empty()) {
            auto encoded = wbxml::from_xml(xml);
            EXPECT_TRUE(encoded) << encoded.error().message;
            request = *encoded;
        }
        wbxml::Document doc;
        if (!request.empty()) doc = wbxml::decode_owned(request).value();
        Device device = svc_->devices().find(account_.id, "Dev").value().value();
        Query query;
        query.device_id = "Dev";
        query.device_type = "iPhone";
        Context c{*svc_, account_, device, query, kV141, doc};
        auto reply = handler(c);
        EXPECT_TRUE(reply) << reply.error().message;
        if (!reply) return a;
        a.wait = reply->wait;
        a.body = std::move(reply->body);
        if (!a.body.empty()) a.doc = wbxml::decode_owned(a.body).value();
        return a;
    }

    // One Sync of the Contacts folder (7).
    Answer sync(const std::string& key, std::string inner = "", std::string outer = "") {
        return run(
            run_sync,
            "<Sync xmlns=\"AirSync:\" xmlns:c=\"Contacts:\"><Collections><Collection><SyncKey>" +
                key + "</SyncKey><CollectionId>7</CollectionId>" + inner +
                "</Collection></Collections>" + outer + "</Sync>");
    }

    // Primes and syncs everything; returns the current key.
    std::string catch_up() {
        auto a = sync("0");
        std::string key = a.key();
        for (int i = 0; i < 100; ++i) {
            a = sync(key, "<WindowSize>100</WindowSize>");
            key = a.key();
            if (!a.more()) break;
        }
        return key;
    }

    std::string server_id(int64_t id) { return "7:" + std::to_string(id); }

    std::unique_ptr<store::Database> db_;
    std::unique_ptr<directory::Directory> dir_;
    directory::Account account_;
    std::unique_ptr<auth::Credentials> creds_;
    std::unique_ptr<auth::Authenticator> auth_;
    std::unique_ptr<mailbox::Mailbox> mailbox_;
    FakeContacts* contacts_ = nullptr;
    std::unique_ptr<Service> svc_;
};

mailbox::ContactFields person(std::string first, std::string last, std::string email = "") {
    mailbox::ContactFields f{{"firstName", std::move(first)}, {"lastName", std::move(last)}};
    if (!email.empty()) f["email"] = std::move(email);
    return f;
}

}  // namespace

TEST_F(ContactSyncTest, InitialSyncInWindowsWithMoreAvailable) {
    for (int i = 0; i < 25; ++i)
        contacts_->put(7, person("P" + std::to_string(i), "Q"));
    contacts_->put(257, person("Elsewhere", "Folder"));  // another folder: never sent for 7
    auto primed = sync("0");
    EXPECT_EQ(primed.status(), 1);
    EXPECT_EQ(primed.count(as::Add), 0u) << "SyncKey 0 only primes";
    std::string key = primed.key();
    std::vector<size_t> windows;
    for (int i = 0; i < 5; ++i) {
        auto a = sync(key, "<WindowSize>10</WindowSize>");
        ASSERT_EQ(a.status(), 1) << a.xml();
        windows.push_back(a.count(as::Add));
        key = a.key();
        if (!a.more()) break;
    }
    EXPECT_EQ(windows, (std::vector<size_t>{10, 10, 5}));
    auto last = sync(key);
    EXPECT_EQ(last.count(as::Add), 0u);
    EXPECT_FALSE(last.more());
    // GetItemEstimate / Ping view: nothing pending.
    EXPECT_EQ(pending_changes(*svc_, account_.id, "Dev", "7").value(), std::optional<size_t>(0));
}

TEST_F(ContactSyncTest, RequestWindowSizeSpansCollections) {
    // MS-ASCMD 2.2.3.199.1: the Sync-level WindowSize bounds all collections together.
    for (int i = 0; i < 30; ++i)
        contacts_->put(7, person("P" + std::to_string(i), "Q"));
    std::string key = sync("0").key();
    auto a = sync(key, "<WindowSize>25</WindowSize>", "<WindowSize>7</WindowSize>");
    EXPECT_EQ(a.count(as::Add), 7u);
    EXPECT_TRUE(a.more());
}

TEST_F(ContactSyncTest, ReplayedSyncKeyGetsTheSameAnswerAndAppliesNothingTwice) {
    auto& existing = contacts_->put(7, person("Ann", "Old"));
    int64_t existing_id = existing.id;
    std::string key = catch_up();
    std::string cmds =
        "<Commands><Add><ClientId>c1</ClientId><ApplicationData><c:FirstName>Zoe</c:FirstName>"
        "</ApplicationData></Add><Delete><ServerId>" +
        server_id(existing_id) + "</ServerId></Delete></Commands>";
    auto first = sync(key, cmds);
    ASSERT_EQ(first.status(), 1) << first.xml();
    auto again = sync(key, cmds);
    EXPECT_EQ(again.xml(), first.xml());
    EXPECT_EQ(contacts_->adds, 1);
    EXPECT_EQ(contacts_->removes, 1);
    // The key after the replayed one goes on normally; an older key is refused (Status 3).
    auto next = sync(first.key());
    EXPECT_EQ(next.status(), 1);
    EXPECT_EQ(sync(key).status(), 3) << "two keys back is not a replay";
}

TEST_F(ContactSyncTest, DeviceAddChangeDeleteMapToTheMailbox) {
    auto& a = contacts_->put(7, person("Ann", "A", "ann@x.example"));
    auto& b = contacts_->put(7, person("Bob", "B"));
    int64_t a_id = a.id, b_id = b.id;
    std::string key = catch_up();
    auto r = sync(
        key,
        "<Commands>"
        "<Add><ClientId>new-1</ClientId><ApplicationData><c:FirstName>Zoe</c:FirstName>"
        "<c:Email1Address>zoe@x.example</c:Email1Address></ApplicationData></Add>"
        "<Add><ClientId>empty</ClientId><ApplicationData></ApplicationData></Add>"
        "<Change><ServerId>" +
            server_id(a_id) +
            "</ServerId><ApplicationData>"
            "<c:FirstName>Anna</c:FirstName><c:LastName>A</c:LastName></ApplicationData></Change>"
            "<Change><ServerId>7:999999</ServerId><ApplicationData><c:FirstName>X</c:FirstName>"
            "</ApplicationData></Change>"
            "<Delete><ServerId>" +
            server_id(b_id) +
            "</ServerId></Delete>"
            "</Commands>");
    ASSERT_EQ(r.status(), 1) << r.xml();
    auto responses = r.collection().child(as::Responses);
    ASSERT_TRUE(responses) << r.xml();
    std::map<std::string, std::pair<std::string, std::string>>
        adds;  // ClientId → (ServerId, Status)
    for (auto e : responses.children(as::Add))
        adds[std::string(e.child_text(as::ClientId))] = {std::string(e.child_text(as::ServerId)),
                                                         std::string(e.child_text(as::Status))};
    ASSERT_EQ(adds.count("new-1"), 1u);
    EXPECT_EQ(adds["new-1"].second, "1");
    EXPECT_EQ(adds["empty"].second, "6") << "an Add without fields is a conversion error";
    EXPECT_TRUE(adds["empty"].first.empty());
    // The new contact exists under the ServerId the device was given, with its fields.
    int64_t new_id = std::stoll(adds["new-1"].first.substr(2));
    ASSERT_EQ(contacts_->items.count(new_id), 1u);
    EXPECT_EQ(contacts_->items[new_id].fields.at("email"), "zoe@x.example");
    // The Change replaced the EAS fields; the one it left out (email) is gone (no Supported).
    EXPECT_EQ(contacts_->items[a_id].fields.at("firstName"), "Anna");
    EXPECT_EQ(contacts_->items[a_id].fields.count("email"), 0u);
    EXPECT_EQ(contacts_->items.count(b_id), 0u);
    // Only the failed Change is answered (MS-ASCMD: successful Changes have no response).
    std::vector<std::string> changes;
    for (auto e : responses.children(as::Change))
        changes.push_back(std::string(e.child_text(as::ServerId)) + "=" +
                          std::string(e.child_text(as::Status)));
    EXPECT_EQ(changes, std::vector<std::string>{"7:999999=8"});
    // Nothing of the device's own changes comes back to it.
    auto after = sync(r.key());
    EXPECT_EQ(after.count(as::Add) + after.count(as::Change) + after.count(as::Delete), 0u)
        << after.xml();
}

TEST_F(ContactSyncTest, ConflictServerWinsUnlessTheDeviceAsksOtherwise) {
    auto& c = contacts_->put(7, person("Orig", "Inal"));
    int64_t id = c.id;
    std::string key = catch_up();
    contacts_->touch(id, "firstName", "ServerEdit");
    std::string change = "<Commands><Change><ServerId>" + server_id(id) +
                         "</ServerId><ApplicationData><c:FirstName>PhoneEdit</c:FirstName>"
                         "<c:LastName>Inal</c:LastName></ApplicationData></Change></Commands>";
    auto r = sync(key, change);
    ASSERT_EQ(r.status(), 1) << r.xml();
    EXPECT_EQ(contacts_->items[id].fields.at("firstName"), "ServerEdit");
    EXPECT_EQ(r.count(as::Change), 1u) << "the server's copy goes back to the device";

    // Conflict 0 (MS-ASCMD 2.2.3.34): the client's copy wins.
    contacts_->touch(id, "firstName", "ServerAgain");
    auto k = r.key();
    auto r2 = sync(k, "<Options><Conflict>0</Conflict></Options>" + change);
    ASSERT_EQ(r2.status(), 1) << r2.xml();
    EXPECT_EQ(contacts_->items[id].fields.at("firstName"), "PhoneEdit");
    EXPECT_EQ(r2.count(as::Change), 0u) << r2.xml();
}

TEST_F(ContactSyncTest, SupportedDecidesWhatAChangeMayDelete) {
    mailbox::ContactFields f = person("Sue", "Sup", "sue@x.example");
    f["mobilePhone"] = "+1 555";
    f["otherPhone"] = "+1 777";  // not carried by EAS: never deleted by a Change
    auto& c = contacts_->put(7, f);
    int64_t id = c.id;
    // SyncKey 0 with Supported: the device manages first name, last name and mobile phone only.
    auto primed =
        sync("0", "<Supported><c:FirstName/><c:LastName/><c:MobilePhoneNumber/></Supported>");
    auto r = sync(primed.key());
    ASSERT_EQ(r.count(as::Add), 1u);
    auto ch =
        sync(r.key(),
             "<Commands><Change><ServerId>" + server_id(id) +
                 "</ServerId><ApplicationData><c:FirstName>Susan</c:FirstName></ApplicationData>"
                 "</Change></Commands>");
    ASSERT_EQ(ch.status(), 1) << ch.xml();
    auto& now = contacts_->items[id].fields;
    EXPECT_EQ(now.at("firstName"), "Susan");
    EXPECT_EQ(now.count("lastName"), 0u) << "supported and left out: deleted";
    EXPECT_EQ(now.count("mobilePhone"), 0u);
    EXPECT_EQ(now.at("email"), "sue@x.example") << "not in Supported: kept";
    EXPECT_EQ(now.at("otherPhone"), "+1 777");
}

TEST_F(ContactSyncTest, UnknownKeysAndFoldersGetTheirStatus) {
    EXPECT_EQ(sync("{deadbeef}5").status(), 3);
    EXPECT_EQ(sync("garbage").status(), 3);
    auto missing = run(run_sync,
                       "<Sync xmlns=\"AirSync:\"><Collections><Collection><SyncKey>0</SyncKey>"
                       "<CollectionId>4242</CollectionId></Collection></Collections></Sync>");
    EXPECT_EQ(missing.status(), 8);
}

TEST_F(ContactSyncTest, WaitAndHeartbeatBounds) {
    std::string key = catch_up();
    auto both = sync(key, "", "<Wait>5</Wait><HeartbeatInterval>300</HeartbeatInterval>");
    EXPECT_EQ(both.root().child_text(as::Status), "4");
    auto low = sync(key, "", "<HeartbeatInterval>10</HeartbeatInterval>");
    EXPECT_EQ(low.root().child_text(as::Status), "14");
    EXPECT_EQ(low.root().child_text(as::Limit), "60");
    auto high = sync(key, "", "<Wait>90</Wait>");
    EXPECT_EQ(high.root().child_text(as::Status), "14");
    EXPECT_EQ(high.root().child_text(as::Limit), "59");
}

TEST_F(ContactSyncTest, SyncWithHeartbeatParksUntilAChange) {
    contacts_->put(7, person("First", "One"));
    std::string key = catch_up();
    auto parked = sync(key, "", "<HeartbeatInterval>300</HeartbeatInterval>");
    ASSERT_TRUE(parked.wait) << parked.xml();
    EXPECT_EQ(parked.wait->heartbeat_seconds, 300);
    EXPECT_FALSE(parked.wait->changed());
    // The interval ends without changes: an empty response, and the SyncKey stays valid.
    auto quiet = parked.wait->answer(Wake::heartbeat);
    EXPECT_EQ(quiet.status, 200);
    EXPECT_TRUE(quiet.body.empty());
    auto again = sync(key, "", "<HeartbeatInterval>300</HeartbeatInterval>");
    ASSERT_TRUE(again.wait);
    contacts_->put(7, person("Second", "Two"));
    EXPECT_TRUE(again.wait->changed());
    auto woken = again.wait->answer(Wake::changed);
    ASSERT_EQ(woken.status, 200);
    Answer a;
    a.body = woken.body;
    a.doc = wbxml::decode_owned(a.body).value();
    EXPECT_EQ(a.status(), 1);
    EXPECT_EQ(a.count(as::Add), 1u) << a.xml();
    EXPECT_NE(a.key(), key);

    // An empty request reuses the cached interval; commands from the device are answered at once.
    auto empty = run(run_sync, "");
    ASSERT_TRUE(empty.wait) << empty.xml();
    auto with_add =
        sync(a.key(),
             "<Commands><Add><ClientId>x</ClientId><ApplicationData><c:FirstName>Now</c:FirstName>"
             "</ApplicationData></Add></Commands>",
             "<HeartbeatInterval>300</HeartbeatInterval>");
    EXPECT_FALSE(with_add.wait);
    EXPECT_EQ(with_add.status(), 1);
}

TEST_F(ContactSyncTest, SyncWithWaitAnswersAtOnceWhenChangesArePending) {
    std::string key = catch_up();
    contacts_->put(7, person("Already", "There"));
    auto a = sync(key, "", "<Wait>2</Wait>");
    EXPECT_FALSE(a.wait);
    EXPECT_EQ(a.count(as::Add), 1u) << a.xml();
}
