#include "ldap/ber/reader.hpp"

#include <string>

#include "core/hex.hpp"
#include "ldap/ber/header.hpp"

namespace sb::ber {

namespace {

std::string tag_hex(unsigned tag) {
    std::string s = "0x";
    append_hex(s, static_cast<unsigned char>(tag));
    return s;
}

}  // namespace

std::optional<uint8_t> Reader::peek_tag() const {
    if (at_end()) return std::nullopt;
    return static_cast<uint8_t>(data_[pos_]);
}

Result<Element> Reader::read_any_slow() {
    if (at_end()) return fail(Errc::parse_error, "BER: element expected, found end of data");
    SB_TRY_ASSIGN(auto header, parse_header(data_.substr(pos_)));
    if (!header || header->total_size() > remaining())
        return fail(Errc::parse_error, "BER: element longer than its enclosing data");
    const Header& h = *header;
    Element e{h.tag, data_.substr(pos_ + h.header_size, h.content_size)};
    pos_ += h.total_size();
    return e;
}

Result<std::string_view> Reader::read_slow(uint8_t tag) {
    if (at_end())
        return fail(Errc::parse_error, "BER: element " + tag_hex(tag) + " expected, found end");
    if (static_cast<uint8_t>(data_[pos_]) != tag)
        return fail(Errc::parse_error, "BER: element " + tag_hex(tag) + " expected, found " +
                                           tag_hex(static_cast<uint8_t>(data_[pos_])));
    SB_TRY_ASSIGN(auto e, read_any_slow());
    return e.contents;
}

Result<Reader> Reader::enter(uint8_t tag) {
    SB_TRY_ASSIGN(auto contents, read(tag));
    return Reader(contents);
}

Result<void> Reader::skip() {
    SB_TRY(read_any());
    return {};
}

Result<int64_t> Reader::read_integer(uint8_t tag) {
    SB_TRY_ASSIGN(auto contents, read(tag));
    return decode_integer(contents);
}

Result<int64_t> Reader::read_integer_in(int64_t min, int64_t max, uint8_t tag) {
    auto v = read_integer(tag);
    if (v && (*v < min || *v > max))
        return fail(Errc::parse_error, "BER: integer " + std::to_string(*v) + " out of range");
    return v;
}

Result<bool> Reader::read_boolean(uint8_t tag) {
    SB_TRY_ASSIGN(auto contents, read(tag));
    return decode_boolean(contents);
}

Result<void> Reader::read_null(uint8_t tag) {
    SB_TRY_ASSIGN(auto contents, read(tag));
    if (!contents.empty()) return fail(Errc::parse_error, "BER: NULL with contents");
    return {};
}

size_t Reader::count_elements() const {
    size_t n = 0;
    for (size_t pos = pos_; pos < data_.size(); ++n) {
        auto header = parse_header(data_.substr(pos));
        if (!header || !*header || (*header)->total_size() > data_.size() - pos) break;
        pos += (*header)->total_size();
    }
    return n;
}

Result<void> Reader::expect_end() const {
    if (!at_end())
        return fail(Errc::parse_error,
                    "BER: " + std::to_string(remaining()) + " unexpected trailing bytes");
    return {};
}

Result<int64_t> decode_integer(std::string_view contents) {
    // X.690 8.3.1: at least one contents octet.
    if (contents.empty()) return fail(Errc::parse_error, "BER: empty INTEGER");
    const auto* p = reinterpret_cast<const unsigned char*>(contents.data());
    size_t n = contents.size();
    const bool negative = (p[0] & 0x80) != 0;
    // Redundant sign octets (a non-minimal encoding) are tolerated; what remains must fit.
    const unsigned char sign = negative ? 0xFF : 0x00;
    while (n > 1 && p[0] == sign && ((p[1] & 0x80) != 0) == negative)
        ++p, --n;
    if (n > 8) return fail(Errc::parse_error, "BER: INTEGER too large");
    uint64_t v = negative ? ~uint64_t{0} : 0;
    for (size_t i = 0; i < n; ++i)
        v = (v << 8) | p[i];
    return static_cast<int64_t>(v);
}

Result<bool> decode_boolean(std::string_view contents) {
    if (contents.size() != 1) return fail(Errc::parse_error, "BER: BOOLEAN must have one octet");
    return contents[0] != 0;
}

}  // namespace sb::ber
