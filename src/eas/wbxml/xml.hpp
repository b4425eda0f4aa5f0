#pragma once
// XML view of EAS WBXML, for debug logs, account loggers, tools and tests (not the data path).
//
// Conventions shared with libwbxml (wbxml2xml -l ACTIVESYNC / xml2wbxml):
// - each element whose code page differs from its parent's carries xmlns="<Page>:";
// - OPAQUE values are written as CDATA and CDATA is read as OPAQUE; the text of a byte-array tag
//   (TagFlags kBinary: composemail:MIME, email2:ConversationId, gal:Data, ...) is read as base64,
//   and OPAQUE values that CDATA cannot hold (control characters, invalid UTF-8) are written in
//   base64;
// - unlike an XML 1.0 parser, the reader keeps CR characters (so CRLF in MIME survives);
// - <Tag></Tag> and <Tag/> both become an element without content; leading and trailing
//   whitespace of text is dropped unless it was written as a character reference (&#x20;).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "eas/wbxml/document.hpp"
#include "eas/wbxml/encoder.hpp"

namespace sb::wbxml {

struct XmlWriteOptions {
    // <?xml ...?> and the ActiveSync DOCTYPE first, as wbxml2xml prints them.
    bool declaration = true;
    // One element a line, indented by two spaces a level; false writes everything on one line.
    bool indent = true;
    // Values longer than this are cut and marked "...[N bytes]" (for logs of MIME bodies).
    // Output with cut values does not read back to the same WBXML.
    size_t max_value = SIZE_MAX;
};

// The document as XML. Reading it back gives the same WBXML, except for OPAQUE values that CDATA
// cannot hold inside tags that are not byte arrays (written in base64, read back as a string).
std::string to_xml(const Document& doc, const XmlWriteOptions& options = {});
// One element and its subtree, appended to `out` (no declaration).
void append_xml(std::string& out, Element e, const XmlWriteOptions& options = {});
// Decodes a body and returns its XML (an error if the body is malformed).
Result<std::string> wbxml_to_xml(std::string_view body, const Limits& limits = {},
                                 const XmlWriteOptions& options = {});

struct XmlReadLimits {
    size_t max_input = 16u << 20;  // bytes of XML
    size_t max_depth = 64;
    size_t max_elements = 200000;
    // Like xml2wbxml -k: keep leading and trailing whitespace of text values (whitespace-only
    // content still counts as no value).
    bool keep_whitespace = false;
};

// Reads an EAS XML document and encodes it as WBXML. Accepts an XML declaration, comments,
// processing instructions, a DOCTYPE without internal subset, default and prefixed namespaces,
// the five predefined entities, character references and CDATA. Rejects attributes other than
// namespace declarations, mixed content, unknown namespaces and unknown element names; errors
// name the line and column.
Result<std::string> from_xml(std::string_view xml, const XmlReadLimits& limits = {});
// Same, writing into an encoder (the caller calls finish()).
Result<void> from_xml(std::string_view xml, Encoder& enc, const XmlReadLimits& limits = {});

}  // namespace sb::wbxml
