#pragma once
// The line protocol between Dovecot's Lua scripts and Switchboard: one request or answer per
// line (LF), fields separated by TAB, with Dovecot's tab-escaping (src/lib/strescape.c) so any
// byte but NUL may appear in a field: 0x01 → 01 '1', TAB → 01 't', CR → 01 'r', LF → 01 'n'.
// Pure and incremental, like the netstring codec.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sb::mailwire {

struct LineFrame {
    bool complete = false;  // false: no LF yet (and fewer than max_line bytes); read more
    std::string_view line;  // without the LF (and without a CR before it)
    size_t consumed = 0;
};

// Cuts the first line of `in`. limit_exceeded when max_line bytes arrive without an LF.
Result<LineFrame> decode_line(std::string_view in, size_t max_line);

// The unescaped fields of a line. parse_error on a NUL byte or a broken escape.
Result<std::vector<std::string>> split_fields(std::string_view line);

// One line (with its LF) from fields, escaped.
std::string join_fields(const std::vector<std::string>& fields);
std::string escape_field(std::string_view field);

}  // namespace sb::mailwire
