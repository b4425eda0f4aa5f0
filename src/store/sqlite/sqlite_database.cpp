#include "store/sqlite/sqlite_database.hpp"

#include <sqlite3.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>

#include <fmt/format.h>

#include "store/change_listeners.hpp"

namespace sb::store::sqlite {
namespace {

class Connection;

class SqliteTx final : public Tx {
  public:
    SqliteTx(Connection& c, bool writable) : conn_(c), writable_(writable) {}
    Result<Rows> query(std::string_view sql, std::initializer_list<Value> params) override {
        return run(sql, params.begin(), params.size(), true).map([](auto p) {
            return std::move(p.first);
        });
    }
    Result<Rows> query(std::string_view sql, const std::vector<Value>& params) override {
        return run(sql, params.data(), params.size(), true).map([](auto p) {
            return std::move(p.first);
        });
    }
    Result<int64_t> exec(std::string_view sql, std::initializer_list<Value> params) override {
        return run(sql, params.begin(), params.size(), false).map([](auto p) { return p.second; });
    }
    Result<int64_t> exec(std::string_view sql, const std::vector<Value>& params) override {
        return run(sql, params.data(), params.size(), false).map([](auto p) { return p.second; });
    }
    Result<void> script(std::string_view sql) override;
    void notify(Change change) override { changes.push_back(std::move(change)); }

    std::vector<Change> changes;

  private:
    Result<std::pair<Rows, int64_t>> run(std::string_view sql, const Value* params, size_t n,
                                         bool want_rows);
    Connection& conn_;
    bool writable_;
};

class Connection {
  public:
    ~Connection() {
        for (auto& [k, s] : cache_)
            sqlite3_finalize(s);
        if (db_) sqlite3_close_v2(db_);
    }

    // The writer creates the file and sets its journal mode; readers share that WAL file.
    enum class Role { writer, reader };

    Result<void> open(const std::string& path, Role role) {
        const int create = role == Role::writer ? SQLITE_OPEN_CREATE : 0;
        int rc = sqlite3_open_v2(path.c_str(), &db_,
                                 SQLITE_OPEN_READWRITE | create | SQLITE_OPEN_NOMUTEX, nullptr);
        if (rc != SQLITE_OK)
            return fail(Errc::unavailable,
                        fmt::format("cannot open database {}: {}", path,
                                    db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)));
        sqlite3_busy_timeout(db_, 10000);
        // WAL: readers never block the writer nor wait for it; synchronous=FULL so an
        // acknowledged change survives a crash of the process or of the machine.
        static constexpr const char* kWriter[] = {
            "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
            "PRAGMA temp_store=MEMORY", "PRAGMA cache_size=-65536"};
        static constexpr const char* kReader[] = {
            "PRAGMA foreign_keys=ON", "PRAGMA temp_store=MEMORY", "PRAGMA cache_size=-65536"};
        const std::span<const char* const> pragmas = role == Role::writer
                                                         ? std::span<const char* const>(kWriter)
                                                         : std::span<const char* const>(kReader);
        for (const char* pragma : pragmas) {
            char* err = nullptr;
            if (sqlite3_exec(db_, pragma, nullptr, nullptr, &err) != SQLITE_OK) {
                std::string msg = err ? err : "unknown error";
                sqlite3_free(err);
                return fail(Errc::unavailable,
                            fmt::format("database {}: {} failed: {}", path, pragma, msg));
            }
        }
        return {};
    }

    Result<sqlite3_stmt*> prepare(std::string_view sql) {
        auto it = cache_.find(std::string(sql));
        if (it != cache_.end()) return it->second;
        if (cache_.size() > 512) {
            for (auto& [k, s] : cache_)
                sqlite3_finalize(s);
            cache_.clear();
        }
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
            SQLITE_OK)
            return fail(Errc::internal,
                        fmt::format("SQL error: {} in: {}", sqlite3_errmsg(db_), sql));
        cache_.emplace(std::string(sql), stmt);
        return stmt;
    }

