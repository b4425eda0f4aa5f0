#include "core/password.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "core/base64.hpp"
#include "core/digest.hpp"

namespace sb::crypto {
namespace {

// Fixtures produced by real tools for the password "secret":
//   slappasswd -h {SSHA} / {SHA} -s secret
//   slappasswd -o module-load=pw-sha2.la -h {SSHA256|SSHA512|SHA256|SHA512} -s secret
//   slappasswd -h {CRYPT} -c '$6$%.8s' -s secret
//   openssl passwd -6|-5|-1 -salt xyz secret
//   libxcrypt crypt("secret", setting) for bcrypt, yescrypt and DES
//   /usr/bin/python3 hashlib for the 8-byte-salt SSHA256/SSHA512 (389-ds layout)
//   libsodium crypto_pwhash_str(ops 1, 8 KiB) for argon2id
constexpr const char* kSecretHashes[] = {
    "{SSHA}0CYEygsu+9vreP4bWDkOa2WZVl3lSgCD",
    "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
    "{SSHA256}0OMRyUU8K9cux8YXOH6uCqFX7VvUm/YIQclV7J0MVv9DLJR3oe8gVA==",
    "{SSHA512}N1C95lhdxpTj7eUPYlVWyW6BjdWc+xGriJsyvJ6y/"
    "v+bWI8Tz6bTkSSyFvWBo7Fu6a0stM5DViQlpfsBOVh5zw9/"
    "k3bxqZLC",
    "{SHA256}K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=",
    "{SHA512}vSsar3708Jvp9Szi2NWZZ02Bqp1qRCFpbcTZPdBhnWgs5WtNZKnvCXdhztmeD2cmW192CF5bDufKRpayrW/"
    "isg==",
    "{SSHA256}A7N1lAy5bBb4T6qH9e85zAvHBmzNPhRFbZ105DjjWDIBAgMEBQYHCA==",
    "{SSHA512}KO8EsMPQTwZrxxbOkDAOOXEeVCc2grMQg1pnZwZhC1bBQLby8zCmFn7qTZRvoTd+"
    "yQdROQQNYHWpTUST4zjTdQECAwQFBgcI",
    "{SSHA}/oZVgUPAvVKPZJoVO9wyuPqQMBxz",  // 1-byte salt
    "{CRYPT}$6$lPpTiIzL$u7vZxos5RUbM8JVqJzyXLjTM/"
    "jCR.AObR1QuCKCmCULwPZ4s4ZK19iex1ZPhJtwm04Zw9iL0mjTZQ7EL20An5/",
    "{CRYPT}$6$xyz$.93lutCQh7gdmqGUmc0pqsyIV6oV.yg/"
    "JdutjxPyVxVRhfQnlOaWqbPLlVr.r.CkGAEbx50p7atJLgFxm972z0",
    "{CRYPT}$5$xyz$ifvnqJEnDw1U3s4hNgRQfsh5KGcuIMh2ReetMWPfxY7",
    "{CRYPT}$5$rounds=10000$saltstring$Xu/H4oie/4H3iXm4Vw/vuJU.61Dbtiq.KxS0W5DDch3",
    "{CRYPT}$1$xyz$Qia9Wq6FxQkYcwNWMk/RM0",
    "{CRYPT}$1$saltsalt$9xy1btjgzLYfb7hivXtC//",
    "{CRYPT}$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a",
    "{CRYPT}$2y$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a",
    "{CRYPT}$y$j9T$abcdefgh$IUWJt2doU4Kf6E/JP1UkAT3S5O3Q7SSA8SJirXIlEu9",
    "{CRYPT}xy/gRonXQz8UE",
    "$argon2id$v=19$m=8,t=1,p=1$Wi4BVQrNGUhwBxiflEHW7g$eGAC30xf6l74Uu4xT7An2I4oCtKor94PPbZ914I+1cU",
    "{ARGON2}$argon2id$v=19$m=8,t=1,p=1$Wi4BVQrNGUhwBxiflEHW7g$"
    "eGAC30xf6l74Uu4xT7An2I4oCtKor94PPbZ914I+"
    "1cU",
};

constexpr const char* kArgon2idSecret =
    "$argon2id$v=19$m=8,t=1,p=1$Wi4BVQrNGUhwBxiflEHW7g$eGAC30xf6l74Uu4xT7An2I4oCtKor94PPbZ914I+1cU";
// slappasswd -o module-load=argon2.la -h {ARGON2} -s secret (Debian's module emits argon2i).
constexpr const char* kOpenLdapArgon2i =
    "{ARGON2}$argon2i$v=19$m=4096,t=3,p=1$VhoNlfp1nwYDytZ4eNW60A$DdEh0Sh/FD8B2/"
    "OUdsGyQK/pxxWjngnQivwQmIN/ZuU";

constexpr unsigned long long kTestOps = 1;
constexpr size_t kTestMem = 8192;  // libsodium's minimum: keeps each hash under a millisecond

class Password : public ::testing::Test {
  protected:
    void SetUp() override { set_argon2_cost(kTestOps, kTestMem); }
    void TearDown() override { set_argon2_cost(kTestOps, kTestMem); }
};

TEST_F(Password, SchemeFromPrefix) {
    EXPECT_EQ(password_scheme(kArgon2idSecret), PasswordScheme::argon2id);
    EXPECT_EQ(password_scheme("{ARGON2}$argon2id$v=19$..."), PasswordScheme::argon2id);
    EXPECT_EQ(password_scheme(kOpenLdapArgon2i), PasswordScheme::unknown);
    EXPECT_EQ(password_scheme("$argon2i$v=19$m=4096,t=3,p=1$x$y"), PasswordScheme::unknown);
    EXPECT_EQ(password_scheme("{SSHA}abc"), PasswordScheme::ssha);
    EXPECT_EQ(password_scheme("{ssha}abc"), PasswordScheme::ssha);
    EXPECT_EQ(password_scheme("{SHA}abc"), PasswordScheme::sha);
    EXPECT_EQ(password_scheme("{Sha256}abc"), PasswordScheme::sha256);
    EXPECT_EQ(password_scheme("{SSHA256}abc"), PasswordScheme::ssha256);
    EXPECT_EQ(password_scheme("{SHA512}abc"), PasswordScheme::sha512);
    EXPECT_EQ(password_scheme("{ssha512}abc"), PasswordScheme::ssha512);
    EXPECT_EQ(password_scheme("{CRYPT}$6$abc$def"), PasswordScheme::crypt);
    EXPECT_EQ(password_scheme("{crypt}xy/gRonXQz8UE"), PasswordScheme::crypt);
    EXPECT_EQ(password_scheme("$6$abc$def"), PasswordScheme::unknown);
    EXPECT_EQ(password_scheme("{MD5}abc"), PasswordScheme::unknown);
    EXPECT_EQ(password_scheme("secret"), PasswordScheme::unknown);
    EXPECT_EQ(password_scheme(""), PasswordScheme::unknown);
    EXPECT_EQ(password_scheme("{SSHA"), PasswordScheme::unknown);
    EXPECT_EQ(password_scheme_name(PasswordScheme::ssha512), "SSHA512");
    EXPECT_EQ(password_scheme_name(PasswordScheme::argon2id), "argon2id");
}

TEST_F(Password, VerifiesEverySchemeFromRealTools) {
    for (const char* stored : kSecretHashes) {
        EXPECT_TRUE(verify_password(stored, "secret")) << stored;
        EXPECT_FALSE(verify_password(stored, "Secret")) << stored;
        EXPECT_FALSE(verify_password(stored, "secret ")) << stored;
        EXPECT_FALSE(verify_password(stored, "secre")) << stored;
        EXPECT_FALSE(verify_password(stored, "")) << stored;
        EXPECT_FALSE(verify_password(stored, std::string_view("secret\0x", 8))) << stored;
    }
}

TEST_F(Password, SchemeTagsAreCaseInsensitive) {
    EXPECT_TRUE(verify_password("{ssha}0CYEygsu+9vreP4bWDkOa2WZVl3lSgCD", "secret"));
    EXPECT_TRUE(verify_password("{Sha}5en6G6MezRroT3XKqkdPOmY/BfQ=", "secret"));
    EXPECT_TRUE(verify_password("{crypt}$1$xyz$Qia9Wq6FxQkYcwNWMk/RM0", "secret"));
}

TEST_F(Password, SaltedSchemesUseTheSaltAfterTheDigest) {
    // Built here from the documented layout with a non-ASCII password and a 16-byte salt.
    const std::string plain = "p\xc3\xa4sswort";
    const std::string salt = "0123456789abcdef";
    EXPECT_TRUE(verify_password("{SSHA}" + base64_encode(sha1(plain + salt) + salt), plain));
    EXPECT_TRUE(verify_password("{SSHA256}" + base64_encode(sha256(plain + salt) + salt), plain));
    EXPECT_TRUE(verify_password("{SSHA512}" + base64_encode(sha512(plain + salt) + salt), plain));
    // The digest of the salt + password order must not verify.
    EXPECT_FALSE(verify_password("{SSHA}" + base64_encode(sha1(salt + plain) + salt), plain));
}

TEST_F(Password, EmptyPasswordNeverVerifies) {
    EXPECT_FALSE(verify_password("{SHA}" + base64_encode(sha1("")), ""));
    EXPECT_FALSE(verify_password(hash_password(""), ""));
}

TEST_F(Password, HashAndVerifyArgon2id) {
    const std::string stored = hash_password("correct horse");
    EXPECT_EQ(stored.rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0u) << stored;
    EXPECT_EQ(password_scheme(stored), PasswordScheme::argon2id);
    EXPECT_TRUE(verify_password(stored, "correct horse"));
    EXPECT_FALSE(verify_password(stored, "correct horsE"));
    EXPECT_NE(hash_password("correct horse"), stored);  // fresh salt each time
    const std::string binary("a\0b", 3);
    EXPECT_TRUE(verify_password(hash_password(binary), binary));
    EXPECT_FALSE(verify_password(hash_password(binary), "a"));
}

TEST_F(Password, HashWithDefaultCost) {
    set_argon2_cost(2, 64u << 20);  // libsodium INTERACTIVE, the production default
    const std::string stored = hash_password("secret");
    EXPECT_EQ(stored.rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << stored;
    EXPECT_TRUE(verify_password(stored, "secret"));
    EXPECT_FALSE(password_needs_rehash(stored));
    set_argon2_cost(kTestOps, kTestMem);
    EXPECT_TRUE(password_needs_rehash(stored));
}

TEST_F(Password, CostIsClampedToLibsodiumMinimum) {
    set_argon2_cost(0, 0);
    const std::string stored = hash_password("x");
    EXPECT_EQ(stored.rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0u) << stored;
}

TEST_F(Password, NeedsRehash) {
    EXPECT_FALSE(password_needs_rehash(kArgon2idSecret));
    EXPECT_FALSE(password_needs_rehash(hash_password("x")));
    set_argon2_cost(2, kTestMem);
    EXPECT_TRUE(password_needs_rehash(kArgon2idSecret));
    set_argon2_cost(kTestOps, 16384);
    EXPECT_TRUE(password_needs_rehash(kArgon2idSecret));
    set_argon2_cost(kTestOps, kTestMem);
    for (const char* stored : kSecretHashes)
        if (password_scheme(stored) != PasswordScheme::argon2id) {
            EXPECT_TRUE(password_needs_rehash(stored)) << stored;
        }
    // The tagged OpenLDAP form should be rewritten in canonical form.
    EXPECT_TRUE(password_needs_rehash(std::string("{ARGON2}") + kArgon2idSecret));
    EXPECT_TRUE(password_needs_rehash("$argon2id$garbage"));
    EXPECT_TRUE(password_needs_rehash(""));
    EXPECT_TRUE(password_needs_rehash("secret"));
}

TEST_F(Password, RejectsMalformedStoredValuesWithoutCrashing) {
    const std::string huge_cost =
        "$argon2id$v=19$m=4294967295,t=4294967295,p=1$Wi4BVQrNGUhwBxiflEHW7g$"
        "eGAC30xf6l74Uu4xT7An2I4oCtKor94PPbZ914I+1cU";
    const char* garbage[] = {
        "",
        "secret",
        "{",
        "{}",
        "{SSHA}",
        "{SSHA}=",
        "{SSHA}====",
        "{SSHA}!!!!",
        "{SSHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",  // 20 bytes: no salt
        "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ",    // unpadded
        "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=AAAA",
        "{SHA256}5en6G6MezRroT3XKqkdPOmY/BfQ=",  // SHA-1 length under a SHA-256 tag
        "{CRYPT}",
        "{CRYPT}$",
        "{CRYPT}$6$",
        "{CRYPT}$6$xyz$",
        "{CRYPT}$6$xyz$short",
        "{CRYPT}$2b$05$short",
        "{CRYPT}$2b$99$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a",
        "{CRYPT}$y$",
        "{CRYPT}$y$j9T$",
        "{CRYPT}$7$CU..../....abc$xyz",
        "{CRYPT}*0",
        "{CRYPT}!",
        "{CRYPT}xy",
        "{CRYPT}_J9..salt",
        "{CRYPT}$md5$abc$def",
        "$argon2id$",
        "$argon2id$v=19$",
        "$argon2id$v=19$m=8,t=1,p=1$$",
        "$argon2id$v=16$m=8,t=1,p=1$Wi4BVQrNGUhwBxiflEHW7g$eGAC30xf6l74Uu4xT7An2I4oCtKor94PPbZ914I+"
        "1cU",
        "$argon2id$v=19$m=8,t=0,p=1$Wi4BVQrNGUhwBxiflEHW7g$eGAC30xf6l74Uu4xT7An2I4oCtKor94PPbZ914I+"
        "1cU",
        "$argon2id$v=19$m=08,t=1,p=1$Wi4BVQrNGUhwBxiflEHW7g$"
        "eGAC30xf6l74Uu4xT7An2I4oCtKor94PPbZ914I+1cU",
        "$argon2id$v=19$m=8,t=1,p=1$Wi4BVQrNGUhwBxiflEHW7g$eGAC30xf6l74Uu4xT7An2I4oCtKor94PPbZ914I+"
        "1cU$",
        kOpenLdapArgon2i,
        "{MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==",
    };
    for (const char* stored : garbage)
        EXPECT_FALSE(verify_password(stored, "secret")) << stored;
    EXPECT_FALSE(verify_password(huge_cost, "secret"));
    EXPECT_FALSE(verify_password(std::string(100000, 'A'), "secret"));
    EXPECT_FALSE(verify_password("$argon2id$" + std::string(1000, 'x'), "secret"));
    EXPECT_FALSE(
        verify_password(std::string_view("{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\0", 34), "secret"));
}

// A stored value can come from an LDIF import: costs must be bounded before any hashing starts.
TEST_F(Password, RefusesAbsurdCostQuickly) {
    const char* expensive[] = {
        "{CRYPT}$6$rounds=999999999$xyz$.93lutCQh7gdmqGUmc0pqsyIV6oV.yg/"
        "JdutjxPyVxVRhfQnlOaWqbPLlVr."
        "r.CkGAEbx50p7atJLgFxm972z0",
        "{CRYPT}$2b$31$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a",
        "{CRYPT}$y$jzT$abcdefgh$IUWJt2doU4Kf6E/JP1UkAT3S5O3Q7SSA8SJirXIlEu9",
        "$argon2id$v=19$m=4194304,t=1,p=1$Wi4BVQrNGUhwBxiflEHW7g$"
        "eGAC30xf6l74Uu4xT7An2I4oCtKor94PPbZ914I+1cU",
        "$argon2id$v=19$m=8,t=100000,p=1$Wi4BVQrNGUhwBxiflEHW7g$"
        "eGAC30xf6l74Uu4xT7An2I4oCtKor94PPbZ914I+1cU",
    };
    const auto start = std::chrono::steady_clock::now();
    for (const char* stored : expensive) {
        EXPECT_FALSE(verify_password(stored, "secret")) << stored;
        EXPECT_FALSE(import_password(stored)) << stored;
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST_F(Password, RandomGarbageNeverVerifies) {
    std::mt19937 rng(7);
    const std::string prefixes[] = {"",
                                    "{SSHA}",
                                    "{SHA}",
                                    "{SSHA512}",
                                    "{CRYPT}",
                                    "{CRYPT}$6$",
                                    "{CRYPT}$2b$05$",
                                    "{CRYPT}$y$j9T$",
                                    "$argon2id$v=19$m=8,t=1,p=1$",
                                    "{ARGON2}$argon2id$"};
    const std::string charset =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=$.,{}";
    for (const auto& prefix : prefixes) {
        for (int i = 0; i < 300; ++i) {
            std::string s = prefix;
            const size_t len = rng() % 120;
            for (size_t j = 0; j < len; ++j)
                s.push_back(i % 2 ? static_cast<char>(rng()) : charset[rng() % charset.size()]);
            EXPECT_FALSE(verify_password(s, "secret")) << s;
            (void)password_needs_rehash(s);
            (void)password_scheme(s);
            if (auto r = import_password(s); r) {
                EXPECT_TRUE(verify_password(*r, s) || *r == s) << s;
            }
        }
    }
}

TEST_F(Password, ImportKeepsValidHashes) {
    for (const char* stored : kSecretHashes) {
        if (std::string_view(stored).rfind("{ARGON2}", 0) == 0) continue;
        auto r = import_password(stored);
        ASSERT_TRUE(r) << stored << ": " << r.error().message;
        EXPECT_EQ(*r, stored);
    }
    auto lower = import_password("{ssha}0CYEygsu+9vreP4bWDkOa2WZVl3lSgCD");
    ASSERT_TRUE(lower);
    EXPECT_EQ(*lower, "{ssha}0CYEygsu+9vreP4bWDkOa2WZVl3lSgCD");
}

TEST_F(Password, ImportStripsOpenLdapArgon2Tag) {
    auto r = import_password(std::string("{ARGON2}") + kArgon2idSecret);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, kArgon2idSecret);
    auto i = import_password(kOpenLdapArgon2i);
    ASSERT_FALSE(i);
    EXPECT_EQ(i.error().code, Errc::invalid_argument);
    EXPECT_NE(i.error().message.find("argon2id"), std::string::npos);
    EXPECT_FALSE(
        import_password("$argon2i$v=19$m=4096,t=3,p=1$VhoNlfp1nwYDytZ4eNW60A$"
                        "DdEh0Sh/FD8B2/OUdsGyQK/pxxWjngnQivwQmIN/ZuU"));
}

TEST_F(Password, ImportHashesPlainPasswords) {
    for (std::string_view plain : {"secret", "$6$notreallyahash", "{not a scheme}pw", "{SSHA",
                                   " spaces ", "p\xc3\xa4sswort"}) {
        auto r = import_password(plain);
        ASSERT_TRUE(r) << plain << ": " << r.error().message;
        EXPECT_EQ(password_scheme(*r), PasswordScheme::argon2id) << plain;
        EXPECT_TRUE(verify_password(*r, plain)) << plain;
    }
    for (std::string_view tagged : {"{CLEARTEXT}secret", "{cleartext}secret", "{CLEAR}secret"}) {
        auto r = import_password(tagged);
        ASSERT_TRUE(r) << tagged;
        EXPECT_TRUE(verify_password(*r, "secret")) << tagged;
    }
}

TEST_F(Password, ImportRejectsUnsupportedSchemesByName) {
    for (std::string_view scheme : {"MD5", "SMD5", "PBKDF2", "PBKDF2-SHA256", "SASL", "md5"}) {
        auto r = import_password("{" + std::string(scheme) + "}Xr4ilOzQ4PCOq3aQ0qbuaQ==");
        ASSERT_FALSE(r) << scheme;
        EXPECT_EQ(r.error().code, Errc::invalid_argument);
        EXPECT_NE(r.error().message.find("{" + std::string(scheme) + "}"), std::string::npos)
            << r.error().message;
    }
}

TEST_F(Password, ImportRejectsMalformedHashesAndEmptyValues) {
    const char* bad[] = {
        "",
        "{CLEARTEXT}",
        "{SHA}",
        "{SSHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",     // digest only, no salt
        "{SHA}0CYEygsu+9vreP4bWDkOa2WZVl3lSgCD",  // 24 bytes under an unsalted tag
        "{SSHA512}5en6G6MezRroT3XKqkdPOmY/BfQ=",
        "{SSHA}not base64",
        "{CRYPT}",
        "{CRYPT}$6$xyz$tooshort",
        "{CRYPT}$3$abc",
        "{CRYPT}$y$j9T$abc",
        "$argon2id$v=19$m=8,t=1,p=1$short$short",
        "$argon2id$v=19$m=8,t=1$Wi4BVQrNGUhwBxiflEHW7g$eGAC30xf6l74Uu4xT7An2I4oCtKor94PPbZ914I+1cU",
    };
    for (const char* value : bad) {
        auto r = import_password(value);
        EXPECT_FALSE(r) << value;
        if (!r) {
            EXPECT_EQ(r.error().code, Errc::invalid_argument) << value;
        }
    }
    EXPECT_FALSE(import_password(std::string_view("secret\0", 7)));
}

}  // namespace
}  // namespace sb::crypto
