#include "directory/ldif/reader.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "directory/ldif/base64.hpp"
#include "directory/ldif/utf8.hpp"

namespace sb::ldif {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Input text quoted for an error message: at most 40 bytes, non-printable bytes escaped.
std::string quoted(std::string_view s) {
    constexpr size_t kMax = 40;
    std::string out = "'";
    for (size_t i = 0; i < s.size() && i < kMax; ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7F && c != '\'' && c != '\\')
            out += static_cast<char>(c);
        else
            out += fmt::format("\\x{:02X}", c);
    }
    if (s.size() > kMax) out += "...";
    return out + "'";
}

std::string subject(std::string_view name, bool is_dn) {
    return is_dn ? std::string("the dn") : "the value of " + quoted(name);
}

constexpr std::array<bool, 256> make_name_chars() {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c)
        t[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == ';' || c == '.';
    return t;
}
constexpr auto kNameChar = make_name_chars();

// Length of the prefix of `s` made of bytes 0x01-0x7F other than CR, 8 bytes at a time.
size_t plain_ascii_prefix(std::string_view s) {
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    constexpr uint64_t kHighs = 0x8080808080808080ull;
    auto has_zero = [](uint64_t w) { return (w - kOnes) & ~w & kHighs; };
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        if ((w & kHighs) | has_zero(w) | has_zero(w ^ (kOnes * '\r'))) break;
    }
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == 0 || c == '\r' || c >= 0x80) break;
        ++i;
    }
    return i;
}

std::string_view trim_trailing_spaces(std::string_view s) {
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

}  // namespace

Reader::Reader(std::string_view input, Limits limits) : input_(input), limits_(limits) {
    if (input_.substr(0, kBom.size()) == kBom) pos_ = kBom.size();
}

Result<std::optional<Entry>> Reader::next() {
    if (error_) return tl::unexpected(*error_);
    auto r = read_entry();
    if (!r) error_ = r.error();
    return r;
}

tl::unexpected<Error> Reader::error_at(size_t line, Errc code, std::string what) const {
    return fail(code, fmt::format("line {}: {}", line, what));
}

size_t Reader::line_at(size_t offset) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                               [](size_t off, const Segment& s) { return off < s.offset; });
    return std::prev(it)->line;
}

size_t Reader::column_at(size_t offset) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                               [](size_t off, const Segment& s) { return off < s.offset; });
    --it;
    // A continuation line's first column holds the folding space.
    return offset - it->offset + (it == segments_.begin() ? 1 : 2);
}

std::string_view Reader::take_physical() {
    const char* begin = input_.data() + pos_;
    const size_t rest = input_.size() - pos_;
    const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', rest));
    size_t len = nl ? static_cast<size_t>(nl - begin) : rest;
    pos_ += nl ? len + 1 : len;
    ++next_line_;
    if (len > 0 && begin[len - 1] == '\r') --len;  // SEP = CR LF / LF
    return {begin, len};
}

// RFC 2849 note 2 (folding) and note 3 (comments): the next line that is not a comment, with
// its continuation lines joined, or a blank line, or the end.
Result<Reader::LineKind> Reader::read_line() {
    for (;;) {
        if (pos_ >= input_.size()) return LineKind::end;
        const size_t first_line = next_line_;
        line_start_ = pos_;
        std::string_view physical = take_physical();
        if (physical.size() > limits_.max_line_length)
            return error_at(first_line, Errc::limit_exceeded,
                            fmt::format("line is longer than {} bytes", limits_.max_line_length));
        if (physical.empty()) return LineKind::blank;
        if (physical[0] == ' ')
            return error_at(first_line, Errc::parse_error,
                            "line starts with a space (a continuation) but follows a blank line "
                            "or the start of the file, so there is nothing to continue");
        const bool comment = physical[0] == '#';
        segments_.clear();
        segments_.push_back({0, first_line});
        line_ = physical;
        if (continues()) {
            if (!comment) folded_.assign(physical);
            while (continues()) {
                const size_t line = next_line_;
                std::string_view more = take_physical().substr(1);
                if (comment) continue;
                segments_.push_back({folded_.size(), line});
                folded_.append(more);
                if (folded_.size() > limits_.max_line_length)
                    return error_at(
                        line, Errc::limit_exceeded,
                        fmt::format("folded line starting at line {} is longer than {} bytes",
                                    first_line, limits_.max_line_length));
            }
            if (!comment) line_ = folded_;
        }
        if (!comment) return LineKind::content;
    }
}

