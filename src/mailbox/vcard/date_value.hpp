#pragma once
// BDAY and ANNIVERSARY values. The contact field holds YYYY-MM-DD, or --MM-DD without a year.
#include <optional>
#include <string>
#include <string_view>

namespace sb::vcard::detail {

// Recognises a date or date-time in the forms exporters write: 1985-04-12, 19850412 (RFC 6350
// 4.3.1), --0412 and --04-12 (no year), each optionally followed by a time ("T101500Z",
// "T00:00:00.000+02:00"), whose date is kept. nullopt for anything else.
std::optional<std::string> normalize_date(std::string_view value);

// The field value is already in the form normalize_date returns (so it can be written as a
// date and read back unchanged); other values are written as text.
bool is_canonical_date(std::string_view value);

// A canonical date in the property's form: v3 1985-04-12 / --04-12, v4 19850412 / --0412.
std::string format_date(std::string_view canonical, bool v4);

}  // namespace sb::vcard::detail
