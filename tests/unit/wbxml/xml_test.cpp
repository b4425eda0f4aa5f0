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

std::string xml_of(const std::string& body, const XmlWriteOptions& options = {}) {
    auto xml = wbxml_to_xml(body, {}, options);
    EXPECT_TRUE(xml) << xml.error().message;
    return xml ? *xml : std::string();
}

std::string encode_with(void (*write)(Encoder&)) {
    std::string out;
    Encoder enc(out);
    write(enc);
    EXPECT_TRUE(enc.finish());
    return out;
}

TEST(WbxmlXml, WritesLikeWbxml2xmlWithIndentation) {
    const std::string body =
        wbxml({0x03, 0x01, 0x6A, 0x00, 0x00, 0x07, 0x56, 0x52, 0x03, '0', 0x00, 0x01, 0x01});
    EXPECT_EQ(xml_of(body),
              "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
              "<!DOCTYPE ActiveSync PUBLIC \"-//MICROSOFT//DTD ActiveSync//EN\" "
              "\"http://www.microsoft.com/\">\n"
              "<FolderSync xmlns=\"FolderHierarchy:\">\n"
              "  <SyncKey>0</SyncKey>\n"
              "</FolderSync>\n");
    XmlWriteOptions compact;
    compact.declaration = false;
    compact.indent = false;
    EXPECT_EQ(xml_of(body, compact),
              "<FolderSync xmlns=\"FolderHierarchy:\"><SyncKey>0</SyncKey></FolderSync>");
}

TEST(WbxmlXml, DeclaresANamespaceWhereThePageChanges) {
    const std::string body = encode_with([](Encoder& e) {
        e.start(cp::airsync::Sync)
            .start(cp::airsync::ApplicationData)
            .element(cp::email::Subject, "Hi")
            .start(cp::airsyncbase::Body)
            .element(cp::airsyncbase::Type, 1)
            .end()
            .empty(cp::airsync::Status)
            .element(cp::gal::Phone, "1")
            .end()
            .end();
    });
    XmlWriteOptions o;
    o.declaration = false;
    EXPECT_EQ(xml_of(body, o),
              "<Sync xmlns=\"AirSync:\">\n"
              "  <ApplicationData>\n"
              "    <Subject xmlns=\"Email:\">Hi</Subject>\n"
              "    <Body xmlns=\"AirSyncBase:\">\n"
              "      <Type>1</Type>\n"
              "    </Body>\n"
              "    <Status/>\n"
              "    <Phone xmlns=\"Gal:\">1</Phone>\n"
              "  </ApplicationData>\n"
              "</Sync>\n");
}

TEST(WbxmlXml, EscapesTextAndKeepsEdgeWhitespaceAsReferences) {
    const std::string body = encode_with(
        [](Encoder& e) { e.element(cp::folderhierarchy::DisplayName, " a<b>&\"c'\r\n\x01 "); });
    XmlWriteOptions o;
    o.declaration = false;
    o.indent = false;
    const std::string xml = xml_of(body, o);
    EXPECT_EQ(xml,
              "<DisplayName xmlns=\"FolderHierarchy:\">&#x20;a&lt;b&gt;&amp;\"c'&#xD;\n"
              "&#x1;&#x20;</DisplayName>");
    auto back = from_xml(xml);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(hex(*back), hex(body));
}

TEST(WbxmlXml, WritesOpaqueAsCdataOrBase64) {
    const std::string body = encode_with([](Encoder& e) {
        e.start(cp::airsync::ApplicationData)
            .opaque_element(cp::airsyncbase::Data, "x ]]> y\r\n")
            .opaque_element(cp::email2::ConversationId, std::string_view("\x16\x1d\xa5", 3))
            .opaque_element(cp::composemail::MIME, "Subject: hi\r\n\r\nbody")
            .opaque_element(cp::itemoperations::Data, std::string_view("\x00\xff", 2))
            .end();
    });
    XmlWriteOptions o;
    o.declaration = false;
    o.indent = false;
    const std::string xml = xml_of(body, o);
    EXPECT_EQ(xml,
              "<ApplicationData xmlns=\"AirSync:\">"
              "<Data xmlns=\"AirSyncBase:\"><![CDATA[x ]]]]><![CDATA[> y\r\n]]></Data>"
              "<ConversationId xmlns=\"Email2:\">Fh2l</ConversationId>"
              "<MIME xmlns=\"ComposeMail:\"><![CDATA[Subject: hi\r\n\r\nbody]]></MIME>"
              "<Data xmlns=\"ItemOperations:\">AP8=</Data>"
              "</ApplicationData>");
    auto back = from_xml(xml);
    ASSERT_TRUE(back) << back.error().message;
    auto doc = decode(*back);
    ASSERT_TRUE(doc) << doc.error().message;
    const Element root = doc->root();
    EXPECT_EQ(root.child(cp::airsyncbase::Data).value(), "x ]]> y\r\n");
    EXPECT_TRUE(root.child(cp::airsyncbase::Data).is_opaque());
    // Byte arrays read their base64 back to the bytes, as OPAQUE.
    EXPECT_EQ(root.child(cp::email2::ConversationId).value(), "\x16\x1d\xa5");
    EXPECT_TRUE(root.child(cp::email2::ConversationId).is_opaque());
    EXPECT_EQ(root.child(cp::composemail::MIME).value(), "Subject: hi\r\n\r\nbody");
    // Binary bytes in a string-typed tag come back as their base64 text (documented loss).
    EXPECT_EQ(root.child(cp::itemoperations::Data).value(), "AP8=");
    EXPECT_EQ(root.child(cp::itemoperations::Data).value_kind(), ValueKind::text);
    // base64 text of a byte array, as libwbxml writes it.
    auto mime = from_xml("<MIME xmlns=\"ComposeMail:\">U3ViamVjdDogaGk=</MIME>");
    ASSERT_TRUE(mime) << mime.error().message;
    auto mime_doc = decode(*mime);
    ASSERT_TRUE(mime_doc);
    EXPECT_EQ(mime_doc->root().value(), "Subject: hi");
    EXPECT_TRUE(mime_doc->root().is_opaque());
}

