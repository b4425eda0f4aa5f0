#include "store/postgres/placeholders.hpp"

namespace sb::store::postgres {
namespace {

bool ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}

bool ident_char(char c) {
    return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

// Index just past a literal that starts at sql[i] with `quote`; `doubled` quotes stand for one
// quote, and with `backslash` a backslash escapes the next character (E'...' strings).
size_t skip_quoted(std::string_view sql, size_t i, char quote, bool backslash) {
    for (++i; i < sql.size(); ++i) {
        if (backslash && sql[i] == '\\') {
            ++i;
        } else if (sql[i] == quote) {
            if (i + 1 < sql.size() && sql[i + 1] == quote) {
                ++i;
            } else {
                return i + 1;
            }
        }
    }
    return sql.size();
}

// PostgreSQL 4.1.2.4: a dollar quote is $tag$ ... $tag$ where tag is empty or an identifier
// without '$'. Returns the index past the closing delimiter, or npos when sql[i] starts none.
size_t skip_dollar_quoted(std::string_view sql, size_t i) {
    size_t j = i + 1;
    if (j < sql.size() && ident_start(sql[j])) {
        while (j < sql.size() && ident_char(sql[j]) && sql[j] != '$')
            ++j;
    }
    if (j >= sql.size() || sql[j] != '$') return std::string_view::npos;
    std::string_view delimiter = sql.substr(i, j - i + 1);
    size_t end = sql.find(delimiter, j + 1);
    return end == std::string_view::npos ? sql.size() : end + delimiter.size();
}

size_t skip_block_comment(std::string_view sql, size_t i) {
    int depth = 0;
    while (i < sql.size()) {
        if (sql.compare(i, 2, "/*") == 0) {
            ++depth;
            i += 2;
        } else if (sql.compare(i, 2, "*/") == 0) {
            i += 2;
            if (--depth == 0) return i;
        } else {
            ++i;
        }
    }
    return sql.size();
}

}  // namespace

NumberedSql number_placeholders(std::string_view sql) {
    NumberedSql out;
    out.sql.reserve(sql.size() + 16);
    size_t i = 0;
    while (i < sql.size()) {
        const char c = sql[i];
        const bool after_ident = i > 0 && ident_char(sql[i - 1]);
        size_t end = i + 1;
        if (c == '?') {
            out.sql += '$';
            out.sql += std::to_string(++out.parameters);
            ++i;
            continue;
        }
        if (c == '\'') {
            // E'...' (or e'...') keeps C-style backslash escapes; a plain '...' does not
            // (standard_conforming_strings, the default since PostgreSQL 9.1).
            bool escape = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                          !(i > 1 && ident_char(sql[i - 2]));
            end = skip_quoted(sql, i, '\'', escape);
        } else if (c == '"') {
            end = skip_quoted(sql, i, '"', false);
        } else if (c == '-' && sql.compare(i, 2, "--") == 0) {
            end = sql.find('\n', i);
            end = end == std::string_view::npos ? sql.size() : end + 1;
        } else if (c == '/' && sql.compare(i, 2, "/*") == 0) {
            end = skip_block_comment(sql, i);
        } else if (c == '$' && !after_ident) {
            size_t q = skip_dollar_quoted(sql, i);
            if (q != std::string_view::npos) end = q;
        }
        out.sql.append(sql.substr(i, end - i));
        i = end;
    }
    return out;
}

}  // namespace sb::store::postgres
