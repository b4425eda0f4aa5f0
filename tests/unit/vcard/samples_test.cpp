// Real-world exports (written for these tests, modelled on what each application produces).
#include <gmock/gmock.h>

#include "vcard_test_util.hpp"

namespace sb::vcard::test {
namespace {

using ::testing::UnorderedElementsAre;

TEST(VcardSamples, AppleContacts30) {
    auto cards = parse_ok(read_sample("apple_contacts_3.vcf"));
    ASSERT_EQ(cards.size(), 3u);
    const Card& c = cards[0];
    EXPECT_EQ(c.line, 1u);
    mailbox::ContactFields expected = {
        {"lastName", "Appleseed"},
        {"firstName", "Johnny"},
        {"middleName", "Q."},
        {"namePrefix", "Dr."},
        {"nameSuffix", "Jr."},
        {"fullName", "Dr. Johnny Q. Appleseed Jr."},
        {"nickname", "Johnny"},
        {"phoneticFirstName", "Jonnie"},
        {"phoneticLastName", "Appelsied"},
        {"company", "Apple Inc."},
        {"department", "Engineering"},
        {"jobTitle", "Senior Engineer"},
        // TYPE=pref puts the work address first although it comes second in the file.
        {"email", "johnny@apple.example"},
        {"email2", "johnny.home@example.com"},
        {"mobilePhone", "+1 (408) 555-0100"},
        {"workPhone", "+1 408 555 0102"},
        {"homePhone", "+1 408 555 0103"},
        {"workFax", "+1 408 555 0104"},
        {"companyPhone", "+1 408 555 0105"},
        {"pager", "+1 408 555 0106"},
        {"otherPhone", "+1 408 555 0107"},  // item1 labelled _$!<Other>!$_
        {"carPhone", "+1 408 555 0108"},    // item2 with the custom label "Car"
        {"homeStreet", "1 Infinite Loop\nBuilding 2"},
        {"homeCity", "Cupertino"},
        {"homeState", "CA"},
        {"homePostalCode", "95014"},
        {"homeCountry", "USA"},
        {"workStreet", "One Apple Park Way"},
        {"workCity", "Cupertino"},
        {"workState", "CA"},
        {"workPostalCode", "95014"},
        {"workCountry", "United States"},
        {"otherURL", "https://johnny.example"},
        {"workURL", "https://work.example/johnny"},
        {"imAddress1", "xmpp:johnny@jabber.example"},
        {"birthday", "1976-04-01"},
        {"anniversary", "2001-06-15"},
        {"spouse", "Jane Appleseed"},
        {"managerName", "Tim"},
        {"assistantName", "Alice Helper"},
        {"notes", "Met at WWDC, 2019.\nLikes apples; pears too."},
        {"categories", "Friends,Work"},
        {"vcardUID", "5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE"},
    };
    EXPECT_EQ(c.fields, expected);
    // The second iPhone number finds every phone field taken.
    EXPECT_THAT(c.ignored,
                UnorderedElementsAre("X-ABADR", "PHOTO", "X-ABSHOWAS", "X-ABUID", "TEL"));
    EXPECT_FALSE(c.is_group);

    EXPECT_EQ(cards[1].line, 51u);
    EXPECT_EQ(cards[1].fields, (mailbox::ContactFields{{"lastName", "张"},
                                                       {"firstName", "伟"},
                                                       {"fullName", "张伟"},
                                                       {"birthday", "--08-09"},
                                                       {"email", "zhang.wei@example.cn"}}));
    EXPECT_TRUE(cards[2].is_group);
    EXPECT_EQ(field(cards[2], "fullName"), "Book Club");
    EXPECT_THAT(cards[2].ignored, UnorderedElementsAre("X-ADDRESSBOOKSERVER-MEMBER"));
}

TEST(VcardSamples, GoogleContacts30) {
    auto cards = parse_ok(read_sample("google_contacts_3.vcf"));
    ASSERT_EQ(cards.size(), 2u);
    mailbox::ContactFields expected = {
        {"fullName", "María José García"},
        {"lastName", "García"},
        {"firstName", "María José"},
        {"nickname", "Majo"},
        {"email", "majo@gmail.example"},
        {"email2", "mj.garcia@empresa.example"},
        {"email3", "otra@example.org"},
        {"mobilePhone", "+34 600 123 456"},
        {"workPhone", "+34 91 123 45 67"},
        {"workPhone2", "+34 91 123 45 68"},
        {"homePhone", "+34 91 765 43 21"},
        {"companyPhone", "+34 91 000 00 00"},
        {"otherPhone", "+34 600 999 999"},
        {"homeStreet", "Calle Mayor 1, 2º B"},
        {"homeCity", "Madrid"},
        {"homePostalCode", "28013"},
        {"homeCountry", "España"},
        {"workStreet", "Paseo de la Castellana 100"},
        {"workCity", "Madrid"},
        {"workState", "Madrid"},
        {"workPostalCode", "28046"},
        {"workCountry", "España"},
        {"company", "Empresa S.A."},
        {"jobTitle", "Directora"},
        {"birthday", "1985-04-12"},
        {"otherURL", "https://majo.example/blog"},
        {"anniversary", "2010-09-18"},
        {"spouse", "Carlos"},
        {"categories", "myContacts,Familia"},
        {"notes", "Línea uno\nLínea dos"},
    };
    EXPECT_EQ(cards[0].fields, expected);
    EXPECT_THAT(cards[0].ignored, UnorderedElementsAre("EMAIL"));  // the fourth address
    EXPECT_EQ(cards[1].line, 30u);
    EXPECT_EQ(field(cards[1], "birthday"), "--12-24");
    EXPECT_EQ(field(cards[1], "mobilePhone"), "+44 7700 900123");
}

TEST(VcardSamples, Outlook21BestEffort) {
    Card c = parse_one(read_sample("outlook_21.vcf"));
    mailbox::ContactFields expected = {
        {"lastName", "Dupont"},
        {"firstName", "Jean"},
        {"namePrefix", "M."},
        {"fullName", "Jean Dupont"},
        {"company", "Contoso Ltd."},
        {"department", "Ventes"},
        {"jobTitle", "Directeur commercial"},
        // Windows-1252 quoted-printable, a soft line break, CRLF inside the value.
        {"notes", "Première ligne\nDeuxième ligne, avec un texte assez long pour être coupé\n€ 20"},
        {"workPhone", "+33 1 23 45 67 89"},
        {"homePhone", "+33 1 98 76 54 32"},
        {"mobilePhone", "+33 6 12 34 56 78"},
        {"workFax", "+33 1 23 45 67 00"},
        {"pager", "+33 6 00 00 00 01"},
        {"carPhone", "+33 6 00 00 00 02"},
        {"workStreet", "12 rue de la Paix"},
        {"workCity", "Paris"},
        {"workPostalCode", "75002"},
        {"workCountry", "France"},
        {"workURL", "http://www.contoso.example"},
        {"birthday", "1970-01-15"},
        {"email", "jean.dupont@contoso.example"},
        {"email2", "jdupont@perso.example"},
        {"imAddress1", "jean@im.contoso.example"},
        {"managerName", "Marie Curie"},
        {"assistantName", "Paul"},
        {"spouse", "Claire"},
        {"anniversary", "1995-06-10"},
    };
    EXPECT_EQ(c.fields, expected);
    EXPECT_THAT(c.ignored, UnorderedElementsAre("LABEL", "X-MS-OL-DEFAULT-POSTAL-ADDRESS", "ROLE",
                                                "X-MS-OL-DESIGN", "PHOTO", "X-MS-CARDPICTURE"));
}

TEST(VcardSamples, Android30QuotedPrintable) {
    Card c = parse_one(read_sample("android_3.vcf"));
    mailbox::ContactFields expected = {
        {"lastName", "Müller"},
        {"firstName", "Jürgen"},
        {"fullName", "Jürgen Müller"},
        {"mobilePhone", "+49 171 1234567"},
        {"workPhone", "+49 30 1234567"},
        {"email", "juergen@example.de"},
        {"homeStreet", "Straße des 17. Juni 135"},
        {"homeCity", "Berlin"},
        {"homePostalCode", "10623"},
        {"homeCountry", "Deutschland"},
        {"notes", "Erste Zeile\nZweite Zeile mit einem sehr langen Text"},
    };
    EXPECT_EQ(c.fields, expected);
    EXPECT_THAT(c.ignored, UnorderedElementsAre("X-ANDROID-CUSTOM"));
}

TEST(VcardSamples, Android21) {
    Card c = parse_one(read_sample("android_21.vcf"));
    EXPECT_EQ(c.fields, (mailbox::ContactFields{{"lastName", "张"},
                                                {"firstName", "伟"},
                                                {"fullName", "张伟"},
                                                {"mobilePhone", "13800138000"},
                                                {"homePhone", "010-12345678"},
                                                {"notes", "第一行\n第二行尾"}}));
    EXPECT_TRUE(c.ignored.empty());
}

TEST(VcardSamples, CardDav40) {
    Card c = parse_one(read_sample("carddav_4.vcf"));
    mailbox::ContactFields expected = {
        {"vcardUID", "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"},
        {"fullName", "Simon Perreault"},
        {"lastName", "Perreault"},
        {"firstName", "Simon"},
        {"nameSuffix", "ing. jr M.Sc."},  // a list component, joined with spaces
        {"birthday", "--02-03"},
        {"anniversary", "2009-08-08"},  // a date-time keeps its date
        {"company", "Viagenie"},
        {"workStreet", "Suite D2-630\n2875 Laurier"},
        {"workCity", "Quebec"},
        {"workState", "QC"},
        {"workPostalCode", "G1V 2M2"},
        {"workCountry", "Canada"},
        {"workPhone", "+1-418-656-9254;ext=102"},
        {"mobilePhone", "+1-418-262-6501"},
        {"email", "simon@example.org"},  // PREF=1
        {"email2", "simon.perreault@viagenie.ca"},
        {"homeURL", "http://nomis80.org"},
        {"imAddress1", "xmpp:simon@example.org"},
        {"spouse", "Marie"},
        {"categories", "work,test"},
        {"notes", "Une note, avec virgule"},
    };
    EXPECT_EQ(c.fields, expected);
    EXPECT_THAT(c.ignored, UnorderedElementsAre("GENDER", "LANG", "GEO", "KEY", "TZ", "RELATED"));
}

TEST(VcardSamples, HandEditedLfWithBom) {
    auto cards = parse_ok(read_sample("hand_edited_lf.vcf"));
    ASSERT_EQ(cards.size(), 2u);
    EXPECT_EQ(cards[0].line, 1u);
    EXPECT_EQ(cards[0].fields, (mailbox::ContactFields{
                                   {"fullName", "Ada Lovelace"},
                                   {"lastName", "Lovelace"},
                                   {"firstName", "Ada"},
                                   {"namePrefix", "Countess"},
                                   {"email", "ada@example.org"},
                                   {"notes", "First line\nsecond line that is folded right here"},
                                   {"workPhone", "+44 20 7946 0000"},
                               }));
    EXPECT_EQ(cards[1].line, 12u);
    EXPECT_EQ(cards[1].fields, (mailbox::ContactFields{{"fullName", "Charles Babbage"}}));
}

// Every sample survives a write/read cycle in both versions with the same fields.
TEST(VcardSamples, RewriteKeepsFields) {
    for (auto name : {"apple_contacts_3.vcf", "google_contacts_3.vcf", "outlook_21.vcf",
                      "android_3.vcf", "android_21.vcf", "carddav_4.vcf", "hand_edited_lf.vcf"}) {
        for (auto version : {Version::v3, Version::v4}) {
            for (const Card& card : parse_ok(read_sample(name))) {
                Card again = parse_one(write(card.fields, version));
                EXPECT_EQ(again.fields, card.fields) << name;
                EXPECT_TRUE(again.ignored.empty()) << name;
            }
        }
    }
}

}  // namespace
}  // namespace sb::vcard::test
