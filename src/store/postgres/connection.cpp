#include "store/postgres/connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/postgres/placeholders.hpp"

namespace sb::store::postgres {
namespace {

// Type OIDs from PostgreSQL's catalog (pg_type.dat); stable across versions.
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26, kFloat4 = 700,
              kFloat8 = 701, kNumeric = 1700;

constexpr size_t kMaxStatements = 256;

// libpq messages span lines ("server closed the connection unexpectedly\n\tThis probably
// means..."): one line reads better in logs and errors.
std::string trimmed(const char* s) {
    std::string m;
    bool space = false;
    for (const char* p = s ? s : ""; *p; ++p) {
        if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
            space = !m.empty();
            continue;
        }
        if (space) m += ' ';
        space = false;
        m += *p;
    }
    return m;
}

struct ResultGuard {
    PGresult* r;
    ~ResultGuard() { PQclear(r); }
};

Value column_value(const PGresult* res, int row, int col, Oid type) {
    if (PQgetisnull(res, row, col)) return Null{};
    const char* text = PQgetvalue(res, row, col);
    switch (type) {
        case kInt2:
        case kInt4:
        case kInt8:
        case kOid:
            return static_cast<int64_t>(std::strtoll(text, nullptr, 10));
        case kFloat4:
        case kFloat8:
        case kNumeric:
            return std::strtod(text, nullptr);
        case kBool:
            return int64_t{text[0] == 't' ? 1 : 0};
        case kBytea: {
            size_t n = 0;
            unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &n);
            if (!raw) return std::string();
            std::string out(reinterpret_cast<const char*>(raw), n);
            PQfreemem(raw);
            return out;
        }
        default:
            return std::string(text, static_cast<size_t>(PQgetlength(res, row, col)));
    }
}

}  // namespace

std::string one_line(const char* message) {
    return trimmed(message);
}

Error map_error(std::string_view sqlstate, std::string_view message, std::string_view server,
                std::string_view sql) {
    auto cls = sqlstate.substr(0, 2);
    auto with_sql = [&](Errc code) {
        return Error{code, fmt::format("{} (in: {})", message, sql)};
    };
    if (sqlstate.empty() || cls == "08" || sqlstate == "57P01" || sqlstate == "57P02" ||
        sqlstate == "57P03" || sqlstate == "53300")
        return Error{Errc::unavailable,
                     fmt::format("PostgreSQL server {} is unavailable: {}", server, message)};
    if (sqlstate == "23505") return with_sql(Errc::already_exists);
    if (cls == "23" || cls == "22") return with_sql(Errc::invalid_argument);
    if (sqlstate == kSerializationFailure || sqlstate == kDeadlockDetected)
        return Error{Errc::unavailable,
                     fmt::format("PostgreSQL server {}: concurrent update conflict ({}: {})",
                                 server, sqlstate, message)};
    if (sqlstate == "57014" || sqlstate == "55P03")
        return Error{Errc::unavailable,
                     fmt::format("PostgreSQL server {}: timed out ({}: {}) in: {}", server,
                                 sqlstate, message, sql)};
    if (sqlstate == "53100") return with_sql(Errc::io_error);
    if (sqlstate == "25006")
        return Error{Errc::internal, fmt::format("write attempted in a read transaction: {}", sql)};
    return Error{Errc::internal,
                 fmt::format("PostgreSQL error {}: {} (in: {})", sqlstate, message, sql)};
}

