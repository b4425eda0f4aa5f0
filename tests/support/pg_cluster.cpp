#include "pg_cluster.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sb::test {
namespace {

namespace fs = std::filesystem;

bool executable(const fs::path& p) {
    return ::access(p.c_str(), X_OK) == 0;
}

bool has_server_tools(const fs::path& dir) {
    return executable(dir / "initdb") && executable(dir / "pg_ctl") && executable(dir / "psql");
}

// $SB_PG_BINDIR, else Debian's /usr/lib/postgresql/<newest>/bin, else $PATH.
std::string find_bindir() {
    if (const char* e = std::getenv("SB_PG_BINDIR"); e && *e) return has_server_tools(e) ? e : "";
    std::vector<fs::path> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec))
        if (has_server_tools(entry.path() / "bin")) found.push_back(entry.path() / "bin");
    if (!found.empty()) {
        std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
            return std::atoi(a.parent_path().filename().c_str()) <
                   std::atoi(b.parent_path().filename().c_str());
        });
        return found.back().string();
    }
    if (const char* path = std::getenv("PATH")) {
        std::stringstream ss(path);
        std::string d;
        while (std::getline(ss, d, ':'))
            if (!d.empty() && has_server_tools(d)) return d;
    }
    return "";
}

int free_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot find a free loopback port");
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// The watchdog: stops the server and removes its directory when the test process ends, even
// by a crash or SIGKILL, because then the pipe it reads closes.
int g_watchdog_pipe = -1;
pid_t g_watchdog = -1;

void stop_at_exit() {
    if (g_watchdog_pipe < 0) return;
    ::close(g_watchdog_pipe);
    g_watchdog_pipe = -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
    while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(g_watchdog, nullptr, WNOHANG) != 0) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace

PgCluster* PgCluster::shared(std::string* why) {
    static std::mutex m;
    static PgCluster* cluster = nullptr;
    static std::string missing;
    std::lock_guard lock(m);
    if (!cluster && missing.empty()) {
        std::string bin = find_bindir();
        if (bin.empty()) {
            missing =
                "PostgreSQL server binaries (initdb, pg_ctl, psql) not found in "
                "/usr/lib/postgresql/*/bin, $SB_PG_BINDIR or $PATH; install the Debian package "
                "postgresql (scripts/setup.sh does)";
        } else {
            auto* c = new PgCluster();
            c->bin_ = bin;
            c->start();  // throws with the server log when the binaries exist but fail
            cluster = c;
        }
    }
    if (!cluster && why) *why = missing;
    return cluster;
}

std::vector<std::string> PgCluster::as_server_user(std::vector<std::string> argv) const {
    if (!as_root_) return argv;
    argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
    return argv;
}

int PgCluster::run(const std::vector<std::string>& argv, int timeout_s, std::string* output) const {
    static int counter = 0;
    const std::string out_path = dir_ + "/cmd" + std::to_string(++counter) + ".out";
    // Resolved here: execvp may allocate, which is unsafe between fork and exec in a process
    // with threads (store change feeds).
    std::string program = argv.at(0);
    if (program.find('/') == std::string::npos) {
        std::stringstream path(std::getenv("PATH") ? std::getenv("PATH") : "/usr/sbin:/usr/bin");
        for (std::string d; std::getline(path, d, ':');)
            if (!d.empty() && executable(fs::path(d) / program)) {
                program = (fs::path(d) / program).string();
                break;
            }
    }
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        // Only async-signal-safe calls between fork and exec.
        int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = ::open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        if (null >= 0) ::dup2(null, 0);
        ::execv(program.c_str(), args.data());
        ::_exit(127);
    }
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    for (;;) {
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            if (output) *output = read_file(out_path) + "\n(killed after timeout)";
            ::unlink(out_path.c_str());
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (output) *output = read_file(out_path);
    ::unlink(out_path.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string PgCluster::log_tail() const {
    std::string log = read_file(dir_ + "/server.log");
    if (log.size() > 4000) log = log.substr(log.size() - 4000);
    return log;
}

void PgCluster::start() {
    as_root_ = ::geteuid() == 0;
    std::string tmpl = (fs::temp_directory_path() / "sbpgXXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    if (as_root_) {
        const passwd* pw = ::getpwnam("postgres");
        if (!pw)
            throw std::runtime_error(
                "running as root, but there is no 'postgres' user to run the test server as");
        if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
            throw std::runtime_error("cannot chown " + dir_ + " to postgres");
    }
    std::string out;
    // C locale: lower() and ORDER BY fold ASCII only, as SQLite's NOCASE does.
    if (run(as_server_user({bin_ + "/initdb", "-D", dir_ + "/data", "-U", "postgres",
                            "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"}),
            120, &out) != 0)
        throw std::runtime_error("initdb failed:\n" + out);

    for (int attempt = 1;; ++attempt) {
        port_ = free_loopback_port();
        const std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
                                    " -k " + dir_ +
                                    " -c fsync=off -c synchronous_commit=off"
                                    " -c full_page_writes=off -c max_connections=200";
        int rc =
            run(as_server_user({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-l", dir_ + "/server.log",
                                "-w", "-t", "60", "-o", options, "start"}),
                90, &out);
        if (rc == 0) break;
        if (attempt == 3)
            throw std::runtime_error("pg_ctl start failed:\n" + out + "\nserver log:\n" +
                                     log_tail());
    }

    // Watchdog: a shell that blocks reading the pipe, then stops the server and cleans up.
    std::string stop = bin_ + "/pg_ctl -D " + shell_quote(dir_ + "/data") +
                       " -m immediate -w -t 30 stop >/dev/null 2>&1";
    if (as_root_) stop = "runuser -u postgres -- " + stop;
    const std::string script = "read x; " + stop + "; rm -rf " + shell_quote(dir_);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::setsid();  // a Ctrl-C to the test's process group must not kill the cleanup
        ::dup2(fds[0], 0);
        ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[0]);
    g_watchdog_pipe = fds[1];
    g_watchdog = pid;
    std::atexit(stop_at_exit);
}

std::string PgCluster::url(std::string_view dbname, bool tcp) const {
    return "host=" + (tcp ? std::string("127.0.0.1") : dir_) + " port=" + std::to_string(port_) +
           " dbname=" + std::string(dbname) + " user=postgres";
}

std::string PgCluster::psql(std::string_view dbname, std::string_view sql) const {
    std::string out;
    int rc = run({bin_ + "/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dir_, "-p",
                  std::to_string(port_), "-U", "postgres", "-d", std::string(dbname), "-c",
                  std::string(sql)},
                 60, &out);
    if (rc != 0) throw std::runtime_error("psql failed (" + std::string(sql) + "):\n" + out);
    return out;
}

std::string PgCluster::create_database() {
    std::string name = "sbtest_" + std::to_string(::getpid()) + "_" + std::to_string(++next_db_);
    psql("postgres", "CREATE DATABASE " + name);
    return url(name);
}

void PgCluster::restart() {
    std::string out;
    if (run(as_server_user({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-l", dir_ + "/server.log",
                            "-m", "fast", "-w", "-t", "60", "restart"}),
            90, &out) != 0)
        throw std::runtime_error("pg_ctl restart failed:\n" + out + "\nserver log:\n" + log_tail());
}

}  // namespace sb::test
