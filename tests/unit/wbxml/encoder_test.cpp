#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "eas/wbxml/encoder.hpp"
#include "eas/wbxml/xml.hpp"
#include "wbxml_test_util.hpp"

namespace sb::wbxml {
namespace {

using test::hex;
using test::wbxml;

TEST(WbxmlEncoder, WritesHeaderTagsAndStrings) {
    std::string out;
    Encoder enc(out);
    enc.start(cp::folderhierarchy::FolderSync).element(cp::folderhierarchy::SyncKey, "0").end();
    ASSERT_TRUE(enc.finish());
    EXPECT_EQ(
        hex(out),
        hex(wbxml({0x03, 0x01, 0x6A, 0x00, 0x00, 0x07, 0x56, 0x52, 0x03, '0', 0x00, 0x01, 0x01})));
    EXPECT_EQ(enc.bytes_written(), out.size());
}

TEST(WbxmlEncoder, WritesIllFormedUtf8AsReplacementCharacters) {
    // The header says UTF-8: a value with stray bytes (an echoed id a device sent in Latin-1)
    // goes out with U+FFFD in their place; well-formed text is written as it is.
    std::string out;
    Encoder enc(out);
    enc.start(cp::folderhierarchy::FolderSync)
        .element(cp::folderhierarchy::SyncKey, std::string_view("7\xff\xfe", 3))
        .element(cp::folderhierarchy::SyncKey, "Zo\xc3\xab")
        .end();
    ASSERT_TRUE(enc.finish());
    EXPECT_EQ(hex(out), hex(wbxml({0x03, 0x01, 0x6A, 0x00, 0x00, 0x07, 0x56, 0x52, 0x03,
                                   '7',  0xEF, 0xBF, 0xBD, 0xEF, 0xBF, 0xBD, 0x00, 0x01,
                                   0x52, 0x03, 'Z',  'o',  0xC3, 0xAB, 0x00, 0x01, 0x01})));
}

TEST(WbxmlEncoder, SwitchesPageOnlyWhenItChanges) {
    std::string out;
    Encoder enc(out);
    enc.start(cp::airsync::Sync)
        .start(cp::airsync::Collections)
        .start(cp::airsyncbase::Body)
        .element(cp::airsyncbase::Type, 1)
        .element(cp::airsyncbase::EstimatedDataSize, 0)
        .end()
        .start(cp::airsyncbase::BodyPreference)
        .end()
        .element(cp::airsync::Status, -3)
        .end()
        .end();
    ASSERT_TRUE(enc.finish());
    EXPECT_EQ(hex(out),
              hex(wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x5C,  // Sync Collections (page 0)
                         0x00, 0x11, 0x4A,                    // SWITCH 17, Body
                         0x46, 0x03, '1',  0x00, 0x01,        // Type 1
                         0x4C, 0x03, '0',  0x00, 0x01,        // EstimatedDataSize 0
                         0x01, 0x45, 0x01,                    // </Body> BodyPreference </..>
                         0x00, 0x00, 0x4E, 0x03, '-',  '3',  0x00, 0x01,  // SWITCH 0, Status -3
                         0x01, 0x01})));
}

TEST(WbxmlEncoder, WritesEmptyElementsAndEmptyStrings) {
    std::string out;
    Encoder enc(out);
    enc.start(cp::airsync::Sync)
        .empty(cp::airsync::GetChanges)
        .element(cp::airsync::SyncKey, "")  // an empty text gives an empty element
        .start(cp::airsync::Status)
        .text("")
        .end()
        .end();
    ASSERT_TRUE(enc.finish());
    EXPECT_EQ(hex(out),
              hex(wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x13, 0x0B, 0x4E, 0x03, 0x00, 0x01, 0x01})));
}

TEST(WbxmlEncoder, WritesOpaqueValuesWholeOrInPieces) {
    const std::string mime = "From: a@example.com\r\n\r\n" + std::string(200, 'x');
    std::string whole, pieces;
    {
        Encoder enc(whole);
        enc.start(cp::composemail::SendMail).opaque_element(cp::composemail::MIME, mime).end();
        ASSERT_TRUE(enc.finish());
    }
    {
        Encoder enc(pieces);
        enc.start(cp::composemail::SendMail).start(cp::composemail::MIME).opaque_begin(mime.size());
        for (size_t i = 0; i < mime.size(); i += 7)
            enc.opaque_write(std::string_view(mime).substr(i, 7));
        enc.end().end();
        ASSERT_TRUE(enc.finish());
    }
    EXPECT_EQ(whole, pieces);
    // OPAQUE, length 223 as mb_u_int32 (81 5F), then the bytes.
    EXPECT_EQ(whole.substr(0, 11),
              wbxml({0x03, 0x01, 0x6A, 0x00, 0x00, 0x15, 0x45, 0x50, 0xC3, 0x81, 0x5F}));
    auto doc = decode(whole);
    ASSERT_TRUE(doc) << doc.error().message;
    EXPECT_EQ(doc->root().child(cp::composemail::MIME).value(), mime);
}

class RecordingSink : public Sink {
  public:
    void write(std::string_view bytes) override {
        writes.emplace_back(bytes);
        data.append(bytes);
        pointers.push_back(bytes.data());
    }
    std::vector<std::string> writes;
    std::vector<const char*> pointers;
    std::string data;
};

