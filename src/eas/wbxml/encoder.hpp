#pragma once
// Streaming WBXML encoder for EAS responses.
//
//   std::string body;
//   wbxml::Encoder enc(body);                         // writes the header 03 01 6A 00
//   enc.start(cp::folderhierarchy::FolderSync)
//      .element(cp::folderhierarchy::Status, 1)
//      .element(cp::folderhierarchy::SyncKey, key)
//      .end();
//   if (auto r = enc.finish(); !r) ...                // unbalanced or invalid use
//
// SWITCH_PAGE is written only when the page changes. Misuse (END with nothing open, a value outside
// an element, an unknown tag, a NUL inside a string, a second root) does not throw: the first
// error is kept, later calls are ignored, and finish() returns it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/error.hpp"
#include "eas/wbxml/code_pages.hpp"
#include "eas/wbxml/document.hpp"

namespace sb::wbxml {

// Destination of an encoder that streams (e.g. into a socket buffer). write() gets small batched
// writes and, for large OPAQUE values, the caller's bytes directly (no intermediate copy).
class Sink {
  public:
    virtual ~Sink() = default;
    virtual void write(std::string_view bytes) = 0;
};

class Encoder {
  public:
    // Appends to `out` (which may already hold data, e.g. reserved space).
    explicit Encoder(std::string& out);
    // Writes to `sink` in batches of about `batch` bytes; finish() flushes the rest.
    explicit Encoder(Sink& sink, size_t batch = 16 * 1024);
    Encoder(const Encoder&) = delete;
    Encoder& operator=(const Encoder&) = delete;

    // An element with content; close it with end().
    Encoder& start(Tag tag);
    // An element without content (<Tag/>): one byte, no END.
    Encoder& empty(Tag tag);
    Encoder& end();
    // STR_I inside the current element. The string must not contain NUL.
    Encoder& text(std::string_view s);
    // OPAQUE inside the current element (MIME, binary ids).
    Encoder& opaque(std::string_view bytes);
    // An OPAQUE value written in pieces: its total size first, then exactly that many bytes
    // through opaque_write(), before any other call.
    Encoder& opaque_begin(size_t size);
    Encoder& opaque_write(std::string_view bytes);

    // <Tag>text</Tag>; an empty text gives <Tag/>.
    Encoder& element(Tag tag, std::string_view text);
    Encoder& element(Tag tag, const char* text) { return element(tag, std::string_view(text)); }
    // <Tag>decimal</Tag>, e.g. Status values.
    template <class N>
    requires(std::is_integral_v<N> && !std::is_same_v<N, bool> &&
             !std::is_same_v<N, char>) Encoder& element(Tag tag, N number) {
        if constexpr (std::is_signed_v<N>) {
            if (number < 0) return decimal(tag, true, 0 - static_cast<uint64_t>(number));
        }
        return decimal(tag, false, static_cast<uint64_t>(number));
    }
    // <Tag>OPAQUE bytes</Tag>.
    Encoder& opaque_element(Tag tag, std::string_view bytes);

    // Checks that exactly one root element was written and closed, flushes a sink, and returns
    // the first error. The encoder must not be used afterwards.
    Result<void> finish();

    bool failed() const { return failed_; }
    size_t depth() const { return open_.size(); }
    // Bytes produced so far (header included).
    size_t bytes_written() const { return written_; }

  private:
    // What an open element holds so far (children, strings and opaque values do not mix).
    enum Holds : uint8_t { kNothing = 0, kChildren = 1, kText = 2, kOpaqueValue = 4 };

    Encoder& decimal(Tag tag, bool negative, uint64_t magnitude);
    bool check_tag(Tag tag);
    bool check_value(Holds kind);
    void fail(std::string message);
    void put(uint8_t byte);
    void put(std::string_view bytes);
    void put_large(std::string_view bytes);
    void switch_page(uint8_t page);
    void flush();

    std::string* out_ = nullptr;
    Sink* sink_ = nullptr;
    std::string batch_;
    size_t batch_size_ = 0;
    size_t written_ = 0;
    std::vector<uint8_t> open_;  // per open element: what it holds so far
    size_t opaque_left_ = 0;
    bool in_opaque_ = false;
    uint8_t page_ = 0;
    bool root_done_ = false;
    bool failed_ = false;
    Error error_;
};

// Writes an element and its subtree (as decoded) to an encoder.
void encode_element(Encoder& enc, Element e);
// Encodes a document back to WBXML.
Result<std::string> encode(const Document& doc);

}  // namespace sb::wbxml
