#pragma once
// Value-level codecs of vCard: backslash escapes, structured-value splitting, the transfer
// encodings old exporters still use (quoted-printable, base64), legacy charsets and folding.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::vcard::detail {

// vCard 2.1 escapes only ';' in compound values; 3.0 and 4.0 escape \\ \n \, \; (RFC 6350 3.4).
enum class Dialect { v21, v3, v4 };

// Splits at every `sep` not preceded by an escaping backslash; pieces keep their escapes.
std::vector<std::string_view> split_unescaped(std::string_view value, char sep);

// Resolves escapes. Unknown escapes ("\t" in a Windows path) are kept as written.
std::string unescape(std::string_view value, Dialect dialect);

// Escaping for the writer. Text values escape \ , ; and newlines; URI and phone values escape
// only \ and newlines, so a comma in a URL stays a comma for readers that do not unescape URIs.
// CR and CRLF become \n: vCard text has no way to carry a carriage return.
std::string escape_text(std::string_view value);
std::string escape_uri(std::string_view value);

// RFC 2045 6.7. Soft line breaks were joined by the line reader; a '=' not followed by two hex
// digits is kept literally (lenient, as exporters get this wrong).
std::string decode_quoted_printable(std::string_view value);

// RFC 4648 base64, whitespace ignored; nullopt on any other non-alphabet byte.
std::optional<std::string> decode_base64(std::string_view value);

bool is_valid_utf8(std::string_view bytes);

// ISO-8859-1 read as Windows-1252 (its superset in practice, as browsers do) into UTF-8.
std::string windows1252_to_utf8(std::string_view bytes);

// CRLF and lone CR to LF: decoded quoted-printable and base64 carry CRLF line breaks.
std::string normalize_newlines(std::string value);

// Appends one content line, folded (RFC 6350 3.2) at 75 octets, with CRLF.
void append_folded(std::string& out, std::string_view line);

// Up to 40 bytes of input for an error message: controls and bytes of invalid UTF-8 as '?'.
std::string excerpt(std::string_view s);

bool iequals(std::string_view a, std::string_view b);
std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);
std::string_view trim(std::string_view s);

}  // namespace sb::vcard::detail
