#pragma once
// Helpers for the vCard tests: parse that must succeed, and sample files.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/vcard/vcard.hpp"
#include "test_support.hpp"

namespace sb::vcard::test {

// LF-separated text as CRLF, the way exporters write it.
inline std::string crlf(std::string_view lf_text) {
    std::string out;
    for (char c : lf_text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

inline std::vector<Card> parse_ok(std::string_view text) {
    auto cards = parse(text);
    EXPECT_TRUE(cards.has_value()) << (cards ? "" : cards.error().message);
    return cards ? std::move(*cards) : std::vector<Card>{};
}

inline Card parse_one(std::string_view text) {
    auto cards = parse_ok(text);
    EXPECT_EQ(cards.size(), 1u);
    return cards.empty() ? Card{} : std::move(cards.front());
}

// Wraps properties (LF-separated) in a 3.0 card.
inline std::string card3(std::string_view body) {
    return "BEGIN:VCARD\nVERSION:3.0\n" + std::string(body) + "END:VCARD\n";
}
inline std::string card4(std::string_view body) {
    return "BEGIN:VCARD\nVERSION:4.0\n" + std::string(body) + "END:VCARD\n";
}

inline std::string read_sample(std::string_view name) {
    std::ifstream in(sb::test::source_path("tests/unit/vcard/samples/" + std::string(name)),
                     std::ios::binary);
    EXPECT_TRUE(in.good()) << name;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline std::string field(const Card& card, std::string_view name) {
    auto it = card.fields.find(name);
    return it == card.fields.end() ? std::string("<absent>") : it->second;
}

}  // namespace sb::vcard::test
