#include "ldap/protocol/text_rules.hpp"

namespace sb::ldapproto::detail {

namespace {

constexpr bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// descr = keystring = leadkeychar *keychar
bool is_descr(std::string_view s) {
    if (s.empty() || !is_alpha(s[0])) return false;
    for (char c : s)
        if (!is_keychar(c)) return false;
    return true;
}

// numericoid = number 1*( DOT number ); number = DIGIT / ( LDIGIT 1*DIGIT )
bool is_numericoid(std::string_view s) {
    size_t numbers = 0;
    size_t i = 0;
    while (true) {
        const size_t start = i;
        while (i < s.size() && is_digit(s[i]))
            ++i;
        const size_t len = i - start;
        if (len == 0 || (len > 1 && s[start] == '0')) return false;
        ++numbers;
        if (i == s.size()) break;
        if (s[i] != '.') return false;
        ++i;
    }
    return numbers >= 2;
}

}  // namespace

size_t utf8_sequence_size(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned c = b(i);
    if (c < 0x80) return 1;
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second octet
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;  // no overlong forms
        if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    if (b(i + 1) < lo || b(i + 1) > hi) return 0;
    for (size_t k = 2; k < n; ++k)
        if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
    return n;
}

bool is_oid(std::string_view s) {
    return is_descr(s) || is_numericoid(s);
}

bool is_attribute_description(std::string_view s) {
    const size_t semi = s.find(';');
    if (!is_oid(s.substr(0, semi))) return false;
    if (semi == std::string_view::npos) return true;
    // options = *( SEMI option ); option = 1*keychar
    std::string_view options = s.substr(semi + 1);
    while (true) {
        const size_t next = options.find(';');
        const std::string_view option = options.substr(0, next);
        if (option.empty()) return false;
        for (char c : option)
            if (!is_keychar(c)) return false;
        if (next == std::string_view::npos) return true;
        options = options.substr(next + 1);
    }
}

}  // namespace sb::ldapproto::detail
