#include "ldap/ber/framer.hpp"

#include <gtest/gtest.h>

#include "ber_test_util.hpp"
#include "test_support.hpp"

namespace sb::ber {
namespace {

using test::from_hex;

// Feeds `bytes` in fragments of every test size; the framer must say need-more until the last
// byte arrives and then frame exactly `bytes` (followed by whatever comes after it).
void expect_frames_whole(const std::string& bytes, size_t limit = 1 << 20) {
    for (size_t step : sb::test::kFragmentSizes) {
        std::string received;
        for (size_t fed = 0; fed < bytes.size();) {
            const size_t n = std::min(step, bytes.size() - fed);
            received.append(bytes, fed, n);
            fed += n;
            auto f = frame(received, limit);
            ASSERT_TRUE(f) << f.error().message;
            if (fed < bytes.size()) {
                EXPECT_FALSE(f->complete) << "step " << step << " fed " << fed;
            } else {
                EXPECT_TRUE(f->complete) << "step " << step;
                EXPECT_EQ(f->size, bytes.size());
                EXPECT_EQ(f->tag, static_cast<uint8_t>(bytes[0]));
            }
        }
        // A pipelined second message does not change the first frame.
        auto two = frame(bytes + bytes, limit);
        ASSERT_TRUE(two);
        EXPECT_TRUE(two->complete);
        EXPECT_EQ(two->size, bytes.size());
    }
}

TEST(Framer, EmptyInputNeedsMore) {
    auto f = frame("", 100);
    ASSERT_TRUE(f);
    EXPECT_FALSE(f->complete);
    EXPECT_EQ(f->size, 0u);
}

TEST(Framer, ShortFormLengths) {
    expect_frames_whole(from_hex("30 00"));
    expect_frames_whole(from_hex("30 03 02 01 05"));
    expect_frames_whole(std::string("\x04\x7f", 2) + std::string(127, 'x'));
}

TEST(Framer, MinimalLongFormLengths) {
    expect_frames_whole(std::string("\x04\x81\x80", 3) + std::string(128, 'x'));
    expect_frames_whole(std::string("\x04\x82\x01\x00", 4) + std::string(256, 'x'));
    expect_frames_whole(std::string("\x04\x83\x01\x00\x00", 5) + std::string(65536, 'x'));
}

TEST(Framer, NonMinimalLongFormLengthsAreAccepted) {
    // Outlook writes every length as 84 xx xx xx xx.
    expect_frames_whole(from_hex("30 84 00 00 00 07 02 84 00 00 00 01 05"));
    expect_frames_whole(from_hex("30 81 03 02 01 05"));
    expect_frames_whole(from_hex("30 82 00 00"));
    expect_frames_whole(std::string("\x04\x84\x00\x00\x01\x8e", 6) + std::string(0x18e, 'y'));
}

TEST(Framer, KnowsTheTotalSizeOnceTheHeaderIsComplete) {
    auto f = frame(from_hex("30 84 00 00 01 8e 02"), 1 << 20);
    ASSERT_TRUE(f);
    EXPECT_FALSE(f->complete);
    EXPECT_EQ(f->size, 6u + 0x18e);
    auto partial = frame(from_hex("30 84 00 00"), 1 << 20);
    ASSERT_TRUE(partial);
    EXPECT_FALSE(partial->complete);
    EXPECT_EQ(partial->size, 0u);
}

TEST(Framer, IndefiniteLengthIsAnError) {
    auto f = frame(from_hex("30 80"), 1 << 20);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, Errc::parse_error);
}

TEST(Framer, MoreThanFourLengthOctetsIsAnError) {
    for (const char* hex : {"30 85", "30 85 00 00 00 00 05", "30 88", "30 ff"}) {
        auto f = frame(from_hex(hex), 1 << 20);
        ASSERT_FALSE(f) << hex;
        EXPECT_EQ(f.error().code, Errc::parse_error) << hex;
    }
}

TEST(Framer, MultiOctetTagIsAnErrorAtTheFirstByte) {
    auto f = frame(from_hex("3f"), 1 << 20);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, Errc::parse_error);
}

TEST(Framer, HugeLengthFailsAsSoonAsTheHeaderIsSeen) {
    const std::string header = from_hex("30 84 ff ff ff ff");
    for (size_t n = 1; n < header.size(); ++n) {
        auto f = frame(header.substr(0, n), 1 << 20);
        ASSERT_TRUE(f) << n;
        EXPECT_FALSE(f->complete);
    }
    auto f = frame(header, 1 << 20);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, Errc::limit_exceeded);
}

TEST(Framer, LimitCountsTheWholeElement) {
    const std::string ten = from_hex("04 08 01 02 03 04 05 06 07 08");
    EXPECT_TRUE(frame(ten, 10));
    auto f = frame(ten.substr(0, 2), 9);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, Errc::limit_exceeded);
}

}  // namespace
}  // namespace sb::ber
