// Which vCard property lands in which contact field.
#include <gmock/gmock.h>

#include "vcard_test_util.hpp"

namespace sb::vcard::test {
namespace {

using ::testing::ElementsAre;
using Fields = mailbox::ContactFields;

TEST(VcardMapping, PhoneTypes) {
    struct Case {
        const char* tel;
        const char* field;
    };
    const Case cases[] = {
        {"TEL;TYPE=cell", "mobilePhone"},
        {"TEL;TYPE=CELL,VOICE", "mobilePhone"},
        {"TEL;TYPE=iphone", "mobilePhone"},
        {"TEL;TYPE=work,cell", "mobilePhone"},
        {"TEL;TYPE=fax,work", "workFax"},
        {"TEL;TYPE=fax", "workFax"},
        {"TEL;TYPE=fax;TYPE=home", "homeFax"},
        {"TEL;HOME;FAX", "homeFax"},
        {"TEL;TYPE=pager", "pager"},
        {"TEL;TYPE=car", "carPhone"},
        {"TEL;TYPE=work", "workPhone"},
        {"TEL;WORK;VOICE", "workPhone"},
        {"TEL;TYPE=\"work,voice\"", "workPhone"},
        {"TEL;TYPE=home", "homePhone"},
        {"TEL;TYPE=main", "companyPhone"},
        {"TEL;TYPE=work,main", "companyPhone"},
        {"TEL;TYPE=x-evolution-company", "companyPhone"},
        {"TEL;TYPE=x-assistant", "assistantPhone"},
        {"TEL;TYPE=X-EVOLUTION-ASSISTANT", "assistantPhone"},
        {"TEL", "otherPhone"},
        {"TEL;TYPE=voice", "otherPhone"},
        {"TEL;TYPE=other", "otherPhone"},
        {"TEL;TYPE=isdn,msg", "otherPhone"},
        {"TEL;TYPE=pref", "otherPhone"},
    };
    for (const auto& c : cases) {
        Card card = parse_one(card3(std::string(c.tel) + ":+1 555\n"));
        EXPECT_EQ(card.fields, (Fields{{c.field, "+1 555"}})) << c.tel;
    }
}

TEST(VcardMapping, PhoneSlotsPreferenceAndOverflow) {
    Card c =
        parse_one(card3("TEL;TYPE=work:1\nTEL;TYPE=work:2\nTEL;TYPE=work;TYPE=pref:3\n"
                        "TEL;TYPE=work:4\nTEL;TYPE=cell:5\nTEL;TYPE=cell:6\n"));
    // pref first, then file order; the third work number becomes "other", the rest is dropped.
    EXPECT_EQ(
        c.fields,
        (Fields{
            {"workPhone", "3"}, {"workPhone2", "1"}, {"otherPhone", "2"}, {"mobilePhone", "5"}}));
    EXPECT_THAT(c.ignored, ElementsAre("TEL"));
    Card v4 =
        parse_one(card4("TEL;TYPE=home;PREF=50:1\nTEL;TYPE=home;PREF=7:2\nTEL;TYPE=home:3\n"));
    EXPECT_EQ(v4.fields, (Fields{{"homePhone", "2"}, {"homePhone2", "1"}, {"otherPhone", "3"}}));
}

TEST(VcardMapping, TelUri) {
    Card c = parse_one(card4("TEL;VALUE=uri;TYPE=cell:tel:+1-555-0100\nTEL;TYPE=work:tel:9\n"));
    EXPECT_EQ(c.fields, (Fields{{"mobilePhone", "+1-555-0100"}, {"workPhone", "tel:9"}}));
}

TEST(VcardMapping, Emails) {
    Card c =
        parse_one(card3("EMAIL;TYPE=internet:a@x\nEMAIL:b@x\nEMAIL;TYPE=internet,pref:c@x\n"
                        "EMAIL:d@x\nEMAIL:\n"));
    EXPECT_EQ(c.fields, (Fields{{"email", "c@x"}, {"email2", "a@x"}, {"email3", "b@x"}}));
    EXPECT_THAT(c.ignored, ElementsAre("EMAIL"));
    // Slot parameters from our own writer win over order; a taken slot falls back to order.
    Card slots =
        parse_one(card3("EMAIL;X-SWITCHBOARD-SLOT=3:a@x\nEMAIL;X-SWITCHBOARD-SLOT=3:b@x\n"
                        "EMAIL;X-SWITCHBOARD-SLOT=9:c@x\n"));
    EXPECT_EQ(slots.fields, (Fields{{"email3", "a@x"}, {"email", "b@x"}, {"email2", "c@x"}}));
}

TEST(VcardMapping, Addresses) {
    Card c = parse_one(
        card3("ADR;TYPE=home:PO Box 7;Apt 2;1 Main St;Town;ST;12345;Land\nADR:;;Elsewhere;;;;\n"
              "ADR;TYPE=work,postal:;;Office 1;;;;\nADR;TYPE=work:;;Office 2;;;;\n"
              "ADR;TYPE=home:;;Home 2;;;;\nADR:;;;;;;\n"));
    EXPECT_EQ(c.fields, (Fields{{"homeStreet", "PO Box 7\nApt 2\n1 Main St"},
                                {"homeCity", "Town"},
                                {"homeState", "ST"},
                                {"homePostalCode", "12345"},
                                {"homeCountry", "Land"},
                                {"otherStreet", "Elsewhere"},
                                {"workStreet", "Office 1"}}));
    EXPECT_THAT(c.ignored, ElementsAre("ADR"));
    // A second home address moves to "other" when that is free.
    Card moved = parse_one(card3("ADR;TYPE=home:;;H1;;;;\nADR;TYPE=home:;;H2;C;;;\n"));
    EXPECT_EQ(moved.fields,
              (Fields{{"homeStreet", "H1"}, {"otherStreet", "H2"}, {"otherCity", "C"}}));
    // v4 list components: street lines separated by ',' become lines.
    EXPECT_EQ(field(parse_one(card4("ADR;TYPE=work:;;Line 1,Line 2;;;;\n")), "workStreet"),
              "Line 1\nLine 2");
}

TEST(VcardMapping, Urls) {
    Card c =
        parse_one(card3("URL;TYPE=work:https://w\nURL;TYPE=home:https://h\nURL:https://o\n"
                        "URL;TYPE=work:https://w2\n"));
    EXPECT_EQ(
        c.fields,
        (Fields{{"workURL", "https://w"}, {"homeURL", "https://h"}, {"otherURL", "https://o"}}));
    EXPECT_THAT(c.ignored, ElementsAre("URL"));
}

TEST(VcardMapping, InstantMessaging) {
    EXPECT_EQ(field(parse_one(card3("X-AIM:buddy\n")), "imAddress1"), "aim:buddy");
    EXPECT_EQ(field(parse_one(card3("X-JABBER;TYPE=HOME:a@j\n")), "imAddress1"), "xmpp:a@j");
    EXPECT_EQ(field(parse_one(card3("X-SKYPE:live:bob\n")), "imAddress1"), "skype:live:bob");
    EXPECT_EQ(field(parse_one(card3("X-MS-IMADDRESS:a@b\n")), "imAddress1"), "a@b");
    Card c = parse_one(card4("X-AIM:first\nIMPP;PREF=1:xmpp:pref@x\nIMPP:sip:c@x\n"));
    EXPECT_EQ(field(c, "imAddress1"), "xmpp:pref@x");
    EXPECT_THAT(c.ignored, ElementsAre("X-AIM", "IMPP"));
}

TEST(VcardMapping, Dates) {
    struct Case {
        const char* property;
        const char* expected;
    };
    const Case cases[] = {
        {"BDAY:19850412", "1985-04-12"},
        {"BDAY:1985-04-12", "1985-04-12"},
        {"BDAY:--0412", "--04-12"},
        {"BDAY:--04-12", "--04-12"},
        {"BDAY: 1985-04-12 ", "1985-04-12"},
        {"BDAY:1985-04-12T10:15:00Z", "1985-04-12"},
        {"BDAY:19850412T101500", "1985-04-12"},
        {"BDAY;VALUE=date-time:19961022T140000.000+05:00", "1996-10-22"},
        {"BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-12", "--04-12"},
        {"BDAY;X-APPLE-OMIT-YEAR=1604:1985-04-12", "1985-04-12"},
        {"BDAY;VALUE=text:circa 1800", "circa 1800"},
        {"BDAY;VALUE=text:19850412", "19850412"},
        {"BDAY:circa 1800\\, spring", "circa 1800, spring"},  // kept as text
        {"BDAY:1985-13-01", "1985-13-01"},
        {"BDAY:1985-02-30", "1985-02-30"},
        {"BDAY:1985-04", "1985-04"},
        {"BDAY:--0229", "--02-29"},
        {"BDAY:1985-04-12Tnoon", "1985-04-12Tnoon"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(field(parse_one(card3(std::string(c.property) + "\n")), "birthday"), c.expected)
            << c.property;
    for (auto p : {"ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY"})
        EXPECT_EQ(field(parse_one(card3(std::string(p) + ":20090808T1430-0500\n")), "anniversary"),
                  "2009-08-08")
            << p;
    Card other_date = parse_one(card3("item1.X-ABDATE:2000-01-01\nitem1.X-ABLabel:Graduation\n"));
    EXPECT_EQ(other_date.fields, Fields{});
    EXPECT_THAT(other_date.ignored, ElementsAre("X-ABDATE"));
}

TEST(VcardMapping, RelatedPeople) {
    Card v4 =
        parse_one(card4("RELATED;TYPE=spouse;VALUE=text:Sam\nRELATED;TYPE=assistant:Al\n"
                        "RELATED;TYPE=manager;VALUE=text:Mo\nRELATED;TYPE=friend:urn:x\n"));
    EXPECT_EQ(v4.fields,
              (Fields{{"spouse", "Sam"}, {"assistantName", "Al"}, {"managerName", "Mo"}}));
    EXPECT_THAT(v4.ignored, ElementsAre("RELATED"));
    Card legacy =
        parse_one(card3("X-EVOLUTION-SPOUSE:S\nX-KADDRESSBOOK-X-ManagersName:M\nX-ASSISTANT:A\n"
                        "X-SPOUSE:second\n"));
    EXPECT_EQ(legacy.fields,
              (Fields{{"spouse", "S"}, {"managerName", "M"}, {"assistantName", "A"}}));
    EXPECT_THAT(legacy.ignored, ElementsAre("X-SPOUSE"));
    Card apple =
        parse_one(card3("item1.X-ABRELATEDNAMES:P\nitem1.X-ABLabel:_$!<Partner>!$_\n"
                        "item2.X-ABRELATEDNAMES:Kid\nitem2.X-ABLabel:_$!<Child>!$_\n"));
    EXPECT_EQ(apple.fields, (Fields{{"spouse", "P"}}));
    EXPECT_THAT(apple.ignored, ElementsAre("X-ABRELATEDNAMES"));
}

TEST(VcardMapping, TitleRoleOffice) {
    EXPECT_EQ(parse_one(card3("ROLE:Lead\n")).fields, (Fields{{"jobTitle", "Lead"}}));
    Card both = parse_one(card3("ROLE:Lead\nTITLE:CTO\n"));
    EXPECT_EQ(both.fields, (Fields{{"jobTitle", "CTO"}}));
    EXPECT_THAT(both.ignored, ElementsAre("ROLE"));
    EXPECT_EQ(parse_one(card3("X-MS-OFFICELOCATION:B1\n")).fields, (Fields{{"office", "B1"}}));
    EXPECT_EQ(parse_one(card3("X-OFFICE-LOCATION:B2\n")).fields, (Fields{{"office", "B2"}}));
}

TEST(VcardMapping, ListsAndSingles) {
    Card c =
        parse_one(card4("NICKNAME:Jim,Jimmie\nCATEGORIES:a,b\nCATEGORIES:c\nFN:One\n"
                        "FN;LANGUAGE=fr:Un\nN:L;F;;;\nN:X;Y;;;\nUID:u1\n"));
    EXPECT_EQ(c.fields, (Fields{{"nickname", "Jim, Jimmie"},
                                {"categories", "a,b,c"},
                                {"fullName", "One"},
                                {"lastName", "L"},
                                {"firstName", "F"},
                                {"vcardUID", "u1"}}));
    EXPECT_THAT(c.ignored, ElementsAre("FN", "N"));
}

TEST(VcardMapping, FullNameIsNotDerivedOnRead) {
    // FN is mandatory, but a card without it still imports; the name fields stay as they are.
    EXPECT_EQ(parse_one(card3("N:Lee;Ann;;;\n")).fields,
              (Fields{{"lastName", "Lee"}, {"firstName", "Ann"}}));
}

TEST(VcardMapping, DerivedFullNameMarker) {
    EXPECT_EQ(parse_one(card3("N:Lee;Ann;;;\nFN;X-SWITCHBOARD-DERIVED=TRUE:Ann Lee\n")).fields,
              (Fields{{"lastName", "Lee"}, {"firstName", "Ann"}}));
    // Edited by hand after export: the FN no longer matches the name, so it is the user's.
    EXPECT_EQ(parse_one(card3("N:Lee;Ann;;;\nFN;X-SWITCHBOARD-DERIVED=TRUE:Annie\n")).fields,
              (Fields{{"lastName", "Lee"}, {"firstName", "Ann"}, {"fullName", "Annie"}}));
}

TEST(VcardMapping, KindAndSilentProperties) {
    Card group = parse_one(card4("KIND:group\nFN:Team\nMEMBER:urn:uuid:1\n"));
    EXPECT_TRUE(group.is_group);
    EXPECT_THAT(group.ignored, ElementsAre("MEMBER"));
    Card person =
        parse_one(card4("KIND:individual\nFN:A\nPRODID:x\nREV:1\nCLIENTPIDMAP:1;urn:x\n"));
    EXPECT_FALSE(person.is_group);
    EXPECT_TRUE(person.ignored.empty());
}

TEST(VcardMapping, EmptyValuesSetNothing) {
    Card c = parse_one(card3("FN:\nTITLE:\nTITLE:Boss\nN:;;;;\nORG:;\nEMAIL:\nTEL:\nADR:;;;;;;\n"));
    EXPECT_EQ(c.fields, (Fields{{"jobTitle", "Boss"}}));
    EXPECT_TRUE(c.ignored.empty());
}

}  // namespace
}  // namespace sb::vcard::test
