#include "ldap/addressbook/fold.hpp"

#include <cstdint>

namespace sb::addressbook {
namespace {

// Decodes the UTF-8 sequence at s[i]; returns its size (0 when it is not well-formed).
size_t decode_utf8(std::string_view s, size_t i, char32_t& cp) {
    const auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
    const uint8_t c = b(0);
    if (c < 0x80) {
        cp = c;
        return 1;
    }
    size_t n = 0;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    if (i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k) {
        if ((b(k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b(k) & 0x3F);
    }
    // Overlong forms and surrogates are not well-formed (RFC 3629 3).
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

void encode_utf8(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// RFC 4518 2.2 maps these to SPACE; zero-width and soft hyphen characters map to nothing.
bool is_space(char32_t c) {
    return c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0B || c == 0x0C || c == 0x0D ||
           c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}
bool maps_to_nothing(char32_t c) {
    return c == 0xAD || c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF;
}

enum class Mode { plain, telephone };

void fold_into(std::string_view in, std::string& out, Mode mode) {
    const size_t start = out.size();
    bool pending_space = false;
    for (size_t i = 0; i < in.size();) {
        char32_t cp = 0;
        size_t n = decode_utf8(in, i, cp);
        if (n == 0) {  // not UTF-8: keep the byte
            if (pending_space && out.size() > start) out.push_back(' ');
            pending_space = false;
            out.push_back(in[i]);
            ++i;
            continue;
        }
        i += n;
        if (maps_to_nothing(cp)) continue;
        if (is_space(cp) ||
            (mode == Mode::telephone && (cp == '-' || cp == 0x2010 || cp == 0x2011))) {
            pending_space = mode == Mode::plain;
            continue;
        }
        if (pending_space && out.size() > start) out.push_back(' ');
        pending_space = false;
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
        } else {
            encode_utf8(fold_code_point(cp), out);
        }
    }
}

}  // namespace

char32_t fold_code_point(char32_t c) {
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    // Latin-1 Supplement: À..Þ except ×.
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
    // Latin Extended-A: pairs, upper case first, with a few shifted runs.
    if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x130) return 'i';
        if (c == 0x131 || c == 0x138 || c == 0x149) return c;
        if (c == 0x178) return 0xFF;
        if (c == 0x17F) return 's';
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
        return (c & 1) ? c : c + 1;
    }
    // Greek.
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;
    if (c == 0x386) return 0x3AC;
    if (c >= 0x388 && c <= 0x38A) return c + 37;
    if (c == 0x38C) return 0x3CC;
    if (c == 0x38E || c == 0x38F) return c + 63;
    if (c == 0x3C2) return 0x3C3;  // final sigma matches sigma
    // Cyrillic.
    if (c >= 0x410 && c <= 0x42F) return c + 0x20;
    if (c >= 0x400 && c <= 0x40F) return c + 0x50;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x4FF))
        return (c & 1) ? c : c + 1;
    if (c >= 0x4C1 && c <= 0x4CE) return (c & 1) ? c + 1 : c;
    // Latin Extended Additional (Vietnamese and others): pairs, upper case first.
    if ((c >= 0x1E00 && c <= 0x1E95) || (c >= 0x1EA0 && c <= 0x1EFF)) return (c & 1) ? c : c + 1;
    // Fullwidth Latin letters.
    if (c >= 0xFF21 && c <= 0xFF3A) return c + 0x20;
    return c;
}

void fold_append(std::string_view in, std::string& out) {
    fold_into(in, out, Mode::plain);
}

std::string fold(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    fold_append(in, out);
    return out;
}

void fold_telephone_append(std::string_view in, std::string& out) {
    fold_into(in, out, Mode::telephone);
}

std::string approx_key(std::string_view in) {
    std::string folded = fold(in);
    std::string out;
    out.reserve(folded.size());
    for (size_t i = 0; i < folded.size(); ++i) {
        const auto c = static_cast<unsigned char>(folded[i]);
        if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(folded[i]);
    }
    return out;
}

}  // namespace sb::addressbook