// Splits "name:value", "name::base64" and "name:<url" (RFC 2849 value-spec).
Result<Reader::Field> Reader::split_field() const {
    // Names are short and made of a few characters: scan them before searching for ':'.
    size_t colon = 0;
    while (colon < line_.size() && kNameChar[static_cast<unsigned char>(line_[colon])])
        ++colon;
    if (colon == line_.size() || line_[colon] != ':') colon = line_.find(':', colon);
    const size_t line = segments_.front().line;
    if (colon == std::string_view::npos)
        return error_at(
            line, Errc::parse_error,
            fmt::format("expected 'attribute: value' but the line has no ':' ({})", quoted(line_)));
    if (colon == 0) return error_at(line, Errc::parse_error, "attribute name missing before ':'");
    Field f{line_.substr(0, colon), Form::plain, {}, 0};
    size_t p = colon + 1;
    if (p < line_.size() && line_[p] == ':') {
        f.form = Form::base64;
        ++p;
    } else if (p < line_.size() && line_[p] == '<') {
        f.form = Form::url;
        ++p;
    }
    while (p < line_.size() && line_[p] == ' ')
        ++p;  // FILL
    f.value = line_.substr(p);
    f.value_offset = p;
    // Trailing spaces cannot be base64; tolerate them (text editors leave them behind).
    if (f.form == Form::base64) f.value = trim_trailing_spaces(f.value);
    return f;
}

Result<void> Reader::check_version(const Field& f) const {
    if (f.form != Form::plain || trim_trailing_spaces(f.value) != "1")
        return error_at(segments_.front().line, Errc::parse_error,
                        fmt::format("unsupported LDIF version {} (only 'version: 1' is defined)",
                                    quoted(f.value)));
    return {};
}

Result<void> Reader::check_changetype(const Field& f) const {
    std::string_view type = trim_trailing_spaces(f.value);
    const size_t line = segments_.front().line;
    if (f.form == Form::plain && iequals(type, "add")) return {};
    if (f.form == Form::plain && (iequals(type, "modify") || iequals(type, "delete") ||
                                  iequals(type, "modrdn") || iequals(type, "moddn")))
        return error_at(line, Errc::parse_error,
                        fmt::format("changetype '{}' is not supported: only content records "
                                    "(optionally 'changetype: add') can be imported",
                                    type));
    return error_at(line, Errc::parse_error, fmt::format("unknown changetype {}", quoted(f.value)));
}

Result<void> Reader::check_plain(const Field& f, bool is_dn) const {
    // RFC 2849 SAFE-STRING, widened to UTF-8 (note 7): what real exports contain.
    const std::string_view v = f.value;
    for (size_t i = plain_ascii_prefix(v); i < v.size();) {
        const auto c = static_cast<unsigned char>(v[i]);
        if (c >= 0x80) {
            size_t len = utf8_sequence_length(v.substr(i));
            if (len == 0)
                return error_at(line_at(f.value_offset + i), Errc::parse_error,
                                fmt::format("invalid UTF-8 in {} at column {} (base64-encode "
                                            "binary values with '::')",
                                            subject(f.name, is_dn), column_at(f.value_offset + i)));
            i += len;
            continue;
        }
        if (c == 0 || c == '\r')
            return error_at(line_at(f.value_offset + i), Errc::parse_error,
                            fmt::format("{} byte in {} at column {} (base64-encode it with '::')",
                                        c == 0 ? "NUL" : "carriage return", subject(f.name, is_dn),
                                        column_at(f.value_offset + i)));
        ++i;
    }
    return {};
}

Result<void> Reader::decode(const Field& f, bool is_dn, std::string& out) const {
    const size_t line = segments_.front().line;
    auto too_long = [&] {
        return error_at(line, Errc::limit_exceeded,
                        fmt::format("{} is longer than {} bytes", subject(f.name, is_dn),
                                    limits_.max_value_bytes));
    };
    switch (f.form) {
        case Form::url:
            return error_at(line, Errc::parse_error,
                            fmt::format("URL values ('{}:< ...') are not supported; put {} in "
                                        "the file as base64 ('{}:: ...')",
                                        f.name, is_dn ? "the dn" : "the value", f.name));
        case Form::plain:
            if (f.value.size() > limits_.max_value_bytes) return too_long();
            SB_TRY(check_plain(f, is_dn));
            out.assign(f.value);
            return {};
        case Form::base64:
            if (f.value.size() / 4 * 3 > limits_.max_value_bytes + 2) return too_long();
            if (auto problem = base64_decode(f.value, out)) {
                const size_t at = f.value_offset + problem->offset;
                return error_at(
                    line_at(at), Errc::parse_error,
                    fmt::format("invalid base64 in {}: {} at column {}", subject(f.name, is_dn),
                                problem->reason, column_at(at)));
            }
            if (out.size() > limits_.max_value_bytes) return too_long();
            if (is_dn) {
                // RFC 2849 BASE64-UTF8-STRING: UTF-8 of SAFE-CHARs, so no NUL, CR or LF either.
                if (find_invalid_utf8(out) != std::string_view::npos ||
                    out.find_first_of(std::string_view("\0\r\n", 3)) != std::string::npos)
                    return error_at(line, Errc::parse_error,
                                    "the base64 dn does not decode to UTF-8 text without NUL, "
                                    "CR or LF");
            }
            return {};
    }
    return {};
}

