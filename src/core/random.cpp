#include "core/random.hpp"

#include <cstdlib>

#include <sodium.h>

#include "core/hex.hpp"

namespace sb::crypto {

namespace {

void ensure_sodium() {
    // sodium_init() is idempotent and thread-safe; it fails only if no entropy source exists.
    static const bool ready = sodium_init() >= 0;
    if (!ready) std::abort();
}

std::string random_string(std::string_view alphabet, size_t length) {
    ensure_sodium();
    std::string out(length, '\0');
    // randombytes_uniform() rejects out-of-range samples, so there is no modulo bias.
    for (auto& c : out)
        c = alphabet[randombytes_uniform(static_cast<uint32_t>(alphabet.size()))];
    return out;
}

}  // namespace

std::string random_bytes(size_t n) {
    ensure_sodium();
    std::string out(n, '\0');
    randombytes_buf(out.data(), n);
    return out;
}

std::string random_password(size_t length) {
    return random_string(kPasswordAlphabet, length);
}

std::string random_id(size_t length) {
    return random_string(kIdAlphabet, length);
}

std::string uuid_v4() {
    std::string b = random_bytes(16);
    b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);  // version 4
    b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);  // variant 10xx (RFC 9562 4.1)
    return uuid_text(b);
}

}  // namespace sb::crypto