    Result<void> simple(const char* sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : sqlite3_errmsg(db_);
            sqlite3_free(err);
            return fail(error_code(), fmt::format("{}: {}", sql, msg));
        }
        return {};
    }

    Errc error_code() const {
        int ext = sqlite3_extended_errcode(db_);
        if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
            return Errc::already_exists;
        if ((ext & 0xff) == SQLITE_CONSTRAINT) return Errc::invalid_argument;
        if ((ext & 0xff) == SQLITE_BUSY || (ext & 0xff) == SQLITE_LOCKED) return Errc::unavailable;
        if ((ext & 0xff) == SQLITE_FULL || (ext & 0xff) == SQLITE_IOERR) return Errc::io_error;
        return Errc::internal;
    }

    sqlite3* db() { return db_; }

  private:
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

Result<std::pair<Rows, int64_t>> SqliteTx::run(std::string_view sql, const Value* params, size_t n,
                                               bool want_rows) {
    SB_TRY_ASSIGN(auto prepared, conn_.prepare(sql));
    sqlite3_stmt* stmt = prepared;
    struct Reset {
        sqlite3_stmt* s;
        ~Reset() {
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
        }
    } reset{stmt};
    if (static_cast<int>(n) != sqlite3_bind_parameter_count(stmt))
        return fail(Errc::internal, fmt::format("SQL expects {} parameters, got {}: {}",
                                                sqlite3_bind_parameter_count(stmt), n, sql));
    for (size_t i = 0; i < n; ++i) {
        int idx = static_cast<int>(i + 1);
        std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, Null>)
                    sqlite3_bind_null(stmt, idx);
                else if constexpr (std::is_same_v<T, int64_t>)
                    sqlite3_bind_int64(stmt, idx, v);
                else if constexpr (std::is_same_v<T, double>)
                    sqlite3_bind_double(stmt, idx, v);
                else
                    sqlite3_bind_text(stmt, idx, v.data(), static_cast<int>(v.size()),
                                      SQLITE_STATIC);
            },
            params[i]);
    }
    if (!writable_ && !sqlite3_stmt_readonly(stmt))
        return fail(Errc::internal, fmt::format("write attempted in a read transaction: {}", sql));
    Rows rows;
    const int ncol = sqlite3_column_count(stmt);
    for (;;) {
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW)
            return fail(conn_.error_code(),
                        fmt::format("{} (in: {})", sqlite3_errmsg(conn_.db()), sql));
        if (!want_rows) continue;
        Row row;
        row.cols.reserve(ncol);
        for (int c = 0; c < ncol; ++c) {
            switch (sqlite3_column_type(stmt, c)) {
                case SQLITE_NULL:
                    row.cols.emplace_back(Null{});
                    break;
                case SQLITE_INTEGER:
                    row.cols.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
                    break;
                case SQLITE_FLOAT:
                    row.cols.emplace_back(sqlite3_column_double(stmt, c));
                    break;
                default: {
                    auto* p = reinterpret_cast<const char*>(sqlite3_column_blob(stmt, c));
                    int len = sqlite3_column_bytes(stmt, c);
                    row.cols.emplace_back(std::string(p ? p : "", static_cast<size_t>(len)));
                }
            }
        }
        rows.push_back(std::move(row));
    }
    return std::pair<Rows, int64_t>{std::move(rows), want_rows ? 0 : sqlite3_changes64(conn_.db())};
}

Result<void> SqliteTx::script(std::string_view sql) {
    if (!writable_) return fail(Errc::internal, "script in a read transaction");
    std::string s(sql);
    return conn_.simple(s.c_str());
}

// Read connections, opened when needed and kept for the next reader: each serves one read
// transaction at a time, so readers run in parallel with each other and with the writer.
class ReaderPool {
  public:
    // Beyond this many concurrent readers, a reader waits for a connection.
    static constexpr size_t kMaxReaders = 8;

    explicit ReaderPool(std::string path) : path_(std::move(path)) {}

    // A connection for one read transaction; back to the pool when destroyed.
    class Lease {
      public:
        Lease(ReaderPool& pool, std::unique_ptr<Connection> c) : pool_(pool), conn_(std::move(c)) {}
        Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {}
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (conn_) pool_.give_back(std::move(conn_));
        }
        Connection& operator*() { return *conn_; }

