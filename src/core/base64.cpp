#include "core/base64.hpp"

#include <array>
#include <cstdint>

#include <fmt/format.h>

namespace sb::crypto {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr uint8_t kInvalid = 0xFF;

constexpr std::array<uint8_t, 256> make_decode_table() {
    std::array<uint8_t, 256> table{};
    for (auto& v : table)
        v = kInvalid;
    for (size_t i = 0; i < kAlphabet.size(); ++i)
        table[static_cast<uint8_t>(kAlphabet[i])] = i;
    return table;
}

constexpr std::array<uint8_t, 256> kDecode = make_decode_table();

bool is_ascii_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// `text` holds no whitespace. `offset_of` maps an index in `text` back to the caller's input
// so error messages point at the right place.
template <class OffsetOf>
Result<std::string> decode(std::string_view text, bool require_zero_pad_bits, OffsetOf offset_of) {
    if (text.size() % 4 != 0)
        return fail(Errc::parse_error,
                    fmt::format("base64: length {} is not a multiple of 4", text.size()));
    size_t padding = 0;
    if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
    const size_t symbols = text.size() - padding;

    std::string out;
    out.reserve(text.size() / 4 * 3);
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < symbols; ++i) {
        const uint8_t v = kDecode[static_cast<uint8_t>(text[i])];
        if (v == kInvalid)
            return fail(Errc::parse_error,
                        fmt::format("base64: invalid character at offset {}", offset_of(i)));
        acc = (acc << 6) | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    // The last quantum leaves 2 (one '=') or 4 (two '=') unused bits. RFC 4648 3.5.
    if (require_zero_pad_bits && (acc & ((1u << bits) - 1)) != 0)
        return fail(Errc::parse_error, fmt::format("base64: non-zero padding bits at offset {}",
                                                   offset_of(symbols - 1)));
    return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) |
                           (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(kAlphabet[(n >> 6) & 63]);
        out.push_back(kAlphabet[n & 63]);
    }
    const size_t rest = bytes.size() - i;
    if (rest > 0) {
        uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
        if (rest == 2) n |= uint32_t(uint8_t(bytes[i + 1])) << 8;
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

Result<std::string> base64_decode(std::string_view text) {
    return decode(text, true, [](size_t i) { return i; });
}

Result<std::string> base64_decode_lenient(std::string_view text) {
    std::string compact;
    compact.reserve(text.size());
    for (char c : text)
        if (!is_ascii_space(c)) compact.push_back(c);
    return decode(compact, false, [text](size_t compact_index) {
        // Walk the original text to find the offset of the compact_index-th non-space byte.
        size_t seen = 0;
        for (size_t i = 0; i < text.size(); ++i) {
            if (is_ascii_space(text[i])) continue;
            if (seen++ == compact_index) return i;
        }
        return text.size();
    });
}

}  // namespace sb::crypto
