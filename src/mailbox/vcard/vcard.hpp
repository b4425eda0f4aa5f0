#pragma once
// vCard 3.0 (RFC 2426) and 4.0 (RFC 6350) reader and writer over the contact field vocabulary
// (mailbox/contact_fields.hpp). Pure functions: no I/O, no exceptions, explicit limits.
//
// Reading is lenient where real exports differ from the RFCs (bare vCard 2.1-style TYPE tokens,
// quoted-printable from old phones, Apple's itemN.X-ABLabel groups) and strict where the input is
// not a vCard at all: the first error stops the parse and names its line, so an import either
// takes every card of a file or none. vCard 2.1 (Outlook's export format) is read best-effort.
// Mapped values must be UTF-8 after QUOTED-PRINTABLE/BASE64 decoding; CHARSET=ISO-8859-1 and
// Windows-1252 are converted (and 2.1 text without CHARSET is read as Windows-1252); anything
// else that is not UTF-8 is an error. Unmapped properties (PHOTO ...) are never decoded.
//
// Mapping (reader and writer; the reader also accepts the aliases other address books write):
//   N → lastName;firstName;middleName;namePrefix;nameSuffix   FN → fullName (never derived on
//   read: a card without FN has no fullName)   NICKNAME → nickname   ORG → company;department
//   TITLE (else ROLE) → jobTitle   X-OFFICE-LOCATION / X-MS-OFFICELOCATION → office
//   EMAIL → email, email2, email3 (preferred first, then file order)
//   TEL by TYPE → mobilePhone (cell), workFax / homeFax (fax), pager, carPhone (car),
//     companyPhone (main), assistantPhone (x-assistant), workPhone(2) (work), homePhone(2)
//     (home), otherPhone (anything else; also takes the first number no other field had room for)
//   ADR → home* / work* / other* (untyped = other): PO box, extended and street lines joined
//     by newlines into *Street, then *City, *State, *PostalCode, *Country
//   URL → homeURL / workURL / otherURL   IMPP, X-AIM, X-JABBER ... → imAddress1 ("aim:name")
//   BDAY → birthday, ANNIVERSARY / X-ANNIVERSARY → anniversary: YYYY-MM-DD or --MM-DD when the
//     value is a date or date-time, else kept as written
//   RELATED;TYPE=spouse / X-SPOUSE → spouse; X-ASSISTANT → assistantName; X-MANAGER →
//     managerName; X-PHONETIC-FIRST-NAME / -LAST-NAME; CATEGORIES → categories ("a,b");
//     NOTE → notes; UID → vcardUID. Apple's itemN.X-ABLabel words count as TYPE values.
// The writer marks what plain vCard cannot say with X- parameters other readers ignore:
// X-SWITCHBOARD-SLOT=n (email2 without email) and X-SWITCHBOARD-DERIVED (an FN made up by
// derive_full_name because fullName is empty; read back as no fullName while it still matches).
//
// Guarantee (tested as a property): for a field set with names from kAllContactFields and
// non-empty valid UTF-8 values without CR, parse(write(fields, v)) yields exactly those fields,
// for v3 and v4. Empty values are not written (a field is absent or non-empty); CR and CRLF in
// values are written as line feeds, since vCard text has one newline escape (\n).
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "mailbox/contact_fields.hpp"

namespace sb::vcard {

enum class Version { v3, v4 };

struct Limits {
    size_t max_bytes = 64u << 20;       // whole input
    size_t max_line_length = 1u << 20;  // one physical line (unfolded base64 photos)
    size_t max_cards = 100000;
    size_t max_properties_per_card = 1000;
    size_t max_value_bytes = 4u << 20;  // one unfolded content line (name, params, value)
};

struct Card {
    mailbox::ContactFields fields;  // only names from kAllContactFields, never empty values
    size_t line = 0;                // line of the card's BEGIN:VCARD (1-based)
    // Upper-case names of properties that carried data but were not mapped (PHOTO, X-FOO, a
    // fourth EMAIL, a ROLE beside a TITLE ...), each once.
    std::vector<std::string> ignored;
    // KIND:group (RFC 6350 6.1.4) or Apple's X-ADDRESSBOOKSERVER-KIND:group: a contact list,
    // not a person; importers usually skip it.
    bool is_group = false;
};

// Parses every card of a vCard file. Errors (Errc::parse_error, Errc::limit_exceeded) carry a
// message "line N: ..." naming the first problem; only the whole-input size limit has no line.
Result<std::vector<Card>> parse(std::string_view text, const Limits& limits = {});

// One card: BEGIN, VERSION, PRODID, N and FN always, then one property per non-empty field,
// CRLF line ends, lines folded at 75 octets without splitting UTF-8 sequences. Names outside
// kAllContactFields are skipped.
std::string write(const mailbox::ContactFields& fields, Version version = Version::v3);
std::string write_all(std::span<const mailbox::ContactFields> cards, Version version = Version::v3);

// The display name a card gets when it has no fullName: prefix, first, middle, last and
// suffix name joined by spaces, else the company, else the first e-mail address, else "".
std::string derive_full_name(const mailbox::ContactFields& fields);

}  // namespace sb::vcard
