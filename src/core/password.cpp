#include "core/password.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>

#include <crypt.h>
#include <fmt/format.h>
#include <sodium.h>

#include "core/base64.hpp"
#include "core/digest.hpp"

namespace sb::crypto {

namespace {

void ensure_sodium() {
    static const bool ready = sodium_init() >= 0;
    if (!ready) std::abort();
}

// ---- scheme tags ------------------------------------------------------------------------------

struct Tagged {
    std::string_view name;  // between the braces, as written
    std::string_view rest;  // after the closing brace
};

bool is_tag_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

// RFC 2307 / OpenLDAP userPassword syntax: "{" scheme "}" value. A brace group with characters
// that cannot name a scheme (space, punctuation) is not a tag, so such values stay plain text.
std::optional<Tagged> split_tag(std::string_view value) {
    constexpr size_t kMaxTag = 32;
    if (value.empty() || value.front() != '{') return std::nullopt;
    const size_t close = value.find('}');
    if (close == std::string_view::npos || close < 2 || close > kMaxTag + 1) return std::nullopt;
    const std::string_view name = value.substr(1, close - 1);
    for (char c : name)
        if (!is_tag_char(c)) return std::nullopt;
    return Tagged{name, value.substr(close + 1)};
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
        if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
        if (x != y) return false;
    }
    return true;
}

struct ShaScheme {
    PasswordScheme scheme;
    std::string_view tag;
    bool salted;
    size_t digest_size;
    std::string (*digest)(std::string_view);
};

// {SHA}/{SSHA}: RFC 3112-era OpenLDAP schemes; the SHA-2 forms are OpenLDAP contrib/slapd-modules
// /passwd/sha2 and 389-ds. Value = base64(digest(password + salt) + salt); unsalted has no salt.
constexpr std::array<ShaScheme, 6> kShaSchemes = {{
    {PasswordScheme::sha, "SHA", false, 20, &sha1},
    {PasswordScheme::ssha, "SSHA", true, 20, &sha1},
    {PasswordScheme::sha256, "SHA256", false, 32, &sha256},
    {PasswordScheme::ssha256, "SSHA256", true, 32, &sha256},
    {PasswordScheme::sha512, "SHA512", false, 64, &sha512},
    {PasswordScheme::ssha512, "SSHA512", true, 64, &sha512},
}};

const ShaScheme* sha_scheme_by_tag(std::string_view name) {
    for (const auto& s : kShaSchemes)
        if (iequals(s.tag, name)) return &s;
    return nullptr;
}

const ShaScheme* sha_scheme(PasswordScheme scheme) {
    for (const auto& s : kShaSchemes)
        if (s.scheme == scheme) return &s;
    return nullptr;
}

// Returns the decoded "digest + salt" or a reason it is malformed.
Result<std::string> decode_sha_value(const ShaScheme& s, std::string_view encoded) {
    auto raw = base64_decode(encoded);
    if (!raw)
        return fail(Errc::invalid_argument, fmt::format("{{{}}} value is not valid base64", s.tag));
    if (s.salted ? raw->size() <= s.digest_size : raw->size() != s.digest_size)
        return fail(
            Errc::invalid_argument,
            fmt::format("{{{}}} value has {} bytes; expected {}", s.tag, raw->size(),
                        s.salted ? fmt::format("a {}-byte digest plus a salt", s.digest_size)
                                 : fmt::format("{}", s.digest_size)));
    return raw;
}

bool verify_sha(const ShaScheme& s, std::string_view encoded, std::string_view plain) {
    auto raw = decode_sha_value(s, encoded);
    if (!raw) return false;
    const std::string_view digest(raw->data(), s.digest_size);
    const std::string_view salt = std::string_view(*raw).substr(s.digest_size);
    std::string salted(plain);
    salted.append(salt);
    const bool ok = constant_time_equal(s.digest(salted), digest);
    sodium_memzero(salted.data(), salted.size());
    return ok;
}

// ---- argon2id ---------------------------------------------------------------------------------

constexpr std::string_view kArgon2idPrefix = "$argon2id$";

// Bounds on imported argon2 costs: libsodium's SENSITIVE level (1 GiB, 4 passes) is the ceiling,
// so a stored value cannot make a login allocate gigabytes or spin for minutes.
constexpr uint64_t kMaxArgon2MemoryKiB = 1024 * 1024;
constexpr uint64_t kMaxArgon2Passes = 64;
constexpr uint64_t kMaxArgon2Work = 4 * kMaxArgon2MemoryKiB;  // memory (KiB) x passes
constexpr uint64_t kMaxArgon2Lanes = 16;

std::atomic<unsigned long long> g_opslimit{crypto_pwhash_OPSLIMIT_INTERACTIVE};
std::atomic<size_t> g_memlimit{crypto_pwhash_MEMLIMIT_INTERACTIVE};

bool consume(std::string_view& s, std::string_view token) {
    if (s.substr(0, token.size()) != token) return false;
    s.remove_prefix(token.size());
    return true;
}

std::optional<uint64_t> consume_number(std::string_view& s) {
    size_t n = 0;
    while (n < s.size() && n < 10 && s[n] >= '0' && s[n] <= '9')
        ++n;
    if (n == 0 || (n > 1 && s[0] == '0')) return std::nullopt;
    uint64_t v = 0;
    std::from_chars(s.data(), s.data() + n, v);
    s.remove_prefix(n);
    if (v > UINT32_MAX) return std::nullopt;
    return v;
}

// Unpadded base64 of at least `min_bytes` bytes (the PHC string format, as libsodium writes it).
bool consume_b64_field(std::string_view& s, size_t min_bytes) {
    size_t n = 0;
    while (n < s.size() && s[n] != '$') {
        const char c = s[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return false;
        ++n;
    }
    if (n % 4 == 1 || n * 3 / 4 < min_bytes) return false;
    s.remove_prefix(n);
    return true;
}

// "$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>"; nullopt = acceptable.
std::optional<std::string> argon2id_problem(std::string_view s) {
    if (s.size() >= crypto_pwhash_STRBYTES) return "argon2id value is too long";
    if (!consume(s, kArgon2idPrefix)) return "not an argon2id value";
    if (!consume(s, "v=19$")) return "argon2id value must have version v=19";
    std::optional<uint64_t> m, t, p;
    if (!consume(s, "m=") || !(m = consume_number(s)) || !consume(s, ",t=") ||
        !(t = consume_number(s)) || !consume(s, ",p=") || !(p = consume_number(s)) ||
        !consume(s, "$"))
        return "malformed argon2id parameters";
    if (*m == 0 || *t == 0 || *p == 0) return "argon2id parameters must be positive";
    if (*m > kMaxArgon2MemoryKiB || *t > kMaxArgon2Passes || *m * *t > kMaxArgon2Work ||
        *p > kMaxArgon2Lanes)
        return fmt::format("argon2id cost m={},t={},p={} exceeds the supported maximum", *m, *t,
                           *p);
    if (!consume_b64_field(s, 8) || !consume(s, "$")) return "malformed argon2id salt";
    if (!consume_b64_field(s, 16) || !s.empty()) return "malformed argon2id hash";
    return std::nullopt;
}

// libsodium declares its string arguments as char[crypto_pwhash_STRBYTES]; give it exactly that.
using Argon2String = std::array<char, crypto_pwhash_STRBYTES>;

std::optional<Argon2String> argon2_buffer(std::string_view s) {
    if (s.size() >= crypto_pwhash_STRBYTES) return std::nullopt;
    Argon2String buf{};
    s.copy(buf.data(), s.size());
    return buf;
}

// Strips OpenLDAP's "{ARGON2}" tag (pw-argon2 module) from an argon2id value.
std::string_view untagged_argon2(std::string_view stored) {
    if (auto tag = split_tag(stored); tag && iequals(tag->name, "ARGON2")) return tag->rest;
    return stored;
}

bool verify_argon2id(std::string_view stored, std::string_view plain) {
    stored = untagged_argon2(stored);
    if (argon2id_problem(stored)) return false;
    auto buf = argon2_buffer(stored);
    if (!buf) return false;
    ensure_sodium();
    return crypto_pwhash_str_verify(buf->data(), plain.empty() ? "" : plain.data(), plain.size()) ==
           0;
}

// ---- crypt(3) ---------------------------------------------------------------------------------

// Cost ceilings for imported crypt hashes, about a second of CPU or 1 GiB at most.
constexpr uint64_t kMaxShaCryptRounds = 2'000'000;
constexpr int kMaxBcryptCost = 15;
constexpr uint64_t kMaxYescryptMemory = uint64_t{1} << 30;

constexpr std::string_view kCryptAlphabet =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool all_crypt_chars(std::string_view s) {
    return s.find_first_not_of(kCryptAlphabet) == std::string_view::npos;
}

// "<salt>$<hash>" with a salt of 1..max_salt bytes (no '$') and a hash of hash_size crypt chars.
bool salt_and_hash(std::string_view s, size_t max_salt, size_t hash_size) {
    const size_t dollar = s.find('$');
    if (dollar == std::string_view::npos || dollar == 0 || dollar > max_salt) return false;
    const std::string_view hash = s.substr(dollar + 1);
    return hash.size() == hash_size && all_crypt_chars(hash);
}

// Structural check of a crypt(3) string from {CRYPT}, without running the (slow) hash, so bulk
// imports stay fast. Formats: libxcrypt crypt(5). nullopt = acceptable.
std::optional<std::string> crypt_problem(std::string_view h) {
    if (h.find('\0') != std::string_view::npos) return "{CRYPT} value contains NUL";
    if (h.empty()) return "empty {CRYPT} value";
    if (h.front() != '$') {
        // Traditional DES: 2 salt + 11 hash characters.
        if (h.size() == 13 && all_crypt_chars(h)) return std::nullopt;
        return "unsupported or malformed {CRYPT} value";
    }
    std::string_view s = h;
    if (consume(s, "$1$")) {  // MD5-crypt
        if (salt_and_hash(s, 8, 22)) return std::nullopt;
        return "malformed $1$ (MD5-crypt) value";
    }
    if (s.substr(0, 3) == "$5$" || s.substr(0, 3) == "$6$") {  // SHA-crypt
        const bool is512 = s[1] == '6';
        s.remove_prefix(3);
        if (consume(s, "rounds=")) {
            auto rounds = consume_number(s);
            if (!rounds || !consume(s, "$")) return "malformed SHA-crypt rounds";
            if (*rounds > kMaxShaCryptRounds)
                return fmt::format("SHA-crypt rounds={} exceeds the supported maximum {}", *rounds,
                                   kMaxShaCryptRounds);
        }
        if (salt_and_hash(s, 16, is512 ? 86 : 43)) return std::nullopt;
        return is512 ? "malformed $6$ (SHA-512-crypt) value"
                     : "malformed $5$ (SHA-256-crypt) value";
    }
    if (consume(s, "$2a$") || consume(s, "$2b$") || consume(s, "$2y$")) {  // bcrypt
        if (s.size() != 2 + 1 + 53 || s[2] != '$' || s[0] < '0' || s[0] > '9' || s[1] < '0' ||
            s[1] > '9' || !all_crypt_chars(s.substr(3)))
            return "malformed bcrypt value";
        const int cost = (s[0] - '0') * 10 + (s[1] - '0');
        if (cost < 4 || cost > kMaxBcryptCost)
            return fmt::format("bcrypt cost {} is outside the supported range 4..{}", cost,
                               kMaxBcryptCost);
        return std::nullopt;
    }
    if (consume(s, "$y$")) {  // yescrypt
        // Parameters as libxcrypt's crypt_gensalt writes them: flavor 'j', then log2(N)-1 and
        // r-1 as one crypt character each. Memory use is 128 * r * N bytes.
        if (s.size() < 4 || s[0] != 'j' || s[3] != '$') return "unsupported yescrypt parameters";
        const size_t n_log2 = kCryptAlphabet.find(s[1]) + 1;
        const size_t r = kCryptAlphabet.find(s[2]) + 1;
        if (n_log2 == 0 || r == 0 || n_log2 > 30) return "unsupported yescrypt parameters";
        if (uint64_t{128} * r * (uint64_t{1} << n_log2) > kMaxYescryptMemory)
            return "yescrypt cost exceeds the supported maximum";
        s.remove_prefix(4);
        if (salt_and_hash(s, 64, 43) && all_crypt_chars(s.substr(0, s.find('$'))))
            return std::nullopt;
        return "malformed yescrypt value";
    }
    return "unsupported {CRYPT} method";
}

bool verify_crypt(std::string_view hash, std::string_view plain) {
    if (crypt_problem(hash) || plain.find('\0') != std::string_view::npos) return false;
    const std::string phrase(plain);
    const std::string setting(hash);
    auto data = std::make_unique<crypt_data>();  // value-initialised: zeroed, as crypt_rn needs
    const char* out = crypt_rn(phrase.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
    const bool ok = out != nullptr && out[0] != '*' && constant_time_equal(out, hash);
    sodium_memzero(data.get(), sizeof(crypt_data));
    return ok;
}

}  // namespace

std::string_view password_scheme_name(PasswordScheme scheme) {
    switch (scheme) {
        case PasswordScheme::argon2id:
            return "argon2id";
        case PasswordScheme::crypt:
            return "CRYPT";
        case PasswordScheme::unknown:
            return "unknown";
        default:
            return sha_scheme(scheme)->tag;
    }
}

PasswordScheme password_scheme(std::string_view stored) {
    if (stored.substr(0, kArgon2idPrefix.size()) == kArgon2idPrefix)
        return PasswordScheme::argon2id;
    const auto tag = split_tag(stored);
    if (!tag) return PasswordScheme::unknown;
    if (const ShaScheme* s = sha_scheme_by_tag(tag->name)) return s->scheme;
    if (iequals(tag->name, "CRYPT")) return PasswordScheme::crypt;
    if (iequals(tag->name, "ARGON2") &&
        tag->rest.substr(0, kArgon2idPrefix.size()) == kArgon2idPrefix)
        return PasswordScheme::argon2id;
    return PasswordScheme::unknown;
}

void set_argon2_cost(unsigned long long opslimit, size_t memlimit_bytes) {
    opslimit = std::clamp<unsigned long long>(opslimit, crypto_pwhash_OPSLIMIT_MIN,
                                              crypto_pwhash_OPSLIMIT_MAX);
    memlimit_bytes =
        std::clamp<size_t>(memlimit_bytes, crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_MEMLIMIT_MAX);
    g_opslimit.store(opslimit);
    g_memlimit.store(memlimit_bytes);
}

std::string hash_password(std::string_view plain) {
    ensure_sodium();
    Argon2String out{};
    if (crypto_pwhash_str(out.data(), plain.empty() ? "" : plain.data(), plain.size(),
                          g_opslimit.load(), g_memlimit.load()) != 0)
        throw std::bad_alloc();
    return std::string(out.data());
}

bool verify_password(std::string_view stored, std::string_view plain) {
    if (plain.empty() || stored.find('\0') != std::string_view::npos) return false;
    const PasswordScheme scheme = password_scheme(stored);
    switch (scheme) {
        case PasswordScheme::argon2id:
            return verify_argon2id(stored, plain);
        case PasswordScheme::crypt:
            return verify_crypt(split_tag(stored)->rest, plain);
        case PasswordScheme::unknown:
            return false;
        default:
            return verify_sha(*sha_scheme(scheme), split_tag(stored)->rest, plain);
    }
}

bool password_needs_rehash(std::string_view stored) {
    if (password_scheme(stored) != PasswordScheme::argon2id) return true;
    if (stored.front() != '$') return true;  // "{ARGON2}" tagged: store the canonical form
    if (argon2id_problem(stored)) return true;
    auto buf = argon2_buffer(stored);
    ensure_sodium();
    return crypto_pwhash_str_needs_rehash(buf->data(), g_opslimit.load(), g_memlimit.load()) != 0;
}

Result<std::string> import_password(std::string_view value) {
    if (value.empty()) return fail(Errc::invalid_argument, "empty password value");
    if (value.find('\0') != std::string_view::npos)
        return fail(Errc::invalid_argument, "password value contains a NUL byte");

    if (const auto tag = split_tag(value)) {
        if (iequals(tag->name, "CLEARTEXT") || iequals(tag->name, "CLEAR")) {
            if (tag->rest.empty()) return fail(Errc::invalid_argument, "empty password value");
            return hash_password(tag->rest);
        }
        if (const ShaScheme* s = sha_scheme_by_tag(tag->name)) {
            SB_TRY(decode_sha_value(*s, tag->rest));
            return std::string(value);
        }
        if (iequals(tag->name, "CRYPT")) {
            if (auto problem = crypt_problem(tag->rest))
                return fail(Errc::invalid_argument, *problem);
            return std::string(value);
        }
        if (iequals(tag->name, "ARGON2")) {
            if (tag->rest.substr(0, kArgon2idPrefix.size()) != kArgon2idPrefix)
                return fail(Errc::invalid_argument,
                            "unsupported password scheme {ARGON2}: only argon2id is supported");
            if (auto problem = argon2id_problem(tag->rest))
                return fail(Errc::invalid_argument, *problem);
            return std::string(tag->rest);
        }
        return fail(Errc::invalid_argument,
                    fmt::format("unsupported password scheme {{{}}}", tag->name));
    }
    if (value.substr(0, kArgon2idPrefix.size()) == kArgon2idPrefix) {
        if (auto problem = argon2id_problem(value)) return fail(Errc::invalid_argument, *problem);
        return std::string(value);
    }
    // "$argon2i$..." / "$argon2d$..." are hashes, not passwords; hashing them as plain text would
    // silently lock the account.
    if (value.substr(0, 8) == "$argon2i" || value.substr(0, 8) == "$argon2d")
        return fail(Errc::invalid_argument,
                    "unsupported argon2 variant: only argon2id hashes can be imported");
    return hash_password(value);
}

}  // namespace sb::crypto
