#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "directory/ldif/reader.hpp"
#include "directory/ldif/writer.hpp"
#include "ldif_test_util.hpp"
#include "test_support.hpp"

namespace sb::ldif {
namespace {

using test::parse_ok;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string write_ok(const Entry& e) {
    auto r = write_entry(e);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : std::string();
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << path;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Joins folded lines (the writer folds only with "\n ").
std::string unfold(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && i + 1 < text.size() && text[i + 1] == ' ') {
            ++i;
            continue;
        }
        out += text[i];
    }
    return out;
}

// Folds every line longer than `width` (>= 2) bytes: `width` bytes, then " " + (width - 1)
// bytes each.
std::string fold(std::string_view text, size_t width) {
    std::string out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        out.append(line.substr(0, width));
        for (size_t p = width; p < line.size(); p += width - 1) {
            out.append("\n ");
            out.append(line.substr(p, width - 1));
        }
        if (end < text.size()) out += '\n';
        start = end + 1;
    }
    return out;
}

TEST(LdifWriter, SafeStrings) {
    EXPECT_TRUE(safe_string(""));
    EXPECT_TRUE(safe_string("Barbara Jensen"));
    EXPECT_TRUE(safe_string("a:b<c d"));
    EXPECT_TRUE(safe_string("tab\tinside"));
    EXPECT_TRUE(safe_string("#not a comment here"));
    EXPECT_FALSE(safe_string(" leading space"));
    EXPECT_FALSE(safe_string(":colon"));
    EXPECT_FALSE(safe_string("<less"));
    EXPECT_FALSE(safe_string("trailing "));
    EXPECT_FALSE(safe_string("line\nbreak"));
    EXPECT_FALSE(safe_string("cr\r"));
    EXPECT_FALSE(safe_string(std::string("n\0l", 3)));
    EXPECT_FALSE(
        safe_string("Stra\xC3\x9F"
                    "e"));
}

TEST(LdifWriter, WritesPlainAndBase64Lines) {
    Entry e{"cn=Barbara Jensen,dc=example,dc=com",
            0,
            {{"objectClass", "inetOrgPerson"},
             {"cn", "Barbara Jensen"},
             {"description", ""},
             {"sn", "M\xC3\xBCller"},
             {"title", " padded "},
             {"cn;lang-en", "Babs"}}};
    EXPECT_EQ(write_ok(e),
              "dn: cn=Barbara Jensen,dc=example,dc=com\n"
              "objectClass: inetOrgPerson\n"
              "cn: Barbara Jensen\n"
              "description:\n"
              "sn:: TcO8bGxlcg==\n"
              "title:: IHBhZGRlZCA=\n"
              "cn;lang-en: Babs\n"
              "\n");
    Entry utf8_dn{"uid=j\xC3\xBCrgen,dc=example", 0, {{"uid", "jurgen"}}};
    EXPECT_EQ(write_ok(utf8_dn), "dn:: dWlkPWrDvHJnZW4sZGM9ZXhhbXBsZQ==\nuid: jurgen\n\n");
}

TEST(LdifWriter, FoldsAt76Columns) {
    Entry e{
        "cn=photo", 0, {{"jpegPhoto", std::string(1000, '\xFF')}, {"cn", std::string(200, 'x')}}};
    std::string text = write_ok(e);
    size_t lines = 0, start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        std::string_view line(text.data() + start, end - start);
        EXPECT_LE(line.size(), kFoldColumn);
        if (line.size() < kFoldColumn && !line.empty()) {
            // Only the last physical line of a logical line is short.
            EXPECT_NE(text[end + 1], ' ');
        }
        ++lines;
        start = end + 1;
    }
    // "jpegPhoto:: " + 1336 base64 bytes = 1348 = 76 + 16 * 75 + 72 -> 18 physical lines;
    // "cn: " + 200 = 204 = 76 + 75 + 53 -> 3.
    EXPECT_THAT(text, StartsWith("dn: cn=photo\njpegPhoto:: /////"));
    EXPECT_EQ(text.substr(13 + 76, 3), "\n /");
    EXPECT_EQ(lines, 1u + 18u + 3u + 1u);
    auto back = parse_ok(text);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0], e);
}

TEST(LdifWriter, RejectsWhatTheReaderWouldReject) {
    const std::vector<Entry> bad = {
        {"cn=a", 0, {}},
        {"cn=a", 0, {{"bad name", "x"}}},
        {"cn=a", 0, {{"", "x"}}},
        {"cn=a", 0, {{"cn;", "x"}}},
        {"cn=a", 0, {{"dn", "cn=b"}}},
        {"cn=a", 0, {{"cn", "a"}, {"changeType", "modify"}}},
        {"cn=a", 0, {{"control", "1.2.3"}}},
        {"cn=\xFF", 0, {{"cn", "a"}}},
        {std::string("cn=a\0", 5), 0, {{"cn", "a"}}},
        {"cn=a\nb", 0, {{"cn", "a"}}},
    };
    for (const auto& e : bad) {
        std::string out = "keep";
        auto r = append_entry(out, e);
        ASSERT_FALSE(r) << e.dn;
        EXPECT_EQ(r.error().code, Errc::invalid_argument);
        EXPECT_EQ(out, "keep");
    }
    auto file = write_file(std::vector<Entry>{{"cn=a", 0, {{"cn", "a"}}}, bad[1]});
    ASSERT_FALSE(file);
    EXPECT_EQ(file.error().message, "entry 2 (cn=a): invalid attribute description 'bad name'");
}

