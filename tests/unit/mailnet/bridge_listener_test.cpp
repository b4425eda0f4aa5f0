// The listeners over real sockets: requests cut from a stream in any fragmentation, answers in
// order, one error answer and a closed connection for bad input, and a push event reaching an
// in-process subscriber.
#include "mail/net/bridge_listener.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "../mail/fixture.hpp"
#include "mail/net/mail_service.hpp"
#include "mail/push/dovecot_push.hpp"
#include "mail/push/mail_events.hpp"
#include "mail/wire/netstring.hpp"

using namespace sb;
using namespace sb::mail;

namespace {

class Loop {
  public:
    Loop() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
    ~Loop() {
        guard_.reset();
        io_.stop();
        thread_.join();
    }
    boost::asio::io_context& io() { return io_; }

  private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::thread thread_;
};

int connect_tcp(const std::string& address) {
    auto colon = address.rfind(':');
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
    ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &a.sin_addr);
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
}

int connect_unix(const std::string& path) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
}

// Sends `data` in pieces of `step` bytes, then reads until `expected` bytes arrived or the peer
// closed (bounded by the socket's 10 s timeout).
std::string talk(int fd, const std::string& data, size_t step, size_t expected, bool* closed) {
    for (size_t pos = 0; pos < data.size(); pos += step) {
        auto piece = data.substr(pos, step);
        ::send(fd, piece.data(), piece.size(), MSG_NOSIGNAL);
    }
    std::string out;
    *closed = false;
    char buf[4096];
    while (out.size() < expected) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            *closed = n == 0;
            break;
        }
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

BridgeProtocol echo_lines() {
    return tab_line_protocol(
        [](const std::vector<std::string>& r) -> std::vector<std::string> {
            if (r[0] == "PING") return {"PONG", r.size() > 1 ? r[1] : ""};
            return {"ERROR", "unknown"};
        },
        64);
}

}  // namespace

TEST(BridgeListener, AnswersEveryRequestInOrderWhateverTheFragmentation) {
    Loop loop;
    BridgeListener l(loop.io(), {"test", "127.0.0.1:0"}, echo_lines());
    auto bound = l.start();
    ASSERT_TRUE(bound) << bound.error().message;
    const std::string requests = "PING\ta\nPING\tb\r\nPING\t\x01tc\n";
    const std::string answers = "PONG\ta\nPONG\tb\nPONG\t\x01tc\n";
    for (size_t step : {size_t{1000}, size_t{5}, size_t{1}}) {
        int fd = connect_tcp(*bound);
        bool closed = false;
        EXPECT_EQ(talk(fd, requests, step, answers.size(), &closed), answers) << step;
        ::close(fd);
    }
    EXPECT_EQ(l.counters().requests.load(), 9u);
}

TEST(BridgeListener, BadInputGetsOneErrorAndTheConnectionCloses) {
    Loop loop;
    const std::string path = sb::test::temp_dir("sbbridge") + "/b.sock";
    BridgeListener l(loop.io(), {"test", path}, echo_lines());
    ASSERT_TRUE(l.start());
    struct Case {
        std::string input, answer_prefix;
    } cases[] = {
        {std::string(200, 'x'), "ERROR\tline longer than 64 bytes"},
        {"NOPE\n", "ERROR\tunknown"},
        {"PING\tbad\x01z\n", "ERROR\tunknown escape"},
        {"PING\tok\nNOPE\nPING\tnever\n", "PONG\tok\nERROR\tunknown\n"},
    };
    for (const auto& c : cases) {
        int fd = connect_unix(path);
        bool closed = false;
        std::string out = talk(fd, c.input, 7, 1 << 20, &closed);
        EXPECT_TRUE(closed) << c.input;
        EXPECT_EQ(out.rfind(c.answer_prefix, 0), 0u) << out;
        EXPECT_EQ(std::count(out.begin(), out.end(), '\n'),
                  std::count(c.answer_prefix.begin(), c.answer_prefix.end(), '\n') +
                      (c.answer_prefix.back() == '\n' ? 0 : 1))
            << out;  // nothing after the error
        ::close(fd);
    }
    EXPECT_EQ(l.counters().refused.load(), 4u);
}

TEST(BridgeListener, NetstringsAreRefusedWithPerm) {
    Loop loop;
    BridgeListener l(
        loop.io(), {"test", "127.0.0.1:0"},
        netstring_protocol([](std::string_view r) { return "OK " + std::string(r); }, 16));
    auto bound = l.start();
    ASSERT_TRUE(bound);
    int fd = connect_tcp(*bound);
    bool closed = false;
    const std::string ok = mailwire::encode_netstring("OK x");
    EXPECT_EQ(talk(fd, "1:x,", 1, ok.size(), &closed), ok);
    std::string out = talk(fd, "99:", 1, 1 << 20, &closed);
    EXPECT_TRUE(closed);
    EXPECT_EQ(out, mailwire::encode_netstring("PERM netstring longer than 16 bytes"));
    ::close(fd);
}

namespace {
class PushOverSocket : public sb::mail::test::DirectoryFixture {};
}  // namespace

TEST_F(PushOverSocket, AnEventLineReachesTheAccountsSubscriber) {
    Loop loop;
    MailEvents events;
    DovecotPush push(*dir_, events);
    BridgeListener l(
        loop.io(), {"events", "127.0.0.1:0"},
        tab_line_protocol([&](const std::vector<std::string>& r) { return push.answer(r); }, 1024));
    auto bound = l.start();
    ASSERT_TRUE(bound);
    std::mutex m;
    std::condition_variable cv;
    std::vector<MailEvent> got;
    auto sub = events.subscribe(john_.id, [&](const MailEvent& e) {
        std::lock_guard lock(m);
        got.push_back(e);
        cv.notify_all();
    });
    int fd = connect_tcp(*bound);
    bool closed = false;
    EXPECT_EQ(
        talk(fd, "EVENT\tnew\t" + john_.uuid + "\tjohn@example.com\tINBOX\t42\t7\n", 3, 3, &closed),
        "OK\n");
    ::close(fd);
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return !got.empty(); }));
    EXPECT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].uid, 42u);
    EXPECT_EQ(got[0].account, "john@example.com");
}
