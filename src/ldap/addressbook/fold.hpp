#pragma once
// String preparation for matching (RFC 4518, simplified to what address-book names need):
// case folding of Latin, Greek and Cyrillic letters, every space-like character mapped to one
// space, runs of spaces collapsed and outer spaces dropped ("insignificant space handling").
// Folded strings compare byte-wise; equality, ordering and substring matching all use them.
#include <string>
#include <string_view>

namespace sb::addressbook {

// Appends the folded form of `in` to `out`. Bytes that are not valid UTF-8 are copied as they
// are (they then only match themselves).
void fold_append(std::string_view in, std::string& out);
std::string fold(std::string_view in);

// telephoneNumberMatch (RFC 4517 4.2.29): as fold, and spaces and hyphens are insignificant.
void fold_telephone_append(std::string_view in, std::string& out);

// A looser key for approxMatch: the folded string with everything but letters and digits
// removed, so "Jean-Pierre" ~= "jeanpierre".
std::string approx_key(std::string_view in);

// The simple lower-case mapping of one code point (identity for anything not covered).
char32_t fold_code_point(char32_t c);

}  // namespace sb::addressbook
