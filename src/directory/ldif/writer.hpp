#pragma once
// Writes LDIF content records (RFC 2849) that Reader reads back to equal entries.
#include <span>
#include <string>

#include "core/error.hpp"
#include "directory/ldif/entry.hpp"

namespace sb::ldif {

// Physical lines longer than this are folded (RFC 2849 note 2).
inline constexpr size_t kFoldColumn = 76;

// Appends `entry` followed by a blank line. Values (and the dn) that are not RFC 2849
// SAFE-STRINGs (leading space, ':' or '<', trailing space, NUL, CR, LF or any byte >= 0x80) are
// written base64; lines longer than kFoldColumn are folded. Fails with Errc::invalid_argument,
// leaving `out` unchanged, for what Reader would reject: no attributes, an invalid attribute
// description, a reserved type (dn, changetype, control), a dn that is not UTF-8 or contains
// NUL, CR or LF. Reader limits are not checked.
Result<void> append_entry(std::string& out, const Entry& entry);

// append_entry into a fresh string.
Result<std::string> write_entry(const Entry& entry);

// A whole file: "version: 1", a blank line, then the entries.
Result<std::string> write_file(std::span<const Entry> entries);

// Whether RFC 2849 allows `value` as a plain (non-base64) value, restricted to ASCII.
bool safe_string(std::string_view value);

}  // namespace sb::ldif
