#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "eas/wbxml/document.hpp"
#include "eas/wbxml/tokenizer.hpp"
#include "eas/wbxml/xml.hpp"
#include "wbxml_test_util.hpp"

namespace sb::wbxml {
namespace {

using test::wbxml;

// <FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>
const std::string kFolderSync =
    wbxml({0x03, 0x01, 0x6A, 0x00, 0x00, 0x07, 0x56, 0x52, 0x03, '0', 0x00, 0x01, 0x01});

TEST(WbxmlDecoder, DecodesHeaderElementsAndInlineStrings) {
    auto doc = decode(kFolderSync);
    ASSERT_TRUE(doc) << doc.error().message;
    const Element root = doc->root();
    EXPECT_TRUE(root.is(cp::folderhierarchy::FolderSync));
    EXPECT_EQ(root.name(), "FolderSync");
    EXPECT_TRUE(root.has_content());
    EXPECT_EQ(root.offset(), 6u);
    const Element key = root.child(cp::folderhierarchy::SyncKey);
    ASSERT_TRUE(key);
    EXPECT_EQ(key.value_kind(), ValueKind::text);
    EXPECT_EQ(key.text(), "0");
    // Zero-copy: the value is a view into the body.
    EXPECT_EQ(key.text().data(), kFolderSync.data() + 9);
    EXPECT_EQ(doc->element_count(), 2u);
}

TEST(WbxmlDecoder, NavigatesChildrenByTag) {
    // <Ping><HeartbeatInterval>480</..><Folders><Folder><Id>2</Id><Class>Email</Class></Folder>
    // <Folder><Id>9</Id><Class>Contacts</Class></Folder></Folders></Ping>
    std::string body = wbxml({0x03, 0x01, 0x6A, 0x00, 0x00, 0x0D, 0x45, 0x48, 0x03});
    body += "480";
    body += wbxml({0x00, 0x01, 0x49, 0x4A, 0x4B, 0x03, '2', 0x00, 0x01, 0x4C, 0x03});
    body += "Email";
    body += wbxml({0x00, 0x01, 0x01, 0x4A, 0x4B, 0x03, '9', 0x00, 0x01, 0x4C, 0x03});
    body += "Contacts";
    body += wbxml({0x00, 0x01, 0x01, 0x01, 0x01});
    auto doc = decode(body);
    ASSERT_TRUE(doc) << doc.error().message;
    const Element ping = doc->root();
    EXPECT_EQ(ping.child_text(cp::ping::HeartbeatInterval), "480");
    EXPECT_EQ(ping.child_value(cp::ping::Status), std::nullopt);
    EXPECT_EQ(ping.child_text(cp::ping::Status, "none"), "none");
    EXPECT_FALSE(ping.child(cp::ping::Status));
    std::vector<std::pair<std::string, std::string>> folders;
    for (Element f : ping.child(cp::ping::Folders).children(cp::ping::Folder))
        folders.emplace_back(f.child_text(cp::ping::Id), f.child_text(cp::ping::Class));
    EXPECT_EQ(folders, (std::vector<std::pair<std::string, std::string>>{{"2", "Email"},
                                                                         {"9", "Contacts"}}));
    EXPECT_EQ(ping.child_count(), 2u);
    EXPECT_EQ(ping.descend({cp::ping::Folders, cp::ping::Folder, cp::ping::Class}).text(), "Email");
    EXPECT_FALSE(ping.descend({cp::ping::Folders, cp::ping::MaxFolders, cp::ping::Id}));
    EXPECT_TRUE(ping.children(cp::ping::MaxFolders).empty());
    // A null element is harmless to navigate.
    const Element none;
    EXPECT_FALSE(none.child(cp::ping::Id));
    EXPECT_EQ(none.text(), "");
    EXPECT_EQ(none.child_count(), 0u);
}

TEST(WbxmlDecoder, DistinguishesEmptyElementsFromElementsWithContent) {
    // <Sync><Collections/><Collection></Collection></Sync>
    const std::string body = wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x1C, 0x4F, 0x01, 0x01});
    auto doc = decode(body);
    ASSERT_TRUE(doc) << doc.error().message;
    const Element empty = doc->root().child(cp::airsync::Collections);
    const Element with_content = doc->root().child(cp::airsync::Collection);
    ASSERT_TRUE(empty && with_content);
    EXPECT_FALSE(empty.has_content());
    EXPECT_TRUE(with_content.has_content());
    EXPECT_EQ(with_content.value_kind(), ValueKind::none);
    EXPECT_EQ(empty.next_sibling(), with_content);
}

