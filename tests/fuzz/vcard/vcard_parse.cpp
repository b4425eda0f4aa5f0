// Fuzz target: vCard parser, plus the writer's round-trip guarantee.
// 1. Every card parsed from any input, written as 3.0 and as 4.0, must read back as exactly the
//    same fields; errors must carry a UTF-8 message.
// 2. The same bytes cut at NUL into values for the vocabulary's fields, in order (values that
//    are empty, hold CR or are not UTF-8 skipped): written and parsed, the fields are unchanged.
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

void check_round_trip(const sb::mailbox::ContactFields& fields) {
    using namespace sb::vcard;
    for (Version version : {Version::v3, Version::v4}) {
        auto again = parse(write(fields, version));
        check(again.has_value(), "written card does not parse");
        check(again->size() == 1, "written card parses as several");
        check(again->front().fields == fields, "fields changed by write and parse");
        check(again->front().ignored.empty(), "writer produced an unmapped property");
    }
}

sb::mailbox::ContactFields fields_from_bytes(std::string_view bytes) {
    sb::mailbox::ContactFields fields;
    for (auto name : sb::mailbox::kAllContactFields) {
        if (bytes.empty()) break;
        size_t nul = bytes.find('\0');
        std::string_view value = bytes.substr(0, nul);
        bytes.remove_prefix(nul == std::string_view::npos ? bytes.size() : nul + 1);
        if (!value.empty() && value.find('\r') == std::string_view::npos &&
            sb::vcard::detail::is_valid_utf8(value))
            fields.emplace(std::string(name), std::string(value));
    }
    return fields;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sb::vcard;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    Limits limits;
    limits.max_properties_per_card = 200;
    check_round_trip(fields_from_bytes(text));

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
        check_round_trip(card.fields);
    }
    return 0;
}
