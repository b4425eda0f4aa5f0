#pragma once
// The store interface. Repositories (directory, mailbox, mobile) are written once in portable SQL
// against Tx; a backend (SQLite embedded, PostgreSQL for clusters) implements Database and Tx.
// SQL uses '?' placeholders; backends translate them. Every write runs in one transaction:
// either all of it commits or nothing does.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/error.hpp"

namespace sb::store {

struct Null {};
// A bound parameter or a column value. Text and blobs are both std::string.
using Value = std::variant<Null, int64_t, double, std::string>;

struct Row {
    std::vector<Value> cols;

    bool is_null(size_t i) const { return std::holds_alternative<Null>(cols.at(i)); }
    int64_t integer(size_t i) const;          // 0 when NULL
    const std::string& text(size_t i) const;  // "" when NULL
    std::optional<std::string> opt_text(size_t i) const;
};

using Rows = std::vector<Row>;

// A change notification: published to subscribers after the transaction that raised it commits.
struct Change {
    std::string channel;  // e.g. "directory", "mailbox"
    int64_t subject = 0;  // account id, domain id... (0 = everything)
    std::string detail;   // free-form, e.g. "contact"
};

class Tx {
  public:
    virtual ~Tx() = default;
    virtual Result<Rows> query(std::string_view sql, std::initializer_list<Value> params = {}) = 0;
    virtual Result<Rows> query(std::string_view sql, const std::vector<Value>& params) = 0;
    // Returns the number of rows changed.
    virtual Result<int64_t> exec(std::string_view sql,
                                 std::initializer_list<Value> params = {}) = 0;
    virtual Result<int64_t> exec(std::string_view sql, const std::vector<Value>& params) = 0;
    // Runs a script of several statements without parameters (migrations).
    virtual Result<void> script(std::string_view sql) = 0;
    // Queues a notification, delivered only if the transaction commits.
    virtual void notify(Change change) = 0;

    // Convenience: first row or not_found; single integer column.
    Result<std::optional<Row>> first(std::string_view sql,
                                     std::initializer_list<Value> params = {});
    Result<int64_t> scalar(std::string_view sql, std::initializer_list<Value> params = {});
};

using TxFn = std::function<Result<void>(Tx&)>;
using ChangeListener = std::function<void(const std::vector<Change>&)>;

// A listener's registration. Destroying it (or reset()) unsubscribes: once that returns, no call
// of the listener runs or starts. It may outlive the Database.
class [[nodiscard]] Subscription {
  public:
    Subscription() = default;
    explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
    Subscription(Subscription&& other) noexcept : cancel_(std::exchange(other.cancel_, nullptr)) {}
    Subscription& operator=(Subscription&& other) noexcept {
        if (this != &other) {
            reset();
            cancel_ = std::exchange(other.cancel_, nullptr);
        }
        return *this;
    }
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription() { reset(); }

    void reset() {
        if (auto cancel = std::exchange(cancel_, nullptr)) cancel();
    }

  private:
    std::function<void()> cancel_;
};

class Database {
  public:
    virtual ~Database() = default;
    // Runs fn in a read-write transaction; commits when it returns success, rolls back otherwise,
    // and returns fn's value or error. fn may run more than once (PostgreSQL retries
    // serialization failures): return what it computes instead of writing it into state
    // captured from outside, so a retry needs no resets. Subscribers must be thread-safe.
    template <class Fn>
    auto write(Fn&& fn) -> Result<typename std::invoke_result_t<Fn&, Tx&>::value_type> {
        return run(fn, [this](const TxFn& f) { return write_tx(f); });
    }
    // Runs fn on a consistent snapshot (any write attempted inside fails); returns fn's result.
    template <class Fn>
    auto read(Fn&& fn) -> Result<typename std::invoke_result_t<Fn&, Tx&>::value_type> {
        return run(fn, [this](const TxFn& f) { return read_tx(f); });
    }
    // Like write(), for a change whose commit does not wait for the disk: a crash of the
    // process loses none of it; a crash of the machine may lose the last such commits, never a
    // part of one and never one without those before it (a later write() makes them durable
    // too). For state that can be rebuilt, such as an ActiveSync SyncState (the phone then
    // resynchronizes).
    template <class Fn>
    auto write_relaxed(Fn&& fn) -> Result<typename std::invoke_result_t<Fn&, Tx&>::value_type> {
        return run(fn, [this](const TxFn& f) { return write_relaxed_tx(f); });
    }
    // The transactions themselves, for the backends to implement. Backends that cannot tell a
    // relaxed commit from a durable one run write_tx().
    virtual Result<void> write_tx(const TxFn& fn) = 0;
    virtual Result<void> write_relaxed_tx(const TxFn& fn) { return write_tx(fn); }
    virtual Result<void> read_tx(const TxFn& fn) = 0;
    // "sqlite" or "postgresql": migrations pick their dialect by it.
    virtual std::string_view dialect() const = 0;
    // Subscribes to committed changes (called on the committing thread; keep it short) until
    // the returned Subscription is destroyed.
    virtual Subscription subscribe(ChangeListener listener) = 0;
    // Stops every delivery (and any thread that delivers changes from other nodes) and ends
    // every listener; called at shutdown.
    virtual void unsubscribe_all() = 0;

  private:
    template <class Fn, class Runner>
    static auto run(Fn& fn, Runner&& runner)
        -> Result<typename std::invoke_result_t<Fn&, Tx&>::value_type> {
        using T = typename std::invoke_result_t<Fn&, Tx&>::value_type;
        if constexpr (std::is_void_v<T>) {
            return runner(TxFn([&fn](Tx& tx) -> Result<void> { return fn(tx); }));
        } else {
            // Each attempt replaces the value of the previous one.
            std::optional<T> value;
            SB_TRY(runner(TxFn([&](Tx& tx) -> Result<void> {
                SB_TRY_ASSIGN(value, fn(tx));
                return {};
            })));
            return std::move(*value);
        }
    }
};

// Opens the configured backend and brings its schema to the current version.
struct OpenOptions {
    std::string backend = "sqlite";
    std::string path;  // sqlite
    std::string url;   // postgresql
};
Result<std::unique_ptr<Database>> open(const OpenOptions& options);

}  // namespace sb::store
