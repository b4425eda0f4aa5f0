#include "store/postgres/postgres_database.hpp"

#include <unistd.h>

#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/random.hpp"
#include "store/change_listeners.hpp"
#include "store/postgres/cluster_feed.hpp"
#include "store/postgres/payload.hpp"
#include "store/postgres/pool.hpp"

namespace sb::store::postgres {
namespace {

constexpr const char* kBeginWrite = "BEGIN ISOLATION LEVEL SERIALIZABLE";
constexpr const char* kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

bool conflict_state(std::string_view sqlstate) {
    return sqlstate == kSerializationFailure || sqlstate == kDeadlockDetected;
}

class PgTx final : public Tx {
  public:
    PgTx(Connection& c, bool writable) : conn_(c), writable_(writable) {}

    Result<Rows> query(std::string_view sql, std::initializer_list<Value> params) override {
        return run(sql, params.begin(), params.size()).map([](auto o) {
            return std::move(o.rows);
        });
    }
    Result<Rows> query(std::string_view sql, const std::vector<Value>& params) override {
        return run(sql, params.data(), params.size()).map([](auto o) { return std::move(o.rows); });
    }
    Result<int64_t> exec(std::string_view sql, std::initializer_list<Value> params) override {
        return run(sql, params.begin(), params.size()).map([](auto o) { return o.changed; });
    }
    Result<int64_t> exec(std::string_view sql, const std::vector<Value>& params) override {
        return run(sql, params.data(), params.size()).map([](auto o) { return o.changed; });
    }
    Result<void> script(std::string_view sql) override {
        if (!writable_) return fail(Errc::internal, "script in a read transaction");
        if (failure_) return refused(sql);
        // Migrations may rewrite big tables: no statement timeout for them.
        auto r = conn_.command("SET LOCAL statement_timeout = 0");
        if (r) r = conn_.command(sql);
        if (!r) note(r.error());
        return r;
    }
    void notify(Change change) override { changes.push_back(std::move(change)); }

    // The first statement that failed, if any: PostgreSQL then refuses the rest of the
    // transaction, so it can only roll back.
    const std::optional<Error>& failure() const { return failure_; }
    bool conflict() const { return conflict_; }  // serialization failure or deadlock
    bool lost() const { return lost_; }          // the connection broke

    std::vector<Change> changes;

  private:
    Result<Connection::Outcome> run(std::string_view sql, const Value* params, size_t n) {
        if (failure_) return refused(sql);
        auto r = conn_.execute(sql, params, n);
        if (!r) note(r.error());
        return r;
    }
    void note(const Error& e) {
        if (conn_.broken()) lost_ = true;
        if (conflict_state(conn_.last_sqlstate())) conflict_ = true;
        // A refused parameter (NUL byte, count) never reached the server: nothing aborted.
        if (!conn_.last_sqlstate().empty() || lost_) failure_ = e;
    }
    tl::unexpected<Error> refused(std::string_view sql) {
        return fail(failure_->code,
                    fmt::format("{} (the transaction had already failed; not run: {})",
                                failure_->message, sql));
    }

    Connection& conn_;
    bool writable_;
    std::optional<Error> failure_;
    bool conflict_ = false;
    bool lost_ = false;
};

std::string node_id() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0 || !host[0])
        std::snprintf(host, sizeof host, "node");
    return fmt::format("{}-{}-{}", host, ::getpid(), crypto::random_id(8));
}

void backoff(int attempt) {
    // Random, growing pause so conflicting writers do not collide again in lockstep.
    thread_local std::minstd_rand rng{std::random_device{}()};
    const int cap_ms = std::min(100, 2 << std::min(attempt, 6));
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, cap_ms)(rng)));
}

class PostgresDatabase final : public Database {
  public:
    explicit PostgresDatabase(Settings s) : settings_(std::move(s)), node_(node_id()) {}
    ~PostgresDatabase() override { feed_.reset(); }

    // Opens the first connection, so a wrong URL or a down server fails at start-up.
    Result<void> check() {
        SB_TRY(pool_.acquire());
        return {};
    }

    Result<void> write_tx(const TxFn& fn) override { return run(fn, true); }
    Result<void> write_relaxed_tx(const TxFn& fn) override { return run(fn, true, true); }
    Result<void> read_tx(const TxFn& fn) override { return run(fn, false); }
    std::string_view dialect() const override { return "postgresql"; }

    void unsubscribe_all() override {
        {
            std::lock_guard lock(feed_mutex_);
            feed_.reset();  // joins the LISTEN thread
        }
        listeners_.clear();
    }
    Subscription subscribe(ChangeListener l) override {
        auto subscription = listeners_.add(std::move(l));
        std::lock_guard lock(feed_mutex_);
        if (!feed_) {
            feed_ = std::make_unique<ClusterFeed>(
                settings_, node_, [this](const std::vector<Change>& c) { publish(c); },
                [this] { return channels(); });
            feed_->start();
        }
        return subscription;
    }

  private:
    enum class Outcome { committed, retry, reconnect, failed };

