#pragma once
// Secrets and identifiers from the operating system's CSPRNG (libsodium randombytes).
#include <cstddef>
#include <string>
#include <string_view>

namespace sb::crypto {

// Alphabet of random_password(): letters and digits without the look-alikes 0 O 1 l I.
inline constexpr std::string_view kPasswordAlphabet =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

// Alphabet of random_id(): ASCII letters.
inline constexpr std::string_view kIdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// n uniformly random bytes.
std::string random_bytes(size_t n);

// A generated (mobile) password: `length` characters drawn uniformly from kPasswordAlphabet.
std::string random_password(size_t length = 16);

// A short credential id such as "aKcLK": `length` characters drawn uniformly from kIdAlphabet.
std::string random_id(size_t length = 5);

// A random (version 4) UUID in lowercase canonical form, e.g.
// "3b241101-e2bb-4255-8caf-4136c566a962" (RFC 9562 5.4).
std::string uuid_v4();

}  // namespace sb::crypto
