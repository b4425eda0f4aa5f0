// Every error names its line, so an admin can fix the file; nothing is returned on error.
#include "vcard_test_util.hpp"

namespace sb::vcard::test {
namespace {

struct ErrorCase {
    const char* name;
    std::string input;
    std::string message;
};

void expect_error(std::string_view input, std::string_view message, Errc code = Errc::parse_error,
                  const Limits& limits = {}) {
    auto cards = parse(input, limits);
    ASSERT_FALSE(cards.has_value()) << "parsed: " << input;
    EXPECT_EQ(cards.error().message, message) << input;
    EXPECT_EQ(cards.error().code, code) << input;
}

TEST(VcardErrors, Structure) {
    const std::vector<ErrorCase> cases = {
        {"end missing at eof", "BEGIN:VCARD\nVERSION:3.0\nFN:x\n",
         "line 3: END:VCARD missing for card started at line 1"},
        {"end missing before next card",
         "BEGIN:VCARD\nVERSION:3.0\nFN:a\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:b\n"
         "BEGIN:VCARD\nVERSION:3.0\nFN:c\nEND:VCARD\n",
         "line 8: END:VCARD missing for card started at line 5"},
        {"end without begin", "BEGIN:VCARD\nVERSION:3.0\nFN:a\nEND:VCARD\nEND:VCARD\n",
         "line 5: END:VCARD without BEGIN:VCARD"},
        {"version missing", "BEGIN:VCARD\nFN:a\nN:a;;;;\nEND:VCARD\n",
         "line 4: VERSION missing in card started at line 1"},
        {"version unsupported", "BEGIN:VCARD\nFN:a\nVERSION:5.0\nEND:VCARD\n",
         "line 3: VERSION 5.0 is not supported (3.0 and 4.0 are, 2.1 is read best-effort)"},
        {"property outside card", "FN:a\nBEGIN:VCARD\nVERSION:3.0\nEND:VCARD\n",
         "line 1: FN outside a card (BEGIN:VCARD expected)"},
        {"between cards", card3("FN:a\n") + "\nNOTE:stray\n" + card3("FN:b\n"),
         "line 6: NOTE outside a card (BEGIN:VCARD expected)"},
        {"not a vcard", "Name,Email\nJohn,john@example.com\n", "line 1: BEGIN:VCARD expected"},
        {"icalendar", "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n",
         "line 1: BEGIN:VCALENDAR where BEGIN:VCARD was expected"},
        {"empty", "", "no vCard found (BEGIN:VCARD missing)"},
        {"blank", "\r\n  \r\n\t\n", "no vCard found (BEGIN:VCARD missing)"},
        {"utf16",
         std::string("\xFF\xFE"
                     "B\0E\0",
                     6),
         "line 1: the file is UTF-16; save it as UTF-8"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        expect_error(c.input, c.message);
    }
}

TEST(VcardErrors, ContentLines) {
    const std::vector<ErrorCase> cases = {
        {"no colon", card3("FN John\n"), "line 3: property without ':' (FN John)"},
        {"bad name", card3("FN X:John\n"), "line 3: invalid property name 'FN X'"},
        {"bad group", card3("it em.FN:John\n"), "line 3: invalid group name 'it em'"},
        {"empty name", card3(":John\n"), "line 3: property name missing before ':'"},
        {"unterminated quote", card3("TEL;TYPE=\"work:1\n"),
         "line 3: unterminated quoted value of parameter TYPE"},
        {"colon only inside quotes", card3("TEL;X-A=\"a:b\"\n"), "line 3: property without ':'"},
        {"stray quote", card3("TEL;TYPE=wo\"rk\":1\n"), "line 3: stray '\"' in parameter TYPE"},
        {"junk after quote", card3("TEL;TYPE=\"work\"x:1\n"),
         "line 3: unexpected 'x' after the value of parameter TYPE"},
        {"parameter without name", card3("TEL;=work:1\n"),
         "line 3: parameter without a name before '='"},
        {"invalid utf8", card3("FN:a\nNOTE:caf\xE9\n"), "line 4: NOTE is not valid UTF-8"},
        {"overlong utf8", card3("FN:\xC0\xAF\n"), "line 3: FN is not valid UTF-8"},
        {"unsupported charset", card3("NOTE;CHARSET=SHIFT_JIS:\x82\xA0\n"),
         "line 3: NOTE has CHARSET=SHIFT_JIS, which is not supported (use UTF-8)"},
        {"qp to invalid utf8", card3("NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:=E9t=E9\n"),
         "line 3: NOTE is not valid UTF-8"},
        {"bad base64", card3("NOTE;ENCODING=b:SGVsbG8*\n"), "line 3: NOTE has invalid base64 data"},
        {"nested card without agent", card3("FN:a\nBEGIN:VCARD\n"),
         "line 4: END:VCARD missing for card started at line 1"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        expect_error(c.input, c.message);
    }
}

// Physical line numbers count every CRLF, LF or lone CR; a folded property reports its first line.
TEST(VcardErrors, LineNumbersCountPhysicalLines) {
    expect_error("BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:a\r\n b\r\n c\r\nFN John\r\nEND:VCARD\r\n",
                 "line 6: property without ':' (FN John)");
    expect_error("BEGIN:VCARD\rVERSION:3.0\r\rNOTE:a\r b\rFN John\rEND:VCARD\r",
                 "line 6: property without ':' (FN John)");
    expect_error("\xEF\xBB\xBF\n\nBEGIN:VCARD\nVERSION:3.0\nNOTE:x\n y\nNOTE:\xFF\nEND:VCARD\n",
                 "line 7: NOTE is not valid UTF-8");
    // Bytes that are not UTF-8 are shown as '?': messages end up in JSON and terminals.
    expect_error("BEGIN:VCARD\nVERSION:3.0\nNOTE:x\n\xFF\xFE\n z\nEND:VCARD\n",
                 "line 4: property without ':' (??z)");
    expect_error(
        "BEGIN:VCARD\nVERSION:3.0\nNOTE:x\n\x01"
        "caf\xC3\xA9\nEND:VCARD\n",
        "line 4: property without ':' (?caf\xC3\xA9)");
}

// Data that is not mapped is not decoded, so it cannot fail the import.
TEST(VcardErrors, IgnoredPropertiesAreNotDecoded) {
    Card c = parse_one(card3("FN:a\nPHOTO;ENCODING=b:***not base64***\nX-FOO:\xFF\xFE\n"));
    EXPECT_EQ(c.ignored, (std::vector<std::string>{"PHOTO", "X-FOO"}));
}

TEST(VcardErrors, OneBadCardFailsTheWholeFile) {
    expect_error(card3("FN:a\n") + card3("FN:b\n") + card3("NOTE:\xFF\n"),
                 "line 11: NOTE is not valid UTF-8");
}

TEST(VcardLimits, InputSize) {
    std::string text = card3("FN:a\n");
    Limits limits;
    limits.max_bytes = text.size() - 1;
    expect_error(text,
                 "input of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                     std::to_string(text.size() - 1) + " bytes",
                 Errc::limit_exceeded, limits);
    limits.max_bytes = text.size();
    EXPECT_TRUE(parse(text, limits).has_value());
}

TEST(VcardLimits, PhysicalLineLength) {
    Limits limits;
    limits.max_line_length = 20;
    std::string ok = card3("NOTE:123456789012345\n");  // 20 bytes
    EXPECT_TRUE(parse(ok, limits).has_value());
    expect_error(card3("NOTE:1234567890123456\n"), "line 3: line longer than 20 bytes",
                 Errc::limit_exceeded, limits);
    // A continuation line is measured on its own.
    expect_error(card3("NOTE:1\n 12345678901234567890\n"), "line 4: line longer than 20 bytes",
                 Errc::limit_exceeded, limits);
}

TEST(VcardLimits, UnfoldedPropertyLength) {
    Limits limits;
    limits.max_value_bytes = 30;
    std::string folded = "NOTE:0123456789\n 0123456789\n 012345\n";  // 31 bytes unfolded
    expect_error(card3(folded), "line 3: property longer than 30 bytes", Errc::limit_exceeded,
                 limits);
    EXPECT_TRUE(parse(card3("NOTE:0123456789\n 0123456789\n 01234\n"), limits));
    expect_error(card3("NOTE:01234567890123456789012345\n"),
                 "line 3: property longer than 30 bytes", Errc::limit_exceeded, limits);
    // Quoted-printable soft breaks and 2.1 base64 lines count too.
    expect_error(card3("NOTE;ENCODING=QUOTED-PRINTABLE:0123=\n456789=\n0123456789\n"),
                 "line 3: property longer than 30 bytes", Errc::limit_exceeded, limits);
}

TEST(VcardLimits, Cards) {
    Limits limits;
    limits.max_cards = 2;
    std::string two = card3("FN:a\n") + card3("FN:b\n");
    EXPECT_TRUE(parse(two, limits).has_value());
    expect_error(two + card3("FN:c\n"), "line 9: more than 2 cards", Errc::limit_exceeded, limits);
}

TEST(VcardLimits, PropertiesPerCard) {
    Limits limits;
    limits.max_properties_per_card = 3;  // VERSION counts
    EXPECT_TRUE(parse(card3("FN:a\nN:a;;;;\n"), limits).has_value());
    expect_error(card3("FN:a\nN:a;;;;\nNOTE:x\n"),
                 "line 5: card started at line 1 has more than 3 properties", Errc::limit_exceeded,
                 limits);
    // Per card, not per file.
    EXPECT_TRUE(parse(card3("FN:a\nN:a;;;;\n") + card3("FN:a\nN:a;;;;\n"), limits).has_value());
}

TEST(VcardLimits, AgentNesting) {
    std::string nested = "BEGIN:VCARD\nVERSION:2.1\nFN:a\nAGENT:\n";
    for (int i = 0; i < 5; ++i)
        nested += "BEGIN:VCARD\nVERSION:2.1\nAGENT:\n";
    expect_error(nested, "line 17: AGENT cards nested too deeply");
}

}  // namespace
}  // namespace sb::vcard::test