TEST(LdifWriter, WriteFileHasVersionAndReadsBack) {
    std::vector<Entry> entries = {{"cn=a", 0, {{"cn", "a"}}}, {"cn=b", 0, {{"cn", "b"}}}};
    auto text = write_file(entries);
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "version: 1\n\ndn: cn=a\ncn: a\n\ndn: cn=b\ncn: b\n\n");
    EXPECT_EQ(parse_ok(*text), entries);
}

TEST(LdifWriter, PeopleSampleIsWrittenBackByteForByte) {
    // The generator writes the same canonical form as the writer; only the header comment goes.
    std::string text = read_file(sb::test::source_path("tests/unit/ldif/people_sample.ldif"));
    auto entries = parse_ok(text);
    ASSERT_EQ(entries.size(), 22u);
    std::string out;
    for (const auto& e : entries)
        ASSERT_TRUE(append_entry(out, e));
    EXPECT_EQ(out, text.substr(text.find('\n') + 1));
}

// ---- round trips ----

// A random entry exercising every writer decision: names with options and case, values with
// leading/trailing specials, control bytes, UTF-8 and arbitrary binary, long values that fold.
Entry random_entry(std::mt19937& rng) {
    static const std::vector<std::string> kNames = {"cn",
                                                    "CN",
                                                    "sn",
                                                    "mail",
                                                    "objectClass",
                                                    "jpegPhoto",
                                                    "userCertificate;binary",
                                                    "cn;lang-ja;phonetic",
                                                    "description",
                                                    "2.5.4.3",
                                                    "x-Custom-Attr1",
                                                    "ou;lang-en",
                                                    "o"};
    static const std::string kSpecials = std::string(" :<#\r\n\t\x01-=", 11) + std::string(1, '\0');
    auto uniform = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    auto random_text = [&](size_t max_len, bool utf8_only) {
        std::string v;
        size_t len = uniform(4) == 0 ? uniform(max_len + 1) : uniform(24);
        while (v.size() < len) {
            switch (uniform(utf8_only ? 4 : 5)) {
                case 0:
                    v += kSpecials[uniform(utf8_only ? kSpecials.size() - 4 : kSpecials.size())];
                    break;
                case 1:
                    v += "\xC3\xBC";
                    break;  // ü
                case 2:
                    v += "\xE5\x96\xB6";
                    break;  // 営
                case 3:
                    v += static_cast<char>('a' + uniform(26));
                    break;
                default:
                    v += static_cast<char>(uniform(256));
                    break;
            }
        }
        return v;
    };
    Entry e;
    e.dn = random_text(120, true);
    std::erase_if(e.dn, [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
    size_t n = 1 + uniform(12);
    for (size_t i = 0; i < n; ++i)
        e.attributes.push_back({kNames[uniform(kNames.size())], random_text(400, false)});
    return e;
}

TEST(LdifRoundTrip, RandomEntriesReadBackEqual) {
    std::mt19937 rng(2849);
    std::vector<Entry> entries;
    for (int i = 0; i < 2000; ++i)
        entries.push_back(random_entry(rng));
    auto text = write_file(entries);
    ASSERT_TRUE(text) << text.error().message;
    auto back = parse_ok(*text);
    ASSERT_EQ(back.size(), entries.size());
    for (size_t i = 0; i < entries.size(); ++i)
        ASSERT_EQ(back[i], entries[i]) << "entry " << i;
    // Written again, the text is identical: the writer is deterministic.
    EXPECT_EQ(*write_file(back), *text);
}

TEST(LdifRoundTrip, EveryFoldingColumnAndLineEndingGivesTheSameEntries) {
    std::mt19937 rng(76);
    std::vector<Entry> entries;
    for (int i = 0; i < 40; ++i)
        entries.push_back(random_entry(rng));
    auto written = write_file(entries);
    ASSERT_TRUE(written);
    // Plain UTF-8 values and folded comments too (the writer emits neither).
    std::string text = "# a comment long enough to be folded across several of the lines\n" +
                       unfold(*written) +
                       "dn: cn=Stra\xC3\x9F"
                       "e\n"
                       "# comment inside an entry, folded as well\n"
                       "street: Hauptstra\xC3\x9F"
                       "e 1, M\xC3\xBCnchen \xF0\x9F\x93\xAE\n";
    auto expected = parse_ok(text);
    ASSERT_EQ(expected.size(), entries.size() + 1);
    for (size_t width = 2; width <= 100; ++width) {
        SCOPED_TRACE(width);
        std::string folded = fold(text, width);
        auto lf = parse_all(folded);
        ASSERT_TRUE(lf) << lf.error().message;
        ASSERT_EQ(*lf, expected);
        auto crlf = parse_all(test::to_crlf(folded));
        ASSERT_TRUE(crlf) << crlf.error().message;
        ASSERT_EQ(*crlf, expected);
        // Entry line numbers agree between LF and CRLF, and point at "dn" lines.
        for (size_t i = 0; i < lf->size(); ++i)
            EXPECT_EQ((*lf)[i].line, (*crlf)[i].line);
    }
}

TEST(LdifRoundTrip, RandomFoldPointsGiveTheSameEntries) {
    std::mt19937 rng(2);
    std::string text = read_file(sb::test::source_path("tests/unit/ldif/people_sample.ldif"));
    auto expected = parse_ok(text);
    for (int round = 0; round < 50; ++round) {
        std::string folded;
        size_t column = 0;
        for (char c : text) {
            if (c == '\n') {
                column = 0;
            } else if (column > 0 && rng() % 7 == 0) {
                folded += "\n ";
            }
            if (c != '\n') ++column;
            folded += c;
        }
        auto back = parse_all(folded);
        ASSERT_TRUE(back) << back.error().message;
        ASSERT_EQ(*back, expected);
    }
}

}  // namespace
}  // namespace sb::ldif
