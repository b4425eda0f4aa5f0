// Fuzz target: the RFC 4515 filter parser. A parsed filter prints to a string that parses back
// to the same filter and prints the same again, and survives the BER round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ldap/protocol/filter.hpp"

namespace {

using namespace sb::ldapproto;

void check(bool ok) {
    if (!ok) std::abort();
}

void run(std::string_view text, const FilterLimits& limits) {
    auto f = parse_filter(text, limits);
    if (!f) return;
    check(!f->empty());
    check(f->element_count() <= limits.max_elements);
    const std::string printed = to_string(*f);
    FilterLimits unbounded_text = limits;
    unbounded_text.max_string_size = printed.size();
    auto again = parse_filter(printed, unbounded_text);
    check(again.has_value());
    check(*again == *f);
    check(to_string(*again) == printed);
    // Copies keep their own unescaped values.
    Filter copy = *f;
    f = parse_filter("(x=y)", limits);
    check(copy == *again);

    std::string ber;
    sb::ber::Writer w(ber);
    encode_filter(w, copy);
    auto decoded = decode_filter(ber, limits);
    check(decoded.has_value() && *decoded == copy);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(bytes), size);
    run(text, FilterLimits{});
    run(text, FilterLimits{3, 8, 256});
    return 0;
}
