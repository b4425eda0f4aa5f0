#pragma once
// vCard 3.0 (RFC 2426) and 4.0 (RFC 6350) reader and writer over the contact field vocabulary
// (mailbox/contact_fields.hpp). Pure functions: no I/O, no exceptions, explicit limits.
//
// Reading is lenient where real exports differ from the RFCs (bare vCard 2.1-style TYPE tokens,
// quoted-printable from old phones, Apple's itemN.X-ABLabel groups) and strict where the input is
// not a vCard at all: the first error stops the parse and names its line, so an import either
// takes every card of a file or none. vCard 2.1 (Outlook's export format) is read best-effort.
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
    // fourth EMAIL ...), each once, in order of first appearance.
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
