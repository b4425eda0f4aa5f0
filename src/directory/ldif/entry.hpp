#pragma once
// An LDIF content record (RFC 2849): a DN and its attribute values, in file order.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::ldif {

struct Attribute {
    std::string name;   // attribute description as written, options included ("cn;lang-en")
    std::string value;  // decoded bytes (base64 values decoded)
    size_t line = 0;    // physical line (1-based) where the attribute starts; 0 if not parsed

    // Content equality: name bytes and value; `line` is a position, not content.
    friend bool operator==(const Attribute& a, const Attribute& b) {
        return a.name == b.name && a.value == b.value;
    }
};

// How a query description selects attributes.
enum class Match {
    exact,     // same type and the same set of options: "cn" finds "CN" but not "cn;lang-en"
    subtypes,  // RFC 4512 2.5: same type and at least the query's options: "cn" finds "cn;lang-en"
};

struct Entry {
    std::string dn;   // decoded, valid UTF-8
    size_t line = 0;  // physical line of the "dn:" line; 0 if not parsed
    std::vector<Attribute> attributes;

    // First attribute matching `description` (case-insensitive, see Match), or nullptr.
    const Attribute* find(std::string_view description, Match match = Match::exact) const;
    // Value of find(), if any.
    std::optional<std::string_view> first_value(std::string_view description,
                                                Match match = Match::exact) const;
    // Every matching value, in file order.
    std::vector<std::string_view> values(std::string_view description,
                                         Match match = Match::exact) const;

    // Content equality: dn and attributes in order; line numbers are ignored.
    friend bool operator==(const Entry& a, const Entry& b) {
        return a.dn == b.dn && a.attributes == b.attributes;
    }
};

// The attribute type of a description, without options: "cn;lang-en" -> "cn".
std::string_view attribute_type(std::string_view description);

// ASCII case-insensitive equality (attribute types and options are case-insensitive, RFC 4512
// 2.5).
bool iequals(std::string_view a, std::string_view b);

// Whether an attribute named `description` is selected by `query` under `match`.
bool matches(std::string_view description, std::string_view query, Match match = Match::exact);

// RFC 2849 AttributeDescription: AttributeType (descr or numeric OID) then ";option"s, where
// descr = ALPHA *(ALPHA / DIGIT / "-"), option = 1*(ALPHA / DIGIT / "-").
bool valid_description(std::string_view description);

// Types the LDIF syntax itself uses (dn, changetype, control): not usable as attribute names in a
// content record.
bool reserved_type(std::string_view type);

}  // namespace sb::ldif
