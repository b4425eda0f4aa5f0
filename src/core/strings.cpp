#include "core/strings.hpp"

#include <chrono>

namespace sb {

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        auto pos = s.find(sep, start);
        out.emplace_back(trim(s.substr(start, pos - start)));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    return out;
}

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

// At s[i]: the length of the well-formed UTF-8 sequence there (well_formed true), or of the
// maximal ill-formed subpart to replace (at least 1).
size_t scan_utf8(std::string_view s, size_t i, bool& well_formed) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b < 0x80) {
        len = 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F;
    }
    size_t n = len == 0 ? 0 : 1;  // bytes of a well-formed prefix
    while (n > 0 && n < len && i + n < s.size()) {
        const auto c = static_cast<unsigned char>(s[i + n]);
        if (c < (n == 1 ? lo : 0x80) || c > (n == 1 ? hi : 0xBF)) break;
        ++n;
    }
    well_formed = len != 0 && n == len;
    return n == 0 ? 1 : n;
}

}  // namespace

std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        bool ok = false;
        const size_t n = scan_utf8(s, i, ok);
        if (ok)
            out.append(s.substr(i, n));
        else
            out += "\xEF\xBF\xBD";  // U+FFFD for the maximal ill-formed subpart
        i += n;
    }
    return out;
}

bool is_valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        bool ok = false;
        i += scan_utf8(s, i, ok);
        if (!ok) return false;
    }
    return true;
}

}  // namespace sb
