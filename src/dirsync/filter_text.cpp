#include "dirsync/filter_text.hpp"

#include <fmt/format.h>

#include "core/hex.hpp"
#include "core/strings.hpp"

namespace sb::dirsync {
namespace {

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return hex_value(c) >= 0;
}
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool keychar(char c) {
    return is_alpha(c) || is_digit(c) || c == '-';
}

// Nesting is bounded so a hostile or mistyped filter cannot exhaust the stack.
constexpr int kMaxDepth = 64;

// Recursive-descent reader of RFC 4515 section 3; writes the canonical text to `out_`.
class FilterReader {
  public:
    explicit FilterReader(std::string_view s) : s_(s) {}

    Result<std::string> run() {
        skip_space();
        SB_TRY(filter(0));
        skip_space();
        if (pos_ != s_.size()) return error("unexpected text after the filter");
        return std::move(out_);
    }

  private:
    tl::unexpected<Error> error(std::string_view what) const {
        return fail(Errc::invalid_argument,
                    fmt::format("invalid LDAP filter at position {}: {}", pos_ + 1, what));
    }
    bool at_end() const { return pos_ >= s_.size(); }
    char peek() const { return at_end() ? '\0' : s_[pos_]; }
    void skip_space() {
        while (!at_end() && is_space(s_[pos_]))
            ++pos_;
    }

    Result<void> filter(int depth) {
        if (depth > kMaxDepth) return error("nested too deeply");
        if (peek() != '(') return error("expected '('");
        out_ += '(';
        ++pos_;
        skip_space();
        char c = peek();
        if (c == '&' || c == '|') {
            out_ += c;
            ++pos_;
            skip_space();
            // RFC 4526: "(&)" and "(|)" are the absolute true and false filters.
            while (peek() == '(') {
                SB_TRY(filter(depth + 1));
                skip_space();
            }
        } else if (c == '!') {
            out_ += c;
            ++pos_;
            skip_space();
            SB_TRY(filter(depth + 1));
            skip_space();
        } else {
            SB_TRY(item());
        }
        if (peek() != ')') return error(at_end() ? "missing ')' at the end" : "expected ')'");
        out_ += ')';
        ++pos_;
        return {};
    }

    // attributedescription: descr or numericoid, then ;options.
    Result<void> attribute_description() {
        size_t start = pos_;
        if (is_alpha(peek())) {
            while (keychar(peek()))
                ++pos_;
        } else if (is_digit(peek())) {
            while (is_digit(peek()) || peek() == '.')
                ++pos_;
        } else {
            return error("expected an attribute name");
        }
        while (peek() == ';') {
            ++pos_;
            if (!keychar(peek())) return error("expected an attribute option after ';'");
            while (keychar(peek()))
                ++pos_;
        }
        out_.append(s_.substr(start, pos_ - start));
        return {};
    }

    Result<void> oid() {
        size_t start = pos_;
        if (is_alpha(peek())) {
            while (keychar(peek()))
                ++pos_;
        } else if (is_digit(peek())) {
            while (is_digit(peek()) || peek() == '.')
                ++pos_;
            if (s_[pos_ - 1] == '.') return error("a matching rule OID cannot end with '.'");
        } else {
            return error("expected a matching rule OID");
        }
        out_.append(s_.substr(start, pos_ - start));
        return {};
    }

    // assertionvalue up to ')'; `star_ok` for substring/presence items.
    Result<void> value(bool star_ok, bool& saw_star) {
        while (!at_end() && peek() != ')') {
            char c = peek();
            if (c == '(') return error("'(' inside a value must be written \\28");
            if (c == '\0') return error("NUL inside a value must be written \\00");
            if (c == '*') {
                if (!star_ok)
                    return error("'*' is only allowed with '=' (write \\2a for a literal star)");
                if (last_was_star_) return error("two '*' in a row");
                saw_star = true;
                last_was_star_ = true;
                out_ += c;
                ++pos_;
                continue;
            }
            last_was_star_ = false;
            if (c == '\\') {
                if (pos_ + 2 >= s_.size() || !is_hex(s_[pos_ + 1]) || !is_hex(s_[pos_ + 2]))
                    return error("'\\' must be followed by two hex digits");
                out_.append(s_.substr(pos_, 3));
                pos_ += 3;
                continue;
            }
            out_ += c;
            ++pos_;
        }
        last_was_star_ = false;
        return {};
    }

