// Contacts between the mailbox's fields and the EAS Contacts code page (MS-ASCNTC): dates with
// and without a year, the rounding of a client's local midnight, and what a Change keeps.
#include <gtest/gtest.h>

#include "eas/sync/contact_codec.hpp"
#include "eas/wbxml/xml.hpp"

using namespace sb;
using namespace sb::eas;

namespace {

Result<mailbox::ContactFields> read(std::string_view inner) {
    auto body =
        wbxml::from_xml(std::string("<ApplicationData xmlns=\"AirSync:\" xmlns:c=\"Contacts:\">") +
                        std::string(inner) + "</ApplicationData>");
    EXPECT_TRUE(body) << body.error().message;
    auto doc = wbxml::decode_owned(*body);
    EXPECT_TRUE(doc);
    return read_contact(doc->root());
}

std::string birthday_in(std::string_view eas) {
    auto f = read("<c:Birthday>" + std::string(eas) + "</c:Birthday>");
    if (!f) return "error: " + f.error().message;
    return f->count("birthday") ? f->at("birthday") : "(none)";
}

std::string birthday_out(std::string_view stored) {
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(wbxml::cp::airsync::ApplicationData);
    write_contact(enc, {{"birthday", std::string(stored)}}, kV141, std::nullopt);
    enc.end();
    EXPECT_TRUE(enc.finish());
    auto doc = wbxml::decode(body).value();
    return std::string(doc.root().child_text(wbxml::cp::contacts::Birthday));
}

}  // namespace

TEST(ContactCodec, DatesGoOutAtUtcMidnight) {
    EXPECT_EQ(birthday_out("1980-02-29"), "1980-02-29T00:00:00.000Z");
    // MS-ASCNTC has no date without a year: phones use the leap year 1604 as the placeholder.
    EXPECT_EQ(birthday_out("--02-29"), "1604-02-29T00:00:00.000Z");
}

TEST(ContactCodec, LocalMidnightRoundsToTheNearestDay) {
    EXPECT_EQ(birthday_in("1980-02-29T00:00:00.000Z"), "1980-02-29");
    EXPECT_EQ(birthday_in("1980-02-29T05:00:00.000Z"), "1980-02-29");  // UTC-5 midnight
    EXPECT_EQ(birthday_in("1980-02-28T23:00:00.000Z"), "1980-02-29");  // UTC+1 midnight
    EXPECT_EQ(birthday_in("1999-12-31T22:00:00.000Z"), "2000-01-01");
    EXPECT_EQ(birthday_in("1980-02-29"), "1980-02-29");
}

TEST(ContactCodec, DatesWithoutAYearStayWithoutOne) {
    EXPECT_EQ(birthday_in("1604-07-14T00:00:00.000Z"), "--07-14");
    EXPECT_EQ(birthday_in("1604-02-28T23:00:00.000Z"), "--02-29");
    // Rounding across the new year must not give the placeholder year a successor.
    EXPECT_EQ(birthday_in("1604-12-31T23:00:00.000Z"), "--01-01");
}

TEST(ContactCodec, MalformedDatesAreRefused) {
    EXPECT_EQ(birthday_in("1980-02-30T00:00:00.000Z").rfind("error", 0), 0u);
    EXPECT_EQ(birthday_in("yesterday").rfind("error", 0), 0u);
    EXPECT_EQ(birthday_in("1981-02-29T00:00:00.000Z").rfind("error", 0), 0u);
}

TEST(ContactCodec, ChangeKeepsWhatEasCannotCarry) {
    mailbox::ContactFields server{
        {"firstName", "A"}, {"lastName", "B"}, {"otherPhone", "1"}, {"notes", "n"}};
    mailbox::ContactFields change{{"firstName", "C"}};
    auto merged = merge_change(server, change, std::nullopt);
    EXPECT_EQ(merged,
              (mailbox::ContactFields{{"firstName", "C"}, {"notes", "n"}, {"otherPhone", "1"}}));
    auto managed = merge_change(server, change, std::set<std::string>{"firstName", "notes"});
    EXPECT_EQ(managed,
              (mailbox::ContactFields{{"firstName", "C"}, {"lastName", "B"}, {"otherPhone", "1"}}));
}

TEST(ContactCodec, IllFormedUtf8BecomesReplacementCharacters) {
    // XML cannot carry these bytes: the values are patched into the encoded WBXML.
    auto read_bytes = [](std::string_view bytes) -> std::string {
        auto body = wbxml::from_xml(
            "<ApplicationData xmlns=\"AirSync:\" xmlns:c=\"Contacts:\"><c:FirstName>PLACEHOLDER"
            "</c:FirstName></ApplicationData>");
        EXPECT_TRUE(body);
        body->replace(body->find("PLACEHOLDER"), 11, bytes);
        auto doc = wbxml::decode_owned(*body);
        EXPECT_TRUE(doc);
        auto f = read_contact(doc->root());
        EXPECT_TRUE(f);
        return f && f->count("firstName") ? f->at("firstName") : "(none)";
    };
    const std::string fffd = "\xEF\xBF\xBD";
    EXPECT_EQ(read_bytes("Ren\xC3\xA9"), "Ren\xC3\xA9") << "well-formed text is kept";
    EXPECT_EQ(read_bytes("Ren\xE9"), "Ren" + fffd) << "Latin-1";
    EXPECT_EQ(read_bytes("a\xC0\xAF"
                         "b"),
              "a" + fffd + fffd + "b")
        << "overlong";
    EXPECT_EQ(read_bytes("\xED\xA0\x80"), fffd + fffd + fffd) << "surrogate";
    EXPECT_EQ(read_bytes("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd) << "above U+10FFFF";
    EXPECT_EQ(read_bytes("x\xE2\x82"), "x" + fffd) << "cut sequence";
    EXPECT_EQ(read_bytes("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80") << "4-byte character";
}
