#pragma once
// The lexical layer of vCard: physical lines → unfolded logical lines → content lines
// (RFC 6350 3.3: [group "."] name *(";" param) ":" value).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sb::vcard::detail {

struct LogicalLine {
    size_t line = 0;  // physical line it starts on
    std::string text;
};

// Splits input into logical lines: CRLF, LF or CR end a line; a line starting with a space or
// tab continues the previous one (RFC 6350 3.2); a quoted-printable value ending in '=' continues
// on the next line (RFC 2045 soft break); vCard 2.1 base64 data may continue on lines without
// ':' until a blank line. Blank lines are skipped.
class LineReader {
  public:
    LineReader(std::string_view text, size_t max_line_length, size_t max_logical_length);

    // The next logical line; nullopt at end of input.
    Result<std::optional<LogicalLine>> next();
    // Number of the last physical line read (for errors at end of input).
    size_t last_line() const { return line_; }

  private:
    struct Header {  // what is known of the current logical line's name and parameters
        size_t scanned = 0;
        bool in_quotes = false;
        bool complete = false;
        bool quoted_printable = false;
        bool base64 = false;
    };
    std::optional<std::string_view> peek_physical();
    void consume_physical();
    void scan_header(const std::string& text);

    std::string_view rest_;
    size_t line_ = 0;  // physical lines consumed
    std::optional<std::string_view> peeked_;
    std::string_view peeked_rest_;
    size_t max_line_length_;
    size_t max_logical_length_;
    Header header_;
};

struct Parameter {
    std::string name;                 // upper-case
    std::vector<std::string> values;  // quotes removed; list items split at unquoted ','
};

struct ContentLine {
    size_t line = 0;
    std::string group;  // lower-case, empty if none
    std::string name;   // upper-case
    std::vector<Parameter> params;
    std::string value;  // as written: escapes and transfer encoding not yet resolved

    // Values of every parameter with this (upper-case) name, in order.
    std::vector<std::string_view> param_values(std::string_view name) const;
    bool has_param(std::string_view name) const;
};

// Parses one logical line. Bare parameters (vCard 2.1/3.0 exports: "TEL;WORK;VOICE:") become
// TYPE values, or ENCODING for QUOTED-PRINTABLE/BASE64/8BIT/7BIT.
Result<ContentLine> parse_content_line(const LogicalLine& logical);

}  // namespace sb::vcard::detail
