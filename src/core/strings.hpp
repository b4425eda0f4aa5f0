#pragma once
// Small string helpers used across modules (ASCII case rules, as LDAP and e-mail names use).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sb {

inline char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
}

inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

inline std::string to_lower(std::string_view s) {
    std::string r(s);
    for (auto& c : r)
        c = ascii_lower(c);
    return r;
}

inline std::string_view trim(std::string_view s) {
    while (!s.empty() &&
           (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string> split(std::string_view s, char sep);

// Case-insensitive ordering for maps keyed by attribute names.
struct ILess {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const {
        size_t n = a.size() < b.size() ? a.size() : b.size();
        for (size_t i = 0; i < n; ++i) {
            char x = ascii_lower(a[i]), y = ascii_lower(b[i]);
            if (x != y) return x < y;
        }
        return a.size() < b.size();
    }
};

// Milliseconds since the Unix epoch.
int64_t now_ms();

// Whether `s` is well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or code points above
// U+10FFFF).
bool is_valid_utf8(std::string_view s);
// `s` with every ill-formed UTF-8 sequence replaced by U+FFFD (one for each maximal ill-formed
// subpart, as Unicode recommends). Devices and directories sometimes send Latin-1 bytes.
std::string valid_utf8(std::string_view s);

}  // namespace sb
