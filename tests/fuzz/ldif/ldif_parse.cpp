// Fuzzes the LDIF reader, and checks the writer against it: every entry the reader accepts is
// written, read back and must compare equal.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "directory/ldif/reader.hpp"
#include "directory/ldif/writer.hpp"

namespace {

void require(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "ldif_parse invariant broken: %s\n", what);
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sb::ldif;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    // Small limits, so that fuzz-sized inputs reach every limit check.
    Limits limits;
    limits.max_line_length = 2048;
    limits.max_entry_bytes = 3000;
    limits.max_attributes_per_entry = 48;
    limits.max_entries = 64;
    limits.max_value_bytes = 1000;

    auto entries = parse_all(input, limits);
    if (!entries) {
        const sb::Error& e = entries.error();
        require(e.code == sb::Errc::parse_error || e.code == sb::Errc::limit_exceeded,
                "error code");
        require(e.message.rfind("line ", 0) == 0, "error message starts with 'line N: '");
        return 0;
    }
    size_t previous_line = 0;
    for (const Entry& entry : *entries) {
        require(entry.line > previous_line, "entry lines increase");
        require(!entry.attributes.empty(), "entries have attributes");
        for (const Attribute& a : entry.attributes)
            require(a.line > entry.line, "attributes follow their dn line");
        previous_line = entry.attributes.back().line;

        auto text = write_entry(entry);
        require(text.has_value(), "the writer accepts every entry the reader returns");
        auto back = parse_all(*text);  // default limits: base64 makes the text longer
        require(back.has_value(), "the reader accepts what the writer writes");
        require(back->size() == 1 && back->front() == entry, "round trip gives the same entry");
        auto again = write_entry(back->front());
        require(again.has_value() && *again == *text, "the writer is deterministic");
    }
    return 0;
}
