#include "core/random.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <regex>
#include <set>

namespace sb::crypto {
namespace {

TEST(Random, BytesHaveRequestedLengthAndDiffer) {
    EXPECT_EQ(random_bytes(0), "");
    const std::string a = random_bytes(32), b = random_bytes(32);
    EXPECT_EQ(a.size(), 32u);
    EXPECT_NE(a, b);
    // Every byte value shows up in a large sample (a stuck bit would hide half of them).
    std::set<unsigned char> seen;
    for (unsigned char c : random_bytes(8192))
        seen.insert(c);
    EXPECT_EQ(seen.size(), 256u);
}

TEST(Random, PasswordAlphabetHasNoLookAlikes) {
    for (char c : std::string_view("0O1lI"))
        EXPECT_EQ(kPasswordAlphabet.find(c), std::string::npos) << c;
    EXPECT_EQ(kPasswordAlphabet.size(), 57u);
    EXPECT_EQ(std::set<char>(kPasswordAlphabet.begin(), kPasswordAlphabet.end()).size(), 57u);
}

TEST(Random, PasswordLengthAndAlphabet) {
    EXPECT_EQ(random_password().size(), 16u);
    EXPECT_EQ(random_password(0), "");
    const std::string p = random_password(64);
    EXPECT_EQ(p.size(), 64u);
    for (char c : p)
        EXPECT_NE(kPasswordAlphabet.find(c), std::string::npos) << c;
    EXPECT_NE(random_password(), random_password());
}

// Each of the 57 symbols must appear about equally often. A random byte reduced modulo 57 would
// give the first 256 % 57 = 28 symbols probability 5/256 and the others 4/256.
TEST(Random, PasswordSymbolsAreUniform) {
    constexpr size_t kPerSymbol = 20000;
    const size_t k = kPasswordAlphabet.size();
    const std::string sample = random_password(k * kPerSymbol);
    std::array<size_t, 256> counts{};
    for (unsigned char c : sample)
        ++counts[c];
    double chi2 = 0;
    size_t first_half = 0, second_half = 0;
    for (size_t i = 0; i < k; ++i) {
        const double n = counts[static_cast<unsigned char>(kPasswordAlphabet[i])];
        chi2 += (n - kPerSymbol) * (n - kPerSymbol) / kPerSymbol;
        (i < 28 ? first_half : second_half) += static_cast<size_t>(n);
    }
    // 56 degrees of freedom: P(chi2 > 110) < 1e-5.
    EXPECT_LT(chi2, 110.0);
    // Per-symbol frequency of the first 28 against the other 29; sigma here is about 0.2%.
    const double ratio =
        static_cast<double>(first_half) / 28 / (static_cast<double>(second_half) / 29);
    EXPECT_NEAR(ratio, 1.0, 0.01);
}

TEST(Random, IdIsShortLettersOnly) {
    const std::string id = random_id();
    EXPECT_EQ(id.size(), 5u);
    for (char c : id)
        EXPECT_TRUE(std::isalpha(static_cast<unsigned char>(c))) << id;
    std::set<char> seen;
    for (char c : random_id(5000)) {
        EXPECT_NE(kIdAlphabet.find(c), std::string::npos);
        seen.insert(c);
    }
    EXPECT_EQ(seen.size(), 52u);
}

TEST(Random, UuidV4CanonicalForm) {
    const std::regex form("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    std::set<std::string> seen;
    std::set<char> variants;
    for (int i = 0; i < 1000; ++i) {
        const std::string u = uuid_v4();
        ASSERT_TRUE(std::regex_match(u, form)) << u;
        variants.insert(u[19]);
        seen.insert(u);
    }
    EXPECT_EQ(seen.size(), 1000u);
    EXPECT_EQ(variants.size(), 4u);  // 8, 9, a, b all occur
}

}  // namespace
}  // namespace sb::crypto
