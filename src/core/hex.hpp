#pragma once
// Hexadecimal text of bytes, as ids, digests, fingerprints and escapes print it.
#include <string>
#include <string_view>

namespace sb {

enum class HexCase { lower, upper };

// Two digits a byte.
std::string to_hex(std::string_view bytes, HexCase letters = HexCase::lower);

// Appends one byte as two digits.
void append_hex(std::string& out, unsigned char byte, HexCase letters = HexCase::lower);

// 16 bytes in the canonical UUID form, lowercase: "3b241101-e2bb-4255-8caf-4136c566a962"
// (RFC 9562 4).
std::string uuid_text(std::string_view sixteen_bytes);

// The value of a hexadecimal digit of either case, or -1.
int hex_value(char c);

}  // namespace sb