TEST(WbxmlDecoder, ReadsOpaqueBytesAsTheyAre) {
    // <Body xmlns="AirSyncBase:"><Data>OPAQUE 00 ff 0a 41</Data></Body>
    const std::string body = wbxml({0x03, 0x01, 0x6A, 0x00, 0x00, 0x11, 0x4A, 0x4B, 0xC3, 0x04,
                                    0x00, 0xFF, 0x0A, 0x41, 0x01, 0x01});
    auto doc = decode(body);
    ASSERT_TRUE(doc) << doc.error().message;
    const Element data = doc->root().child(cp::airsyncbase::Data);
    EXPECT_TRUE(data.is_opaque());
    EXPECT_EQ(data.value(), std::string_view("\x00\xFF\x0A\x41", 4));
    EXPECT_EQ(data.value().data(), body.data() + 10);
}

TEST(WbxmlDecoder, JoinsAValueSentInSeveralStrings) {
    // <SyncKey>STR_I "ab" STR_I "cd" STR_I ""</SyncKey>
    const std::string body = wbxml({0x03, 0x01, 0x6A, 0x00, 0x4B, 0x03, 'a', 'b', 0x00, 0x03, 'c',
                                    'd', 0x00, 0x03, 0x00, 0x01});
    auto doc = decode(body);
    ASSERT_TRUE(doc) << doc.error().message;
    EXPECT_EQ(doc->root().text(), "abcd");
    EXPECT_EQ(doc->root().value_kind(), ValueKind::text);
}

TEST(WbxmlDecoder, ResolvesStringTableReferences) {
    // String table "abc\0de\0"; <Sync><SyncKey>STR_T 4</SyncKey><Status>STR_T 0</Status></Sync>
    const std::string body = wbxml({0x03, 0x01, 0x6A, 0x07, 'a',  'b',  'c',  0x00, 'd',  'e', 0x00,
                                    0x45, 0x4B, 0x83, 0x04, 0x01, 0x4E, 0x83, 0x00, 0x01, 0x01});
    auto doc = decode(body);
    ASSERT_TRUE(doc) << doc.error().message;
    EXPECT_EQ(doc->root().child_text(cp::airsync::SyncKey), "de");
    EXPECT_EQ(doc->root().child_text(cp::airsync::Status), "abc");
}

TEST(WbxmlDecoder, AcceptsAPublicIdentifierFromTheStringTable) {
    const std::string body = wbxml({0x03, 0x00, 0x00, 0x6A, 0x02, 'x', 0x00, 0x05});
    auto doc = decode(body);
    ASSERT_TRUE(doc) << doc.error().message;
    EXPECT_TRUE(doc->root().is(cp::airsync::Sync));
}

TEST(WbxmlDecoder, OwnedBodyOutlivesTheCallersBuffer) {
    Result<Document> doc = [] {
        std::string body = kFolderSync;
        return decode_owned(std::move(body));
    }();
    ASSERT_TRUE(doc) << doc.error().message;
    EXPECT_EQ(doc->root().child_text(cp::folderhierarchy::SyncKey), "0");
    Document moved = std::move(*doc);
    EXPECT_EQ(moved.root().child_text(cp::folderhierarchy::SyncKey), "0");
}

