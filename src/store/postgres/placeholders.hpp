#pragma once
// Repositories write SQL with '?' markers (SQLite style); PostgreSQL numbers its parameters.
#include <string>
#include <string_view>

namespace sb::store::postgres {

struct NumberedSql {
    std::string sql;     // every '?' marker replaced by $1, $2, ...
    int parameters = 0;  // how many markers were replaced
};

// Replaces each '?' outside string literals ('...', E'...', $tag$...$tag$), quoted identifiers
// ("...") and comments (-- and nested /* */) with $n, numbering from 1 in order of appearance.
// Everything else is copied unchanged, so PostgreSQL's own operators that contain '?' (jsonb
// ?, ?|, ?&) cannot be written in repository SQL: use jsonb_exists() and friends instead.
NumberedSql number_placeholders(std::string_view sql);

}  // namespace sb::store::postgres
