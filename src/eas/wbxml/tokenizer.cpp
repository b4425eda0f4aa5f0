#include "eas/wbxml/tokenizer.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace sb::wbxml {
namespace {

std::string hex(uint32_t v) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string s = "0x";
    s += kDigits[(v >> 4) & 0xF];
    s += kDigits[v & 0xF];
    return s;
}

Token need_more() {
    return Token{};
}

}  // namespace

int read_mb_u_int32(std::string_view in, size_t pos, uint32_t& value) {
    uint64_t v = 0;
    for (int i = 0; i < 5; ++i) {
        if (pos + i >= in.size()) return 0;
        const auto b = static_cast<uint8_t>(in[pos + i]);
        v = (v << 7) | (b & 0x7F);
        if ((b & 0x80) == 0) {
            if (v > 0xFFFFFFFFu) return -1;
            value = static_cast<uint32_t>(v);
            return i + 1;
        }
    }
    return -1;
}

void append_mb_u_int32(std::string& out, uint32_t value) {
    char buf[5];
    int n = 0;
    do {
        buf[n++] = static_cast<char>(value & 0x7F);
        value >>= 7;
    } while (value != 0);
    while (n > 0) {
        --n;
        out += static_cast<char>(buf[n] | (n > 0 ? 0x80 : 0));
    }
}

Tokenizer::Tokenizer(const Limits& limits) : limits_(limits) {
    // Offsets are kept in 32 bits by the document tree.
    limits_.max_body = std::min<size_t>(limits_.max_body, 0xFFFFFFFFu);
    open_.reserve(std::min<size_t>(limits_.max_depth, 16));
}

tl::unexpected<Error> Tokenizer::fail_at(Errc code, size_t offset, std::string_view what) {
    state_ = State::failed;
    pos_ = offset;
    error_ = Error{code, "wbxml: " + std::string(what) + " at offset " + std::to_string(offset)};
    return tl::unexpected<Error>(error_);
}

Result<Token> Tokenizer::truncated(bool complete, size_t at, std::string_view what) {
    if (complete)
        return fail_at(Errc::parse_error, at, std::string("truncated ") + std::string(what));
    return need_more();
}

Result<Token> Tokenizer::parse_header(std::string_view in, bool complete) {
    // WBXML 1.3 section 5.3: version, publicid, charset, strtbl. EAS sends 03 01 6A 00.
    if (in.empty()) return truncated(complete, 0, "header");
    const auto version = static_cast<uint8_t>(in[0]);
    if (version < 0x01 || version > 0x03)
        return fail_at(Errc::parse_error, 0, "unsupported WBXML version " + hex(version));
    size_t p = 1;
    uint32_t public_id = 0, public_id_index = 0, charset = 0, table_size = 0;
    auto field = [&](uint32_t& value) -> int {
        const int n = read_mb_u_int32(in, p, value);
        if (n > 0) p += static_cast<size_t>(n);
        return n;
    };
    int n = field(public_id);
    if (n == 0) return truncated(complete, p, "header");
    if (n < 0) return fail_at(Errc::parse_error, p, "malformed public identifier");
    const bool public_id_in_table = public_id == 0;  // then an index into the string table follows
    if (public_id_in_table) {
        n = field(public_id_index);
        if (n == 0) return truncated(complete, p, "header");
        if (n < 0) return fail_at(Errc::parse_error, p, "malformed public identifier index");
    }
    const size_t charset_at = p;
    n = field(charset);
    if (n == 0) return truncated(complete, p, "header");
    if (n < 0 || charset != kCharsetUtf8)
        return fail_at(Errc::parse_error, charset_at, "charset is not UTF-8 (106)");
    const size_t table_at = p;
    n = field(table_size);
    if (n == 0) return truncated(complete, p, "header");
    if (n < 0) return fail_at(Errc::parse_error, table_at, "malformed string table length");
    if (table_size > limits_.max_string)
        return fail_at(Errc::limit_exceeded, table_at, "string table larger than the limit");
    if (p + table_size > limits_.max_body)
        return fail_at(Errc::limit_exceeded, table_at, "string table beyond the body limit");
    if (in.size() < p + table_size) return truncated(complete, p, "string table");
    if (public_id_in_table && public_id_index >= table_size)
        return fail_at(Errc::parse_error, 1, "public identifier index outside the string table");
    table_pos_ = p;
    table_size_ = table_size;
    pos_ = p + table_size;
    state_ = State::body;
    return need_more();  // the caller continues with the body
}

Result<Token> Tokenizer::value_token(TokenKind kind, std::string_view value, size_t at) {
    Token t;
    t.kind = kind;
    t.tag = open_.back();
    t.value = value;
    t.offset = at;
    return t;
}

Result<Token> Tokenizer::string_inline(std::string_view in, bool complete, size_t at) {
    const size_t start = at + 1;
    scan_ = std::max(scan_, start);
    if (scan_ < in.size()) {
        const void* nul = std::memchr(in.data() + scan_, 0, in.size() - scan_);
        if (nul != nullptr) {
            const size_t end = static_cast<size_t>(static_cast<const char*>(nul) - in.data());
            if (end - start > limits_.max_string)
                return fail_at(Errc::limit_exceeded, at, "inline string longer than the limit");
            pos_ = end + 1;
            scan_ = 0;
            return value_token(TokenKind::text, in.substr(start, end - start), at);
        }
        scan_ = in.size();
    }
    if (scan_ - start > limits_.max_string)
        return fail_at(Errc::limit_exceeded, at, "inline string longer than the limit");
    return truncated(complete, at, "inline string (no terminating NUL)");
}

