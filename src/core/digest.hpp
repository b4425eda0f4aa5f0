#pragma once
// Message digests and MACs (OpenSSL). All results are raw bytes in a std::string.
#include <string>
#include <string_view>

#include "core/hex.hpp"

namespace sb::crypto {

std::string sha1(std::string_view data);                               // 20 bytes (FIPS 180-4)
std::string sha256(std::string_view data);                             // 32 bytes
std::string sha512(std::string_view data);                             // 64 bytes
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 bytes (RFC 2104)

// Digests print as hexadecimal (core/hex.hpp); the name stays for the callers in ActiveSync.
using ::sb::to_hex;

// Compares in time that depends only on the lengths (which are not treated as secret).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace sb::crypto
