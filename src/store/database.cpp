#include "store/database.hpp"

#include <fmt/format.h>

#include "store/migrations.hpp"
#include "store/postgres/postgres_database.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace sb::store {

int64_t Row::integer(size_t i) const {
    const auto& v = cols.at(i);
    if (auto p = std::get_if<int64_t>(&v)) return *p;
    if (auto p = std::get_if<double>(&v)) return static_cast<int64_t>(*p);
    if (auto p = std::get_if<std::string>(&v)) return std::strtoll(p->c_str(), nullptr, 10);
    return 0;
}

const std::string& Row::text(size_t i) const {
    static const std::string empty;
    if (auto p = std::get_if<std::string>(&cols.at(i))) return *p;
    return empty;
}

std::optional<std::string> Row::opt_text(size_t i) const {
    if (is_null(i)) return std::nullopt;
    if (auto p = std::get_if<int64_t>(&cols.at(i))) return std::to_string(*p);
    return text(i);
}

Result<std::optional<Row>> Tx::first(std::string_view sql, std::initializer_list<Value> params) {
    SB_TRY_ASSIGN(auto rows, query(sql, params));
    if (rows.empty()) return std::optional<Row>{};
    return std::optional<Row>{std::move(rows.front())};
}

Result<int64_t> Tx::scalar(std::string_view sql, std::initializer_list<Value> params) {
    SB_TRY_ASSIGN(auto rows, query(sql, params));
    if (rows.empty() || rows.front().cols.empty()) return 0;
    return rows.front().integer(0);
}

Result<std::unique_ptr<Database>> open(const OpenOptions& options) {
    std::unique_ptr<Database> db;
    if (options.backend == "sqlite") {
        SB_TRY_ASSIGN(auto r, sqlite::open(options.path));
        db = std::move(r);
    } else if (options.backend == "postgresql") {
        SB_TRY_ASSIGN(auto r, postgres::open(options.url));
        db = std::move(r);
    } else {
        return fail(
            Errc::invalid_argument,
            fmt::format("store backend '{}' is not available in this build", options.backend));
    }
    SB_TRY(migrate(*db, core_migrations()));
    return db;
}

}  // namespace sb::store
