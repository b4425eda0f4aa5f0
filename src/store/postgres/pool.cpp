#include "store/postgres/pool.hpp"

#include <fmt/format.h>

namespace sb::store::postgres {

Result<ConnectionPool::Lease> ConnectionPool::acquire() {
    std::unique_lock lock(mutex_);
    const bool ready = returned_.wait_for(lock, settings_.pool_timeout, [&] {
        return !idle_.empty() || open_ < settings_.pool_size;
    });
    if (!ready)
        return fail(
            Errc::unavailable,
            fmt::format("all {} connections to PostgreSQL server {} stayed busy for {} ms "
                        "(raise pool_size in store.url)",
                        settings_.pool_size, settings_.server, settings_.pool_timeout.count()));
    if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(c));
    }
    ++open_;
    lock.unlock();
    auto c = Connection::open(settings_);
    if (!c) {
        lock.lock();
        --open_;
        returned_.notify_one();
        return tl::unexpected(c.error());
    }
    return Lease(this, std::move(*c));
}

void ConnectionPool::give_back(std::unique_ptr<Connection> c) {
    if (!c->broken() && !c->in_transaction()) c->trim_statements();
    const bool reusable = !c->broken() && !c->in_transaction();
    if (!reusable) c.reset();  // close outside the lock
    std::lock_guard lock(mutex_);
    if (reusable)
        idle_.push_back(std::move(c));
    else
        --open_;
    returned_.notify_one();
}

void ConnectionPool::drop_idle() {
    std::vector<std::unique_ptr<Connection>> doomed;
    {
        std::lock_guard lock(mutex_);
        doomed.swap(idle_);
        open_ -= static_cast<int>(doomed.size());
        returned_.notify_all();
    }
}

}  // namespace sb::store::postgres
