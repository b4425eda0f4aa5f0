#pragma once
// A one-connection TCP listener on 127.0.0.1 for tests that let libldap talk to the codec:
// libldap sends a request, the test reads it here and answers with bytes of its own. Every wait
// is bounded; nothing blocks without a timeout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ldap/protocol/message.hpp"

namespace sb::ldapproto::test {

class LoopbackServer {
  public:
    LoopbackServer() {
        // libldap may write to a socket the test already closed.
        std::signal(SIGPIPE, SIG_IGN);
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listen_fd_ < 0) throw std::runtime_error("socket");
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        socklen_t len = sizeof addr;
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(listen_fd_, 4) != 0 ||
            ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
            throw std::runtime_error("bind/listen");
        port_ = ntohs(addr.sin_port);
    }
    ~LoopbackServer() {
        if (conn_fd_ >= 0) ::close(conn_fd_);
        if (listen_fd_ >= 0) ::close(listen_fd_);
    }
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    std::string url() const { return "ldap://127.0.0.1:" + std::to_string(port_); }

    // The next complete LDAPMessage from the client (accepting the connection first if needed),
    // or nullopt when none arrives within `timeout`.
    std::optional<std::string> read_message(
        std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        if (conn_fd_ < 0) {
            if (!wait_readable(listen_fd_, deadline)) return std::nullopt;
            conn_fd_ = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (conn_fd_ < 0) return std::nullopt;
        }
        while (true) {
            auto f = frame_message(buffer_, Limits{});
            if (!f) return std::nullopt;
            if (f->complete) {
                std::string message = buffer_.substr(0, f->size);
                buffer_.erase(0, f->size);
                return message;
            }
            if (!wait_readable(conn_fd_, deadline)) return std::nullopt;
            char chunk[4096];
            const ssize_t n = ::recv(conn_fd_, chunk, sizeof chunk, 0);
            if (n <= 0) return std::nullopt;
            buffer_.append(chunk, static_cast<size_t>(n));
        }
    }

    // True when the client closed its side within `timeout` (after any pending messages).
    bool client_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (conn_fd_ >= 0 && wait_readable(conn_fd_, deadline)) {
            char chunk[4096];
            const ssize_t n = ::recv(conn_fd_, chunk, sizeof chunk, 0);
            if (n == 0) return true;
            if (n < 0) return false;
        }
        return false;
    }

    bool send(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(conn_fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            bytes.remove_prefix(static_cast<size_t>(n));
        }
        return true;
    }

  private:
    static bool wait_readable(int fd, std::chrono::steady_clock::time_point deadline) {
        while (true) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fd, POLLIN, 0};
            const int r = ::poll(&p, 1, static_cast<int>(left.count()));
            if (r > 0) return true;
            if (r < 0 && errno != EINTR) return false;
        }
    }

    int listen_fd_ = -1;
    int conn_fd_ = -1;
    uint16_t port_ = 0;
    std::string buffer_;
};

}  // namespace sb::ldapproto::test
