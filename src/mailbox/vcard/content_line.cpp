#include "mailbox/vcard/content_line.hpp"

#include <fmt/format.h>

#include "mailbox/vcard/text_codec.hpp"

namespace sb::vcard::detail {
namespace {

bool is_blank(std::string_view s) {
    return trim(s).empty();
}

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

tl::unexpected<Error> error_at(size_t line, std::string_view what) {
    return fail(Errc::parse_error, fmt::format("line {}: {}", line, what));
}

bool is_name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

bool valid_name(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_name_char(c)) return false;
    return true;
}

}  // namespace

LineReader::LineReader(std::string_view text, size_t max_line_length, size_t max_logical_length)
    : rest_(text), max_line_length_(max_line_length), max_logical_length_(max_logical_length) {}

std::optional<std::string_view> LineReader::peek_physical() {
    if (peeked_) return peeked_;
    if (rest_.empty()) return std::nullopt;
    size_t end = 0;  // a plain loop: find_first_of runs memchr over "\r\n" for every byte
    while (end < rest_.size() && rest_[end] != '\r' && rest_[end] != '\n')
        ++end;
    if (end == rest_.size()) end = std::string_view::npos;
    std::string_view line = rest_.substr(0, end);
    std::string_view after;
    if (end != std::string_view::npos) {
        size_t skip =
            (rest_[end] == '\r' && end + 1 < rest_.size() && rest_[end + 1] == '\n') ? 2 : 1;
        after = rest_.substr(end + skip);
    }
    peeked_ = line;
    peeked_rest_ = after;
    return peeked_;
}

void LineReader::consume_physical() {
    rest_ = peeked_rest_;
    peeked_.reset();
    ++line_;
}

void LineReader::scan_header(const std::string& text) {
    // Finds the ':' that ends name and parameters, incrementally, so a long folded line is
    // scanned once.
    if (header_.complete) return;
    for (; header_.scanned < text.size(); ++header_.scanned) {
        char c = text[header_.scanned];
        if (c == '"') header_.in_quotes = !header_.in_quotes;
        if (c == ':' && !header_.in_quotes) {
            std::string upper = to_upper(std::string_view(text).substr(0, header_.scanned));
            header_.complete = true;
            header_.quoted_printable = upper.find("QUOTED-PRINTABLE") != std::string::npos;
            header_.base64 = upper.find("BASE64") != std::string::npos ||
                             upper.find("ENCODING=B;") != std::string::npos ||
                             upper.ends_with("ENCODING=B");
            return;
        }
    }
}

Result<std::optional<LogicalLine>> LineReader::next() {
    std::optional<LogicalLine> current;
    header_ = Header{};
    while (auto physical = peek_physical()) {
        std::string_view p = *physical;
        if (p.size() > max_line_length_)
            return fail(Errc::limit_exceeded, fmt::format("line {}: line longer than {} bytes",
                                                          line_ + 1, max_line_length_));
        if (!current) {
            consume_physical();
            if (is_blank(p)) continue;
            // A leading space with nothing to continue: RFC unfolding would join it to the
            // previous line break, which leaves the rest as a line of its own.
            if (is_wsp(p.front())) p.remove_prefix(1);
            current = LogicalLine{line_, std::string(p)};
            if (current->text.size() > max_logical_length_) break;
            continue;
        }
        scan_header(current->text);
        bool soft_break = header_.complete && header_.quoted_printable &&
                          current->text.ends_with('=') && !iequals(trim(p), "END:VCARD");
        if (soft_break) {
            current->text.pop_back();
            current->text.append(p);
        } else if (!p.empty() && is_wsp(p.front())) {
            current->text.append(p.substr(1));
        } else if (header_.complete && header_.base64 && !is_blank(p) &&
                   p.find(':') == std::string_view::npos) {
            current->text.append(p);  // vCard 2.1 2.1.3: base64 lines until a blank line
        } else {
            break;
        }
        consume_physical();
        if (current->text.size() > max_logical_length_) break;
    }
    if (current && current->text.size() > max_logical_length_)
        return fail(Errc::limit_exceeded, fmt::format("line {}: property longer than {} bytes",
                                                      current->line, max_logical_length_));
    return current;
}