TEST(WbxmlXml, CutsLongValuesForLogs) {
    const std::string body = encode_with([](Encoder& e) {
        e.start(cp::composemail::SendMail)
            .opaque_element(cp::composemail::MIME, std::string(5000, 'm'))
            .element(cp::composemail::ClientId, "short")
            .end();
    });
    XmlWriteOptions o;
    o.declaration = false;
    o.indent = false;
    o.max_value = 8;
    EXPECT_EQ(xml_of(body, o),
              "<SendMail xmlns=\"ComposeMail:\"><MIME><![CDATA[mmmmmmmm]]>...[5000 bytes]</MIME>"
              "<ClientId>short</ClientId></SendMail>");
}

TEST(WbxmlXml, ReadsPrologNamespacesEntitiesAndCdata) {
    const std::string xml =
        "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<!-- a comment -->\n"
        "<!DOCTYPE ActiveSync PUBLIC \"-//MICROSOFT//DTD ActiveSync//EN\" "
        "\"http://www.microsoft.com/\">\n"
        "<?some-pi data?>\n"
        "<a:Sync xmlns:a='AirSync:' xmlns:e=\"Email\" xmlns:b=\"AirSyncBase:\">\n"
        "  <a:Collections>\n"
        "    <!-- inside -->\n"
        "    <a:Collection>\n"
        "      <a:SyncKey>  k&amp;&lt;&gt;&quot;&apos;&#233;&#x41;&#x1F600;  </a:SyncKey>\n"
        "      <a:GetChanges></a:GetChanges>\n"
        "      <a:DeletesAsMoves/>\n"
        "      <e:Title xmlns:e=\"Contacts:\">shadowed</e:Title>\n"
        "      <e:Subject>email</e:Subject>\n"
        "      <Body xmlns=\"AirSyncBase:\"><Data>\n   <![CDATA[<raw & data>]]>\n</Data></Body>\n"
        "    </a:Collection>\n"
        "  </a:Collections>\n"
        "</a:Sync>\n"
        "<!-- trailing comment -->\n";
    auto body = from_xml(xml);
    ASSERT_TRUE(body) << body.error().message;
    auto doc = decode(*body);
    ASSERT_TRUE(doc) << doc.error().message;
    const Element c = doc->root().descend({cp::airsync::Collections, cp::airsync::Collection});
    ASSERT_TRUE(c);
    EXPECT_EQ(c.child_text(cp::airsync::SyncKey),
              "k&<>\"'\xC3\xA9"
              "A\xF0\x9F\x98\x80");
    EXPECT_FALSE(c.child(cp::airsync::GetChanges).has_content());
    EXPECT_FALSE(c.child(cp::airsync::DeletesAsMoves).has_content());
    // The inner declaration of prefix e applies to its element only.
    EXPECT_EQ(c.child_text(cp::contacts::Title), "shadowed");
    EXPECT_EQ(c.child_text(cp::email::Subject), "email");
    const Element data = c.descend({cp::airsyncbase::Body, cp::airsyncbase::Data});
    EXPECT_TRUE(data.is_opaque());
    EXPECT_EQ(data.value(), "<raw & data>");
}

TEST(WbxmlXml, KeepsWhitespaceOnRequest) {
    const std::string xml = "<Ping xmlns=\"Ping:\"><Status> 1 </Status></Ping>";
    auto trimmed = from_xml(xml);
    ASSERT_TRUE(trimmed);
    EXPECT_EQ(decode(*trimmed)->root().child_text(cp::ping::Status), "1");
    XmlReadLimits keep;
    keep.keep_whitespace = true;
    auto kept = from_xml(xml, keep);
    ASSERT_TRUE(kept);
    EXPECT_EQ(decode(*kept)->root().child_text(cp::ping::Status), " 1 ");
}