    Result<void> run(const TxFn& fn, bool writable, bool relaxed = false) {
        const int attempts = writable ? settings_.write_attempts : 1;
        bool reconnected = false;
        for (int attempt = 1;;) {
            std::vector<Change> changes;
            Error error;
            switch (once(fn, writable, relaxed, attempt < attempts, reconnected, changes, error)) {
                case Outcome::committed:
                    if (!changes.empty()) publish(changes);
                    return {};
                case Outcome::reconnect:
                    continue;
                case Outcome::retry:
                    spdlog::debug("store: transaction attempt {} of {} failed, retrying: {}",
                                  attempt, attempts, error.message);
                    backoff(attempt++);
                    continue;
                case Outcome::failed:
                    return tl::unexpected(std::move(error));
            }
        }
    }

    // One try of a transaction. `may_retry` permits running fn again after a conflict or a lost
    // connection; a broken idle connection found at BEGIN is replaced once (`reconnected`).
    Outcome once(const TxFn& fn, bool writable, bool relaxed, bool may_retry, bool& reconnected,
                 std::vector<Change>& changes, Error& error) {
        auto lease = pool_.acquire();
        if (!lease) {
            error = lease.error();
            return Outcome::failed;
        }
        Connection& c = **lease;
        if (auto begun = c.command(writable ? kBeginWrite : kBeginRead); !begun) {
            error = begun.error();
            if (c.broken() && !reconnected) {
                // Idle connections die with a server restart; nothing has run yet.
                reconnected = true;
                pool_.drop_idle();
                return Outcome::reconnect;
            }
            return Outcome::failed;
        }
        // The commit does not wait for the WAL flush; a later synchronous commit flushes it.
        if (relaxed) {
            if (auto set = c.command("SET LOCAL synchronous_commit = off"); !set) {
                error = set.error();
                if (!c.broken()) (void)c.command("ROLLBACK");
                return Outcome::failed;
            }
        }
        PgTx tx(c, writable);
        Result<void> r;
        try {
            r = fn(tx);
        } catch (...) {
            if (!c.broken()) (void)c.command("ROLLBACK");
            throw;
        }
        bool commit_conflict = false;
        if (r && !tx.failure()) {
            auto done = writable ? send_notifications(tx) : Result<void>{};
            if (done) {
                done = c.commit();
                if (done) {
                    changes = std::move(tx.changes);
                    return Outcome::committed;
                }
                if (c.broken()) {
                    // The COMMIT may have reached the server: running fn again could apply the
                    // change twice, so the caller learns the outcome is unknown.
                    error = Error{Errc::unavailable,
                                  fmt::format("lost the connection to PostgreSQL server {} while "
                                              "committing; the change may not have been saved: {}",
                                              c.server(), done.error().message)};
                    return Outcome::failed;
                }
                // SERIALIZABLE may detect the conflict only at commit.
                commit_conflict = conflict_state(c.last_sqlstate());
            }
            r = done;
        }
        if (!c.broken()) (void)c.command("ROLLBACK");
        const bool conflict = commit_conflict || tx.conflict();
        const bool lost = writable && tx.lost();
        error = !r ? r.error() : *tx.failure();
        if ((conflict || lost) && may_retry) {
            if (lost) pool_.drop_idle();
            return Outcome::retry;
        }
        if (conflict)
            error.message = fmt::format("{} (gave up after {} attempts)", error.message,
                                        settings_.write_attempts);
        return Outcome::failed;
    }

    // NOTIFY inside the transaction: PostgreSQL delivers it only if the transaction commits.
    Result<void> send_notifications(PgTx& tx) {
        for (const auto& payload : encode_payloads(node_, tx.changes)) {
            std::vector<Value> params{std::string(kClusterChannel), payload};
            SB_TRY(tx.query("SELECT pg_notify(?, ?)", params));
        }
        return {};
    }

    void publish(const std::vector<Change>& changes) {
        {
            std::lock_guard lock(channels_mutex_);
            for (const auto& c : changes)
                channels_.insert(c.channel);
        }
        listeners_.publish(changes);
    }

    std::vector<std::string> channels() {
        std::lock_guard lock(channels_mutex_);
        return {channels_.begin(), channels_.end()};
    }

    Settings settings_;
    ConnectionPool pool_{settings_};
    const std::string node_;
    ChangeListeners listeners_;
    std::mutex channels_mutex_;
    // Channels a catch-all covers: those of today's modules, so a node that has not yet seen a
    // change still refreshes every cache, plus any channel seen since.
    std::set<std::string> channels_{"directory", "eas", "ldap", "mailbox"};
    std::mutex feed_mutex_;
    std::unique_ptr<ClusterFeed> feed_;
};

}  // namespace

Result<std::unique_ptr<Database>> open(const std::string& url) {
    SB_TRY_ASSIGN(auto settings, parse_settings(url));
    auto db = std::make_unique<PostgresDatabase>(std::move(settings));
    SB_TRY(db->check());
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace sb::store::postgres
