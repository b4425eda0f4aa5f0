#include "eas/wbxml/encoder.hpp"

#include <cstring>
#include <utility>

#include "core/strings.hpp"

namespace sb::wbxml {
namespace {

// WBXML 1.3, public identifier 1 (unknown), charset UTF-8, empty string table (MS-ASWBXML 2.1.1).
constexpr std::string_view kHeader("\x03\x01\x6A\x00", 4);

}  // namespace

Encoder::Encoder(std::string& out) : out_(&out) {
    put(kHeader);
}

Encoder::Encoder(Sink& sink, size_t batch) : sink_(&sink), batch_size_(batch == 0 ? 1 : batch) {
    batch_.reserve(batch_size_ < 65536 ? batch_size_ : 65536);
    put(kHeader);
}

void Encoder::fail(std::string message) {
    if (failed_) return;
    failed_ = true;
    error_ = Error{Errc::invalid_argument, "wbxml encoder: " + std::move(message)};
}

void Encoder::put(uint8_t byte) {
    ++written_;
    if (out_) {
        out_->push_back(static_cast<char>(byte));
        return;
    }
    batch_.push_back(static_cast<char>(byte));
    if (batch_.size() >= batch_size_) flush();
}

void Encoder::put(std::string_view bytes) {
    written_ += bytes.size();
    if (out_) {
        out_->append(bytes);
        return;
    }
    batch_.append(bytes);
    if (batch_.size() >= batch_size_) flush();
}

void Encoder::put_large(std::string_view bytes) {
    if (out_ || bytes.size() < batch_size_) {
        put(bytes);
        return;
    }
    // Hand large values (MIME bodies) to the sink as they are instead of copying them.
    flush();
    written_ += bytes.size();
    sink_->write(bytes);
}

void Encoder::flush() {
    if (sink_ && !batch_.empty()) {
        sink_->write(batch_);
        batch_.clear();
    }
}

void Encoder::switch_page(uint8_t page) {
    if (page == page_) return;
    put(kSwitchPage);
    put(page);
    page_ = page;
}

bool Encoder::check_tag(Tag tag) {
    if (failed_) return false;
    if (in_opaque_) {
        fail("element started inside an unfinished opaque value");
        return false;
    }
    if (root_done_) {
        fail("second root element");
        return false;
    }
    if (!is_known(tag)) {
        fail("unknown tag (page " + std::to_string(tag.page) + ", token " +
             std::to_string(tag.token) + ")");
        return false;
    }
    if (!open_.empty()) {
        if (open_.back() & (kText | kOpaqueValue)) {
            fail("element after a value (mixed content)");
            return false;
        }
        open_.back() |= kChildren;
    }
    return true;
}

bool Encoder::check_value(Holds kind) {
    if (failed_) return false;
    if (in_opaque_) {
        fail("value inside an unfinished opaque value");
        return false;
    }
    if (open_.empty()) {
        fail("value outside an element");
        return false;
    }
    const uint8_t holds = open_.back();
    if (holds & kChildren) {
        fail("value after an element (mixed content)");
        return false;
    }
    if (holds != kNothing && holds != kind) {
        fail("string and opaque in one element");
        return false;
    }
    open_.back() = kind;
    return true;
}

Encoder& Encoder::start(Tag tag) {
    if (!check_tag(tag)) return *this;
    switch_page(tag.page);
    put(static_cast<uint8_t>(tag.token | kHasContent));
    open_.push_back(kNothing);
    return *this;
}

Encoder& Encoder::empty(Tag tag) {
    if (!check_tag(tag)) return *this;
    switch_page(tag.page);
    put(tag.token);
    if (open_.empty()) root_done_ = true;
    return *this;
}

Encoder& Encoder::end() {
    if (failed_) return *this;
    if (in_opaque_) {
        fail("END inside an unfinished opaque value");
        return *this;
    }
    if (open_.empty()) {
        fail("END without an open element");
        return *this;
    }
    put(kEnd);
    open_.pop_back();
    if (open_.empty()) root_done_ = true;
    return *this;
}

Encoder& Encoder::text(std::string_view s) {
    if (!check_value(kText)) return *this;
    if (std::memchr(s.data(), 0, s.size()) != nullptr) {
        fail("string contains NUL");
        return *this;
    }
    put(kStrI);
    // What the device gets is UTF-8 (charset 106 in the header), even where a value came from
    // ill-formed bytes it sent itself (an echoed CollectionId, say).
    if (is_valid_utf8(s))
        put_large(s);
    else
        put_large(valid_utf8(s));
    put(uint8_t{0});
    return *this;
}

Encoder& Encoder::opaque(std::string_view bytes) {
    opaque_begin(bytes.size());
    if (!bytes.empty()) opaque_write(bytes);
    return *this;
}

Encoder& Encoder::opaque_begin(size_t size) {
    if (!check_value(kOpaqueValue)) return *this;
    if (size > 0xFFFFFFFFu) {
        fail("opaque value larger than 4 GiB");
        return *this;
    }
    std::string header(1, static_cast<char>(kOpaque));
    append_mb_u_int32(header, static_cast<uint32_t>(size));
    put(header);
    opaque_left_ = size;
    in_opaque_ = size > 0;
    return *this;
}

Encoder& Encoder::opaque_write(std::string_view bytes) {
    if (failed_) return *this;
    if (!in_opaque_ || bytes.size() > opaque_left_) {
        fail("opaque bytes beyond the announced size");
        return *this;
    }
    put_large(bytes);
    opaque_left_ -= bytes.size();
    in_opaque_ = opaque_left_ > 0;
    return *this;
}

Encoder& Encoder::element(Tag tag, std::string_view text_value) {
    if (text_value.empty()) return empty(tag);
    return start(tag).text(text_value).end();
}

Encoder& Encoder::decimal(Tag tag, bool negative, uint64_t magnitude) {
    char buf[24];
    char* p = buf + sizeof buf;
    do {
        *--p = static_cast<char>('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    if (negative) *--p = '-';
    return element(tag, std::string_view(p, static_cast<size_t>(buf + sizeof buf - p)));
}

Encoder& Encoder::opaque_element(Tag tag, std::string_view bytes) {
    return start(tag).opaque(bytes).end();
}

Result<void> Encoder::finish() {
    if (!failed_ && in_opaque_) fail("unfinished opaque value");
    if (!failed_ && !root_done_)
        fail(open_.empty() ? "no root element"
                           : std::to_string(open_.size()) + " element(s) not closed");
    if (!failed_) flush();
    if (failed_) return tl::unexpected<Error>(error_);
    return {};
}

void encode_element(Encoder& enc, Element e) {
    if (!e.has_content()) {
        enc.empty(e.tag());
        return;
    }
    enc.start(e.tag());
    switch (e.value_kind()) {
        case ValueKind::text:
            enc.text(e.value());
            break;
        case ValueKind::opaque:
            enc.opaque(e.value());
            break;
        case ValueKind::none:
            for (Element c : e.children())
                encode_element(enc, c);
            break;
    }
    enc.end();
}

Result<std::string> encode(const Document& doc) {
    std::string out;
    Encoder enc(out);
    encode_element(enc, doc.root());
    SB_TRY(enc.finish());
    return out;
}

}  // namespace sb::wbxml
