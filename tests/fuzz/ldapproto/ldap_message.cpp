// Fuzz target: a client byte stream through the framer and the full request decoder, with the
// typed control decoders, filter printing and the filter BER round trip; twice, with the default
// limits and with tiny ones. Invariants that do not hold abort.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ldap/protocol/controls.hpp"
#include "ldap/protocol/filter.hpp"
#include "ldap/protocol/message.hpp"

namespace {

using namespace sb::ldapproto;

void check(bool ok) {
    if (!ok) std::abort();
}

// Filters the RFC 4515 form cannot carry exactly: empty substring pieces (the parser drops them)
// and a matching rule named "dn" without dnAttributes (it reads as the dn flag).
bool has_no_exact_string_form(const Filter& f) {
    for (const FilterNode& n : f.nodes()) {
        if (n.kind == FilterKind::substrings)
            for (std::string_view c : f.components(n))
                if (c.empty()) return true;
        if (n.kind == FilterKind::extensible_match && n.matching_rule.size() == 2 &&
            (n.matching_rule[0] | 0x20) == 'd' && (n.matching_rule[1] | 0x20) == 'n')
            return true;
    }
    return false;
}

void exercise_filter(const Filter& filter, const FilterLimits& limits) {
    const std::string text = to_string(filter);
    // BER round trip: the same filter comes back.
    std::string ber;
    sb::ber::Writer w(ber);
    encode_filter(w, filter);
    auto back = decode_filter(ber, limits);
    check(back.has_value() && *back == filter);
    // String round trip, when the names are valid RFC 4512 names (the printer escapes junk).
    if (auto parsed =
            parse_filter(text, FilterLimits{limits.max_depth, limits.max_elements, text.size()})) {
        if (!has_no_exact_string_form(filter)) {
            check(*parsed == filter);
            check(to_string(*parsed) == text);
        }
    }
}

void exercise_controls(const Message& m, const Limits& limits) {
    for (const Control& c : m.controls) {
        const std::string_view v = c.value.value_or("");
        if (c.type == oid::kPagedResults) {
            if (auto p = decode_paged_results(v)) {
                std::string out;
                sb::ber::Writer w(out);
                encode_paged_results(w, *p);
                auto again = decode_paged_results(out);
                check(again && *again == *p);
            }
        } else if (c.type == oid::kSortRequest) {
            if (auto s = decode_sort_request(v, limits.max_sort_keys)) {
                std::string out;
                sb::ber::Writer w(out);
                encode_sort_request(w, *s);
                auto again = decode_sort_request(out, limits.max_sort_keys);
                check(again && *again == *s);
            }
        } else if (c.type == oid::kVlvRequest) {
            if (auto r = decode_vlv_request(v)) {
                std::string out;
                sb::ber::Writer w(out);
                encode_vlv_request(w, *r);
                auto again = decode_vlv_request(out);
                check(again && *again == *r);
            }
        } else {
            (void)decode_sort_response(v);
            (void)decode_vlv_response(v);
        }
    }
}

void run(std::string_view data, const Limits& limits) {
    // Split at every message boundary, as a session would.
    while (!data.empty()) {
        auto f = frame_message(data, limits);
        if (!f || !f->complete) {
            if (f) check(f->size == 0 || f->size > data.size());
            return;
        }
        check(f->size > 0 && f->size <= data.size() && f->size <= limits.max_message_size);
        // A prefix of the frame is never complete.
        auto prefix = frame_message(data.substr(0, f->size - 1), limits);
        check(prefix && !prefix->complete);
        const std::string_view frame = data.substr(0, f->size);
        auto m = decode_message(frame, limits);
        if (m) {
            check(m->message_id > 0);
            check(m->controls.size() <= limits.max_controls);
            if (auto* s = std::get_if<SearchRequest>(&m->request)) {
                check(s->attributes.size() <= limits.max_attributes);
                check(s->filter.element_count() <= limits.filter.max_elements);
                exercise_filter(s->filter, limits.filter);
            }
            exercise_controls(*m, limits);
            auto h = decode_header(frame);
            check(h && h->message_id == m->message_id && h->operation == m->operation());
        } else {
            (void)decode_header(frame);
        }
        data.remove_prefix(f->size);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
    const std::string_view data(reinterpret_cast<const char*>(bytes), size);
    run(data, Limits{});
    Limits tiny;
    tiny.max_message_size = 512;
    tiny.filter.max_depth = 4;
    tiny.filter.max_elements = 16;
    tiny.max_attributes = 4;
    tiny.max_values = 8;
    tiny.max_controls = 2;
    tiny.max_sort_keys = 2;
    run(data, tiny);
    return 0;
}
