#pragma once
// Shared helpers of the LDAP protocol tests: replaying input through the framer in fragments,
// and a readable dump of decoded messages for comparisons.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "../ber/ber_test_util.hpp"
#include "ldap/protocol/message.hpp"
#include "test_support.hpp"

namespace sb::ldapproto::test {

using ber::test::from_hex;
using ber::test::to_hex;

// A decoded message (empty after a failure) with the frame its views point into.
struct Decoded {
    std::unique_ptr<std::string> frame;
    std::optional<Message> message;
    explicit operator bool() const { return message.has_value(); }
    const Message* operator->() const { return &*message; }
    const Message& operator*() const { return *message; }
};

inline std::string printable(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out += static_cast<char>(c);
        } else {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out + "\"";
}

inline std::string printable(const std::optional<std::string_view>& s) {
    return s ? printable(*s) : "absent";
}

// One line per field; equal dumps mean equal messages.
inline std::string describe(const Message& m) {
    std::ostringstream o;
    o << "id=" << m.message_id << " op=" << operation_name(m.operation()) << "\n";
    std::visit(
        [&](const auto& r) {
            using T = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<T, BindRequest>) {
                o << "version=" << r.version << " name=" << printable(r.name)
                  << " method=" << static_cast<int>(r.method) << " tag=" << int(r.auth_tag)
                  << " password=" << printable(r.password)
                  << " mech=" << printable(r.sasl_mechanism)
                  << " creds=" << printable(r.sasl_credentials);
            } else if constexpr (std::is_same_v<T, SearchRequest>) {
                o << "base=" << printable(r.base_object) << " scope=" << int(r.scope)
                  << " deref=" << int(r.deref_aliases) << " size=" << r.size_limit
                  << " time=" << r.time_limit << " typesOnly=" << r.types_only
                  << " filter=" << to_string(r.filter) << " attrs=";
                for (auto a : r.attributes)
                    o << printable(a) << ",";
            } else if constexpr (std::is_same_v<T, ModifyRequest>) {
                o << "object=" << printable(r.object) << " changes=" << r.change_count;
            } else if constexpr (std::is_same_v<T, AddRequest>) {
                o << "entry=" << printable(r.entry) << " attributes=" << r.attribute_count;
            } else if constexpr (std::is_same_v<T, DelRequest>) {
                o << "entry=" << printable(r.entry);
            } else if constexpr (std::is_same_v<T, ModifyDNRequest>) {
                o << "entry=" << printable(r.entry) << " newrdn=" << printable(r.new_rdn)
                  << " deleteold=" << r.delete_old_rdn << " superior=" << printable(r.new_superior);
            } else if constexpr (std::is_same_v<T, CompareRequest>) {
                o << "entry=" << printable(r.entry) << " attr=" << printable(r.attribute)
                  << " value=" << printable(r.value);
            } else if constexpr (std::is_same_v<T, AbandonRequest>) {
                o << "abandon=" << r.message_id;
            } else if constexpr (std::is_same_v<T, ExtendedRequest>) {
                o << "name=" << printable(r.name) << " value=" << printable(r.value);
            }
        },
        m.request);
    for (const Control& c : m.controls)
        o << "\ncontrol " << printable(c.type) << " critical=" << c.critical
          << " value=" << (c.value ? to_hex(*c.value) : "absent");
    return o.str();
}

// Feeds `bytes` to frame_message in every fragment size of kFragmentSizes (1 = one byte at a
// time): the framer must answer need-more until the last byte, then frame exactly `bytes`, and
// every replay must decode to the same message. Returns that message, or an empty Decoded after
// recording a failure.
inline Decoded decode_replayed(std::string_view bytes, const Limits& limits = {}) {
    Decoded first;
    for (size_t step : sb::test::kFragmentSizes) {
        auto received = std::make_unique<std::string>();
        for (size_t fed = 0; fed < bytes.size();) {
            const size_t n = std::min(step, bytes.size() - fed);
            received->append(bytes.substr(fed, n));
            fed += n;
            auto f = frame_message(*received, limits);
            if (!f) {
                ADD_FAILURE() << "framer error after " << fed << " bytes (step " << step
                              << "): " << f.error().message;
                return {};
            }
            if (fed < bytes.size() && f->complete) {
                ADD_FAILURE() << "complete after " << fed << " of " << bytes.size() << " bytes";
                return {};
            }
            if (fed == bytes.size() && (!f->complete || f->size != bytes.size())) {
                ADD_FAILURE() << "not framed whole: complete=" << f->complete << " size=" << f->size
                              << " of " << bytes.size();
                return {};
            }
        }
        auto m = decode_message(*received, limits);
        if (!m) {
            ADD_FAILURE() << "decode failed (step " << step << "): " << m.error().message;
            return {};
        }
        if (!first) {
            first.frame = std::move(received);
            first.message = std::move(*m);
        } else {
            EXPECT_EQ(describe(*m), describe(*first)) << "step " << step;
            EXPECT_TRUE(*m == *first) << "step " << step;
        }
    }
    // Pipelined: a second message behind the first does not change the first frame.
    const std::string two = std::string(bytes) + std::string(bytes);
    auto f = frame_message(two, limits);
    EXPECT_TRUE(f && f->complete && f->size == bytes.size());
    return first;
}

// Replays bad input like decode_replayed: the framer must fail, or frame the whole input as a
// message that then fails to decode. Returns the error.
inline Error reject_replayed(std::string_view bytes, const Limits& limits = {}) {
    std::optional<Error> error;
    for (size_t step : sb::test::kFragmentSizes) {
        std::string received;
        std::optional<Error> here;
        for (size_t fed = 0; fed < bytes.size() && !here;) {
            const size_t n = std::min(step, bytes.size() - fed);
            received.append(bytes.substr(fed, n));
            fed += n;
            auto f = frame_message(received, limits);
            if (!f) {
                here = f.error();
            } else if (f->complete) {
                auto m = decode_message(received.substr(0, f->size), limits);
                if (m) {
                    ADD_FAILURE() << "accepted: " << describe(*m);
                    return Error{};
                }
                here = m.error();
            }
        }
        if (!here) {
            ADD_FAILURE() << "still waiting for more input after " << bytes.size() << " bytes";
            return Error{};
        }
        if (error) {
            EXPECT_EQ(here->code, error->code) << "step " << step;
        } else {
            error = here;
        }
    }
    return *error;
}

}  // namespace sb::ldapproto::test