      private:
        ReaderPool& pool_;
        std::unique_ptr<Connection> conn_;
    };

    Result<Lease> acquire() {
        {
            std::unique_lock lock(mutex_);
            returned_.wait(lock, [&] { return !idle_.empty() || open_ < kMaxReaders; });
            if (!idle_.empty()) {
                auto c = std::move(idle_.back());
                idle_.pop_back();
                return Lease(*this, std::move(c));
            }
            ++open_;
        }
        auto c = std::make_unique<Connection>();
        if (auto r = c->open(path_, Connection::Role::reader); !r) {
            {
                std::lock_guard lock(mutex_);
                --open_;
            }
            returned_.notify_one();
            return tl::unexpected(r.error());
        }
        return Lease(*this, std::move(c));
    }

  private:
    void give_back(std::unique_ptr<Connection> c) {
        {
            std::lock_guard lock(mutex_);
            idle_.push_back(std::move(c));
        }
        returned_.notify_one();
    }

    const std::string path_;
    std::mutex mutex_;
    std::condition_variable returned_;
    std::vector<std::unique_ptr<Connection>> idle_;
    size_t open_ = 0;  // idle and leased
};

// One transaction on `conn`: commits when fn succeeds, rolls back otherwise. Returns the changes
// fn queued, to publish once the connection is free again.
Result<std::vector<Change>> transact(Connection& conn, const TxFn& fn, bool writable) {
    SB_TRY(conn.simple(writable ? "BEGIN IMMEDIATE" : "BEGIN"));
    SqliteTx tx(conn, writable);
    Result<void> r;
    try {
        r = fn(tx);
    } catch (...) {
        (void)conn.simple("ROLLBACK");
        throw;
    }
    if (!r) {
        (void)conn.simple("ROLLBACK");
        return tl::unexpected(r.error());
    }
    if (auto c = conn.simple("COMMIT"); !c) {
        (void)conn.simple("ROLLBACK");
        return tl::unexpected(c.error());
    }
    return std::move(tx.changes);
}

// A database in memory exists once per connection: its readers must use the writer's.
bool shared_by_connections(const std::string& path) {
    return !path.empty() && path != ":memory:";
}

class SqliteDatabase final : public Database {
  public:
    Result<void> open(const std::string& path) {
        SB_TRY(writer_.open(path, Connection::Role::writer));
        if (shared_by_connections(path)) readers_ = std::make_unique<ReaderPool>(path);
        return {};
    }

    Result<void> write_tx(const TxFn& fn) override { return write(fn, false); }
    Result<void> write_relaxed_tx(const TxFn& fn) override { return write(fn, true); }
    Result<void> read_tx(const TxFn& fn) override {
        if (!readers_) {
            std::lock_guard lock(writer_mutex_);
            SB_TRY(transact(writer_, fn, false));
            return {};
        }
        SB_TRY_ASSIGN(auto lease, readers_->acquire());
        SB_TRY(transact(*lease, fn, false));
        return {};
    }
    std::string_view dialect() const override { return "sqlite"; }
    void unsubscribe_all() override { listeners_.clear(); }
    Subscription subscribe(ChangeListener l) override { return listeners_.add(std::move(l)); }

  private:
    // In WAL mode, synchronous=NORMAL commits without syncing the log; the log is written in
    // order, so the next FULL commit syncs these commits too.
    struct RelaxedSync {
        Connection& conn;
        bool on;
        ~RelaxedSync() {
            if (on) (void)conn.simple("PRAGMA synchronous=FULL");
        }
    };

    Result<void> write(const TxFn& fn, bool relaxed) {
        std::vector<Change> changes;
        {
            std::lock_guard lock(writer_mutex_);
            if (relaxed) SB_TRY(writer_.simple("PRAGMA synchronous=NORMAL"));
            RelaxedSync restore{writer_, relaxed};
            SB_TRY_ASSIGN(changes, transact(writer_, fn, true));
        }
        if (!changes.empty()) listeners_.publish(changes);
        return {};
    }

    // SQLite has one writer at a time; the mutex keeps this process's writers in turn.
    Connection writer_;
    std::mutex writer_mutex_;
    std::unique_ptr<ReaderPool> readers_;
    ChangeListeners listeners_;
};

}  // namespace

Result<std::unique_ptr<Database>> open(const std::string& path) {
    auto db = std::make_unique<SqliteDatabase>();
    SB_TRY(db->open(path));
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace sb::store::sqlite
