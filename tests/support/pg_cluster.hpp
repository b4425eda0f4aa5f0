#pragma once
// A throwaway PostgreSQL server for tests: initdb into a temporary directory, then pg_ctl start
// on a unix socket in that directory and a free loopback port. Runs the server as the
// `postgres` user when the tests run as root (initdb refuses root). Every wait is bounded; the
// server is stopped and its directory removed when the test process exits, also when it dies
// (a watchdog process holds a pipe from the test process).
#include <string>
#include <string_view>
#include <vector>

namespace sb::test {

class PgCluster {
  public:
    // The process-wide cluster, started on first use. nullptr when the PostgreSQL server
    // binaries are not installed (`why` then says what is missing); throws std::runtime_error
    // with the server log when they are installed but the server does not start.
    static PgCluster* shared(std::string* why = nullptr);

    // A new empty database (owned by the superuser) and its connection string,
    // "host=<socket dir> port=<port> dbname=<name> user=postgres".
    std::string create_database();
    // The connection string of an existing database over the unix socket, or over TCP on
    // 127.0.0.1 with `tcp`.
    std::string url(std::string_view dbname, bool tcp = false) const;
    // Runs SQL with psql as the superuser; returns its unaligned, tuples-only output. Throws on
    // failure.
    std::string psql(std::string_view dbname, std::string_view sql) const;
    // Stops the server (fast shutdown: sessions are terminated) and starts it again.
    void restart();

    int port() const { return port_; }
    const std::string& socket_dir() const { return dir_; }

  private:
    PgCluster() = default;
    void start();
    int run(const std::vector<std::string>& argv, int timeout_s, std::string* output) const;
    std::vector<std::string> as_server_user(std::vector<std::string> argv) const;
    std::string log_tail() const;

    std::string bin_;  // directory of initdb, pg_ctl, psql
    std::string dir_;  // temporary directory: socket, data/, server.log
    int port_ = 0;
    bool as_root_ = false;
    int next_db_ = 0;
};

}  // namespace sb::test