Result<std::unique_ptr<Connection>> Connection::open(const Settings& settings, int wake_fd) {
    const auto& d = connect_defaults();
    std::vector<const char*> keywords = d.keywords, values = d.values;
    // After the defaults, so the connection string wins (PQconnectdbParams, expand_dbname).
    keywords.push_back("dbname");
    values.push_back(settings.conninfo.c_str());
    keywords.push_back(nullptr);
    values.push_back(nullptr);
    PGconn* c = PQconnectStartParams(keywords.data(), values.data(), 1);
    if (!c) return fail(Errc::unavailable, "PostgreSQL: out of memory");
    auto failed = [&](const std::string& why) {
        std::string msg =
            fmt::format("cannot connect to PostgreSQL server {}: {}", settings.server, why);
        PQfinish(c);
        return fail(Errc::unavailable, std::move(msg));
    };
    if (PQstatus(c) == CONNECTION_BAD) return failed(trimmed(PQerrorMessage(c)));

    using Clock = std::chrono::steady_clock;
    const auto deadline = settings.connect_timeout == std::chrono::milliseconds::max()
                              ? Clock::time_point::max()
                              : Clock::now() + settings.connect_timeout;
    PostgresPollingStatusType state = PGRES_POLLING_WRITING;
    while (state != PGRES_POLLING_OK) {
        if (state == PGRES_POLLING_FAILED) return failed(trimmed(PQerrorMessage(c)));
        pollfd fds[2] = {{PQsocket(c), short(state == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0},
                         {wake_fd, POLLIN, 0}};
        int wait_ms = -1;
        if (deadline != Clock::time_point::max()) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0)
                return failed(
                    fmt::format("no answer within {} s", settings.connect_timeout.count() / 1000));
            wait_ms = static_cast<int>(std::min<int64_t>(left.count(), INT_MAX));
        }
        int n = ::poll(fds, wake_fd >= 0 ? 2 : 1, wait_ms);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return failed(fmt::format("poll: {}", std::strerror(errno)));
        if (wake_fd >= 0 && (fds[1].revents & POLLIN)) return failed("shutting down");
        if (n == 0) continue;  // the deadline check above ends the loop
        state = PQconnectPoll(c);
    }

    // Server notices (e.g. "relation already exists, skipping") go to the debug log, not stderr.
    PQsetNoticeProcessor(
        c, [](void*, const char* m) { spdlog::debug("store: PostgreSQL: {}", trimmed(m)); },
        nullptr);
    auto conn = std::unique_ptr<Connection>(new Connection(c, settings.server));
    std::string session = fmt::format("SET statement_timeout = '{}'", settings.statement_timeout);
    SB_TRY(conn->command(session));
    return conn;
}

Connection::~Connection() {
    PQfinish(conn_);
}

bool Connection::broken() const {
    return PQstatus(conn_) != CONNECTION_OK;
}

bool Connection::in_transaction() const {
    return PQtransactionStatus(conn_) != PQTRANS_IDLE;
}

void Connection::trim_statements() {
    if (statements_.size() <= kMaxStatements || in_transaction()) return;
    PGresult* r = PQexec(conn_, "DEALLOCATE ALL");
    if (PQresultStatus(r) == PGRES_COMMAND_OK) statements_.clear();
    PQclear(r);
}

Error Connection::failure(const PGresult* res, std::string_view sql) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    last_sqlstate_ = state ? state : "";
    std::string message = res ? trimmed(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)) : "";
    if (message.empty()) message = trimmed(PQerrorMessage(conn_));
    if (message.empty()) message = "no answer";
    if (broken()) last_sqlstate_.clear();
    return map_error(last_sqlstate_, message, server_, sql);
}

Result<const Connection::Prepared*> Connection::prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = statements_.find(key); it != statements_.end()) return &it->second;
    auto numbered = number_placeholders(sql);
    Prepared p;
    p.name = fmt::format("sb{}", ++next_statement_);
    {
        ResultGuard g{PQprepare(conn_, p.name.c_str(), numbered.sql.c_str(), 0, nullptr)};
        if (PQresultStatus(g.r) != PGRES_COMMAND_OK) return tl::unexpected(failure(g.r, sql));
    }
    // The server's view of each parameter's type: bytea parameters travel as raw bytes.
    ResultGuard g{PQdescribePrepared(conn_, p.name.c_str())};
    if (PQresultStatus(g.r) != PGRES_COMMAND_OK) return tl::unexpected(failure(g.r, sql));
    for (int i = 0; i < PQnparams(g.r); ++i)
        p.param_types.push_back(PQparamtype(g.r, i));
    return &statements_.emplace(std::move(key), std::move(p)).first->second;
}

