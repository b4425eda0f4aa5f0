// Fuzz target: vCard parser, plus the writer's round-trip guarantee on whatever it accepted.
// Every card parsed from any input, written as 3.0 and as 4.0, must read back as exactly the
// same fields; errors must carry a UTF-8 message.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "mailbox/vcard/text_codec.hpp"
#include "mailbox/vcard/vcard.hpp"

namespace {

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "vcard_parse invariant broken: %s\n", what);
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sb::vcard;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    Limits limits;
    limits.max_properties_per_card = 200;
    auto cards = parse(text, limits);
    if (!cards) {
        check(!cards.error().message.empty(), "empty error message");
        check(detail::is_valid_utf8(cards.error().message), "error message is not UTF-8");
        return 0;
    }
    check(!cards->empty(), "success without cards");
    for (const Card& card : *cards) {
        for (const auto& [name, value] : card.fields) {
            check(sb::mailbox::is_contact_field(name), "field outside the vocabulary");
            check(!value.empty(), "empty field value");
            check(detail::is_valid_utf8(value), "field value is not UTF-8");
            check(value.find('\r') == std::string::npos, "CR in a field value");
        }
        for (Version version : {Version::v3, Version::v4}) {
            auto again = parse(write(card.fields, version));
            check(again.has_value(), "written card does not parse");
            check(again->size() == 1, "written card parses as several");
            check(again->front().fields == card.fields, "fields changed by write and parse");
            check(again->front().ignored.empty(), "writer produced an unmapped property");
        }
    }
    return 0;
}
