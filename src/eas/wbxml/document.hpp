#pragma once
// Decoded EAS WBXML documents: every element in one vector, values as views into the body.
//
//   auto doc = wbxml::decode(body);                        // Result<Document>
//   auto folders = doc->root().child(cp::ping::Folders);   // Element (null if absent)
//   for (Element f : folders.children(cp::ping::Folder))
//       use(f.child_text(cp::ping::Id), f.child_text(cp::ping::Class));
//
// A Document refers to the body it was decoded from (unless it owns it): keep the body alive and
// unchanged while the Document and its Elements are used.
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "eas/wbxml/code_pages.hpp"
#include "eas/wbxml/tokenizer.hpp"

namespace sb::wbxml {

class Document;

enum class ValueKind : uint8_t { none, text, opaque };

// A handle to one element of a Document (cheap to copy). A default-constructed or missing
// Element is "null": it converts to false, has no children and an empty value.
class Element {
  public:
    class Iterator;
    class Range;

    Element() = default;

    explicit operator bool() const { return doc_ != nullptr; }
    Tag tag() const;
    uint8_t page() const { return tag().page; }
    uint8_t token() const { return tag().token; }
    bool is(Tag t) const { return doc_ != nullptr && tag() == t; }
    std::string_view name() const { return tag_name(tag()); }
    // False for an empty element (<Tag/>, no content bit); true when content and END followed.
    bool has_content() const;
    ValueKind value_kind() const;
    bool is_opaque() const { return value_kind() == ValueKind::opaque; }
    // The element's string or opaque bytes; empty when it has none (or has children).
    std::string_view value() const;
    std::string_view text() const { return value(); }
    // Byte offset of the element's tag in the body, for diagnostics.
    size_t offset() const;

    Element first_child() const;
    Element next_sibling() const;
    // First child with this tag, or null.
    Element child(Tag t) const;
    // Follows a path of first-matching children: root.descend({cp::airsync::Collections,
    // cp::airsync::Collection}). Null if a step is missing.
    Element descend(std::initializer_list<Tag> path) const;
    // Value of the first child with this tag; nullopt when there is no such child.
    std::optional<std::string_view> child_value(Tag t) const;
    // Value of the first child with this tag, or `fallback` when absent.
    std::string_view child_text(Tag t, std::string_view fallback = {}) const;
    bool has_child(Tag t) const { return static_cast<bool>(child(t)); }
    Range children() const;
    Range children(Tag only) const;  // the children with this tag
    size_t child_count() const;

    // Identity: the same element of the same document (see same_tree() for content equality).
    friend bool operator==(Element a, Element b) {
        return a.doc_ == b.doc_ && a.index_ == b.index_;
    }

  private:
    friend class Document;
    Element(const Document* doc, uint32_t index) : doc_(doc), index_(index) {}

    const Document* doc_ = nullptr;
    uint32_t index_ = 0;
};

class Element::Iterator {
  public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Element;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Element;

    Iterator() = default;
    Element operator*() const { return current_; }
    Iterator& operator++();
    Iterator operator++(int) {
        Iterator old = *this;
        ++*this;
        return old;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) {
        return a.current_ == b.current_;
    }

  private:
    friend class Element::Range;
    Iterator(Element e, std::optional<Tag> only) : current_(e), only_(only) { skip(); }
    void skip();

    Element current_;
    std::optional<Tag> only_;
};

class Element::Range {
  public:
    Iterator begin() const { return Iterator(first_, only_); }
    Iterator end() const { return Iterator(); }
    bool empty() const { return begin() == end(); }

  private:
    friend class Element;
    Range(Element first, std::optional<Tag> only) : first_(first), only_(only) {}
    Element first_;
    std::optional<Tag> only_;
};

class Document {
  public:
    Document() = default;
    Document(Document&&) noexcept = default;
    Document& operator=(Document&&) noexcept = default;
    Document(const Document&) = delete;
    Document& operator=(const Document&) = delete;

    // The root element (null for a default-constructed Document).
    Element root() const { return nodes_.empty() ? Element() : Element(this, 0); }
    size_t element_count() const { return nodes_.size(); }
    // The body the values point into.
    std::string_view body() const { return owns_body_ ? owned_body_ : external_body_; }

  private:
    friend class Element;
    friend class Decoder;
    friend Result<Document> decode_owned(std::string body, const Limits& limits);

    static constexpr uint32_t kNoNode = 0xFFFFFFFFu;
    static constexpr uint8_t kFlagContent = 1;
    static constexpr uint8_t kFlagScratch = 2;  // value lives in scratch_ (joined string pieces)

    struct Node {
        uint32_t first_child = kNoNode;
        uint32_t next_sibling = kNoNode;
        uint32_t value_offset = 0;
        uint32_t value_size = 0;
        uint32_t source_offset = 0;
        Tag tag;
        ValueKind kind = ValueKind::none;
        uint8_t flags = 0;
    };

    std::string_view value_of(const Node& n) const;

    std::vector<Node> nodes_;
    std::string scratch_;
    std::string_view external_body_;
    std::string owned_body_;
    bool owns_body_ = false;
};

// Builds a Document from a body received in pieces, with the input contract of Tokenizer::next:
// each call passes everything received so far. feed() returns false while more bytes are needed and
// true once the document is complete (which requires complete = true).
class Decoder {
  public:
    explicit Decoder(const Limits& limits = {});

    Result<bool> feed(std::string_view buffer, bool complete);
    // The decoded document, once feed() returned true; it refers to the last buffer passed.
    // (Called earlier it gives the elements decoded so far.)
    Document take();
    size_t offset() const { return tokenizer_.offset(); }

  private:
    tl::unexpected<Error> fail(size_t offset, std::string_view what, Errc code = Errc::parse_error);

    struct Frame {
        uint32_t node;
        uint32_t last_child;
    };

    Limits limits_;
    Tokenizer tokenizer_;
    Document doc_;
    std::vector<Frame> open_;
    std::optional<Error> error_;
    bool done_ = false;
};

// Decodes a whole body. The Document refers to `body`.
Result<Document> decode(std::string_view body, const Limits& limits = {});
// A temporary body would dangle: use decode_owned() for it.
Result<Document> decode(std::string&& body, const Limits& limits = {}) = delete;
// Decodes a whole body and keeps it inside the Document.
Result<Document> decode_owned(std::string body, const Limits& limits = {});

// Structural equality: tags, content bits, value kinds and bytes, children in order.
bool same_tree(Element a, Element b);

}  // namespace sb::wbxml
