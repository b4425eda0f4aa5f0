// Line ends, unfolding, groups, parameters, escapes and transfer encodings.
#include <gmock/gmock.h>

#include "mailbox/vcard/content_line.hpp"
#include "vcard_test_util.hpp"

namespace sb::vcard::test {
namespace {

using detail::ContentLine;
using detail::LogicalLine;

ContentLine content_line(std::string_view text) {
    auto cl = detail::parse_content_line(LogicalLine{1, std::string(text)});
    EXPECT_TRUE(cl.has_value()) << (cl ? "" : cl.error().message);
    return cl ? *cl : ContentLine{};
}

std::vector<std::string> values(const ContentLine& cl, std::string_view name) {
    auto v = cl.param_values(name);
    return {v.begin(), v.end()};
}

TEST(VcardContentLine, GroupNameParametersValue) {
    auto cl = content_line("Item1.tel;type=WORK,voice;Type=pref;x-a=\"q:u;o,t\":+1 555;ext=2");
    EXPECT_EQ(cl.group, "item1");
    EXPECT_EQ(cl.name, "TEL");
    EXPECT_THAT(values(cl, "TYPE"), ::testing::ElementsAre("WORK", "voice", "pref"));
    EXPECT_THAT(values(cl, "X-A"), ::testing::ElementsAre("q:u;o,t"));
    EXPECT_EQ(cl.value, "+1 555;ext=2");
}

TEST(VcardContentLine, BareParametersAreTypesOrEncodings) {
    auto cl = content_line("TEL;WORK;VOICE;;QUOTED-PRINTABLE;CHARSET=UTF-8:1");
    EXPECT_THAT(values(cl, "TYPE"), ::testing::ElementsAre("WORK", "VOICE"));
    EXPECT_THAT(values(cl, "ENCODING"), ::testing::ElementsAre("QUOTED-PRINTABLE"));
    EXPECT_THAT(values(cl, "CHARSET"), ::testing::ElementsAre("UTF-8"));
}

TEST(VcardContentLine, ValueKeepsEverythingAfterTheFirstColon) {
    EXPECT_EQ(content_line("URL:http://x:8080/a").value, "http://x:8080/a");
    EXPECT_EQ(content_line("NOTE:").value, "");
    EXPECT_EQ(content_line("NOTE:  spaced  ").value, "  spaced  ");
    EXPECT_EQ(content_line("X-A;P=\"a:b\":c").value, "c");
}

TEST(VcardLines, LineEndingsAreEquivalent) {
    std::string lf = card3("FN:A\nNOTE:x\\ny\n");
    for (std::string text : {lf, crlf(lf)}) {
        EXPECT_EQ(field(parse_one(text), "notes"), "x\ny");
    }
    std::string cr = lf;
    for (char& c : cr)
        if (c == '\n') c = '\r';
    EXPECT_EQ(field(parse_one(cr), "notes"), "x\ny");
    EXPECT_EQ(field(parse_one("BEGIN:VCARD\r\nVERSION:3.0\nFN:A\rEND:VCARD"), "fullName"), "A");
}

TEST(VcardLines, Unfolding) {
    // RFC 6350 3.2: CRLF followed by one space or tab is removed; further whitespace stays.
    Card c =
        parse_one(crlf(card3("NOTE:This is a long\n  description\n\t that exists\n"
                             "F\n N:Fol\n ded\nTE\n L;TYPE=ce\n ll:12\n 3\n")));
    EXPECT_EQ(field(c, "notes"), "This is a long description that exists");
    EXPECT_EQ(field(c, "fullName"), "Folded");
    EXPECT_EQ(field(c, "mobilePhone"), "123");
    // A fold may split a UTF-8 sequence; unfolding joins the bytes again.
    EXPECT_EQ(field(parse_one(card3("FN:caf\xC3\n \xA9\n")), "fullName"), "café");
}

TEST(VcardLines, BlankAndWhitespaceLinesAreSkipped) {
    Card c = parse_one("\n\r\n  \nBEGIN:VCARD\n\nVERSION:3.0\n \t\nFN:A\n\nEND:VCARD\n\n");
    EXPECT_EQ(c.fields, (mailbox::ContactFields{{"fullName", "A"}}));
    EXPECT_EQ(c.line, 4u);
}

TEST(VcardLines, ByteOrderMark) {
    Card c = parse_one("\xEF\xBB\xBF" + card3("FN:A\n"));
    EXPECT_EQ(field(c, "fullName"), "A");
    EXPECT_EQ(c.line, 1u);
}

TEST(VcardLines, NamesAndParametersAreCaseInsensitive) {
    Card c = parse_one(
        "begin:vcard\nversion:3.0\nfn:a\ntel;type=WORK:1\nTel;Type=Home;TYPE=Fax:2\n"
        "Email;PREF=1:x@y\nend:VCARD\n");
    EXPECT_EQ(c.fields,
              (mailbox::ContactFields{
                  {"fullName", "a"}, {"workPhone", "1"}, {"homeFax", "2"}, {"email", "x@y"}}));
}

TEST(VcardLines, GroupsAreIgnoredExceptForLabels) {
    Card c =
        parse_one(card3("item1.EMAIL:a@x\nITEM2.TEL:1\nitem2.X-ABLabel:work\n"
                        "item3.TEL:2\nitem3.X-ABLabel:_$!<Mobile>!$_\n"));
    EXPECT_EQ(c.fields,
              (mailbox::ContactFields{{"email", "a@x"}, {"workPhone", "1"}, {"mobilePhone", "2"}}));
}

TEST(VcardLines, Escapes) {
    Card c = parse_one(card3("NOTE:a\\nb\\Nc\\,d\\;e\\\\f\\:g\\th\\\n"));
    // \t is no vCard escape: kept as written, like a Windows path.
    EXPECT_EQ(field(c, "notes"), "a\nb\nc,d;e\\f:g\\th\\");
    EXPECT_EQ(field(parse_one(card3("FN:C:\\\\temp\\\\new\n")), "fullName"), "C:\\temp\\new");
}

TEST(VcardLines, Version21EscapesOnlySemicolons) {
    Card c = parse_one(
        "BEGIN:VCARD\nVERSION:2.1\nN:Smith\\;Jones;Ann,Marie;;;\nNOTE:C:\\new\\n, ok\nEND:VCARD\n");
    EXPECT_EQ(field(c, "lastName"), "Smith;Jones");
    EXPECT_EQ(field(c, "firstName"), "Ann,Marie");  // 2.1 has no list values
    EXPECT_EQ(field(c, "notes"), "C:\\new\\n, ok");
}

TEST(VcardLines, StructuredValues) {
    Card c = parse_one(
        card3("N:O\\;Brien;Mary,Ann;Q;Dr.,Prof.;\nORG:ABC\\, Inc.;North America;Marketing\n"));
    EXPECT_EQ(c.fields, (mailbox::ContactFields{{"lastName", "O;Brien"},
                                                {"firstName", "Mary Ann"},
                                                {"middleName", "Q"},
                                                {"namePrefix", "Dr. Prof."},
                                                {"company", "ABC, Inc."},
                                                {"department", "North America, Marketing"}}));
    // Fewer components than the RFC lists, and more (RFC 9554 adds two to N).
    EXPECT_EQ(parse_one(card3("N:Solo\n")).fields, (mailbox::ContactFields{{"lastName", "Solo"}}));
    EXPECT_EQ(parse_one(card4("N:L;F;;;;extra;more\n")).fields,
              (mailbox::ContactFields{{"lastName", "L"}, {"firstName", "F"}}));
}

TEST(VcardLines, QuotedPrintable) {
    // Soft line breaks with and without a leading space on the next line; "=\n " keeps the space.
    Card c = parse_one(
        crlf(card3("NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Gr=C3=BC=C3=9Fe=0D=0Aaus =\n"
                   " Wien=\n=2C lieber=3Dgut\nFN;QUOTED-PRINTABLE:A=3DB=\n")));
    EXPECT_EQ(field(c, "notes"), "Grüße\naus  Wien, lieber=gut");
    EXPECT_EQ(field(c, "fullName"), "A=B");
    // Broken escapes are kept literally.
    EXPECT_EQ(field(parse_one(card3("NOTE;ENCODING=QUOTED-PRINTABLE:100=% =ZZ\n")), "notes"),
              "100=% =ZZ");
    // A trailing '=' does not swallow END:VCARD.
    EXPECT_EQ(field(parse_one(card3("NOTE;ENCODING=QUOTED-PRINTABLE:x=\n")), "notes"), "x");
}

TEST(VcardLines, LegacyCharsets) {
    Card c =
        parse_one(card3("FN;CHARSET=ISO-8859-1:Jos\xE9\nNOTE;CHARSET=windows-1252:\x93hi\x94 \x80\n"
                        "NICKNAME;CHARSET=Shift_JIS:plain ascii\n"));
    EXPECT_EQ(field(c, "fullName"), "José");
    EXPECT_EQ(field(c, "notes"), "\u201chi\u201d \u20ac");
    EXPECT_EQ(field(c, "nickname"), "plain ascii");  // valid UTF-8 whatever the label says
}

TEST(VcardLines, Version21WithoutCharsetFallsBackToWindows1252) {
    Card c = parse_one(
        "BEGIN:VCARD\nVERSION:2.1\nFN:Ren\xE9"
        "e\nNOTE:Ren\xC3\xA9"
        "e\nEND:VCARD\n");
    EXPECT_EQ(field(c, "fullName"), "Renée");
    EXPECT_EQ(field(c, "notes"), "Renée");  // valid UTF-8 stays as it is
    auto v3 =
        parse(card3("FN:Ren\xE9"
                    "e\n"));
    ASSERT_FALSE(v3.has_value());
    EXPECT_EQ(v3.error().message, "line 3: FN is not valid UTF-8");
}

TEST(VcardLines, Base64) {
    Card c =
        parse_one(card3("NOTE;ENCODING=b:SGVsbG8sIFdvcmxk\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ\n"
                        " SkZJRgABAQ==\nFN;ENCODING=BASE64:QQ==\n"));
    EXPECT_EQ(field(c, "notes"), "Hello, World");
    EXPECT_EQ(field(c, "fullName"), "A");
    EXPECT_THAT(c.ignored, ::testing::ElementsAre("PHOTO"));
}

TEST(VcardLines, Version21Base64BlockEndsAtBlankLine) {
    Card c = parse_one(
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:A\r\nPHOTO;ENCODING=BASE64;TYPE=GIF:\r\n"
        "R0lGODdhfgA4AOYAAAAAAK+vr62trVIxa6WlpZ+fnzEpCEpzlAha/0Kc74+PjyGM\r\n"
        "SuecKRhrtX9/fzExORBSjCEYCGtra2NjYyF7nDGE50JrhAg51qWtOTl7vee1MWu1\r\n"
        "\r\nTEL;HOME:1\r\nEND:VCARD\r\n");
    EXPECT_EQ(c.fields, (mailbox::ContactFields{{"fullName", "A"}, {"homePhone", "1"}}));
    EXPECT_THAT(c.ignored, ::testing::ElementsAre("PHOTO"));
}

TEST(VcardLines, Version21AgentCardIsSkipped) {
    auto cards = parse_ok(
        "BEGIN:VCARD\nVERSION:2.1\nFN:Boss\nAGENT:\nBEGIN:VCARD\nVERSION:2.1\nFN:Secretary\n"
        "TEL:1\nEND:VCARD\nTEL;WORK:2\nEND:VCARD\n");
    ASSERT_EQ(cards.size(), 1u);
    EXPECT_EQ(cards[0].fields, (mailbox::ContactFields{{"fullName", "Boss"}, {"workPhone", "2"}}));
    EXPECT_THAT(cards[0].ignored, ::testing::ElementsAre("AGENT"));
    // vCard 3.0 AGENT carries the card as an escaped text value.
    Card c = parse_one(card3("FN:Boss\nAGENT:BEGIN:VCARD\\nFN:Sec\\nEND:VCARD\n"));
    EXPECT_EQ(c.fields, (mailbox::ContactFields{{"fullName", "Boss"}}));
}

TEST(VcardLines, VersionMayComeLaterIn30) {
    Card c = parse_one("BEGIN:VCARD\nN:O\\;B;;;;\nVERSION:3.0\nEND:VCARD\n");
    EXPECT_EQ(field(c, "lastName"), "O;B");
    Card v21 = parse_one("BEGIN:VCARD\nN:C:\\new;;;;\nVERSION:2.1\nEND:VCARD\n");
    EXPECT_EQ(field(v21, "lastName"), "C:\\new");  // unescaped by the card's own version
}

}  // namespace
}  // namespace sb::vcard::test
