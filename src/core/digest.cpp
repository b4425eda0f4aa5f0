#include "core/digest.hpp"

#include <cstdlib>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace sb::crypto {

namespace {

// OpenSSL 3 looks providers up on every implicit fetch (EVP_sha256()); fetching once and
// keeping the method for the process lifetime avoids that cost on every password check.
const EVP_MD* fetched(const char* name) {
    EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
    if (!md) std::abort();  // the default provider always has SHA-1/SHA-2
    return md;
}

const EVP_MD* md_sha1() {
    static const EVP_MD* md = fetched("SHA1");
    return md;
}
const EVP_MD* md_sha256() {
    static const EVP_MD* md = fetched("SHA256");
    return md;
}
const EVP_MD* md_sha512() {
    static const EVP_MD* md = fetched("SHA512");
    return md;
}

std::string digest(const EVP_MD* md, std::string_view data) {
    std::string out(static_cast<size_t>(EVP_MD_get_size(md)), '\0');
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, md,
                   nullptr) != 1 ||
        len != out.size())
        std::abort();  // cannot fail for a fetched software digest
    return out;
}

}  // namespace

std::string sha1(std::string_view data) {
    return digest(md_sha1(), data);
}
std::string sha256(std::string_view data) {
    return digest(md_sha256(), data);
}
std::string sha512(std::string_view data) {
    return digest(md_sha512(), data);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::string out(32, '\0');
    unsigned int len = 0;
    // HMAC() rejects a null key pointer even with length 0; an empty key is legal (RFC 2104).
    static const unsigned char empty = 0;
    const void* key_ptr = key.empty() ? static_cast<const void*>(&empty) : key.data();
    if (!HMAC(md_sha256(), key_ptr, static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(),
              reinterpret_cast<unsigned char*>(out.data()), &len) ||
        len != out.size())
        std::abort();
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sb::crypto
