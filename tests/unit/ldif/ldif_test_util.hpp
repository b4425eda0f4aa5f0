#pragma once
// Helpers shared by the LDIF unit tests.
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "directory/ldif/reader.hpp"

namespace sb::ldif::test {

inline std::vector<Entry> parse_ok(std::string_view text, Limits limits = {}) {
    auto r = parse_all(text, limits);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : std::vector<Entry>{};
}

// The error of parsing `text`, which must fail.
inline Error parse_error(std::string_view text, Limits limits = {}) {
    auto r = parse_all(text, limits);
    EXPECT_FALSE(r.has_value()) << "parsed " << (r ? r->size() : 0) << " entries";
    return r ? Error{} : r.error();
}

// Replaces every LF by CR LF.
inline std::string to_crlf(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

}  // namespace sb::ldif::test
