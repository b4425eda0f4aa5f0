#include "directory/ldif/utf8.hpp"

namespace sb::ldif {

namespace {
bool in(unsigned char c, unsigned char lo, unsigned char hi) {
    return c >= lo && c <= hi;
}
}  // namespace

size_t utf8_sequence_length(std::string_view s) {
    if (s.empty()) return 0;
    auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char c = b(0);
    if (c < 0x80) return 1;
    // RFC 3629 section 4: the second byte's range depends on the lead byte.
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (in(c, 0xC2, 0xDF)) {
        len = 2;
    } else if (in(c, 0xE0, 0xEF)) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (in(c, 0xF0, 0xF4)) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (s.size() < len || !in(b(1), lo, hi)) return 0;
    for (size_t i = 2; i < len; ++i)
        if (!in(b(i), 0x80, 0xBF)) return 0;
    return len;
}

size_t find_invalid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        size_t len = utf8_sequence_length(s.substr(i));
        if (len == 0) return i;
        i += len;
    }
    return std::string_view::npos;
}

}  // namespace sb::ldif
