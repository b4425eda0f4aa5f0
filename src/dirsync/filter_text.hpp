#pragma once
// LDAP search filters as text (RFC 4515): checking what an admin typed before it reaches the
// company directory, and building filters from values safely.
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sb::dirsync {

// Checks an RFC 4515 filter and returns it in canonical form. White space between components,
// as in "(&(objectClass=posixAccount) (mail=*))" (MailStore's OpenLDAP sample), is removed; white
// space inside values is kept. Errors give the position and what was expected. "{member}"
// placeholders are accepted inside values.
Result<std::string> normalize_filter(std::string_view text);

// Escapes a value for use inside a filter (RFC 4515 3: NUL, '(', ')', '*', '\' and, for safe
// logging, every byte outside printable ASCII and UTF-8, as \XX).
std::string escape_filter_value(std::string_view value);

// Every byte as \XX: binary assertion values such as an objectGUID.
std::string escape_filter_bytes(std::string_view bytes);

// Replaces every "{member}" in a member search filter with the escaped value.
std::string substitute_member(std::string_view filter, std::string_view value);

// Checks an attribute description ("mail", "proxyAddresses", "1.2.3.4", "cn;lang-en").
bool valid_attribute(std::string_view name);

}  // namespace sb::dirsync
