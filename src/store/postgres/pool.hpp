#pragma once
// A bounded set of connections shared by the threads of one node.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "store/postgres/connection.hpp"

namespace sb::store::postgres {

class ConnectionPool {
  public:
    explicit ConnectionPool(const Settings& settings) : settings_(settings) {}

    // A connection on loan; it goes back to the pool when the lease ends (or is closed when it
    // broke or was left inside a transaction).
    class Lease {
      public:
        Lease(ConnectionPool* pool, std::unique_ptr<Connection> c)
            : pool_(pool), conn_(std::move(c)) {}
        Lease(Lease&& o) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (conn_) pool_->give_back(std::move(conn_));
        }
        Connection& operator*() { return *conn_; }
        Connection* operator->() { return conn_.get(); }

      private:
        ConnectionPool* pool_;
        std::unique_ptr<Connection> conn_;
    };

    // An idle connection, a new one while fewer than pool_size are open, or the first one given
    // back within pool_timeout; unavailable otherwise.
    Result<Lease> acquire();
    // Closes the idle connections: when one connection broke, its idle siblings to the same
    // server most likely did too (server restart, failover).
    void drop_idle();

  private:
    void give_back(std::unique_ptr<Connection> c);

    const Settings& settings_;
    std::mutex mutex_;
    std::condition_variable returned_;
    std::vector<std::unique_ptr<Connection>> idle_;
    int open_ = 0;  // idle + leased + being opened
};

}  // namespace sb::store::postgres