TEST(WbxmlDecoder, SaysNeedMoreUntilTheInputIsComplete) {
    Decoder decoder;
    std::string buffer;
    for (char c : kFolderSync) {
        buffer += c;
        auto r = decoder.feed(buffer, false);
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_FALSE(*r);
    }
    auto r = decoder.feed(buffer, true);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(*r);
    Document doc = decoder.take();
    EXPECT_EQ(doc.root().child_text(cp::folderhierarchy::SyncKey), "0");
}

// Every fixture, encoded, decodes to the same tree whatever the fragment size (1 byte included).
TEST(WbxmlDecoder, FragmentReplayGivesTheSameTree) {
    for (const std::string& name : test::fixture_names()) {
        SCOPED_TRACE(name);
        auto body = from_xml(test::fixture(name));
        ASSERT_TRUE(body) << body.error().message;
        auto whole = decode(*body);
        ASSERT_TRUE(whole) << whole.error().message;
        for (size_t size : sb::test::kFragmentSizes) {
            SCOPED_TRACE(size);
            std::string storage;
            auto pieces = test::decode_in_fragments(*body, size, storage);
            ASSERT_TRUE(pieces) << pieces.error().message;
            EXPECT_TRUE(same_tree(whole->root(), pieces->root()));
        }
    }
}

struct Malformed {
    const char* what;
    std::string body;
    Errc code;
    const char* message;  // expected substring, with the offset
};

