#pragma once
// Incremental pull tokenizer for EAS WBXML bodies (WBXML 1.3 with the MS-ASWBXML code pages).
//
// Input contract: every call to next() receives the whole body received so far, starting with its
// first byte; later calls may pass a longer buffer (bytes appended, the prefix unchanged; the
// buffer itself may have moved). The tokenizer keeps only offsets, so the result is the same
// however the body was cut. Values are views into the buffer passed to the call that returned them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "eas/wbxml/code_pages.hpp"

namespace sb::wbxml {

// WBXML global tokens (WBXML 1.3 section 7.1) that EAS uses.
inline constexpr uint8_t kSwitchPage = 0x00;
inline constexpr uint8_t kEnd = 0x01;
inline constexpr uint8_t kStrI = 0x03;
inline constexpr uint8_t kStrT = 0x83;
inline constexpr uint8_t kOpaque = 0xC3;
inline constexpr uint8_t kHasContent = 0x40;     // tag bit: content and END follow
inline constexpr uint8_t kHasAttributes = 0x80;  // tag bit: attributes follow (never in EAS)
inline constexpr uint8_t kCharsetUtf8 = 106;     // IANA MIBenum

// Explicit bounds on what a body may make the decoder do. Exceeding one is Errc::limit_exceeded.
struct Limits {
    size_t max_body = 64u << 20;    // bytes of the whole body (at most 4 GiB - 1)
    size_t max_depth = 64;          // nesting of elements
    size_t max_elements = 200000;   // elements in the body
    size_t max_string = 1u << 20;   // bytes of one inline string or of the string table
    size_t max_opaque = 64u << 20;  // bytes of one OPAQUE value
};

enum class TokenKind : uint8_t {
    need_more,  // the buffer ends inside a token: call again with more bytes
    start,      // an element starts (tag, has_content)
    end,        // the innermost open element ends (tag); also sent right after an empty element
    text,       // an inline (STR_I) or table (STR_T) string inside the current element
    opaque,     // an OPAQUE value inside the current element (raw bytes, e.g. MIME)
    done,       // the root element ended and the input is complete
};

struct Token {
    TokenKind kind = TokenKind::need_more;
    Tag tag;                  // start, end
    bool has_content = true;  // start: false for an empty element (<Tag/>)
    std::string_view value;   // text, opaque: a view into the buffer
    size_t offset = 0;        // byte offset of the token in the body
};

class Tokenizer {
  public:
    explicit Tokenizer(const Limits& limits = {});

    // Returns the next token. `complete` says the buffer holds the whole body: then a truncated
    // token is an error instead of need_more. Errors carry the byte offset in their message;
    // after an error the tokenizer stays failed.
    Result<Token> next(std::string_view buffer, bool complete);

    // Byte offset up to which the body has been consumed (and of the last error).
    size_t offset() const { return pos_; }
    size_t depth() const { return open_.size(); }
    size_t element_count() const { return elements_; }
    // The string table of the header (empty in EAS), as offsets into the body.
    size_t string_table_offset() const { return table_pos_; }
    size_t string_table_size() const { return table_size_; }

  private:
    enum class State : uint8_t { header, body, after_root, failed };

    tl::unexpected<Error> fail_at(Errc code, size_t offset, std::string_view what);
    Result<Token> parse_header(std::string_view in, bool complete);
    Result<Token> truncated(bool complete, size_t at, std::string_view what);
    Result<Token> string_inline(std::string_view in, bool complete, size_t at);
    Result<Token> string_table_ref(std::string_view in, bool complete, size_t at);
    Result<Token> opaque(std::string_view in, bool complete, size_t at);
    Result<Token> value_token(TokenKind kind, std::string_view value, size_t at);
    // Ends the innermost open element (END, or right after an empty element's start).
    Token close_element(size_t at);
    Result<Token> after_root(std::string_view in, bool complete);
    // STR_I, STR_T or OPAQUE at `at` (token byte `b`).
    Result<Token> content(std::string_view in, bool complete, size_t at, uint8_t b);
    Result<Token> start_element(uint8_t b, size_t at);

    Limits limits_;
    Error error_;
    State state_ = State::header;
    size_t pos_ = 0;
    size_t scan_ = 0;  // inside an unterminated STR_I: offset up to which no NUL was found
    size_t table_pos_ = 0;
    size_t table_size_ = 0;
    size_t elements_ = 0;
    uint8_t page_ = 0;
    bool pending_end_ = false;  // an empty element was started: its end is the next token
    std::vector<Tag> open_;
};

// Reads a WBXML multi-byte unsigned integer (WBXML 1.3 section 5.1) at `pos`. Returns the number
// of bytes used, 0 when the buffer ends before the last byte, or -1 when it is longer than five
// bytes or does not fit in 32 bits.
int read_mb_u_int32(std::string_view in, size_t pos, uint32_t& value);
// Appends a multi-byte unsigned integer.
void append_mb_u_int32(std::string& out, uint32_t value);

}  // namespace sb::wbxml
