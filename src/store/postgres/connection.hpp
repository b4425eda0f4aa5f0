#pragma once
// One libpq connection: a bounded, interruptible connect; statements prepared once per
// connection by SQL text; results converted to store Values by column type.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/database.hpp"
#include "store/postgres/settings.hpp"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace sb::store::postgres {

// SQLSTATEs the write loop acts on (PostgreSQL Appendix A).
inline constexpr std::string_view kSerializationFailure = "40001";
inline constexpr std::string_view kDeadlockDetected = "40P01";

class Connection {
  public:
    // Connects within settings.connect_timeout. When `wake_fd` becomes readable the attempt is
    // abandoned (shutdown of the listener thread).
    static Result<std::unique_ptr<Connection>> open(const Settings& settings, int wake_fd = -1);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    struct Outcome {
        Rows rows;
        int64_t changed = 0;  // rows inserted, updated or deleted (PQcmdTuples)
    };
    // Runs one statement with '?' parameters.
    Result<Outcome> execute(std::string_view sql, const Value* params, size_t count);
    // Runs parameterless SQL over the simple query protocol (several statements allowed).
    Result<void> command(std::string_view sql);
    // COMMIT, failing when the server rolled back instead (a transaction that had failed).
    Result<void> commit();

    // SQLSTATE of the most recent failure, "" when it had none (e.g. the connection broke).
    const std::string& last_sqlstate() const { return last_sqlstate_; }
    // The connection is lost or in a state no transaction can use.
    bool broken() const;
    // Inside a transaction block (PQtransactionStatus not idle).
    bool in_transaction() const;
    // Forgets prepared statements when there are many (call between transactions).
    void trim_statements();

    PGconn* raw() { return conn_; }
    const std::string& server() const { return server_; }

  private:
    Connection(PGconn* c, std::string server) : conn_(c), server_(std::move(server)) {}
    struct Prepared {
        std::string name;
        std::vector<unsigned> param_types;  // Oid of each parameter, as the server inferred it
    };
    Result<const Prepared*> prepare(std::string_view sql);
    Error failure(const PGresult* res, std::string_view sql);

    PGconn* conn_;
    std::string server_;
    std::string last_sqlstate_;
    std::unordered_map<std::string, Prepared> statements_;
    uint64_t next_statement_ = 0;
};

// A libpq message on one line, without the trailing newline.
std::string one_line(const char* message);

// The store error for a failed statement: SQLSTATE classes mapped like the SQLite backend maps
// its result codes. `message` is the server's primary message.
Error map_error(std::string_view sqlstate, std::string_view message, std::string_view server,
                std::string_view sql);

}  // namespace sb::store::postgres
