// Property: parse(write(fields, v)) == fields for random field sets over the whole vocabulary.
#include <random>

#include "mailbox/vcard/text_codec.hpp"
#include "vcard_test_util.hpp"

namespace sb::vcard::test {
namespace {

// Pieces chosen to hit every escape, separator, folding and UTF-8 boundary case; "\r" is left
// out on purpose (vCard cannot carry it; see RoundTrip.CarriageReturnBecomesNewline).
const std::vector<std::string> kPieces = {
    "a",
    "Zz",
    "0",
    " ",
    "  ",
    "\t",
    ",",
    ";",
    ":",
    "\\",
    "\\n",
    "\\,",
    "\n",
    "\n\n",
    "=",
    "=0D",
    "=\n",
    "\"",
    "'",
    "^",
    "é",
    "ß",
    "日本語",
    "😀",
    "\xE2\x80\xA8",
    "tel:",
    "--",
    "1985-04-12",
    "--04-12",
    "19850412",
    "_$!<Other>!$_",
    "BEGIN:VCARD",
    "END:VCARD",
    "item1.",
    "x@y.example",
    "+1 (555) 010-0199",
    ",,",
    ";;",
    "\\\\",
    "TYPE=work",
    "\x01",
    "\x7F",
};

std::string random_value(std::mt19937& rng) {
    size_t count = rng() % 10 == 0 ? 60 : 1 + rng() % 8;  // some long enough to fold often
    std::string value;
    for (size_t i = 0; i < count; ++i)
        value += kPieces[rng() % kPieces.size()];
    return value;
}

mailbox::ContactFields random_fields(std::mt19937& rng) {
    mailbox::ContactFields fields;
    std::bernoulli_distribution present(rng() % 2 ? 0.2 : 0.7);
    for (auto name : mailbox::kAllContactFields) {
        if (!present(rng)) continue;
        std::string value = random_value(rng);
        if ((name == mailbox::field::kBirthday || name == mailbox::field::kAnniversary) &&
            rng() % 2)
            value = rng() % 2 ? "1999-12-31" : "--02-29";
        fields[std::string(name)] = value;
    }
    return fields;
}

TEST(VcardRoundTrip, RandomFieldSets) {
    std::mt19937 rng(20240601);
    for (int i = 0; i < 3000; ++i) {
        auto fields = random_fields(rng);
        for (auto version : {Version::v3, Version::v4}) {
            std::string text = write(fields, version);
            auto cards = parse(text);
            ASSERT_TRUE(cards.has_value()) << cards.error().message << "\n" << text;
            ASSERT_EQ(cards->size(), 1u);
            ASSERT_EQ(cards->front().fields, fields) << text;
            ASSERT_TRUE(cards->front().ignored.empty()) << text;
        }
    }
}

TEST(VcardRoundTrip, EveryFieldAlone) {
    for (auto name : mailbox::kAllContactFields) {
        for (const std::string value : {"x", " lead and trail ", "a,b;c\\d\ne", "日本 😀"}) {
            mailbox::ContactFields fields{{std::string(name), value}};
            for (auto version : {Version::v3, Version::v4})
                EXPECT_EQ(parse_one(write(fields, version)).fields, fields) << name;
        }
    }
}

TEST(VcardRoundTrip, ManyCardsInOneFile) {
    std::mt19937 rng(7);
    std::vector<mailbox::ContactFields> all;
    for (int i = 0; i < 200; ++i)
        all.push_back(random_fields(rng));
    for (auto version : {Version::v3, Version::v4}) {
        auto cards = parse_ok(write_all(all, version));
        ASSERT_EQ(cards.size(), all.size());
        for (size_t i = 0; i < all.size(); ++i)
            EXPECT_EQ(cards[i].fields, all[i]);
    }
}

TEST(VcardRoundTrip, EmptyValuesAreNotWritten) {
    mailbox::ContactFields fields{{"firstName", ""}, {"email2", ""}, {"notes", "n"}};
    Card card = parse_one(write(fields));
    EXPECT_EQ(card.fields, (mailbox::ContactFields{{"notes", "n"}}));
}

TEST(VcardRoundTrip, CarriageReturnBecomesNewline) {
    mailbox::ContactFields fields{{"notes", "one\r\ntwo\rthree"}};
    EXPECT_EQ(field(parse_one(write(fields)), "notes"), "one\ntwo\nthree");
}

TEST(VcardRoundTrip, UnknownFieldNamesAreSkipped) {
    mailbox::ContactFields fields{{"fullName", "A"}, {"zimbraSomething", "x"}};
    EXPECT_EQ(parse_one(write(fields)).fields, (mailbox::ContactFields{{"fullName", "A"}}));
}

}  // namespace
}  // namespace sb::vcard::test
