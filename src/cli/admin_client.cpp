#include "cli/admin_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

namespace sb::cli {
namespace {

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

Result<HttpReply> post(const std::string& path, const std::string& target, const std::string& body,
                       int timeout_s) {
    auto unreachable = [&](const std::string& why) {
        return fail(
            Errc::unavailable,
            fmt::format(
                "cannot reach the Switchboard server at {}: {}. Is it running? Start it with: "
                "switchboard serve (and use the same --config or SWITCHBOARD_CONFIG)",
                path, why));
    };
    Fd s;
    s.fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s.fd < 0) return unreachable(std::strerror(errno));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return unreachable("socket path too long");
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return unreachable(std::strerror(errno));

    std::string req = fmt::format(
        "POST {} HTTP/1.1\r\nHost: switchboard\r\nContent-Type: "
        "application/json\r\nContent-Length: {}\r\n"
        "Connection: close\r\n\r\n",
        target, body.size());
    req += body;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    auto remaining_ms = [&] {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        return static_cast<int>(std::max<long long>(0, left));
    };
    for (size_t off = 0; off < req.size();) {
        pollfd p{s.fd, POLLOUT, 0};
        if (::poll(&p, 1, remaining_ms()) <= 0)
            return fail(Errc::unavailable, "timed out sending the command to the server");
        ssize_t n = ::send(s.fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return fail(Errc::io_error,
                        fmt::format("sending to the server failed: {}", std::strerror(errno)));
        }
        off += static_cast<size_t>(n);
    }
    std::string resp;
    char buf[65536];
    for (;;) {
        pollfd p{s.fd, POLLIN, 0};
        int pr = ::poll(&p, 1, remaining_ms());
        if (pr == 0)
            return fail(Errc::unavailable,
                        fmt::format("no answer from the server within {} s", timeout_s));
        if (pr < 0) {
            if (errno == EINTR) continue;
            return fail(Errc::io_error, std::strerror(errno));
        }
        ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(Errc::io_error, fmt::format("reading the server's answer failed: {}",
                                                    std::strerror(errno)));
        }
        if (n == 0) break;
        resp.append(buf, static_cast<size_t>(n));
    }
    // Status line, headers, then the body up to Content-Length (the server closes after it).
    auto head_end = resp.find("\r\n\r\n");
    if (resp.compare(0, 9, "HTTP/1.1 ") != 0 || head_end == std::string::npos)
        return fail(Errc::io_error, "the server's answer is not HTTP");
    HttpReply r;
    r.status = std::atoi(resp.c_str() + 9);
    r.body = resp.substr(head_end + 4);
    return r;
}

}  // namespace sb::cli
