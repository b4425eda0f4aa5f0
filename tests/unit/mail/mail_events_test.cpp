#include "mail/push/mail_events.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "fixture.hpp"
#include "mail/push/dovecot_push.hpp"

using namespace sb;
using namespace sb::mail;

TEST(MailEvents, SubscribersOfTheAccountOnly) {
    MailEvents events;
    std::vector<MailEvent> john, jane;
    auto s1 = events.subscribe(1, [&](const MailEvent& e) { john.push_back(e); });
    auto s2 = events.subscribe(2, [&](const MailEvent& e) { jane.push_back(e); });
    MailEvent e;
    e.account_id = 1;
    e.mailbox = "INBOX";
    e.uid = 7;
    events.publish(e);
    ASSERT_EQ(john.size(), 1u);
    EXPECT_TRUE(jane.empty());
    EXPECT_EQ(john[0].uid, 7u);
    EXPECT_EQ(john[0].seq, 1u);
    EXPECT_GT(john[0].received_ms, 0);
    EXPECT_EQ(events.subscribers(), 2u);
    s1.reset();
    events.publish(e);
    EXPECT_EQ(john.size(), 1u);  // unsubscribed
    EXPECT_EQ(events.subscribers(), 1u);
    EXPECT_EQ(events.recent(1).size(), 2u);
    EXPECT_EQ(events.recent(2).size(), 0u);
    EXPECT_EQ(events.published(), 2u);
}

TEST(MailEvents, RecentIsBounded) {
    MailEvents events(3);
    for (uint32_t uid = 1; uid <= 5; ++uid) {
        MailEvent e;
        e.account_id = 1;
        e.uid = uid;
        events.publish(e);
    }
    auto r = events.recent();
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r.front().uid, 3u);
    EXPECT_EQ(r.back().uid, 5u);
}

TEST(MailEvents, NoCallbackRunsAfterUnsubscribeReturns) {
    MailEvents events;
    std::atomic<bool> stop{false};
    std::thread publisher([&] {
        MailEvent e;
        e.account_id = 1;
        while (!stop)
            events.publish(e);
    });
    for (int i = 0; i < 200; ++i) {
        auto alive = std::make_unique<std::atomic<int>>(0);
        auto sub = events.subscribe(1, [p = alive.get()](const MailEvent&) { ++*p; });
        std::this_thread::yield();
        sub.reset();
        alive.reset();  // a callback still running now would touch freed memory (ASan)
    }
    stop = true;
    publisher.join();
}

namespace {
class DovecotPushTest : public sb::mail::test::DirectoryFixture {};
}  // namespace

TEST_F(DovecotPushTest, EventLinesArePublishedToTheAccount) {
    MailEvents events;
    DovecotPush push(*dir_, events);
    std::vector<MailEvent> got;
    auto sub = events.subscribe(john_.id, [&](const MailEvent& e) { got.push_back(e); });
    using F = std::vector<std::string>;
    EXPECT_EQ(push.answer({"EVENT", "new", john_.uuid, "john@example.com", "INBOX", "3", "1700"}),
              F{"OK"});
    // Without the userdb's id, the user name (an alias too) names the account.
    EXPECT_EQ(push.answer({"EVENT", "flags", "", "J.Doe@example.com", "INBOX", "3", "1700",
                           "+\\Seen -\\Flagged"}),
              F{"OK"});
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].kind, MailEventKind::message_new);
    EXPECT_EQ(got[0].account, "john@example.com");
    EXPECT_EQ(got[0].uid, 3u);
    EXPECT_EQ(got[0].uid_validity, 1700u);
    EXPECT_EQ(got[1].kind, MailEventKind::flags_changed);
    EXPECT_EQ(got[1].flags, (std::vector<std::string>{"+\\Seen", "-\\Flagged"}));
    // The id wins over the name: a renamed account's events still reach it.
    ASSERT_TRUE(dir_->rename_account("john@example.com", "johnny@example.com"));
    EXPECT_EQ(
        push.answer({"EVENT", "expunge", john_.uuid, "john@example.com", "INBOX", "3", "1700"}),
        F{"OK"});
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[2].account, "johnny@example.com");
}

TEST_F(DovecotPushTest, BadEventsAreRefused) {
    MailEvents events;
    DovecotPush push(*dir_, events);
    EXPECT_EQ(push.answer({"EVENT", "new", "", "nobody@example.com", "INBOX", "1", "1"})[0],
              "FAIL");
    EXPECT_EQ(push.answer({"EVENT", "bogus", "", "john@example.com", "INBOX", "1", "1"})[0],
              "ERROR");
    EXPECT_EQ(push.answer({"EVENT", "new", "", "john@example.com", "INBOX", "-1", "1"})[0],
              "ERROR");
    EXPECT_EQ(push.answer({"EVENT", "new", "", "john@example.com", "INBOX", "4294967296", "1"})[0],
              "ERROR");
    EXPECT_EQ(push.answer({"EVENT", "new", "", "john@example.com", "", "1", "1"})[0], "ERROR");
    EXPECT_EQ(push.answer({"EVENT", "new"})[0], "ERROR");
    EXPECT_EQ(push.answer({"PASS"})[0], "ERROR");
    EXPECT_EQ(events.published(), 0u);
}
