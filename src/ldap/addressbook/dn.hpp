#pragma once
// Distinguished names (RFC 4514): parsing the string form clients send as a search base, a bind
// name or a compare target, and comparing them the way the address book names its entries.
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "ldap/addressbook/schema.hpp"

namespace sb::addressbook {

struct Ava {
    std::string type;   // as written ("CN", "2.5.4.3")
    std::string value;  // unescaped
};
using Rdn = std::vector<Ava>;  // one AVA, or several joined with '+'

struct DnLimits {
    size_t max_size = 4096;  // characters of the string form
    size_t max_rdns = 64;
};

// Parses an RFC 4514 DN; the most significant RDN is last ("uid=a,ou=b" → [uid=a, ou=b]).
// Lenient like common servers: spaces around separators, ';' between RDNs (RFC 2253 4) and
// quoted values (RFC 1779). Errors: parse_error (invalidDNSyntax), limit_exceeded.
Result<std::vector<Rdn>> parse_dn(std::string_view dn, const DnLimits& limits = {});

// True when `rdn` is the single AVA `attr=value`, comparing the type by name, alias or OID and
// the value folded; `folded_value` must already be folded.
bool rdn_is(const Rdn& rdn, Attr attr, std::string_view folded_value);

// The RFC 4514 string form of parsed RDNs, for messages (matchedDN).
std::string dn_string(const std::vector<Rdn>& rdns, size_t from = 0);

}  // namespace sb::addressbook