std::vector<Malformed> malformed_cases() {
    return {
        {"empty body", "", Errc::parse_error, "truncated header at offset 0"},
        {"WBXML 1.0", wbxml({0x00, 0x01, 0x6A, 0x00, 0x05}), Errc::parse_error,
         "unsupported WBXML version 0x00 at offset 0"},
        {"version 2.0", wbxml({0x04, 0x01, 0x6A, 0x00, 0x05}), Errc::parse_error, "at offset 0"},
        {"charset not UTF-8", wbxml({0x03, 0x01, 0x04, 0x00, 0x05}), Errc::parse_error,
         "charset is not UTF-8 (106) at offset 2"},
        {"truncated mb_u_int32", wbxml({0x03, 0x81}), Errc::parse_error,
         "truncated header at offset 1"},
        {"mb_u_int32 longer than 5 bytes", wbxml({0x03, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01}),
         Errc::parse_error, "malformed public identifier at offset 1"},
        {"mb_u_int32 beyond 32 bits", wbxml({0x03, 0x01, 0x90, 0x80, 0x80, 0x80, 0x00}),
         Errc::parse_error, "charset is not UTF-8 (106) at offset 2"},
        {"truncated string table", wbxml({0x03, 0x01, 0x6A, 0x04, 'a', 'b'}), Errc::parse_error,
         "truncated string table at offset 4"},
        {"unknown code page", wbxml({0x03, 0x01, 0x6A, 0x00, 0x00, 0x1A, 0x45, 0x01}),
         Errc::parse_error, "unknown code page 26 at offset 5"},
        {"unknown token", wbxml({0x03, 0x01, 0x6A, 0x00, 0x6A, 0x01}), Errc::parse_error,
         "unknown token 0x2A in code page 0 (AirSync) at offset 4"},
        {"gap in a page", wbxml({0x03, 0x01, 0x6A, 0x00, 0x00, 0x19, 0x4F, 0x01}),
         Errc::parse_error, "unknown token 0x0F in code page 25 (Find) at offset 6"},
        {"END without element", wbxml({0x03, 0x01, 0x6A, 0x00, 0x01}), Errc::parse_error,
         "END without an open element at offset 4"},
        {"attributes", wbxml({0x03, 0x01, 0x6A, 0x00, 0xC5, 0x01, 0x01}), Errc::parse_error,
         "attributes are not used by EAS at offset 4"},
        {"unterminated STR_I", wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x03, 'a', 'b'}),
         Errc::parse_error, "truncated inline string (no terminating NUL) at offset 5"},
        {"STR_T without table", wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x83, 0x00, 0x01}),
         Errc::parse_error, "string table reference out of range at offset 5"},
        {"STR_T beyond table", wbxml({0x03, 0x01, 0x6A, 0x02, 'a', 0x00, 0x45, 0x83, 0x02, 0x01}),
         Errc::parse_error, "string table reference out of range at offset 7"},
        {"STR_T entry without NUL",
         wbxml({0x03, 0x01, 0x6A, 0x02, 'a', 'b', 0x45, 0x83, 0x00, 0x01}), Errc::parse_error,
         "string table entry without terminating NUL at offset 7"},
        {"public id index beyond table", wbxml({0x03, 0x00, 0x05, 0x6A, 0x01, 0x00, 0x05}),
         Errc::parse_error, "public identifier index outside the string table at offset 1"},
        {"trailing garbage", wbxml({0x03, 0x01, 0x6A, 0x00, 0x05, 0x05}), Errc::parse_error,
         "trailing data after the root element at offset 5"},
        {"trailing SWITCH_PAGE", wbxml({0x03, 0x01, 0x6A, 0x00, 0x05, 0x00, 0x01}),
         Errc::parse_error, "trailing data after the root element at offset 5"},
        {"open elements at the end", wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x4F}), Errc::parse_error,
         "body ends with elements still open at offset 6"},
        {"no root element", wbxml({0x03, 0x01, 0x6A, 0x00}), Errc::parse_error,
         "body ends before the root element at offset 4"},
        {"string before the root", wbxml({0x03, 0x01, 0x6A, 0x00, 0x03, 'a', 0x00, 0x05}),
         Errc::parse_error, "content outside the root element at offset 4"},
        {"ENTITY", wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x02, 0x41, 0x01}), Errc::parse_error,
         "unsupported WBXML token 0x02 at offset 5"},
        {"PI", wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x43, 0x01, 0x01}), Errc::parse_error,
         "unsupported WBXML token 0x43 at offset 5"},
        {"EXT_T_0", wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x80, 0x00, 0x01}), Errc::parse_error,
         "unsupported WBXML token 0x80 at offset 5"},
        {"LITERAL", wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x04, 0x00, 0x01}), Errc::parse_error,
         "unsupported WBXML token 0x04 at offset 5"},
        {"truncated opaque", wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0xC3, 0x05, 'a', 'b'}),
         Errc::parse_error, "truncated opaque value at offset 5"},
        {"truncated opaque length", wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0xC3, 0x85}),
         Errc::parse_error, "truncated opaque length at offset 5"},
        {"truncated SWITCH_PAGE", wbxml({0x03, 0x01, 0x6A, 0x00, 0x00}), Errc::parse_error,
         "truncated SWITCH_PAGE at offset 4"},
        {"element after a value",
         wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x03, 'x', 0x00, 0x06, 0x01}), Errc::parse_error,
         "element after a value (mixed content) at offset 8"},
        {"value after an element",
         wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x06, 0x03, 'x', 0x00, 0x01}), Errc::parse_error,
         "value after an element (mixed content) at offset 6"},
        {"string and opaque",
         wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x03, 'x', 0x00, 0xC3, 0x01, 'y', 0x01}),
         Errc::parse_error, "string and opaque in one element at offset 8"},
    };
}

TEST(WbxmlDecoder, RejectsMalformedBodiesWithTheirOffset) {
    for (const Malformed& m : malformed_cases()) {
        SCOPED_TRACE(m.what);
        auto doc = decode(m.body);
        ASSERT_FALSE(doc);
        EXPECT_EQ(doc.error().code, m.code);
        EXPECT_NE(doc.error().message.find(m.message), std::string::npos) << doc.error().message;
        // Fed a byte at a time, the decoder reports the same error.
        std::string storage;
        auto pieces = test::decode_in_fragments(m.body, 1, storage);
        ASSERT_FALSE(pieces);
        EXPECT_EQ(pieces.error().message, doc.error().message);
    }
}

