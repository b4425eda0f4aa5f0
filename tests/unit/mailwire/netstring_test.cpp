#include <gtest/gtest.h>

#include "mail/wire/netstring.hpp"
#include "test_support.hpp"

using namespace sb;
using namespace sb::mailwire;

namespace {

// Feeds `stream` cut into fragments of `step` bytes, the way a socket delivers it, and returns
// every payload decoded (or the first error's code).
Result<std::vector<std::string>> replay(std::string_view stream, size_t step, size_t max) {
    std::string buffer;
    std::vector<std::string> out;
    for (size_t pos = 0; pos < stream.size(); pos += step) {
        buffer.append(stream.substr(pos, step));
        for (;;) {
            SB_TRY_ASSIGN(auto f, decode_netstring(buffer, max));
            if (!f.complete) break;
            out.emplace_back(f.payload);
            buffer.erase(0, f.consumed);
        }
    }
    if (!buffer.empty()) return fail(Errc::parse_error, "bytes left over: " + buffer);
    return out;
}

}  // namespace

TEST(Netstring, EncodesAndDecodesAnyBytes) {
    EXPECT_EQ(encode_netstring(""), "0:,");
    EXPECT_EQ(encode_netstring("hello world!"), "12:hello world!,");
    const std::string binary("a\0b,:\n\xff", 7);
    const std::string encoded = encode_netstring(binary);  // the payload points into it
    auto f = decode_netstring(encoded, 100);
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->complete);
    EXPECT_EQ(f->payload, binary);
    EXPECT_EQ(f->consumed, encoded.size());
}

TEST(Netstring, EveryFragmentationGivesTheSameRequests) {
    const std::string stream = encode_netstring("aliases info@example.com") + encode_netstring("") +
                               encode_netstring("domains example.com") +
                               encode_netstring(std::string(3000, 'x'));
    for (size_t step : sb::test::kFragmentSizes) {
        auto r = replay(stream, step, 4096);
        ASSERT_TRUE(r) << "step " << step << ": " << r.error().message;
        ASSERT_EQ(r->size(), 4u) << "step " << step;
        EXPECT_EQ((*r)[0], "aliases info@example.com");
        EXPECT_EQ((*r)[1], "");
        EXPECT_EQ((*r)[2], "domains example.com");
        EXPECT_EQ((*r)[3], std::string(3000, 'x'));
    }
}

TEST(Netstring, ByteByByteNeedsMoreUntilTheComma) {
    const std::string s = encode_netstring("mailboxes john@example.com");
    for (size_t n = 0; n < s.size(); ++n) {
        auto f = decode_netstring(std::string_view(s).substr(0, n), 100);
        ASSERT_TRUE(f) << n;
        EXPECT_FALSE(f->complete) << n;
    }
    EXPECT_TRUE(decode_netstring(s, 100)->complete);
}

TEST(Netstring, MalformedInputIsAnError) {
    auto code = [](std::string_view in) {
        auto f = decode_netstring(in, 100);
        return f ? std::string("ok") : std::string(errc_name(f.error().code));
    };
    EXPECT_EQ(code("x:abc,"), "parse_error");   // not a length
    EXPECT_EQ(code(":abc,"), "parse_error");    // no length
    EXPECT_EQ(code("3:abc;"), "parse_error");   // wrong terminator
    EXPECT_EQ(code("03:abc,"), "parse_error");  // leading zero
    EXPECT_EQ(code("-1:"), "parse_error");      // sign
    EXPECT_EQ(code("101:"), "limit_exceeded");  // over the limit, refused before the data
    EXPECT_EQ(code("99999999999999999999999"), "limit_exceeded");  // no overflow
    EXPECT_EQ(code("GET / HTTP/1.1\r\n"), "parse_error");
    EXPECT_EQ(code("0:,"), "ok");
}
