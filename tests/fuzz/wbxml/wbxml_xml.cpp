// Fuzz target: the XML reader of the WBXML bridge. Invariants: reading never crashes; what it
// accepts encodes to a body the decoder accepts; writing that document as XML and reading it
// again gives the same tree.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "eas/wbxml/document.hpp"
#include "eas/wbxml/xml.hpp"

using namespace sb::wbxml;

namespace {
[[noreturn]] void violated() {
    std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    XmlReadLimits read_limits;
    read_limits.max_input = 1u << 16;
    read_limits.max_depth = 32;
    read_limits.max_elements = 4096;
    read_limits.keep_whitespace = size > 0 && (data[size - 1] & 1) != 0;

    auto body = from_xml(in, read_limits);
    if (!body) return 0;
    Limits limits;
    limits.max_depth = 32;
    auto doc = decode(*body, limits);
    if (!doc) violated();

    XmlWriteOptions options;
    options.indent = (size & 1) != 0;
    read_limits.max_input = 1u << 24;
    auto again = from_xml(to_xml(*doc, options), read_limits);
    if (!again) violated();
    auto doc2 = decode(*again, limits);
    if (!doc2 || !same_tree(doc->root(), doc2->root())) violated();
    return 0;
}
