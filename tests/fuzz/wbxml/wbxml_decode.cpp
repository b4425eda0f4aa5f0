// Fuzz target: the WBXML decoder. Invariants: decoding never crashes; feeding the same bytes in
// pieces gives the same outcome; a decoded document re-encodes to a body that decodes to the same
// tree (strings with ill-formed UTF-8 come back with U+FFFD, and encode the same again); the
// XML view of it can be written (and, when it reads back, decodes).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "eas/wbxml/document.hpp"
#include "eas/wbxml/encoder.hpp"
#include "eas/wbxml/xml.hpp"

using namespace sb::wbxml;

namespace {

[[noreturn]] void violated() {
    std::abort();
}

Limits fuzz_limits() {
    Limits limits;
    limits.max_body = 1u << 20;
    limits.max_depth = 32;
    limits.max_elements = 1024;
    limits.max_string = 1024;
    limits.max_opaque = 1u << 16;
    return limits;
}

// Decodes `in` fed as two growing prefixes cut at `cut`, then complete.
sb::Result<Document> decode_in_two(std::string_view in, size_t cut, std::string& storage) {
    Decoder decoder(fuzz_limits());
    storage.assign(in.substr(0, cut));
    auto r = decoder.feed(storage, false);
    if (!r) return tl::unexpected<sb::Error>(r.error());
    storage.append(in.substr(cut));  // may move the buffer
    r = decoder.feed(storage, true);
    if (!r) return tl::unexpected<sb::Error>(r.error());
    if (!*r) violated();
    return decoder.take();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const Limits limits = fuzz_limits();
    auto doc = decode(in, limits);

    std::string storage;
    const size_t cut = size == 0 ? 0 : (data[0] * 131u + size) % (size + 1);
    auto pieces = decode_in_two(in, cut, storage);
    if (static_cast<bool>(doc) != static_cast<bool>(pieces)) violated();
    if (!doc) {
        if (doc.error().message != pieces.error().message) violated();
        return 0;
    }
    if (!same_tree(doc->root(), pieces->root())) violated();

    auto body = encode(*doc);
    if (!body) violated();
    // Re-encoding inlines string table references, so the new body may be longer.
    Limits relaxed = limits;
    relaxed.max_body = 1u << 26;
    relaxed.max_string = 3 * limits.max_string;  // a stray byte comes back as 3-byte U+FFFD
    auto again = decode(*body, relaxed);
    if (!again) violated();
    if (!same_tree(doc->root(), again->root())) {
        // Only ill-formed UTF-8 in a string may differ (written as U+FFFD): then the re-encoded
        // tree is a fixed point.
        auto third = encode(*again);
        if (!third || *third != *body) violated();
    }

    XmlWriteOptions options;
    options.indent = (size & 1) != 0;
    const std::string xml = to_xml(*doc, options);
    // Reading back may fail (text in a byte-array tag, invalid UTF-8 in a string); when it
    // works, the result is a valid body.
    if (auto back = from_xml(xml)) {
        if (!decode(*back)) violated();
    }
    return 0;
}
