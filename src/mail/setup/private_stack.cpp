#include "mail/setup/private_stack.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace sb::mail {
namespace fs = std::filesystem;

namespace {

constexpr const char* kDovecot = "/usr/sbin/dovecot";
constexpr const char* kPostfix = "/usr/sbin/postfix";

// Runs a program (no shell), its output appended to `log`; waits at most `timeout_s`.
Result<int> run(const std::vector<std::string>& argv, const std::string& log, int timeout_s) {
    pid_t pid = ::fork();
    if (pid < 0) return fail(Errc::io_error, fmt::format("fork: {}", std::strerror(errno)));
    if (pid == 0) {
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) ::dup2(null, 0);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (r < 0) return fail(Errc::io_error, fmt::format("waitpid: {}", std::strerror(errno)));
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return fail(Errc::unavailable,
                        fmt::format("{} did not finish within {} s", argv[0], timeout_s));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

// A connected TCP socket to host:port with send/receive timeouts, or -1.
int connect_to(const std::string& endpoint, int timeout_s) {
    auto [host, port] = split_host_port(endpoint);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0) return -1;
    int fd = -1;
    for (auto* a = res; a && fd < 0; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        timeval tv{timeout_s, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            ::close(fd);
            fd = -1;
        }
    }
    ::freeaddrinfo(res);
    return fd;
}

Result<void> wait_listening(const std::string& endpoint, const std::string& what, int timeout_s,
                            const std::string& log) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (std::chrono::steady_clock::now() < deadline) {
        int fd = connect_to(endpoint, 2);
        if (fd >= 0) {
            ::close(fd);
            return {};
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return fail(Errc::unavailable, fmt::format("{} did not listen on {} within {} s (see {})", what,
                                               endpoint, timeout_s, log));
}

Result<void> write_files(const std::string& dir, const std::vector<GeneratedFile>& files) {
    for (const auto& f : files) {
        fs::path p = fs::path(dir) / f.name;
        std::error_code ec;
        fs::create_directories(p.parent_path(), ec);
        std::ofstream out(p, std::ios::binary | std::ios::trunc);
        out << f.content;
        if (!out) return fail(Errc::io_error, fmt::format("cannot write {}", p.string()));
        ::chmod(p.c_str(), static_cast<mode_t>(f.mode));
    }
    return {};
}

Result<void> own_dir(const std::string& path, const std::string& user, mode_t mode) {
    std::error_code ec;
    fs::create_directories(path, ec);
    passwd* pw = ::getpwnam(user.c_str());
    if (!pw) return fail(Errc::not_found, fmt::format("no system user '{}'", user));
    if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0 || ::chmod(path.c_str(), mode) != 0)
        return fail(Errc::io_error,
                    fmt::format("cannot give {} to {}: {}", path, user, std::strerror(errno)));
    return {};
}

// Stops a Dovecot left running by an earlier start of the same stack (e.g. after kill -9).
void stop_dovecot(const std::string& dir) {
    std::ifstream in(dir + "/dovecot/run/master.pid");
    pid_t pid = 0;
    if (!(in >> pid) || pid <= 1) return;
    std::ifstream cmdline(fmt::format("/proc/{}/cmdline", pid));
    std::string cmd;
    std::getline(cmdline, cmd, '\0');
    if (cmd.find("dovecot") == std::string::npos) return;  // a reused pid: not ours
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

// Reads one SMTP reply (all its lines); returns the code, or an error.
Result<int> read_reply(int fd, std::string& buffer, std::string& text) {
    text.clear();
    for (;;) {
        auto lf = buffer.find('\n');
        if (lf == std::string::npos) {
            char chunk[1024];
            ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0)
                return fail(Errc::unavailable,
                            n == 0 ? "the server closed the connection" : "no answer in time");
            buffer.append(chunk, static_cast<size_t>(n));
            if (buffer.size() > 64 * 1024) return fail(Errc::limit_exceeded, "reply too long");
            continue;
        }
        std::string line = buffer.substr(0, lf);
        buffer.erase(0, lf + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        text += line + " ";
        if (line.size() < 4 || line[3] != '-') return std::atoi(line.substr(0, 3).c_str());
    }
}

}  // namespace

std::string private_stack_unavailable() {
    if (::geteuid() != 0) return "a private Dovecot and Postfix need root";
    for (const char* p : {kDovecot, kPostfix, "/usr/lib/dovecot/modules/auth/libauthdb_lua.so",
                          "/usr/lib/dovecot/modules/lib22_push_notification_lua_plugin.so"})
        if (::access(p, X_OK) != 0 && ::access(p, R_OK) != 0)
            return fmt::format("{} is missing (scripts/setup.sh installs it)", p);
    return "";
}

Result<std::unique_ptr<PrivateMailStack>> PrivateMailStack::start(const PrivateStack& p,
                                                                  const Wiring& w) {
    std::error_code ec;
    fs::create_directories(p.dir, ec);
    ::chmod(p.dir.c_str(), 0755);  // Dovecot's mail processes and Postfix's daemons traverse it
    const std::string postfix_dir = p.dir + "/postfix",
                      dovecot_log = p.dir + "/dovecot/dovecot.log";
    const std::string postfix_log = postfix_dir + "/postfix.log";
    SB_TRY(write_files(p.dir, private_dovecot(w, p)));
    SB_TRY(write_files(p.dir, private_postfix(w, p)));
    fs::create_directories(postfix_dir + "/queue", ec);
    SB_TRY(own_dir(postfix_dir + "/data", "postfix", 0700));
    std::unique_ptr<PrivateMailStack> stack(new PrivateMailStack(p));

    // Left over from a server that was killed: stop them first, they hold the ports.
    (void)run({kPostfix, "-c", postfix_dir, "stop"}, postfix_log, 60);
    stop_dovecot(p.dir);

    SB_TRY_ASSIGN(int rc, run({kDovecot, "-c", p.dir + "/dovecot/dovecot.conf"},
                              p.dir + "/dovecot/start.log", 60));
    if (rc != 0)
        return fail(Errc::unavailable, fmt::format("dovecot did not start (exit {}; see {} and {})",
                                                   rc, p.dir + "/dovecot/start.log", dovecot_log));
    stack->running_ = true;
    SB_TRY(wait_listening(p.imap, "Dovecot IMAP", 30, dovecot_log));
    SB_TRY(wait_listening(w.lmtp, "Dovecot LMTP", 30, dovecot_log));
    SB_TRY_ASSIGN(rc, run({kPostfix, "-c", postfix_dir, "start"}, postfix_log, 60));
    if (rc != 0)
        return fail(Errc::unavailable,
                    fmt::format("postfix did not start (exit {}; see {})", rc, postfix_log));
    SB_TRY(wait_listening(p.smtp, "Postfix SMTP", 30, postfix_log));
    SB_TRY(wait_listening(w.submission, "Postfix submission", 30, postfix_log));
    return stack;
}

void PrivateMailStack::stop() {
    if (!running_) return;
    running_ = false;
    const std::string postfix_dir = stack_.dir + "/postfix";
    if (auto r = run({kPostfix, "-c", postfix_dir, "stop"}, postfix_dir + "/postfix.log", 60);
        !r || *r != 0)
        spdlog::warn("demo mail: postfix -c {} stop failed", postfix_dir);
    stop_dovecot(stack_.dir);
}

PrivateMailStack::~PrivateMailStack() {
    stop();
}

Result<void> deliver(const std::string& endpoint, bool lmtp, const std::string& from,
                     const std::vector<std::string>& recipients, const std::string& message,
                     int timeout_s) {
    int fd = connect_to(endpoint, timeout_s);
    if (fd < 0) return fail(Errc::unavailable, fmt::format("cannot connect to {}", endpoint));
    std::string buffer, text;
    auto step = [&](const std::string& line, int expected) -> Result<void> {
        if (!line.empty() &&
            ::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
            return fail(Errc::unavailable, fmt::format("{}: cannot send", endpoint));
        SB_TRY_ASSIGN(int code, read_reply(fd, buffer, text));
        if (code != expected)
            return fail(Errc::unavailable,
                        fmt::format("{} answered {}to {}", endpoint, text,
                                    line.empty() ? "the connection" : line.substr(0, 40)));
        return {};
    };
    auto dialogue = [&]() -> Result<void> {
        SB_TRY(step("", 220));
        SB_TRY(step(lmtp ? "LHLO switchboard\r\n" : "EHLO switchboard\r\n", 250));
        SB_TRY(step(fmt::format("MAIL FROM:<{}>\r\n", from), 250));
        for (const auto& r : recipients)
            SB_TRY(step(fmt::format("RCPT TO:<{}>\r\n", r), 250));
        SB_TRY(step("DATA\r\n", 354));
        // RFC 5321 4.5.2: a line starting with '.' gets one more.
        std::string body;
        size_t start = 0;
        while (start < message.size()) {
            size_t end = message.find('\n', start);
            std::string line = message.substr(start, end == std::string::npos ? end : end - start);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            body += (line.rfind('.', 0) == 0 ? "." : "") + line + "\r\n";
            if (end == std::string::npos) break;
            start = end + 1;
        }
        body += ".\r\n";
        // LMTP answers once per recipient (RFC 2033 4.2).
        SB_TRY(step(body, 250));
        for (size_t i = 1; lmtp && i < recipients.size(); ++i)
            SB_TRY(step("", 250));
        (void)step("QUIT\r\n", 221);
        return {};
    };
    auto r = dialogue();
    ::close(fd);
    return r;
}

}  // namespace sb::mail