Result<Reader::LineKind> Reader::skip_blank_lines() {
    for (;;) {
        SB_TRY_ASSIGN(auto kind, read_line());
        if (kind != LineKind::blank) return kind;
    }
}

// The first field of the next entry (its dn line), past a version line at the start; nullopt
// at the end of the input.
Result<std::optional<Reader::Field>> Reader::first_field() {
    SB_TRY_ASSIGN(auto kind, skip_blank_lines());
    if (kind == LineKind::end) return std::nullopt;
    SB_TRY_ASSIGN(auto field, split_field());
    if (!at_start_) return field;
    at_start_ = false;
    // RFC 2849 version-spec; optional in practice (note 1 lets readers accept files without
    // it). It may be followed by the first dn line directly or by blank lines.
    if (!iequals(field.name, "version")) return field;
    SB_TRY(check_version(field));
    SB_TRY_ASSIGN(kind, skip_blank_lines());
    if (kind == LineKind::end) return std::nullopt;
    return split_field();
}

// A line of a reserved type inside an entry: only 'changetype:' right after the dn line
// (checked, then ignored).
Result<void> Reader::check_reserved(const Field& field, std::string_view type, size_t line,
                                    bool after_dn) const {
    if (iequals(type, "changetype")) {
        if (!after_dn)
            return error_at(line, Errc::parse_error,
                            "'changetype:' must directly follow the 'dn:' line");
        return check_changetype(field);
    }
    if (iequals(type, "control"))
        return error_at(line, Errc::parse_error,
                        "'control:' lines belong to change records, which cannot be imported");
    return error_at(line, Errc::parse_error,
                    "a second 'dn:' line in one entry (is the blank line before it missing?)");
}

// The attribute lines of an entry, up to the blank line or the end of the input.
Result<void> Reader::read_attributes(Entry& entry, size_t entry_start) {
    bool after_dn = true;
    for (;;) {
        SB_TRY_ASSIGN(auto kind, read_line());
        if (kind != LineKind::content) return {};
        const size_t line = segments_.front().line;
        if (pos_ - entry_start > limits_.max_entry_bytes)
            return error_at(line, Errc::limit_exceeded,
                            fmt::format("the entry starting at line {} is longer than {} bytes",
                                        entry.line, limits_.max_entry_bytes));
        SB_TRY_ASSIGN(const auto field, split_field());
        const std::string_view name = field.name;
        const std::string_view type = attribute_type(name);
        if (reserved_type(type)) {
            SB_TRY(check_reserved(field, type, line, after_dn));
            after_dn = false;
            continue;
        }
        after_dn = false;
        if (!valid_description(name))
            return error_at(line, Errc::parse_error,
                            fmt::format("invalid attribute description {}", quoted(name)));
        if (entry.attributes.size() >= limits_.max_attributes_per_entry)
            return error_at(line, Errc::limit_exceeded,
                            fmt::format("the entry starting at line {} has more than {} "
                                        "attributes",
                                        entry.line, limits_.max_attributes_per_entry));
        Attribute& attribute = entry.attributes.emplace_back();
        attribute.name.assign(name);
        attribute.line = line;
        SB_TRY(decode(field, false, attribute.value));
    }
}

Result<std::optional<Entry>> Reader::read_entry() {
    SB_TRY_ASSIGN(const auto field, first_field());
    if (!field) return std::nullopt;
    Entry entry;
    entry.line = segments_.front().line;
    const size_t entry_start = line_start_;
    if (!iequals(field->name, "dn"))
        return error_at(
            entry.line, Errc::parse_error,
            fmt::format("an entry must start with a 'dn:' line, found {}", quoted(field->name)));
    if (entries_ >= limits_.max_entries)
        return error_at(entry.line, Errc::limit_exceeded,
                        fmt::format("more than {} entries", limits_.max_entries));
    SB_TRY(decode(*field, true, entry.dn));
    entry.attributes.reserve(attributes_hint_);
    SB_TRY(read_attributes(entry, entry_start));
    if (entry.attributes.empty())
        return error_at(entry.line, Errc::parse_error,
                        fmt::format("entry {} has no attributes", quoted(entry.dn)));
    attributes_hint_ = entry.attributes.size();
    ++entries_;
    return entry;
}

Result<std::vector<Entry>> parse_all(std::string_view input, Limits limits) {
    Reader reader(input, limits);
    std::vector<Entry> entries;
    for (;;) {
        SB_TRY_ASSIGN(auto next, reader.next());
        if (!next) return entries;
        entries.push_back(std::move(*next));
    }
}

}  // namespace sb::ldif
