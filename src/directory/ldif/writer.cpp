#include "directory/ldif/writer.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "directory/ldif/base64.hpp"
#include "directory/ldif/utf8.hpp"

namespace sb::ldif {

namespace {

Result<void> check(const Entry& entry) {
    if (find_invalid_utf8(entry.dn) != std::string_view::npos ||
        entry.dn.find_first_of(std::string_view("\0\r\n", 3)) != std::string::npos)
        return fail(Errc::invalid_argument, "the dn is not UTF-8 text without NUL, CR or LF");
    if (entry.attributes.empty())
        return fail(Errc::invalid_argument, "an LDIF entry needs at least one attribute");
    for (const auto& a : entry.attributes) {
        if (!valid_description(a.name))
            return fail(Errc::invalid_argument,
                        fmt::format("invalid attribute description '{}'", a.name));
        if (reserved_type(attribute_type(a.name)))
            return fail(Errc::invalid_argument,
                        fmt::format("'{}' is reserved by LDIF and cannot be an attribute", a.name));
    }
    return {};
}

// Appends "name: value" or "name:: base64", folded at kFoldColumn.
void append_line(std::string& out, std::string_view name, std::string_view value,
                 std::string& scratch) {
    const bool plain = safe_string(value);
    const size_t value_size = plain ? value.size() : base64_encoded_size(value.size());
    const size_t size = name.size() + (plain ? 1 : 2) + (value_size ? 1 + value_size : 0);
    std::string* line = &out;
    if (size > kFoldColumn) {
        scratch.clear();
        line = &scratch;
    }
    line->append(name);
    line->append(plain ? ":" : "::");
    if (value_size) {
        line->push_back(' ');
        if (plain)
            line->append(value);
        else
            base64_encode(value, *line);
    }
    if (line == &out) {
        out.push_back('\n');
        return;
    }
    // The first physical line holds kFoldColumn bytes, each continuation a space and
    // kFoldColumn - 1 more.
    std::string_view rest = scratch;
    out.append(rest.substr(0, kFoldColumn));
    rest.remove_prefix(kFoldColumn);
    while (!rest.empty()) {
        out.append("\n ");
        out.append(rest.substr(0, kFoldColumn - 1));
        rest.remove_prefix(std::min(rest.size(), kFoldColumn - 1));
    }
    out.push_back('\n');
}

}  // namespace

bool safe_string(std::string_view value) {
    if (value.empty()) return true;
    const char first = value.front();
    if (first == ' ' || first == ':' || first == '<' || value.back() == ' ') return false;
    for (char c : value) {
        const auto b = static_cast<unsigned char>(c);
        if (b == 0 || b == '\r' || b == '\n' || b >= 0x80) return false;
    }
    return true;
}

Result<void> append_entry(std::string& out, const Entry& entry) {
    SB_TRY(check(entry));
    std::string scratch;
    append_line(out, "dn", entry.dn, scratch);
    for (const auto& a : entry.attributes)
        append_line(out, a.name, a.value, scratch);
    out.push_back('\n');
    return {};
}

Result<std::string> write_entry(const Entry& entry) {
    std::string out;
    SB_TRY(append_entry(out, entry));
    return out;
}

Result<std::string> write_file(std::span<const Entry> entries) {
    std::string out = "version: 1\n\n";
    for (size_t i = 0; i < entries.size(); ++i) {
        if (auto r = append_entry(out, entries[i]); !r)
            return fail(r.error().code,
                        fmt::format("entry {} ({}): {}", i + 1, entries[i].dn, r.error().message));
    }
    return out;
}

}  // namespace sb::ldif
