#include "directory/ldif/entry.hpp"

#include <algorithm>

namespace sb::ldif {

namespace {

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_alpha(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_keychar(char c) {
    return is_alpha(c) || is_digit(c) || c == '-';
}

// Calls f(option) for each option of a description, stopping early when f returns false.
template <class F>
bool each_option(std::string_view description, F&& f) {
    size_t pos = description.find(';');
    while (pos != std::string_view::npos) {
        size_t next = description.find(';', pos + 1);
        std::string_view opt = description.substr(
            pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1);
        if (!f(opt)) return false;
        pos = next;
    }
    return true;
}

size_t option_count(std::string_view description) {
    return static_cast<size_t>(std::count(description.begin(), description.end(), ';'));
}

bool has_option(std::string_view description, std::string_view option) {
    return !each_option(description, [&](std::string_view o) { return !iequals(o, option); });
}

}  // namespace

std::string_view attribute_type(std::string_view description) {
    return description.substr(0, description.find(';'));
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool matches(std::string_view description, std::string_view query, Match match) {
    if (!iequals(attribute_type(description), attribute_type(query))) return false;
    size_t query_options = option_count(query);
    if (query_options == 0 && match == Match::subtypes) return true;
    if (match == Match::exact && option_count(description) != query_options) return false;
    return each_option(query, [&](std::string_view o) { return has_option(description, o); });
}

bool valid_description(std::string_view description) {
    const size_t n = description.size();
    if (n == 0) return false;
    size_t i = 0;
    if (is_alpha(description[0])) {
        while (i < n && is_keychar(description[i]))
            ++i;
    } else {
        // Numeric OID: 1*DIGIT *("." 1*DIGIT) (RFC 4512 1.4; RFC 2849's ldap-oid rule is a typo).
        for (;;) {
            const size_t start = i;
            while (i < n && is_digit(description[i]))
                ++i;
            if (i == start) return false;
            if (i == n || description[i] != '.') break;
            ++i;
        }
    }
    // *(";" option), option = 1*opt-char
    while (i < n) {
        if (description[i] != ';') return false;
        const size_t start = ++i;
        while (i < n && is_keychar(description[i]))
            ++i;
        if (i == start) return false;
    }
    return true;
}

bool reserved_type(std::string_view type) {
    if (type.size() != 2 && type.size() != 7 && type.size() != 10) return false;
    return iequals(type, "dn") || iequals(type, "changetype") || iequals(type, "control");
}

const Attribute* Entry::find(std::string_view description, Match match) const {
    for (const auto& a : attributes)
        if (matches(a.name, description, match)) return &a;
    return nullptr;
}

std::optional<std::string_view> Entry::first_value(std::string_view description,
                                                   Match match) const {
    if (const Attribute* a = find(description, match)) return std::string_view(a->value);
    return std::nullopt;
}

std::vector<std::string_view> Entry::values(std::string_view description, Match match) const {
    std::vector<std::string_view> out;
    for (const auto& a : attributes)
        if (matches(a.name, description, match)) out.emplace_back(a.value);
    return out;
}

}  // namespace sb::ldif