Result<Token> Tokenizer::string_table_ref(std::string_view in, bool complete, size_t at) {
    uint32_t index = 0;
    const int n = read_mb_u_int32(in, at + 1, index);
    if (n == 0) return truncated(complete, at, "string table reference");
    if (n < 0) return fail_at(Errc::parse_error, at + 1, "malformed string table reference");
    if (index >= table_size_)
        return fail_at(Errc::parse_error, at, "string table reference out of range");
    const char* base = in.data() + table_pos_;
    const void* nul = std::memchr(base + index, 0, table_size_ - index);
    if (nul == nullptr)
        return fail_at(Errc::parse_error, at, "string table entry without terminating NUL");
    const size_t len = static_cast<size_t>(static_cast<const char*>(nul) - (base + index));
    pos_ = at + 1 + static_cast<size_t>(n);
    return value_token(TokenKind::text, std::string_view(base + index, len), at);
}

Result<Token> Tokenizer::opaque(std::string_view in, bool complete, size_t at) {
    uint32_t len = 0;
    const int n = read_mb_u_int32(in, at + 1, len);
    if (n == 0) return truncated(complete, at, "opaque length");
    if (n < 0) return fail_at(Errc::parse_error, at + 1, "malformed opaque length");
    if (len > limits_.max_opaque)
        return fail_at(Errc::limit_exceeded, at, "opaque value longer than the limit");
    const size_t start = at + 1 + static_cast<size_t>(n);
    if (start + len > limits_.max_body)
        return fail_at(Errc::limit_exceeded, at, "opaque value beyond the body limit");
    if (in.size() < start + len) return truncated(complete, at, "opaque value");
    pos_ = start + len;
    return value_token(TokenKind::opaque, in.substr(start, len), at);
}

Token Tokenizer::close_element(size_t at) {
    Token t;
    t.kind = TokenKind::end;
    t.tag = open_.back();
    t.offset = at;
    open_.pop_back();
    if (open_.empty()) state_ = State::after_root;
    return t;
}

Result<Token> Tokenizer::after_root(std::string_view in, bool complete) {
    if (in.size() > pos_)
        return fail_at(Errc::parse_error, pos_, "trailing data after the root element");
    if (!complete) return need_more();
    Token t;
    t.kind = TokenKind::done;
    t.offset = pos_;
    return t;
}

Result<Token> Tokenizer::content(std::string_view in, bool complete, size_t at, uint8_t b) {
    if (open_.empty()) return fail_at(Errc::parse_error, at, "content outside the root element");
    if (b == kStrI) return string_inline(in, complete, at);
    if (b == kStrT) return string_table_ref(in, complete, at);
    return opaque(in, complete, at);
}

Result<Token> Tokenizer::start_element(uint8_t b, size_t at) {
    if ((b & 0x3F) <= 0x04)  // ENTITY, LITERAL*, EXT*, PI: WBXML features EAS never uses
        return fail_at(Errc::parse_error, at, "unsupported WBXML token " + hex(b));
    if (b & kHasAttributes) return fail_at(Errc::parse_error, at, "attributes are not used by EAS");
    const Tag tag{page_, static_cast<uint8_t>(b & 0x3F)};
    if (!is_known(tag))
        return fail_at(Errc::parse_error, at,
                       "unknown token " + hex(tag.token) + " in code page " +
                           std::to_string(tag.page) + " (" + std::string(page_name(tag.page)) +
                           ")");
    if (open_.size() >= limits_.max_depth)
        return fail_at(Errc::limit_exceeded, at, "elements nested deeper than the limit");
    if (elements_ >= limits_.max_elements)
        return fail_at(Errc::limit_exceeded, at, "more elements than the limit");
    ++elements_;
    open_.push_back(tag);
    pos_ = at + 1;
    Token t;
    t.kind = TokenKind::start;
    t.tag = tag;
    t.has_content = (b & kHasContent) != 0;
    t.offset = at;
    pending_end_ = !t.has_content;
    return t;
}

Result<Token> Tokenizer::next(std::string_view in, bool complete) {
    if (state_ == State::failed) return tl::unexpected<Error>(error_);
    if (in.size() > limits_.max_body)
        return fail_at(Errc::limit_exceeded, limits_.max_body, "body larger than the limit");
    if (pending_end_) {
        pending_end_ = false;
        return close_element(pos_);
    }
    if (state_ == State::header) {
        auto r = parse_header(in, complete);
        if (!r || state_ == State::header) return r;
    }
    if (state_ == State::after_root) return after_root(in, complete);
    for (;;) {
        const size_t at = pos_;
        if (at >= in.size()) {
            if (!complete) return need_more();
            return fail_at(Errc::parse_error, at,
                           elements_ == 0 ? "body ends before the root element"
                                          : "body ends with elements still open");
        }
        const auto b = static_cast<uint8_t>(in[at]);
        switch (b) {
            case kSwitchPage: {
                if (at + 1 >= in.size()) return truncated(complete, at, "SWITCH_PAGE");
                const auto page = static_cast<uint8_t>(in[at + 1]);
                if (page >= kPageCount)
                    return fail_at(Errc::parse_error, at + 1,
                                   "unknown code page " + std::to_string(page));
                page_ = page;
                pos_ = at + 2;
                continue;
            }
            case kEnd:
                if (open_.empty())
                    return fail_at(Errc::parse_error, at, "END without an open element");
                pos_ = at + 1;
                return close_element(at);
            case kStrI:
            case kStrT:
            case kOpaque:
                return content(in, complete, at, b);
            default:
                return start_element(b, at);
        }
    }
}

}  // namespace sb::wbxml
