// Fuzz target: generic BER through the framer and the reader, walking the element tree (with a
// depth bound) and re-encoding it minimally with the writer. Re-encoding is idempotent: the
// minimal form decodes to the same tree and encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ldap/ber/framer.hpp"
#include "ldap/ber/reader.hpp"
#include "ldap/ber/writer.hpp"

namespace {

using namespace sb::ber;

constexpr int kMaxDepth = 64;

void check(bool ok) {
    if (!ok) std::abort();
}

// Re-encodes every element in `r` into `w`; false when the input is not well-formed BER.
bool reencode(Reader r, Writer& w, int depth) {
    while (!r.at_end()) {
        auto e = r.read_any();
        if (!e) return false;
        if (is_constructed(e->tag)) {
            if (depth >= kMaxDepth) return false;
            auto m = w.begin(e->tag);
            if (!reencode(Reader(e->contents), w, depth + 1)) return false;
            w.end(m);
            continue;
        }
        if (e->tag == tag::kInteger || e->tag == tag::kEnumerated) {
            // Non-minimal integers become minimal; out-of-range ones are copied as they are.
            if (auto v = decode_integer(e->contents)) {
                w.integer(*v, e->tag);
                continue;
            }
        } else if (e->tag == tag::kBoolean) {
            if (auto b = decode_boolean(e->contents)) {
                w.boolean(*b, e->tag);
                continue;
            }
        }
        w.element(e->tag, e->contents);
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
    std::string_view data(reinterpret_cast<const char*>(bytes), size);
    while (!data.empty()) {
        auto f = frame(data, 1 << 20);
        if (!f || !f->complete) return 0;
        check(f->size <= data.size());
        const std::string_view element = data.substr(0, f->size);
        std::string once;
        Writer w1(once);
        if (reencode(Reader(element), w1, 0)) {
            std::string twice;
            Writer w2(twice);
            check(reencode(Reader(once), w2, 0));
            check(once == twice);
            auto g = frame(once, 1 << 20);
            check(g && g->complete && g->size == once.size());
        }
        data.remove_prefix(f->size);
    }
    return 0;
}