TEST(WbxmlDecoder, ReportsAnErrorAsSoonAsTheBadByteArrives) {
    // The unknown token at offset 4 fails when the fifth byte arrives, not at the end.
    const std::string body = wbxml({0x03, 0x01, 0x6A, 0x00, 0x6A, 0x45, 0x01, 0x01});
    std::string storage;
    size_t given = 0;
    auto doc = test::decode_in_fragments(body, 1, storage, {}, &given);
    ASSERT_FALSE(doc);
    EXPECT_EQ(given, 5u);
}

TEST(WbxmlDecoder, StaysFailedAfterAnError) {
    Decoder decoder;
    const std::string bad = wbxml({0x03, 0x01, 0x6A, 0x00, 0x01});
    ASSERT_FALSE(decoder.feed(bad, false));
    auto again = decoder.feed(kFolderSync, true);
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message.find("END without"), std::string::npos);
}

TEST(WbxmlDecoder, EnforcesDepthAndElementLimits) {
    // <Sync><Collections><Collection><SyncKey/></Collection></Collections></Sync>: depth 4.
    const std::string body =
        wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x5C, 0x4F, 0x0B, 0x01, 0x01, 0x01});
    Limits limits;
    limits.max_depth = 4;
    EXPECT_TRUE(decode(body, limits));
    limits.max_depth = 3;
    auto deep = decode(body, limits);
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error().code, Errc::limit_exceeded);
    EXPECT_NE(deep.error().message.find("at offset 7"), std::string::npos);

    limits = Limits{};
    limits.max_elements = 3;
    auto many = decode(body, limits);
    ASSERT_FALSE(many);
    EXPECT_EQ(many.error().code, Errc::limit_exceeded);
    EXPECT_NE(many.error().message.find("more elements than the limit at offset 7"),
              std::string::npos);
}

TEST(WbxmlDecoder, EnforcesStringLimitsBeforeTheStringEnds) {
    Limits limits;
    limits.max_string = 4;
    const std::string four =
        wbxml({0x03, 0x01, 0x6A, 0x00, 0x4B, 0x03, 'a', 'b', 'c', 'd', 0x00, 0x01});
    EXPECT_TRUE(decode(four, limits));
    // Five bytes without a NUL are enough to fail: the decoder does not wait for the end.
    Decoder decoder(limits);
    auto r =
        decoder.feed(wbxml({0x03, 0x01, 0x6A, 0x00, 0x4B, 0x03, 'a', 'b', 'c', 'd', 'e'}), false);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::limit_exceeded);
    // The string table is bounded by the same limit.
    const std::string with_table = wbxml({0x03, 0x01, 0x6A, 0x05, 'a', 'b', 'c', 'd', 0x00, 0x05});
    auto table = decode(with_table, limits);
    ASSERT_FALSE(table);
    EXPECT_EQ(table.error().code, Errc::limit_exceeded);
}

TEST(WbxmlDecoder, BoundsValuesJoinedFromRepeatedTableReferences) {
    // String table "abcd\0"; <SyncKey> repeats STR_T 0 three times: 12 bytes once joined.
    const std::string body = wbxml({0x03, 0x01, 0x6A, 0x05, 'a', 'b', 'c', 'd', 0x00, 0x4B, 0x83,
                                    0x00, 0x83, 0x00, 0x83, 0x00, 0x01});
    auto doc = decode(body);
    ASSERT_TRUE(doc) << doc.error().message;
    EXPECT_EQ(doc->root().text(), "abcdabcdabcd");
    Limits limits;
    limits.max_string = 10;
    auto bounded = decode(body, limits);
    ASSERT_FALSE(bounded);
    EXPECT_EQ(bounded.error().code, Errc::limit_exceeded);
    EXPECT_NE(bounded.error().message.find("joined value longer than the limit at offset 14"),
              std::string::npos)
        << bounded.error().message;
    limits = Limits{};
    limits.max_body = 18;  // the body fits, its joined values (8 + 12 bytes of scratch) do not
    auto small = decode(body, limits);
    ASSERT_FALSE(small);
    EXPECT_NE(small.error().message.find("joined values larger than the body limit"),
              std::string::npos);
}