struct BadXml {
    const char* what;
    const char* xml;
    const char* message;
};

TEST(WbxmlXml, RejectsWhatEasXmlCannotBe) {
    const std::vector<BadXml> cases = {
        {"empty", "", "expected the root element at line 1, column 1"},
        {"text only", "hello", "expected the root element"},
        {"unknown element", "<Ping xmlns=\"Ping:\"><Pong/></Ping>",
         "unknown element Pong in namespace Ping: at line 1, column 21"},
        {"no namespace", "<Ping/>", "element Ping has no namespace"},
        {"unknown namespace", "<Ping xmlns=\"urn:other\"/>", "not in an EAS namespace"},
        {"undeclared prefix", "<p:Ping xmlns=\"Ping:\"/>", "undeclared prefix p"},
        {"attribute", "<Ping xmlns=\"Ping:\" id=\"1\"/>", "attribute id"},
        {"mixed content", "<Ping xmlns=\"Ping:\">text<Status>1</Status></Ping>", "mixed content"},
        {"text after element", "<Ping xmlns=\"Ping:\"><Status>1</Status>text</Ping>",
         "mixed content"},
        {"text and cdata", "<Ping xmlns=\"Ping:\"><Status>a<![CDATA[b]]></Status></Ping>",
         "text and CDATA"},
        {"mismatched end", "<Ping xmlns=\"Ping:\"><Status>1</Folders></Ping>",
         "end tag </Folders> does not match <Status>"},
        {"unterminated", "<Ping xmlns=\"Ping:\"><Status>1", "unexpected end of XML"},
        {"two roots", "<Ping xmlns=\"Ping:\"/><Ping xmlns=\"Ping:\"/>", "content after the root"},
        {"internal subset", "<!DOCTYPE x [<!ENTITY e \"boom\">]><Ping xmlns=\"Ping:\"/>",
         "DOCTYPE internal subset not supported"},
        {"unknown entity", "<Ping xmlns=\"Ping:\"><Status>&nbsp;</Status></Ping>",
         "unknown entity &nbsp;"},
        {"NUL reference", "<Ping xmlns=\"Ping:\"><Status>&#0;</Status></Ping>",
         "character reference out of range"},
        {"invalid UTF-8", "<Ping xmlns=\"Ping:\"><Status>\xC3\x28</Status></Ping>",
         "invalid UTF-8 or control character at line 1, column 29"},
        {"raw control character", "<Ping xmlns=\"Ping:\"><Status>\x01</Status></Ping>",
         "invalid UTF-8 or control character"},
        {"bad base64", "<ConversationId xmlns=\"Email2:\">not base64!</ConversationId>",
         "invalid base64 in ConversationId"},
        {"line numbers", "<Ping xmlns=\"Ping:\">\n  <Folders>\n    <Bad/>", "line 3, column 5"},
    };
    for (const BadXml& b : cases) {
        SCOPED_TRACE(b.what);
        auto r = from_xml(b.xml);
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().message.find(b.message), std::string::npos) << r.error().message;
    }
}

TEST(WbxmlXml, EnforcesReaderLimits) {
    XmlReadLimits limits;
    limits.max_depth = 2;
    auto deep = from_xml("<Ping xmlns=\"Ping:\"><Folders><Folder/></Folders></Ping>", limits);
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error().code, Errc::limit_exceeded);
    limits = XmlReadLimits{};
    limits.max_elements = 2;
    auto many = from_xml("<Ping xmlns=\"Ping:\"><Folders/><Status/></Ping>", limits);
    ASSERT_FALSE(many);
    EXPECT_EQ(many.error().code, Errc::limit_exceeded);
    limits = XmlReadLimits{};
    limits.max_input = 10;
    auto big = from_xml("<Ping xmlns=\"Ping:\"/>", limits);
    ASSERT_FALSE(big);
}

// Fixture -> WBXML -> XML -> WBXML gives the same bytes: the writer and the reader agree.
TEST(WbxmlXml, FixturesRoundTripThroughTheWriter) {
    for (const std::string& name : test::fixture_names()) {
        SCOPED_TRACE(name);
        auto body = from_xml(test::fixture(name));
        ASSERT_TRUE(body) << body.error().message;
        auto doc = decode(*body);
        ASSERT_TRUE(doc) << doc.error().message;
        for (bool indent : {true, false}) {
            XmlWriteOptions o;
            o.indent = indent;
            auto again = from_xml(to_xml(*doc, o));
            ASSERT_TRUE(again) << again.error().message;
            EXPECT_EQ(hex(*again), hex(*body));
        }
    }
}

}  // namespace
}  // namespace sb::wbxml
