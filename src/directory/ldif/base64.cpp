#include "directory/ldif/base64.hpp"

#include <array>
#include <cstdint>

namespace sb::ldif {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr int8_t kInvalid = -1;
constexpr int8_t kPad = -2;

constexpr std::array<int8_t, 256> make_table() {
    std::array<int8_t, 256> t{};
    for (auto& v : t)
        v = kInvalid;
    for (int i = 0; i < 64; ++i)
        t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
    t['='] = kPad;
    return t;
}
constexpr auto kTable = make_table();

int8_t sextet(char c) {
    return kTable[static_cast<unsigned char>(c)];
}

}  // namespace

std::optional<Base64Problem> base64_decode(std::string_view in, std::string& out) {
    const size_t original = out.size();
    auto problem = [&](size_t offset, std::string_view reason) {
        out.resize(original);
        return Base64Problem{offset, reason};
    };
    // Report a bad character before a bad length: it is the more useful message.
    const size_t n = in.size();
    size_t pad = 0;
    if (n >= 1 && in[n - 1] == '=') ++pad;
    if (n >= 2 && in[n - 2] == '=') ++pad;
    for (size_t i = 0; i < n; ++i) {
        int8_t v = sextet(in[i]);
        if (v == kInvalid) return problem(i, "character not in the base64 alphabet");
        if (v == kPad && i < n - pad) return problem(i, "'=' padding before the end");
    }
    if (n % 4 != 0) return problem(n, "length is not a multiple of 4");

    out.resize(original + n / 4 * 3 - pad);
    char* dst = out.data() + original;
    size_t i = 0;
    for (; i + 4 <= n - (pad ? 4 : 0); i += 4) {
        uint32_t v = (uint32_t(sextet(in[i])) << 18) | (uint32_t(sextet(in[i + 1])) << 12) |
                     (uint32_t(sextet(in[i + 2])) << 6) | uint32_t(sextet(in[i + 3]));
        *dst++ = static_cast<char>(v >> 16);
        *dst++ = static_cast<char>(v >> 8);
        *dst++ = static_cast<char>(v);
    }
    if (pad) {
        uint32_t v = (uint32_t(sextet(in[i])) << 18) | (uint32_t(sextet(in[i + 1])) << 12);
        *dst++ = static_cast<char>(v >> 16);
        if (pad == 1) {
            v |= uint32_t(sextet(in[i + 2])) << 6;
            *dst++ = static_cast<char>(v >> 8);
        }
    }
    return std::nullopt;
}

void base64_encode(std::string_view in, std::string& out) {
    const size_t original = out.size();
    out.resize(original + base64_encoded_size(in.size()));
    char* dst = out.data() + original;
    auto byte = [&](size_t i) { return uint32_t(static_cast<unsigned char>(in[i])); };
    size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        *dst++ = kAlphabet[(v >> 18) & 63];
        *dst++ = kAlphabet[(v >> 12) & 63];
        *dst++ = kAlphabet[(v >> 6) & 63];
        *dst++ = kAlphabet[v & 63];
    }
    size_t rest = in.size() - i;
    if (rest) {
        uint32_t v = byte(i) << 16;
        if (rest == 2) v |= byte(i + 1) << 8;
        *dst++ = kAlphabet[(v >> 18) & 63];
        *dst++ = kAlphabet[(v >> 12) & 63];
        *dst++ = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
        *dst++ = '=';
    }
}

}  // namespace sb::ldif