TEST(WbxmlEncoder, StreamsToASinkInBatchesAndPassesLargeValuesThrough) {
    const std::string mime(100000, 'm');
    RecordingSink sink;
    Encoder enc(sink, 64);
    enc.start(cp::itemoperations::ItemOperations)
        .element(cp::itemoperations::Status, 1)
        .start(cp::itemoperations::Response)
        .start(cp::itemoperations::Fetch)
        .opaque_element(cp::itemoperations::Data, mime)
        .end()
        .end()
        .end();
    ASSERT_TRUE(enc.finish());
    std::string direct;
    {
        Encoder e(direct);
        e.start(cp::itemoperations::ItemOperations)
            .element(cp::itemoperations::Status, 1)
            .start(cp::itemoperations::Response)
            .start(cp::itemoperations::Fetch)
            .opaque_element(cp::itemoperations::Data, mime)
            .end()
            .end()
            .end();
        ASSERT_TRUE(e.finish());
    }
    EXPECT_EQ(sink.data, direct);
    // The MIME bytes reached the sink as the caller's buffer, without a copy.
    bool passed_through = false;
    for (const char* p : sink.pointers)
        passed_through |= p == mime.data();
    EXPECT_TRUE(passed_through);
    for (const std::string& w : sink.writes)
        EXPECT_TRUE(w.size() <= 64 || w.size() == mime.size()) << w.size();
}

// Re-encoding a decoded document gives the same tree, and the same bytes unless a value came in
// several pieces (a CDATA section split around "]]>" becomes two OPAQUE tokens, joined on decode).
TEST(WbxmlEncoder, ReencodesDecodedDocuments) {
    for (const std::string& name : test::fixture_names()) {
        SCOPED_TRACE(name);
        const std::string xml = test::fixture(name);
        auto body = from_xml(xml);
        ASSERT_TRUE(body) << body.error().message;
        auto doc = decode(*body);
        ASSERT_TRUE(doc) << doc.error().message;
        auto again = encode(*doc);
        ASSERT_TRUE(again) << again.error().message;
        auto redecoded = decode(*again);
        ASSERT_TRUE(redecoded) << redecoded.error().message;
        EXPECT_TRUE(same_tree(doc->root(), redecoded->root()));
        if (xml.find("]]]]><![CDATA[") == std::string::npos) {
            EXPECT_EQ(hex(*again), hex(*body));
        } else {
            EXPECT_EQ(again->size() + 2, body->size());  // one OPAQUE header less
        }
    }
}

struct Misuse {
    const char* what;
    void (*use)(Encoder&);
    const char* message;
};

TEST(WbxmlEncoder, ReportsMisuseAtFinish) {
    const std::vector<Misuse> cases = {
        {"nothing written", [](Encoder&) {}, "no root element"},
        {"unclosed", [](Encoder& e) { e.start(cp::ping::Ping).start(cp::ping::Folders); },
         "2 element(s) not closed"},
        {"END without element", [](Encoder& e) { e.empty(cp::ping::Ping).end(); },
         "END without an open element"},
        {"second root", [](Encoder& e) { e.empty(cp::ping::Ping).empty(cp::ping::Ping); },
         "second root element"},
        {"value outside an element", [](Encoder& e) { e.text("x"); }, "value outside an element"},
        {"NUL in a string",
         [](Encoder& e) { e.start(cp::ping::Ping).text(std::string_view("a\0b", 3)).end(); },
         "string contains NUL"},
        {"unknown tag",
         [](Encoder& e) {
             e.empty(Tag{25, 0x0F});
         },
         "unknown tag"},
        {"unknown page",
         [](Encoder& e) {
             e.empty(Tag{26, 0x05});
         },
         "unknown tag"},
        {"element after text",
         [](Encoder& e) { e.start(cp::ping::Ping).text("x").empty(cp::ping::Folders).end(); },
         "mixed content"},
        {"text after element",
         [](Encoder& e) { e.start(cp::ping::Ping).empty(cp::ping::Folders).text("x").end(); },
         "mixed content"},
        {"string and opaque",
         [](Encoder& e) { e.start(cp::ping::Ping).text("x").opaque("y").end(); },
         "string and opaque"},
        {"short opaque",
         [](Encoder& e) { e.start(cp::ping::Ping).opaque_begin(3).opaque_write("ab").end(); },
         "unfinished opaque"},
        {"long opaque",
         [](Encoder& e) { e.start(cp::ping::Ping).opaque_begin(1).opaque_write("ab"); },
         "beyond the announced size"},
    };
    for (const Misuse& m : cases) {
        SCOPED_TRACE(m.what);
        std::string out;
        Encoder enc(out);
        m.use(enc);
        auto r = enc.finish();
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, Errc::invalid_argument);
        EXPECT_NE(r.error().message.find(m.message), std::string::npos) << r.error().message;
    }
}

TEST(WbxmlEncoder, WritesNumbersInDecimal) {
    std::string out;
    Encoder enc(out);
    enc.start(cp::ping::Ping)
        .element(cp::ping::HeartbeatInterval, 480u)
        .element(cp::ping::MaxFolders, int64_t{-9223372036854775807 - 1})
        .element(cp::ping::Status, size_t{18446744073709551615u})
        .end();
    ASSERT_TRUE(enc.finish());
    auto doc = decode(out);
    ASSERT_TRUE(doc) << doc.error().message;
    EXPECT_EQ(doc->root().child_text(cp::ping::HeartbeatInterval), "480");
    EXPECT_EQ(doc->root().child_text(cp::ping::MaxFolders), "-9223372036854775808");
    EXPECT_EQ(doc->root().child_text(cp::ping::Status), "18446744073709551615");
}

}  // namespace
}  // namespace sb::wbxml
