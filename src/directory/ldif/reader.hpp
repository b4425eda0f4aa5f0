#pragma once
// Streaming parser of LDIF content records (RFC 2849) over a whole file in memory.
//
// Accepted: optional "version: 1" first; comment lines (column-0 '#', folded or not) anywhere;
// folded lines (a line starting with one space continues the previous one); records separated
// by one or more blank lines; LF and CRLF; a UTF-8 byte order mark at the start; "attr: value",
// "attr:: base64", "dn:: base64"; attribute types as descr or numeric OID with options;
// "changetype: add" directly after the dn line (read as a content record); empty values.
// Plain values may hold UTF-8 (real exports do) but no NUL, no CR and no invalid UTF-8; base64
// values may hold any bytes; a DN must be UTF-8 without NUL, CR or LF in either form.
// Rejected, with an Error whose message starts "line N: " (N = 1-based physical line):
// "attr:< URL" values, other changetypes, control: lines, records without dn, lines without
// ':', invalid attribute descriptions, bad base64, entries without attributes.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "directory/ldif/entry.hpp"

namespace sb::ldif {

// Exceeding any limit fails with Errc::limit_exceeded; defaults fit 1M-entry files with 1 MiB
// photos.
struct Limits {
    size_t max_line_length = 8u << 20;   // bytes of a line once folded lines are joined
    size_t max_entry_bytes = 64u << 20;  // bytes of an entry's text, dn line to last line
    size_t max_attributes_per_entry = 100'000;
    size_t max_entries = 10'000'000;
    size_t max_value_bytes = 4u << 20;  // decoded bytes of one value (or the dn)
};

class Reader {
  public:
    // `input` must outlive the reader.
    explicit Reader(std::string_view input, Limits limits = {});

    // The next entry, std::nullopt at the end of the input, or the error (Errc::parse_error or
    // Errc::limit_exceeded). After an error every later call returns the same error.
    Result<std::optional<Entry>> next();

    size_t entries_read() const { return entries_; }

  private:
    enum class LineKind { content, blank, end };
    enum class Form { plain, base64, url };
    // A physical line's place in the current (joined) line, for error positions.
    struct Segment {
        size_t offset;
        size_t line;
    };
    struct Field {
        std::string_view name;
        Form form;
        std::string_view value;  // after the separator and FILL
        size_t value_offset;     // in line_
    };

    Result<std::optional<Entry>> read_entry();
    Result<LineKind> skip_blank_lines();
    Result<std::optional<Field>> first_field();
    Result<void> read_attributes(Entry& entry, size_t entry_start);
    Result<void> check_reserved(const Field& field, std::string_view type, size_t line,
                                bool after_dn) const;
    Result<LineKind> read_line();
    std::string_view take_physical();
    bool continues() const { return pos_ < input_.size() && input_[pos_] == ' '; }
    Result<Field> split_field() const;
    Result<void> check_version(const Field& f) const;
    Result<void> check_changetype(const Field& f) const;
    Result<void> decode(const Field& f, bool is_dn, std::string& out) const;
    Result<void> check_plain(const Field& f, bool is_dn) const;

    size_t line_at(size_t offset) const;
    size_t column_at(size_t offset) const;
    tl::unexpected<Error> error_at(size_t line, Errc code, std::string what) const;

    std::string_view input_;
    Limits limits_;
    size_t pos_ = 0;
    size_t next_line_ = 1;  // physical line number at pos_

    // The current logical line: a view of the input, or of folded_ when it was folded.
    std::string_view line_;
    size_t line_start_ = 0;  // offset in input_ of its first physical line
    std::string folded_;
    std::vector<Segment> segments_;

    bool at_start_ = true;
    size_t entries_ = 0;
    size_t attributes_hint_ = 8;
    std::optional<Error> error_;
};

// Every entry of `input`, or the first error.
Result<std::vector<Entry>> parse_all(std::string_view input, Limits limits = {});

}  // namespace sb::ldif
