#include "ldap/ber/writer.hpp"

#include <cassert>
#include <cstring>

namespace sb::ber {

namespace {

// Writes the minimal length octets of `n` to `dst`, which has room for length_octets(n).
void put_length(char* dst, size_t n) {
    const size_t count = length_octets(n);
    if (count == 1) {
        dst[0] = static_cast<char>(n);
        return;
    }
    dst[0] = static_cast<char>(0x80 | (count - 1));
    for (size_t i = count - 1; i >= 1; --i, n >>= 8)
        dst[i] = static_cast<char>(n & 0xFF);
}

}  // namespace

void Writer::length(size_t n) {
    char buf[sizeof(size_t) + 1];
    put_length(buf, n);
    out_->append(buf, length_octets(n));
}

void Writer::header(uint8_t tag, size_t content_size) {
    char buf[2 + sizeof(size_t)];
    out_->append(buf, write_header(buf, tag, content_size) - buf);
}

void Writer::element(uint8_t tag, std::string_view contents) {
    header(tag, contents.size());
    out_->append(contents);
}

void Writer::integer(int64_t value, uint8_t tag) {
    // Two's complement, shortest form: drop leading octets that only repeat the sign (X.690 8.3.2).
    char buf[8];
    const auto u = static_cast<uint64_t>(value);
    for (int i = 0; i < 8; ++i)
        buf[i] = static_cast<char>((u >> (56 - 8 * i)) & 0xFF);
    int start = 0;
    while (start < 7) {
        const auto first = static_cast<unsigned char>(buf[start]);
        const auto next = static_cast<unsigned char>(buf[start + 1]);
        if ((first == 0x00 && !(next & 0x80)) || (first == 0xFF && (next & 0x80)))
            ++start;
        else
            break;
    }
    element(tag, std::string_view(buf + start, 8 - start));
}

void Writer::boolean(bool value, uint8_t tag) {
    const char octet = value ? static_cast<char>(0xFF) : 0;
    element(tag, std::string_view(&octet, 1));
}

Writer::Mark Writer::begin(uint8_t tag, size_t expected_size) {
    out_->push_back(static_cast<char>(tag));
    Mark m{out_->size(), static_cast<uint8_t>(length_octets(expected_size))};
    out_->append(m.reserved, '\0');
    return m;
}

void Writer::end(Mark mark) {
    assert(mark.length_pos + mark.reserved <= out_->size());
    const size_t contents_pos = mark.length_pos + mark.reserved;
    const size_t n = out_->size() - contents_pos;
    const size_t needed = length_octets(n);
    if (needed > mark.reserved)
        out_->insert(contents_pos, needed - mark.reserved, '\0');
    else if (needed < mark.reserved)
        out_->erase(mark.length_pos + needed, mark.reserved - needed);
    put_length(out_->data() + mark.length_pos, n);
}

}  // namespace sb::ber