TEST(WbxmlDecoder, EnforcesOpaqueAndBodyLimitsFromTheDeclaredLength) {
    Limits limits;
    limits.max_opaque = 10;
    // OPAQUE announcing 100 bytes fails at once, before any of them arrives.
    Decoder decoder(limits);
    auto r = decoder.feed(wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0xC3, 0x64}), false);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::limit_exceeded);
    EXPECT_NE(r.error().message.find("opaque value longer than the limit at offset 5"),
              std::string::npos);

    limits = Limits{};
    limits.max_body = 16;
    Decoder small(limits);
    r = small.feed(wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0xC3, 0x20}), false);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::limit_exceeded);
    const std::string too_big(17, '\x03');
    auto big = decode(too_big, limits);
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().code, Errc::limit_exceeded);
}

TEST(WbxmlTokenizer, ProducesStartEndValueAndDoneTokens) {
    // <Sync><SyncKey>1</SyncKey><GetChanges/></Sync>
    const std::string body =
        wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x4B, 0x03, '1', 0x00, 0x01, 0x13, 0x01});
    Tokenizer tokenizer;
    std::vector<std::string> seen;
    for (;;) {
        auto t = tokenizer.next(body, true);
        ASSERT_TRUE(t) << t.error().message;
        std::string s;
        switch (t->kind) {
            case TokenKind::start:
                s = std::string(t->has_content ? "start " : "empty ") +
                    std::string(tag_name(t->tag));
                break;
            case TokenKind::end:
                s = "end " + std::string(tag_name(t->tag));
                break;
            case TokenKind::text:
                s = "text " + std::string(t->value);
                break;
            case TokenKind::opaque:
                s = "opaque";
                break;
            case TokenKind::need_more:
                s = "need_more";
                break;
            case TokenKind::done:
                s = "done";
                break;
        }
        seen.push_back(s + "@" + std::to_string(t->offset));
        if (t->kind == TokenKind::done || t->kind == TokenKind::need_more) break;
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"start Sync@4", "start SyncKey@5", "text 1@6",
                                              "end SyncKey@9", "empty GetChanges@10",
                                              "end GetChanges@11", "end Sync@11", "done@12"}));
}

TEST(WbxmlTokenizer, MultiByteIntegersRoundTrip) {
    struct Case {
        uint32_t value;
        std::string bytes;
    };
    const std::vector<Case> cases = {
        {0, wbxml({0x00})},
        {0x7F, wbxml({0x7F})},
        {0x80, wbxml({0x81, 0x00})},
        {0xA0, wbxml({0x81, 0x20})},
        {0x3FFF, wbxml({0xFF, 0x7F})},
        {0x4000, wbxml({0x81, 0x80, 0x00})},
        {0xFFFFFFFFu, wbxml({0x8F, 0xFF, 0xFF, 0xFF, 0x7F})},
    };
    for (const Case& c : cases) {
        std::string out;
        append_mb_u_int32(out, c.value);
        EXPECT_EQ(test::hex(out), test::hex(c.bytes)) << c.value;
        uint32_t read = 1;
        EXPECT_EQ(read_mb_u_int32(c.bytes, 0, read), static_cast<int>(c.bytes.size()));
        EXPECT_EQ(read, c.value);
        // Every strict prefix is "need more".
        for (size_t n = 0; n < c.bytes.size(); ++n)
            EXPECT_EQ(read_mb_u_int32(c.bytes.substr(0, n), 0, read), 0);
    }
    uint32_t v = 0;
    EXPECT_EQ(read_mb_u_int32(wbxml({0x90, 0x80, 0x80, 0x80, 0x00}), 0, v), -1);
    EXPECT_EQ(read_mb_u_int32(wbxml({0x80, 0x80, 0x80, 0x80, 0x80, 0x00}), 0, v), -1);
}

}  // namespace
}  // namespace sb::wbxml
