#include "mailbox/vcard/text_codec.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/hex.hpp"

namespace sb::vcard::detail {

std::vector<std::string_view> split_unescaped(std::string_view value, char sep) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    for (size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\\') {
            ++i;  // the escaped byte never separates
        } else if (value[i] == sep) {
            parts.push_back(value.substr(start, i - start));
            start = i + 1;
        }
    }
    parts.push_back(value.substr(start));
    return parts;
}

std::string unescape(std::string_view value, Dialect dialect) {
    std::string out;
    out.reserve(value.size());
    for (size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (c != '\\' || i + 1 == value.size()) {
            out += c;
            continue;
        }
        char next = value[i + 1];
        if (dialect == Dialect::v21) {
            // vCard 2.1 2.1.3: only the semicolon of a compound value is escaped.
            if (next == ';') {
                out += ';';
                ++i;
            } else {
                out += c;
            }
            continue;
        }
        switch (next) {
            case 'n':
            case 'N':
                out += '\n';
                break;
            case '\\':
            case ',':
            case ';':
            case ':':  // not an RFC escape, but written by several exporters
                out += next;
                break;
            default:
                out += c;
                continue;  // keep the backslash; the next byte is read as usual
        }
        ++i;
    }
    return out;
}

namespace {

std::string escape(std::string_view value, bool text) {
    std::string out;
    out.reserve(value.size() + 8);
    for (size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\n";
                if (i + 1 < value.size() && value[i + 1] == '\n') ++i;
                break;
            case ',':
            case ';':
                if (text) out += '\\';
                out += c;
                break;
            default:
                out += c;
        }
    }
    return out;
}

int base64_digit(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;  // '-' and '_': the URL-safe alphabet, seen in the wild
    if (c == '/' || c == '_') return 63;
    return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Windows-1252 0x80..0x9F; the five undefined positions map to the C1 control of that value.
constexpr std::array<uint16_t, 32> kCp1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

bool is_continuation(unsigned char c) {
    return (c & 0xC0) == 0x80;
}

}  // namespace

std::string escape_text(std::string_view value) {
    return escape(value, true);
}
std::string escape_uri(std::string_view value) {
    return escape(value, false);
}

std::string decode_quoted_printable(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '=' && i + 2 < value.size()) {
            int hi = hex_value(value[i + 1]);
            int lo = hex_value(value[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        if (value[i] == '=' && i + 1 == value.size()) break;  // dangling soft break
        out += value[i];
    }
    return out;
}

std::optional<std::string> decode_base64(std::string_view value) {
    std::string out;
    out.reserve(value.size() * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    bool padding = false;
    for (char c : value) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        if (c == '=') {
            padding = true;
            continue;
        }
        int d = base64_digit(c);
        if (d < 0 || padding) return std::nullopt;
        acc = (acc << 6) | static_cast<uint32_t>(d);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    return out;
}

bool is_valid_utf8(std::string_view bytes) {
    size_t i = 0;
    while (i < bytes.size()) {
        auto c = static_cast<unsigned char>(bytes[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2, cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3, cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > bytes.size()) return false;
        for (size_t k = 1; k < len; ++k) {
            auto cc = static_cast<unsigned char>(bytes[i + k]);
            if (!is_continuation(cc)) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

std::string windows1252_to_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 4);
    for (char ch : bytes) {
        auto c = static_cast<unsigned char>(ch);
        if (c >= 0x80 && c <= 0x9F)
            append_utf8(out, kCp1252High[c - 0x80]);
        else
            append_utf8(out, c);
    }
    return out;
}

std::string normalize_newlines(std::string value) {
    if (value.find('\r') == std::string::npos) return value;
    std::string out;
    out.reserve(value.size());
    for (size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\r') {
            out += '\n';
            if (i + 1 < value.size() && value[i + 1] == '\n') ++i;
        } else {
            out += value[i];
        }
    }
    return out;
}

void append_folded(std::string& out, std::string_view line) {
    // RFC 6350 3.2: lines SHOULD NOT be longer than 75 octets, excluding the line break; a
    // continuation line starts with one space, which counts towards its 75.
    size_t room = 75;
    while (line.size() > room) {
        size_t cut = room;
        while (cut > 0 && is_continuation(static_cast<unsigned char>(line[cut])))
            --cut;
        if (cut == 0) cut = room;  // not UTF-8 at all: any cut unfolds to the same bytes
        out.append(line.substr(0, cut));
        out += "\r\n ";
        line.remove_prefix(cut);
        room = 74;
    }
    out.append(line);
    out += "\r\n";
}

std::string excerpt(std::string_view s) {
    constexpr size_t kMax = 40;
    size_t n = std::min(s.size(), kMax);
    while (n > 0 && n < s.size() && is_continuation(static_cast<unsigned char>(s[n])))
        --n;
    std::string out(s.substr(0, n));
    bool utf8 = is_valid_utf8(out);
    for (char& c : out) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F || (u >= 0x80 && !utf8)) c = '?';
    }
    if (n < s.size()) out += "...";
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 32);
        if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 32);
        if (x != y) return false;
    }
    return true;
}

std::string to_upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    return out;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

}  // namespace sb::vcard::detail
