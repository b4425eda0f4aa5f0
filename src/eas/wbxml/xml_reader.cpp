// A small XML reader for EAS XML (tests, tools, fixtures): it knows exactly the XML that
// wbxml2xml prints and that EAS examples are written in, and writes WBXML while it reads.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/base64.hpp"
#include "eas/wbxml/xml.hpp"

namespace sb::wbxml {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           static_cast<uint8_t>(c) >= 0x80;
}

bool is_name_char(char c) {
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':';
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Offset of the first byte that is not well-formed UTF-8 or is a control character XML 1.0 does
// not allow, or npos.
size_t first_bad_char(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const auto b0 = static_cast<uint8_t>(s[i]);
        if (b0 < 0x80) {
            if (b0 < 0x20 && b0 != '\t' && b0 != '\n' && b0 != '\r') return i;
            ++i;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            n = 2, cp = b0 & 0x1F;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            n = 3, cp = b0 & 0x0F;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            n = 4, cp = b0 & 0x07;
        } else {
            return i;
        }
        if (i + n > s.size()) return i;
        for (size_t k = 1; k < n; ++k) {
            const auto b = static_cast<uint8_t>(s[i + k]);
            if ((b & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (b & 0x3F);
        }
        if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (n == 4 && cp < 0x10000) || cp > 0x10FFFF)
            return i;
        i += n;
    }
    return std::string_view::npos;
}

struct Binding {
    std::string_view prefix;  // empty: the default namespace
    int page;                 // -1: a namespace that is not an EAS code page
};

struct Frame {
    std::string_view qname;
    Tag tag;
    size_t bindings_mark;  // size of the binding stack before this element's declarations
    bool started = false;  // start() was written (it has children)
    bool cdata = false;    // a CDATA section was read: the value is OPAQUE
    std::string value;
    std::vector<size_t> cdata_ends;  // end of each CDATA section in value (one OPAQUE each)
    size_t significant_begin = std::string::npos;  // value bytes not from literal whitespace
    size_t significant_end = 0;
    size_t offset;
};

class Reader {
  public:
    Reader(std::string_view xml, Encoder& enc, const XmlReadLimits& limits)
        : in_(xml), enc_(enc), limits_(limits) {}

    Result<void> run() {
        if (in_.size() > limits_.max_input) return fail(limits_.max_input, "XML larger than limit");
        if (const size_t bad = first_bad_char(in_); bad != std::string_view::npos)
            return fail(bad, "invalid UTF-8 or control character");
        if (in_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
        SB_TRY(misc(true));
        if (pos_ >= in_.size() || in_[pos_] != '<') return fail(pos_, "expected the root element");
        SB_TRY(elements());
        SB_TRY(misc(false));
        if (pos_ < in_.size()) return fail(pos_, "content after the root element");
        return {};
    }

  private:
    tl::unexpected<Error> fail(size_t at, std::string_view what, Errc code = Errc::parse_error) {
        size_t line = 1, column = 1;
        for (size_t i = 0; i < at && i < in_.size(); ++i) {
            if (in_[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        return tl::unexpected<Error>(Error{code, "xml: " + std::string(what) + " at line " +
                                                     std::to_string(line) + ", column " +
                                                     std::to_string(column)});
    }

    bool starts(std::string_view s) const { return in_.substr(pos_, s.size()) == s; }

    void skip_space() {
        while (pos_ < in_.size() && is_space(in_[pos_]))
            ++pos_;
    }

    // Skips to just after `terminator`; false if it never comes.
    bool skip_past(std::string_view terminator) {
        const size_t at = in_.find(terminator, pos_);
        if (at == std::string_view::npos) return false;
        pos_ = at + terminator.size();
        return true;
    }

    // Whitespace, comments, processing instructions (and, before the root, the XML declaration
    // and the DOCTYPE).
    Result<void> misc(bool prolog) {
        bool doctype_seen = false;
        for (;;) {
            skip_space();
            const size_t at = pos_;
            if (starts("<?")) {
                if (!skip_past("?>")) return fail(at, "unterminated processing instruction");
            } else if (starts("<!--")) {
                pos_ += 4;
                if (!skip_past("-->")) return fail(at, "unterminated comment");
            } else if (prolog && !doctype_seen && starts("<!DOCTYPE")) {
                doctype_seen = true;
                while (pos_ < in_.size() && in_[pos_] != '>') {
                    if (in_[pos_] == '[')
                        return fail(pos_, "DOCTYPE internal subset not supported");
                    if (in_[pos_] == '"' || in_[pos_] == '\'') {
                        const char quote = in_[pos_];
                        const size_t close = in_.find(quote, pos_ + 1);
                        if (close == std::string_view::npos)
                            return fail(at, "unterminated DOCTYPE");
                        pos_ = close;
                    }
                    ++pos_;
                }
                if (pos_ >= in_.size()) return fail(at, "unterminated DOCTYPE");
                ++pos_;
            } else {
                return {};
            }
        }
    }

    std::string_view name() {
        const size_t start = pos_;
        if (pos_ < in_.size() && is_name_start(in_[pos_])) {
            ++pos_;
            while (pos_ < in_.size() && is_name_char(in_[pos_]))
                ++pos_;
        }
        return in_.substr(start, pos_ - start);
    }

    // Decodes an entity or character reference at pos_ ('&') into out.
    Result<void> reference(std::string& out) {
        const size_t at = pos_;
        const size_t semi = in_.find(';', pos_);
        if (semi == std::string_view::npos || semi - pos_ > 12)
            return fail(at, "unterminated entity reference");
        const std::string_view ref = in_.substr(pos_ + 1, semi - pos_ - 1);
        pos_ = semi + 1;
        if (ref == "amp")
            out += '&';
        else if (ref == "lt")
            out += '<';
        else if (ref == "gt")
            out += '>';
        else if (ref == "quot")
            out += '"';
        else if (ref == "apos")
            out += '\'';
        else if (ref.size() >= 2 && ref[0] == '#') {
            const bool hex = ref[1] == 'x';
            const std::string_view digits = ref.substr(hex ? 2 : 1);
            if (digits.empty()) return fail(at, "bad character reference");
            uint32_t cp = 0;
            for (char c : digits) {
                int d;
                if (c >= '0' && c <= '9')
                    d = c - '0';
                else if (hex && c >= 'a' && c <= 'f')
                    d = c - 'a' + 10;
                else if (hex && c >= 'A' && c <= 'F')
                    d = c - 'A' + 10;
                else
                    return fail(at, "bad character reference");
                cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
                if (cp > 0x10FFFF) return fail(at, "character reference out of range");
            }
            // NUL cannot be carried by a WBXML string; control characters are accepted as
            // references (beyond XML 1.0) because the writer emits them that way.
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
                return fail(at, "character reference out of range");
            append_utf8(out, cp);
        } else {
            return fail(at, "unknown entity &" + std::string(ref) + ";");
        }
        return {};
    }

    Result<void> bind(std::string_view attr, std::string_view value, size_t at) {
        std::string_view prefix;
        if (attr == "xmlns") {
            prefix = {};
        } else if (attr.starts_with("xmlns:") && attr.size() > 6) {
            prefix = attr.substr(6);
        } else {
            return fail(at, "attribute " + std::string(attr) + " (EAS XML has no attributes)");
        }
        const auto page = page_by_namespace(value);
        bindings_.push_back(Binding{prefix, page ? *page : -1});
        return {};
    }

    // Reads the attributes of a start tag up to '>' or "/>"; sets `self_closing`.
    Result<void> attributes(bool& self_closing) {
        for (;;) {
            const size_t before = pos_;
            skip_space();
            if (starts("/>")) {
                pos_ += 2;
                self_closing = true;
                return {};
            }
            if (starts(">")) {
                ++pos_;
                self_closing = false;
                return {};
            }
            if (pos_ == before) return fail(pos_, "malformed start tag");
            const size_t at = pos_;
            const std::string_view attr = name();
            if (attr.empty()) return fail(at, "malformed attribute");
            skip_space();
            if (!starts("=")) return fail(pos_, "expected '=' after attribute name");
            ++pos_;
            skip_space();
            if (pos_ >= in_.size() || (in_[pos_] != '"' && in_[pos_] != '\''))
                return fail(pos_, "expected a quoted attribute value");
            const char quote = in_[pos_++];
            std::string value;
            while (pos_ < in_.size() && in_[pos_] != quote) {
                if (in_[pos_] == '<') return fail(pos_, "'<' in attribute value");
                if (in_[pos_] == '&') {
                    SB_TRY(reference(value));
                } else {
                    value += in_[pos_++];
                }
            }
            if (pos_ >= in_.size()) return fail(at, "unterminated attribute value");
            ++pos_;
            SB_TRY(bind(attr, value, at));
        }
    }

    Result<Tag> resolve(std::string_view qname, size_t at) {
        std::string_view prefix, local = qname;
        if (const size_t colon = qname.find(':'); colon != std::string_view::npos) {
            prefix = qname.substr(0, colon);
            local = qname.substr(colon + 1);
        }
        for (size_t i = bindings_.size(); i-- > 0;) {
            if (bindings_[i].prefix != prefix) continue;
            if (bindings_[i].page < 0)
                return fail(at, "element " + std::string(qname) + " is not in an EAS namespace");
            const auto page = static_cast<uint8_t>(bindings_[i].page);
            if (auto tag = tag_by_name(page, local)) return *tag;
            return fail(at, "unknown element " + std::string(local) + " in namespace " +
                                std::string(page_namespace(page)));
        }
        return fail(at, prefix.empty() ? "element " + std::string(qname) + " has no namespace"
                                       : "undeclared prefix " + std::string(prefix));
    }

    // Text between tags: adds it to the open element's pending value. Literal whitespace only
    // counts at the ends of a value when keep_whitespace is set, and never next to elements or
    // CDATA.
    Result<void> text(Frame& f) {
        while (pos_ < in_.size() && in_[pos_] != '<') {
            const char c = in_[pos_];
            if (f.cdata && !is_space(c)) return fail(pos_, "text and CDATA in one element");
            if (c == '&') {
                const size_t before = f.value.size();
                SB_TRY(reference(f.value));
                mark_significant(f, before);
            } else {
                ++pos_;
                if (f.cdata) continue;
                f.value += c;
                if (!is_space(c)) mark_significant(f, f.value.size() - 1);
            }
        }
        return {};
    }

    static void mark_significant(Frame& f, size_t from) {
        if (f.significant_begin == std::string::npos) f.significant_begin = from;
        f.significant_end = f.value.size();
    }

    static bool has_significant_text(const Frame& f) {
        return !f.cdata && f.significant_begin != std::string::npos;
    }

    // Writes the start of an element that turned out to have children.
    Result<void> open_for_children(Frame& f, size_t at) {
        if (f.cdata || has_significant_text(f))
            return fail(at, "element after text (mixed content)");
        f.value.clear();
        f.significant_begin = std::string::npos;
        if (!f.started) {
            enc_.start(f.tag);
            f.started = true;
        }
        return {};
    }

    Result<void> close(Frame& f) {
        if (f.started) {
            if (has_significant_text(f))
                return fail(f.offset, "text after an element (mixed content)");
            enc_.end();
        } else if (f.cdata) {
            // One OPAQUE per section, as xml2wbxml writes them; the decoder joins them again.
            enc_.start(f.tag);
            size_t begin = 0;
            for (size_t end : f.cdata_ends) {
                enc_.opaque(std::string_view(f.value).substr(begin, end - begin));
                begin = end;
            }
            enc_.end();
        } else if (has_significant_text(f)) {
            std::string_view v = f.value;
            if (!limits_.keep_whitespace)
                v = v.substr(f.significant_begin, f.significant_end - f.significant_begin);
            const TagInfo* info = tag_info(f.tag);
            if (info && (info->flags & kBinary)) {
                auto bytes = crypto::base64_decode_lenient(v);
                if (!bytes) return fail(f.offset, "invalid base64 in " + std::string(info->name));
                enc_.start(f.tag).opaque(*bytes).end();
            } else {
                if (v.find('\0') != std::string_view::npos) return fail(f.offset, "NUL in text");
                enc_.start(f.tag).text(v).end();
            }
        } else {
            enc_.empty(f.tag);
        }
        return {};
    }

    Result<void> elements() {
        std::vector<Frame> stack;
        size_t count = 0;
        for (;;) {
            const size_t at = pos_;
            if (pos_ >= in_.size()) return fail(at, "unexpected end of XML inside an element");
            if (stack.empty() && !(pos_ + 1 < in_.size() && is_name_start(in_[pos_ + 1])))
                return fail(at, "expected the root element");
            if (!stack.empty() && in_[pos_] != '<') {
                SB_TRY(text(stack.back()));
                continue;
            }
            if (starts("<!--")) {
                if (!skip_past("-->")) return fail(at, "unterminated comment");
                continue;
            }
            if (starts("<?")) {
                if (!skip_past("?>")) return fail(at, "unterminated processing instruction");
                continue;
            }
            if (starts("<![CDATA[")) {
                Frame& f = stack.back();
                if (has_significant_text(f)) return fail(at, "text and CDATA in one element");
                if (f.started) return fail(at, "CDATA after an element (mixed content)");
                pos_ += 9;
                const size_t end = in_.find("]]>", pos_);
                if (end == std::string_view::npos) return fail(at, "unterminated CDATA section");
                if (!f.cdata) f.value.clear();  // literal whitespace before the section
                f.cdata = true;
                f.value.append(in_.substr(pos_, end - pos_));
                f.cdata_ends.push_back(f.value.size());
                pos_ = end + 3;
                continue;
            }
            if (starts("</")) {
                pos_ += 2;
                const std::string_view qname = name();
                skip_space();
                if (!starts(">")) return fail(pos_, "malformed end tag");
                ++pos_;
                Frame& f = stack.back();
                if (qname != f.qname)
                    return fail(at, "end tag </" + std::string(qname) + "> does not match <" +
                                        std::string(f.qname) + ">");
                SB_TRY(close(f));
                bindings_.resize(f.bindings_mark);
                stack.pop_back();
                if (stack.empty()) return {};
                continue;
            }
            if (starts("<!")) return fail(at, "unsupported markup declaration");
            // A start tag.
            ++pos_;
            const std::string_view qname = name();
            if (qname.empty()) return fail(at, "malformed start tag");
            if (stack.size() >= limits_.max_depth)
                return fail(at, "elements nested deeper than the limit", Errc::limit_exceeded);
            if (++count > limits_.max_elements)
                return fail(at, "more elements than the limit", Errc::limit_exceeded);
            const size_t mark = bindings_.size();
            bool self_closing = false;
            SB_TRY(attributes(self_closing));
            SB_TRY_ASSIGN(auto tag, resolve(qname, at));
            if (!stack.empty()) SB_TRY(open_for_children(stack.back(), at));
            if (self_closing) {
                enc_.empty(tag);
                bindings_.resize(mark);
                if (stack.empty()) return {};
                continue;
            }
            Frame f;
            f.qname = qname;
            f.tag = tag;
            f.bindings_mark = mark;
            f.offset = at;
            stack.push_back(std::move(f));
        }
    }

    std::string_view in_;
    size_t pos_ = 0;
    Encoder& enc_;
    const XmlReadLimits& limits_;
    std::vector<Binding> bindings_;
};

}  // namespace

Result<void> from_xml(std::string_view xml, Encoder& enc, const XmlReadLimits& limits) {
    return Reader(xml, enc, limits).run();
}

Result<std::string> from_xml(std::string_view xml, const XmlReadLimits& limits) {
    std::string out;
    Encoder enc(out);
    SB_TRY(from_xml(xml, enc, limits));
    SB_TRY(enc.finish());
    return out;
}

}  // namespace sb::wbxml
