#include <cstdint>
#include <string>

#include "core/base64.hpp"
#include "eas/wbxml/xml.hpp"

namespace sb::wbxml {
namespace {

constexpr std::string_view kDeclaration =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<!DOCTYPE ActiveSync PUBLIC \"-//MICROSOFT//DTD ActiveSync//EN\" "
    "\"http://www.microsoft.com/\">\n";

bool is_xml_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Length of the UTF-8 sequence starting at s[i] if it is well formed (no overlongs, surrogates or
// code points above U+10FFFF), else 0.
size_t utf8_sequence(std::string_view s, size_t i) {
    const auto b0 = static_cast<uint8_t>(s[i]);
    if (b0 < 0x80) return 1;
    size_t n;
    uint32_t cp;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        n = 2, cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3, cp = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4, cp = b0 & 0x07;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k) {
        const auto b = static_cast<uint8_t>(s[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF)
        return 0;
    return n;
}

// Whether bytes can be written inside CDATA and read back unchanged: UTF-8 without control
// characters other than tab, LF and CR ("]]>" is handled by splitting the section).
bool cdata_safe(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<uint8_t>(s[i]);
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
        const size_t n = utf8_sequence(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

void append_char_ref(std::string& out, uint8_t c) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    out += "&#x";
    if (c >= 0x10) out += kHex[c >> 4];
    out += kHex[c & 0xF];
    out += ';';
}

// Escapes text so that the reader gets it back: markup characters as entities, CR and control
// characters as references, and whitespace at either end as references (the reader drops
// literal whitespace there).
void append_text(std::string& out, std::string_view s) {
    size_t first = 0, last = s.size();
    while (first < last && is_xml_space(s[first]))
        ++first;
    while (last > first && is_xml_space(s[last - 1]))
        --last;
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<uint8_t>(s[i]);
        if (i < first || i >= last || c == '\r' || (c < 0x20 && c != '\t' && c != '\n')) {
            append_char_ref(out, c);
            continue;
        }
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out += static_cast<char>(c);
        }
    }
}

void append_cdata(std::string& out, std::string_view s) {
    out += "<![CDATA[";
    for (size_t at; (at = s.find("]]>")) != std::string_view::npos;) {
        out.append(s.substr(0, at + 2));
        out += "]]><![CDATA[";
        s.remove_prefix(at + 2);
    }
    out.append(s);
    out += "]]>";
}

struct Writer {
    std::string& out;
    const XmlWriteOptions& options;

    void newline(size_t depth) {
        if (!options.indent) return;
        out += '\n';
        out.append(depth * 2, ' ');
    }

    void value(Element e) {
        std::string_view v = e.value();
        const bool cut = v.size() > options.max_value;
        if (cut) v = v.substr(0, options.max_value);
        if (e.value_kind() == ValueKind::text) {
            append_text(out, v);
        } else if (cdata_safe(v)) {
            append_cdata(out, v);
        } else {
            out += crypto::base64_encode(v);
        }
        if (cut) out += "...[" + std::to_string(e.value().size()) + " bytes]";
    }

    void element(Element e, int parent_page, size_t depth) {
        out += '<';
        out += e.name();
        if (e.tag().page != parent_page) {
            out += " xmlns=\"";
            out += page_namespace(e.tag().page);
            out += '"';
        }
        if (!e.has_content()) {
            out += "/>";
            return;
        }
        out += '>';
        if (e.value_kind() != ValueKind::none) {
            value(e);
        } else if (e.first_child()) {
            for (Element c : e.children()) {
                newline(depth + 1);
                element(c, e.tag().page, depth + 1);
            }
            newline(depth);
        }
        out += "</";
        out += e.name();
        out += '>';
    }
};

}  // namespace

void append_xml(std::string& out, Element e, const XmlWriteOptions& options) {
    if (!e) return;
    Writer{out, options}.element(e, -1, 0);
}

std::string to_xml(const Document& doc, const XmlWriteOptions& options) {
    std::string out;
    if (options.declaration) out += kDeclaration;
    append_xml(out, doc.root(), options);
    if (options.indent) out += '\n';
    return out;
}

Result<std::string> wbxml_to_xml(std::string_view body, const Limits& limits,
                                 const XmlWriteOptions& options) {
    SB_TRY_ASSIGN(auto doc, decode(body, limits));
    return to_xml(doc, options);
}

}  // namespace sb::wbxml