std::vector<std::string_view> ContentLine::param_values(std::string_view wanted) const {
    std::vector<std::string_view> out;
    for (const auto& p : params)
        if (p.name == wanted)
            for (const auto& v : p.values)
                out.push_back(v);
    return out;
}

bool ContentLine::has_param(std::string_view wanted) const {
    for (const auto& p : params)
        if (p.name == wanted) return true;
    return false;
}

Result<ContentLine> parse_content_line(const LogicalLine& logical) {
    std::string_view s = logical.text;
    const size_t line = logical.line;
    if (s.find(':') == std::string_view::npos)
        return error_at(line, fmt::format("property without ':' ({})", excerpt(s)));

    ContentLine cl;
    cl.line = line;
    size_t end = s.find_first_of(";:");
    std::string_view full_name = s.substr(0, end);
    if (auto dot = full_name.find('.'); dot != std::string_view::npos) {
        std::string_view group = full_name.substr(0, dot);
        if (!valid_name(group))
            return error_at(line, fmt::format("invalid group name '{}'", excerpt(group)));
        cl.group = to_lower(group);
        full_name.remove_prefix(dot + 1);
    }
    if (full_name.empty()) return error_at(line, "property name missing before ':'");
    if (!valid_name(full_name))
        return error_at(line, fmt::format("invalid property name '{}'", excerpt(full_name)));
    cl.name = to_upper(full_name);

    size_t pos = end;
    while (s[pos] == ';') {
        ++pos;
        size_t name_end = s.find_first_of(";:=", pos);
        if (name_end == std::string_view::npos)
            return error_at(line, "property without ':'");  // unreachable: ':' exists
        std::string_view pname = trim(s.substr(pos, name_end - pos));
        pos = name_end;
        if (s[pos] != '=') {
            // Bare parameter (vCard 2.1, still common in 3.0 exports).
            if (pname.empty()) continue;  // ";;" — tolerated
            std::string upper = to_upper(pname);
            bool encoding = upper == "QUOTED-PRINTABLE" || upper == "BASE64" || upper == "8BIT" ||
                            upper == "7BIT";
            cl.params.push_back({encoding ? "ENCODING" : "TYPE", {std::string(pname)}});
            continue;
        }
        if (pname.empty()) return error_at(line, "parameter without a name before '='");
        Parameter param{to_upper(pname), {}};
        ++pos;  // '='
        for (;;) {
            if (pos < s.size() && s[pos] == '"') {
                size_t close = s.find('"', pos + 1);
                if (close == std::string_view::npos)
                    return error_at(line, fmt::format("unterminated quoted value of parameter {}",
                                                      excerpt(param.name)));
                param.values.emplace_back(s.substr(pos + 1, close - pos - 1));
                pos = close + 1;
            } else {
                size_t value_end = s.find_first_of(",;:\"", pos);
                if (value_end == std::string_view::npos) value_end = s.size();
                if (value_end < s.size() && s[value_end] == '"')
                    return error_at(line,
                                    fmt::format("stray '\"' in parameter {}", excerpt(param.name)));
                param.values.emplace_back(trim(s.substr(pos, value_end - pos)));
                pos = value_end;
            }
            if (pos >= s.size()) return error_at(line, "property without ':'");
            if (s[pos] != ',') break;
            ++pos;
        }
        if (s[pos] != ';' && s[pos] != ':')
            return error_at(line, fmt::format("unexpected '{}' after the value of parameter {}",
                                              excerpt(s.substr(pos, 1)), excerpt(param.name)));
        cl.params.push_back(std::move(param));
    }
    cl.value = std::string(s.substr(pos + 1));
    return cl;
}

}  // namespace sb::vcard::detail
