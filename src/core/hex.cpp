#include "core/hex.hpp"

namespace sb {

void append_hex(std::string& out, unsigned char byte, HexCase letters) {
    const char* digits = letters == HexCase::upper ? "0123456789ABCDEF" : "0123456789abcdef";
    out.push_back(digits[byte >> 4]);
    out.push_back(digits[byte & 0x0F]);
}

std::string to_hex(std::string_view bytes, HexCase letters) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes)
        append_hex(out, c, letters);
    return out;
}

std::string uuid_text(std::string_view sixteen_bytes) {
    std::string out;
    out.reserve(36);
    for (size_t i = 0; i < sixteen_bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        append_hex(out, static_cast<unsigned char>(sixteen_bytes[i]));
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace sb
