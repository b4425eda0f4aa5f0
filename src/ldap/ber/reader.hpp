#pragma once
// Zero-copy BER reader over a complete buffer (frame it first). Every read checks the tag, the
// lengths against the enclosing element and the contents rules of RFC 4511 5.1; strings are
// returned as views into the buffer, so the buffer must outlive whatever was read from it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "ldap/ber/tag.hpp"

namespace sb::ber {

struct Element {
    uint8_t tag = 0;
    std::string_view contents;
};

class Reader {
  public:
    Reader() = default;
    explicit Reader(std::string_view data) : data_(data) {}

    bool at_end() const { return pos_ == data_.size(); }
    size_t remaining() const { return data_.size() - pos_; }
    size_t offset() const { return pos_; }

    // Tag of the next element, nullopt at the end.
    std::optional<uint8_t> peek_tag() const;
    bool next_is(uint8_t tag) const { return peek_tag() == tag; }

    // The next element whatever its tag.
    Result<Element> read_any();
    // Contents of the next element, which must carry exactly `tag` (constructed bit included).
    Result<std::string_view> read(uint8_t tag);
    // A reader over the contents of the next element (a SEQUENCE, SET or constructed tag).
    Result<Reader> enter(uint8_t tag = tag::kSequence);
    Result<void> skip();

    // INTEGER / ENUMERATED in two's complement, at most 8 significant octets (X.690 8.3).
    Result<int64_t> read_integer(uint8_t tag = tag::kInteger);
    // As read_integer, with the value checked against [min, max] (ASN.1 range constraints).
    Result<int64_t> read_integer_in(int64_t min, int64_t max, uint8_t tag = tag::kInteger);
    Result<int64_t> read_enumerated(uint8_t tag = tag::kEnumerated) { return read_integer(tag); }
    // BOOLEAN: one octet; any non-zero value is TRUE (X.690 8.2.2).
    Result<bool> read_boolean(uint8_t tag = tag::kBoolean);
    Result<std::string_view> read_octet_string(uint8_t tag = tag::kOctetString) {
        return read(tag);
    }
    Result<void> read_null(uint8_t tag = tag::kNull);

    // Number of elements from here to the end, or up to the first malformed one (for sizing).
    size_t count_elements() const;

    // Error unless every byte was consumed (trailing data inside a SEQUENCE is malformed).
    Result<void> expect_end() const;

  private:
    // Header of the element at pos_ when it is well-formed and fits; false otherwise (the slow
    // path then reports why). Inline: every read goes through it.
    bool fast_header(uint8_t& tag, size_t& header_size, size_t& content_size) const {
        const size_t avail = data_.size() - pos_;
        if (avail < 2) return false;
        const auto* p = reinterpret_cast<const unsigned char*>(data_.data()) + pos_;
        if ((p[0] & kHighTagNumber) == kHighTagNumber) return false;
        tag = p[0];
        const unsigned first = p[1];
        if (first < 0x80) {
            header_size = 2;
            content_size = first;
        } else {
            const unsigned count = first & 0x7F;
            if (count == 0 || count > 4 || avail < 2 + count) return false;
            size_t n = 0;
            for (unsigned i = 0; i < count; ++i)
                n = (n << 8) | p[2 + i];
            header_size = 2 + count;
            content_size = n;
        }
        return content_size <= avail - header_size;
    }
    Result<Element> read_any_slow();
    Result<std::string_view> read_slow(uint8_t tag);

    std::string_view data_;
    size_t pos_ = 0;
};

inline Result<Element> Reader::read_any() {
    uint8_t tag;
    size_t header_size, content_size;
    if (!fast_header(tag, header_size, content_size)) return read_any_slow();
    Element e{tag, data_.substr(pos_ + header_size, content_size)};
    pos_ += header_size + content_size;
    return e;
}

inline Result<std::string_view> Reader::read(uint8_t expected) {
    uint8_t tag;
    size_t header_size, content_size;
    if (!fast_header(tag, header_size, content_size) || tag != expected) return read_slow(expected);
    const std::string_view contents = data_.substr(pos_ + header_size, content_size);
    pos_ += header_size + content_size;
    return contents;
}

// Contents decoders, for values already cut out of their element.
Result<int64_t> decode_integer(std::string_view contents);
Result<bool> decode_boolean(std::string_view contents);

}  // namespace sb::ber
