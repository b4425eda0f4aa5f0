#pragma once
// Account password storage and verification.
//
// New passwords are stored as libsodium argon2id strings ("$argon2id$v=19$m=...,t=...,p=1$...").
// Hashes imported from OpenLDAP, 389-ds or Zimbra/Carbonio LDIF keep their RFC 2307-style
// "{SCHEME}" form and are verified as they are; password_needs_rehash() tells the caller to
// replace them with argon2id after the next successful login.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sb::crypto {

enum class PasswordScheme { argon2id, ssha, sha, ssha256, sha256, ssha512, sha512, crypt, unknown };

// "argon2id", "SSHA", "SHA", "SSHA256", "SHA256", "SSHA512", "SHA512", "CRYPT" or "unknown".
std::string_view password_scheme_name(PasswordScheme scheme);

// Classifies a stored value by its prefix only (no validation): "$argon2id$..." (also with
// OpenLDAP's "{ARGON2}" tag) → argon2id; "{SSHA}...", "{sha256}..." etc. (tags are
// case-insensitive) → the matching scheme; "{CRYPT}..." → crypt; anything else → unknown.
PasswordScheme password_scheme(std::string_view stored);

// argon2id via crypto_pwhash_str with the cost set by set_argon2_cost(). Throws std::bad_alloc
// if the memory for the hash cannot be allocated (libsodium's only failure mode here).
std::string hash_password(std::string_view plain);

// Process-wide argon2id cost for hash_password() and password_needs_rehash(). The default is
// libsodium's INTERACTIVE cost (opslimit 2, 64 MiB). Values are clamped to libsodium's
// minimum/maximum. Tests lower it to keep hashing fast.
void set_argon2_cost(unsigned long long opslimit, size_t memlimit_bytes);

// True when `plain` matches `stored` in any supported scheme. Digests are compared in constant
// time. Returns false, never crashes, for unknown schemes, malformed values, hashes whose cost
// exceeds sane bounds (so an imported hash cannot stall a login), passwords containing NUL for
// {CRYPT}, and an empty `plain` (an empty LDAP simple-bind password means an unauthenticated
// bind, RFC 4513 5.1.2, and must never authenticate).
bool verify_password(std::string_view stored, std::string_view plain);

// True for every non-argon2id value, and for argon2id whose cost differs from the current one.
bool password_needs_rehash(std::string_view stored);

// Normalises a userPassword value from LDIF or a provisioning command:
//   "{SHA}/{SSHA}/{SHA256}/{SSHA256}/{SHA512}/{SSHA512}..." → validated (base64 decodes, digest
//       length right, salted forms carry ≥ 1 salt byte) and kept as is;
//   "{CRYPT}..." → validated (a supported crypt(3) method with sane cost) and kept as is;
//   "$argon2id$..." → validated and kept; "{ARGON2}$argon2id$..." → kept without the tag;
//   "{CLEARTEXT}pw" / "{CLEAR}pw" → hash_password("pw");
//   any other "{NAME}..." (e.g. {MD5}, {SMD5}, {PBKDF2}) → Errc::invalid_argument naming NAME;
//   anything else → treated as a plain password: hash_password(value).
// A malformed hash of a recognised scheme or an empty value → Errc::invalid_argument.
Result<std::string> import_password(std::string_view value);

}  // namespace sb::crypto
