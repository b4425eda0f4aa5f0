#include "mailbox/vcard/text_codec.hpp"
#include "vcard_test_util.hpp"

namespace sb::vcard::test {
namespace {

const mailbox::ContactFields kJohn = {
    {"firstName", "John"},
    {"lastName", "Smith"},
    {"fullName", "John Smith"},
    {"company", "Example, Inc."},
    {"department", "R&D"},
    {"jobTitle", "Engineer"},
    {"email", "john@example.com"},
    {"email2", "js@home.example"},
    {"workPhone", "+1 555 0100"},
    {"mobilePhone", "+1 555 0101"},
    {"homeStreet", "1 Main St\nApt 2"},
    {"homeCity", "Springfield"},
    {"homePostalCode", "12345"},
    {"workURL", "https://example.com/?q=a,b"},
    {"birthday", "1980-02-29"},
    {"anniversary", "--06-01"},
    {"spouse", "Jane"},
    {"notes", "Line 1\nLine 2; more"},
    {"categories", "VIP,Friends"},
    {"vcardUID", "abc-123"},
};

TEST(VcardWriter, Version3) {
    EXPECT_EQ(write(kJohn, Version::v3), crlf(R"(BEGIN:VCARD
VERSION:3.0
PRODID:-//Switchboard//vCard//EN
N:Smith;John;;;
FN:John Smith
ORG:Example\, Inc.;R&D
TITLE:Engineer
EMAIL;TYPE=internet,pref:john@example.com
EMAIL;TYPE=internet:js@home.example
TEL;TYPE=work,voice:+1 555 0100
TEL;TYPE=cell,voice:+1 555 0101
ADR;TYPE=home:;;1 Main St\nApt 2;Springfield;;12345;
URL;TYPE=work:https://example.com/?q=a,b
BDAY:1980-02-29
X-ANNIVERSARY:--06-01
X-SPOUSE:Jane
CATEGORIES:VIP,Friends
NOTE:Line 1\nLine 2\; more
UID:abc-123
END:VCARD
)"));
}

TEST(VcardWriter, Version4) {
    EXPECT_EQ(write(kJohn, Version::v4), crlf(R"(BEGIN:VCARD
VERSION:4.0
PRODID:-//Switchboard//vCard//EN
N:Smith;John;;;
FN:John Smith
ORG:Example\, Inc.;R&D
TITLE:Engineer
EMAIL;PREF=1:john@example.com
EMAIL:js@home.example
TEL;TYPE=work,voice:+1 555 0100
TEL;TYPE=cell,voice:+1 555 0101
ADR;TYPE=home:;;1 Main St\nApt 2;Springfield;;12345;
URL;TYPE=work:https://example.com/?q=a,b
BDAY:19800229
ANNIVERSARY:--0601
RELATED;TYPE=spouse;VALUE=text:Jane
CATEGORIES:VIP,Friends
NOTE:Line 1\nLine 2\; more
UID:abc-123
END:VCARD
)"));
}

TEST(VcardWriter, EveryPhoneAndAddressKind) {
    mailbox::ContactFields fields = {
        {"fullName", "P"},          {"workPhone", "1"},
        {"workPhone2", "2"},        {"homePhone", "3"},
        {"homePhone2", "4"},        {"mobilePhone", "5"},
        {"companyPhone", "6"},      {"workFax", "7"},
        {"homeFax", "8"},           {"pager", "9"},
        {"carPhone", "10"},         {"assistantPhone", "11"},
        {"otherPhone", "12"},       {"workCity", "W"},
        {"otherCountry", "O"},      {"homeURL", "h"},
        {"otherURL", "o"},          {"office", "B2, room 3"},
        {"assistantName", "Al"},    {"managerName", "Mo"},
        {"imAddress1", "xmpp:a@b"}, {"phoneticFirstName", "F"},
        {"nickname", "N, Jr"},
    };
    EXPECT_EQ(write(fields), crlf(R"(BEGIN:VCARD
VERSION:3.0
PRODID:-//Switchboard//vCard//EN
N:;;;;
FN:P
NICKNAME:N\, Jr
X-PHONETIC-FIRST-NAME:F
X-OFFICE-LOCATION:B2\, room 3
TEL;TYPE=work,voice:1
TEL;TYPE=work,voice:2
TEL;TYPE=home,voice:3
TEL;TYPE=home,voice:4
TEL;TYPE=cell,voice:5
TEL;TYPE=main:6
TEL;TYPE=work,fax:7
TEL;TYPE=home,fax:8
TEL;TYPE=pager:9
TEL;TYPE=car,voice:10
TEL;TYPE=voice,x-assistant:11
TEL;TYPE=voice:12
ADR;TYPE=work:;;;W;;;
ADR:;;;;;;O
URL;TYPE=home:h
URL:o
IMPP:xmpp:a@b
X-ASSISTANT:Al
X-MANAGER:Mo
END:VCARD
)"));
}

TEST(VcardWriter, SlotParameterOnlyAfterAGap) {
    std::string text = write({{"fullName", "x"},
                              {"email2", "b@x"},
                              {"email3", "c@x"},
                              {"homePhone2", "2"},
                              {"workPhone", "1"}});
    EXPECT_NE(text.find("EMAIL;TYPE=internet;X-SWITCHBOARD-SLOT=2:b@x\r\n"), std::string::npos);
    EXPECT_NE(text.find("EMAIL;TYPE=internet;X-SWITCHBOARD-SLOT=3:c@x\r\n"), std::string::npos);
    EXPECT_NE(text.find("TEL;TYPE=home,voice;X-SWITCHBOARD-SLOT=2:2\r\n"), std::string::npos);
    EXPECT_NE(text.find("TEL;TYPE=work,voice:1\r\n"), std::string::npos);
    // Other readers see plain properties; ours puts them back in their slots.
    EXPECT_EQ(field(parse_one(text), "email"), "<absent>");
    EXPECT_EQ(field(parse_one(text), "email3"), "c@x");
    EXPECT_EQ(field(parse_one(text), "homePhone2"), "2");
}

TEST(VcardWriter, DerivedFullName) {
    EXPECT_EQ(derive_full_name({{"namePrefix", "Dr."},
                                {"firstName", "Ann"},
                                {"middleName", "B."},
                                {"lastName", "Lee"},
                                {"nameSuffix", "PhD"},
                                {"company", "Co"}}),
              "Dr. Ann B. Lee PhD");
    EXPECT_EQ(derive_full_name({{"company", "Co"}, {"email", "a@x"}}), "Co");
    EXPECT_EQ(derive_full_name({{"email2", "b@x"}, {"notes", "n"}}), "b@x");
    EXPECT_EQ(derive_full_name({{"notes", "n"}}), "");

    std::string text = write({{"firstName", "Ann"}, {"lastName", "Lee"}});
    EXPECT_NE(text.find("\r\nFN;X-SWITCHBOARD-DERIVED=TRUE:Ann Lee\r\n"), std::string::npos);
    EXPECT_EQ(field(parse_one(text), "fullName"), "<absent>");
    EXPECT_NE(write({{"notes", "n"}}).find("\r\nFN;X-SWITCHBOARD-DERIVED=TRUE:\r\n"),
              std::string::npos);
    EXPECT_NE(write({{"fullName", "Ann Lee"}, {"firstName", "Ann"}, {"lastName", "Lee"}})
                  .find("\r\nFN:Ann Lee\r\n"),
              std::string::npos);
}

TEST(VcardWriter, DatesThatAreNotDatesAreText) {
    std::string v3 = write({{"birthday", "circa 1800, spring"}, {"anniversary", "19850412"}});
    EXPECT_NE(v3.find("BDAY;VALUE=text:circa 1800\\, spring\r\n"), std::string::npos);
    EXPECT_NE(v3.find("X-ANNIVERSARY;VALUE=text:19850412\r\n"), std::string::npos);
    std::string v4 = write({{"birthday", "--12-24"}}, Version::v4);
    EXPECT_NE(v4.find("BDAY:--1224\r\n"), std::string::npos);
}

TEST(VcardWriter, UriAndPhoneValuesKeepCommas) {
    std::string text = write({{"workPhone", "555,,123;ext=1\\2"}, {"homeURL", "http://x/a,b;c"}});
    EXPECT_NE(text.find("TEL;TYPE=work,voice:555,,123;ext=1\\\\2\r\n"), std::string::npos);
    EXPECT_NE(text.find("URL;TYPE=home:http://x/a,b;c\r\n"), std::string::npos);
}

TEST(VcardWriter, FoldsAt75OctetsWithoutSplittingUtf8) {
    std::string notes;
    for (int i = 0; i < 40; ++i)
        notes += "aé日😀";  // 1, 2, 3 and 4 byte sequences
    std::string text = write({{"fullName", "F"}, {"notes", notes}});
    size_t continuation_lines = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find("\r\n", pos);
        ASSERT_NE(end, std::string::npos) << "every line ends with CRLF";
        std::string_view line(text.data() + pos, end - pos);
        EXPECT_LE(line.size(), 75u);
        EXPECT_EQ(line.find('\n'), std::string_view::npos);
        if (line.starts_with(" ")) {
            ++continuation_lines;
            line.remove_prefix(1);
        }
        EXPECT_TRUE(detail::is_valid_utf8(line)) << "split inside a UTF-8 sequence";
        pos = end + 2;
    }
    EXPECT_GE(continuation_lines, 5u);
    EXPECT_EQ(field(parse_one(text), "notes"), notes);
}

TEST(VcardWriter, WriteAllConcatenatesCards) {
    std::vector<mailbox::ContactFields> all = {{{"fullName", "A"}}, {{"fullName", "B"}}};
    EXPECT_EQ(write_all(all), write(all[0]) + write(all[1]));
    EXPECT_EQ(write_all({}), "");
}

}  // namespace
}  // namespace sb::vcard::test
