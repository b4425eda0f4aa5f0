#include <gtest/gtest.h>

#include "mail/wire/tab_line.hpp"
#include "test_support.hpp"

using namespace sb;
using namespace sb::mailwire;

TEST(TabLine, FieldsRoundTripWithEveryByteButNul) {
    std::string every;
    for (int c = 1; c < 256; ++c)
        every.push_back(static_cast<char>(c));
    const std::vector<std::string> fields = {"PASS",
                                             "imap",
                                             "john@example.com",
                                             "",
                                             every,
                                             "\x01t literally",
                                             "tab\there\r\nand newline"};
    const std::string line = join_fields(fields);
    ASSERT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line whatever the fields hold
    auto frame = decode_line(line, 4096);
    ASSERT_TRUE(frame && frame->complete);
    auto back = split_fields(frame->line);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, fields);
}

TEST(TabLine, DovecotEscapes) {
    EXPECT_EQ(escape_field("a\tb"), "a\x01tb");
    EXPECT_EQ(escape_field("\x01"),
              "\x01"
              "1");
    EXPECT_EQ(escape_field("\r\n"), "\x01r\x01n");
    EXPECT_EQ(join_fields({"OK", "x"}), "OK\tx\n");
}

TEST(TabLine, EveryFragmentationGivesTheSameLines) {
    const std::string stream =
        join_fields({"USER", "lmtp", "john@example.com"}) + "PING\r\n" +
        join_fields({"PASS", "imap", "a", "127.0.0.1", std::string(500, 'p')});
    for (size_t step : sb::test::kFragmentSizes) {
        std::string buffer;
        std::vector<std::string> lines;
        for (size_t pos = 0; pos < stream.size(); pos += step) {
            buffer.append(stream.substr(pos, step));
            for (;;) {
                auto f = decode_line(buffer, 1024);
                ASSERT_TRUE(f) << f.error().message;
                if (!f->complete) break;
                lines.emplace_back(f->line);
                buffer.erase(0, f->consumed);
            }
        }
        ASSERT_EQ(lines.size(), 3u) << "step " << step;
        EXPECT_EQ(lines[1], "PING");  // CR before LF is dropped
        EXPECT_TRUE(buffer.empty());
    }
}

TEST(TabLine, LimitsAndMalformedEscapes) {
    // No LF within the limit: an error, however the bytes arrive.
    EXPECT_EQ(decode_line(std::string(1024, 'a'), 1024).error().code, Errc::limit_exceeded);
    EXPECT_FALSE(decode_line(std::string(1023, 'a'), 1024)->complete);
    EXPECT_EQ(decode_line(std::string(2000, 'a') + "\n", 1024).error().code, Errc::limit_exceeded);
    EXPECT_EQ(split_fields("a\x01").error().code, Errc::parse_error);
    EXPECT_EQ(split_fields("a\x01x").error().code, Errc::parse_error);
    EXPECT_EQ(split_fields(std::string("a\0b", 3)).error().code, Errc::parse_error);
    EXPECT_EQ(split_fields("")->size(), 1u);  // one empty field
}