    Result<void> item() {
        // extensible match with no attribute: ":dn:rule:=" or ":rule:="
        if (peek() == ':') return extensible_tail();
        SB_TRY(attribute_description());
        char c = peek();
        if (c == ':') return extensible_tail();
        if (c == '~' || c == '>' || c == '<') {
            out_ += c;
            ++pos_;
            if (peek() != '=') return error("expected '=' after the comparison sign");
            out_ += '=';
            ++pos_;
            bool star = false;
            return value(false, star);
        }
        if (c != '=')
            return error("expected '=', '~=', '>=', '<=' or ':=' after the attribute name");
        out_ += '=';
        ++pos_;
        bool star = false;
        return value(true, star);
    }

    // [":dn"] [":" oid] ":=" value, after the optional attribute.
    Result<void> extensible_tail() {
        bool rule = false;
        bool attr_given = !out_.empty() && out_.back() != '(';
        if (s_.substr(pos_, 3) == ":dn" || s_.substr(pos_, 3) == ":DN") {
            if (pos_ + 3 < s_.size() && (s_[pos_ + 3] == ':')) {
                out_.append(s_.substr(pos_, 3));
                pos_ += 3;
            }
        }
        if (peek() == ':' && pos_ + 1 < s_.size() && s_[pos_ + 1] != '=') {
            out_ += ':';
            ++pos_;
            SB_TRY(oid());
            rule = true;
        }
        if (s_.substr(pos_, 2) != ":=") return error("expected ':=' in an extensible match");
        if (!attr_given && !rule)
            return error("an extensible match needs an attribute or a matching rule");
        out_.append(":=");
        pos_ += 2;
        bool star = false;
        return value(false, star);
    }

    std::string_view s_;
    size_t pos_ = 0;
    std::string out_;
    bool last_was_star_ = false;
};

void append_escaped(std::string& out, unsigned char c) {
    out += '\\';
    append_hex(out, c);
}

}  // namespace

Result<std::string> normalize_filter(std::string_view text) {
    if (text.size() > 16384)
        return fail(Errc::invalid_argument, "the LDAP filter is longer than 16384 bytes");
    if (trim(text).empty()) return fail(Errc::invalid_argument, "the LDAP filter is empty");
    return FilterReader(text).run();
}

std::string escape_filter_value(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 8);
    for (unsigned char c : value) {
        if (c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20 || c == 0x7f)
            append_escaped(out, c);
        else
            out += static_cast<char>(c);
    }
    return out;
}

std::string escape_filter_bytes(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 3);
    for (unsigned char c : bytes)
        append_escaped(out, c);
    return out;
}

std::string substitute_member(std::string_view filter, std::string_view value) {
    static constexpr std::string_view kPlaceholder = "{member}";
    const std::string escaped = escape_filter_value(value);
    std::string out;
    size_t from = 0;
    for (;;) {
        size_t at = filter.find(kPlaceholder, from);
        if (at == std::string_view::npos) break;
        out.append(filter.substr(from, at - from));
        out += escaped;
        from = at + kPlaceholder.size();
    }
    out.append(filter.substr(from));
    return out;
}

bool valid_attribute(std::string_view name) {
    if (name.empty() || name.size() > 256) return false;
    size_t i = 0;
    if (is_alpha(name[0])) {
        while (i < name.size() && keychar(name[i]))
            ++i;
    } else if (is_digit(name[0])) {
        while (i < name.size() && (is_digit(name[i]) || name[i] == '.'))
            ++i;
        if (name[i - 1] == '.') return false;
    } else {
        return false;
    }
    while (i < name.size()) {
        if (name[i] != ';') return false;
        ++i;
        size_t start = i;
        while (i < name.size() && keychar(name[i]))
            ++i;
        if (i == start) return false;
    }
    return true;
}

}  // namespace sb::dirsync