Result<Connection::Outcome> Connection::execute(std::string_view sql, const Value* params,
                                                size_t count) {
    SB_TRY_ASSIGN(auto prepared, prepare(sql));
    const Prepared& p = *prepared;
    if (count != p.param_types.size())
        return fail(Errc::internal, fmt::format("SQL expects {} parameters, got {}: {}",
                                                p.param_types.size(), count, sql));
    std::vector<std::string> text(count);
    std::vector<const char*> values(count, nullptr);
    std::vector<int> lengths(count, 0), formats(count, 0);
    for (size_t i = 0; i < count; ++i) {
        const Value& v = params[i];
        if (std::holds_alternative<Null>(v)) continue;
        if (auto n = std::get_if<int64_t>(&v)) {
            text[i] = std::to_string(*n);
        } else if (auto d = std::get_if<double>(&v)) {
            text[i] = fmt::format("{}", *d);
        } else {
            const auto& s = std::get<std::string>(v);
            if (p.param_types[i] == kBytea) {
                values[i] = s.data();
                lengths[i] = static_cast<int>(s.size());
                formats[i] = 1;
                continue;
            }
            if (s.find('\0') != std::string::npos)
                return fail(Errc::invalid_argument,
                            fmt::format("parameter {} holds a NUL byte, which PostgreSQL text "
                                        "cannot store (in: {})",
                                        i + 1, sql));
            values[i] = s.c_str();
            continue;
        }
        values[i] = text[i].c_str();
    }
    ResultGuard g{PQexecPrepared(conn_, p.name.c_str(), static_cast<int>(count), values.data(),
                                 lengths.data(), formats.data(), 0)};
    const auto status = PQresultStatus(g.r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        return tl::unexpected(failure(g.r, sql));
    last_sqlstate_.clear();
    Outcome out;
    const char* tuples = PQcmdTuples(g.r);
    out.changed = tuples && *tuples ? std::strtoll(tuples, nullptr, 10) : 0;
    if (status == PGRES_TUPLES_OK) {
        const int rows = PQntuples(g.r), cols = PQnfields(g.r);
        std::vector<Oid> types(static_cast<size_t>(cols));
        for (int c = 0; c < cols; ++c)
            types[static_cast<size_t>(c)] = PQftype(g.r, c);
        out.rows.reserve(static_cast<size_t>(rows));
        for (int r = 0; r < rows; ++r) {
            Row row;
            row.cols.reserve(static_cast<size_t>(cols));
            for (int c = 0; c < cols; ++c)
                row.cols.push_back(column_value(g.r, r, c, types[static_cast<size_t>(c)]));
            out.rows.push_back(std::move(row));
        }
    }
    return out;
}

Result<void> Connection::command(std::string_view sql) {
    std::string text(sql);
    ResultGuard g{PQexec(conn_, text.c_str())};
    const auto status = PQresultStatus(g.r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
        return tl::unexpected(failure(g.r, sql));
    last_sqlstate_.clear();
    return {};
}

Result<void> Connection::commit() {
    ResultGuard g{PQexec(conn_, "COMMIT")};
    if (PQresultStatus(g.r) != PGRES_COMMAND_OK) return tl::unexpected(failure(g.r, "COMMIT"));
    last_sqlstate_.clear();
    // COMMIT of a transaction that already failed "succeeds" with the tag ROLLBACK.
    if (std::strcmp(PQcmdStatus(g.r), "COMMIT") != 0)
        return fail(Errc::internal, "the transaction had failed and was rolled back");
    return {};
}

}  // namespace sb::store::postgres
