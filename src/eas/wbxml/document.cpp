#include "eas/wbxml/document.hpp"

#include <algorithm>
#include <utility>

namespace sb::wbxml {

// ---- Element ----

Tag Element::tag() const {
    return doc_ ? doc_->nodes_[index_].tag : Tag{};
}

bool Element::has_content() const {
    return doc_ && (doc_->nodes_[index_].flags & Document::kFlagContent) != 0;
}

ValueKind Element::value_kind() const {
    return doc_ ? doc_->nodes_[index_].kind : ValueKind::none;
}

std::string_view Element::value() const {
    return doc_ ? doc_->value_of(doc_->nodes_[index_]) : std::string_view{};
}

size_t Element::offset() const {
    return doc_ ? doc_->nodes_[index_].source_offset : 0;
}

Element Element::first_child() const {
    if (!doc_) return {};
    const uint32_t i = doc_->nodes_[index_].first_child;
    return i == Document::kNoNode ? Element() : Element(doc_, i);
}

Element Element::next_sibling() const {
    if (!doc_) return {};
    const uint32_t i = doc_->nodes_[index_].next_sibling;
    return i == Document::kNoNode ? Element() : Element(doc_, i);
}

Element Element::child(Tag t) const {
    for (Element c = first_child(); c; c = c.next_sibling())
        if (c.tag() == t) return c;
    return {};
}

Element Element::descend(std::initializer_list<Tag> path) const {
    Element e = *this;
    for (Tag t : path)
        e = e.child(t);
    return e;
}

std::optional<std::string_view> Element::child_value(Tag t) const {
    const Element c = child(t);
    if (!c) return std::nullopt;
    return c.value();
}

std::string_view Element::child_text(Tag t, std::string_view fallback) const {
    const Element c = child(t);
    return c ? c.value() : fallback;
}

Element::Range Element::children() const {
    return Range(first_child(), std::nullopt);
}

Element::Range Element::children(Tag only) const {
    return Range(first_child(), only);
}

size_t Element::child_count() const {
    size_t n = 0;
    for (Element c = first_child(); c; c = c.next_sibling())
        ++n;
    return n;
}

Element::Iterator& Element::Iterator::operator++() {
    current_ = current_.next_sibling();
    skip();
    return *this;
}

void Element::Iterator::skip() {
    if (!only_) return;
    while (current_ && current_.tag() != *only_)
        current_ = current_.next_sibling();
}

// ---- Document ----

std::string_view Document::value_of(const Node& n) const {
    if (n.kind == ValueKind::none) return {};
    const char* base = (n.flags & kFlagScratch) ? scratch_.data() : body().data();
    return std::string_view(base + n.value_offset, n.value_size);
}

// ---- Decoder ----

Decoder::Decoder(const Limits& limits) : limits_(limits), tokenizer_(limits) {
    // Most EAS requests are small: one allocation each instead of a series of regrowths.
    doc_.nodes_.reserve(std::min<size_t>(limits.max_elements, 64));
    open_.reserve(std::min<size_t>(limits.max_depth, 16));
}

tl::unexpected<Error> Decoder::fail(size_t offset, std::string_view what, Errc code) {
    error_ = Error{code, "wbxml: " + std::string(what) + " at offset " + std::to_string(offset)};
    return tl::unexpected<Error>(*error_);
}

Result<bool> Decoder::feed(std::string_view buffer, bool complete) {
    if (error_) return tl::unexpected<Error>(*error_);
    if (done_) return true;
    auto& nodes = doc_.nodes_;
    doc_.external_body_ = buffer;
    for (;;) {
        auto token = tokenizer_.next(buffer, complete);
        if (!token) {
            error_ = token.error();
            return tl::unexpected<Error>(*error_);
        }
        const Token& t = *token;
        switch (t.kind) {
            case TokenKind::need_more:
                return false;
            case TokenKind::done:
                done_ = true;
                return true;
            case TokenKind::start: {
                const auto index = static_cast<uint32_t>(nodes.size());
                if (!open_.empty()) {
                    Frame& parent = open_.back();
                    if (nodes[parent.node].kind != ValueKind::none)
                        return fail(t.offset, "element after a value (mixed content)");
                    if (parent.last_child == Document::kNoNode)
                        nodes[parent.node].first_child = index;
                    else
                        nodes[parent.last_child].next_sibling = index;
                    parent.last_child = index;
                }
                Document::Node n;
                n.tag = t.tag;
                n.source_offset = static_cast<uint32_t>(t.offset);
                if (t.has_content) n.flags |= Document::kFlagContent;
                nodes.push_back(n);
                open_.push_back(Frame{index, Document::kNoNode});
                break;
            }
            case TokenKind::end:
                open_.pop_back();
                break;
            case TokenKind::text:
            case TokenKind::opaque: {
                Document::Node& n = nodes[open_.back().node];
                const ValueKind kind =
                    t.kind == TokenKind::text ? ValueKind::text : ValueKind::opaque;
                if (n.first_child != Document::kNoNode)
                    return fail(t.offset, "value after an element (mixed content)");
                if (n.kind == ValueKind::none) {
                    n.kind = kind;
                    n.value_offset = static_cast<uint32_t>(t.value.data() - buffer.data());
                    n.value_size = static_cast<uint32_t>(t.value.size());
                    break;
                }
                if (n.kind != kind) return fail(t.offset, "string and opaque in one element");
                // A value in several pieces (rare): join them; the pieces of one element are
                // consecutive, so its joined value is always at the end of the scratch buffer.
                // Bounded: string table references could otherwise repeat a long string.
                std::string& scratch = doc_.scratch_;
                const size_t joined = size_t{n.value_size} + t.value.size();
                if (joined > (kind == ValueKind::text ? limits_.max_string : limits_.max_opaque))
                    return fail(t.offset, "joined value longer than the limit",
                                Errc::limit_exceeded);
                if (scratch.size() + t.value.size() + n.value_size > limits_.max_body)
                    return fail(t.offset, "joined values larger than the body limit",
                                Errc::limit_exceeded);
                if ((n.flags & Document::kFlagScratch) == 0) {
                    const std::string_view first = doc_.value_of(n);
                    n.value_offset = static_cast<uint32_t>(scratch.size());
                    scratch.append(first);
                    n.flags |= Document::kFlagScratch;
                }
                scratch.append(t.value);
                n.value_size += static_cast<uint32_t>(t.value.size());
                break;
            }
        }
    }
}

Document Decoder::take() {
    return std::move(doc_);
}

Result<Document> decode(std::string_view body, const Limits& limits) {
    Decoder decoder(limits);
    SB_TRY(decoder.feed(body, true));
    return decoder.take();
}

Result<Document> decode_owned(std::string body, const Limits& limits) {
    Decoder decoder(limits);
    SB_TRY(decoder.feed(body, true));
    Document doc = decoder.take();
    doc.owned_body_ = std::move(body);
    doc.owns_body_ = true;
    doc.external_body_ = {};
    return doc;
}

bool same_tree(Element a, Element b) {
    if (static_cast<bool>(a) != static_cast<bool>(b)) return false;
    if (!a) return true;
    if (a.tag() != b.tag() || a.has_content() != b.has_content() ||
        a.value_kind() != b.value_kind() || a.value() != b.value())
        return false;
    Element ca = a.first_child(), cb = b.first_child();
    for (; ca && cb; ca = ca.next_sibling(), cb = cb.next_sibling())
        if (!same_tree(ca, cb)) return false;
    return !ca && !cb;
}

}  // namespace sb::wbxml
