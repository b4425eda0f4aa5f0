// Responses and control values encoded by the codec, decoded by liblber's ber_scanf and compared
// byte for byte with what ber_printf writes in DER mode.
#include <gtest/gtest.h>

#include "../ber/lber_util.hpp"
#include "ldap/protocol/response.hpp"
#include "ldap_test_util.hpp"

namespace sb::ldapproto {
namespace {

using ber::test::as_string;
using ber::test::lber_encode;
using ber::test::lber_reader;
using test::to_hex;

ber_tag_t tag(uint8_t t) {
    return t;
}

struct ScannedResult {
    ber_int_t id = -1;
    ber_tag_t op = 0;
    ber_int_t code = -1;
    std::string matched, diagnostic;
};

// Reads messageID, the response tag and the LDAPResult fields; leaves `ber` after them.
ScannedResult scan_result(BerElement* ber) {
    ScannedResult r;
    ber_len_t len;
    EXPECT_NE(ber_scanf(ber, "{i", &r.id), LBER_ERROR);
    r.op = ber_peek_tag(ber, &len);
    struct berval matched {
    }, diagnostic{};
    EXPECT_NE(ber_scanf(ber, "{emm", &r.code, &matched, &diagnostic), LBER_ERROR);
    r.matched = as_string(matched);
    r.diagnostic = as_string(diagnostic);
    return r;
}

TEST(DifferentialResponses, BindResponse) {
    std::string out;
    encode_bind_response(out, 1, {ResultCode::invalid_credentials, "", "bad"});
    auto ber = lber_reader(out);
    auto r = scan_result(ber.get());
    EXPECT_EQ(r.id, 1);
    EXPECT_EQ(r.op, 0x61u);
    EXPECT_EQ(r.code, 49);
    EXPECT_EQ(r.diagnostic, "bad");
    EXPECT_EQ(to_hex(out),
              to_hex(lber_encode(LBER_USE_DER, "{it{ess}}", 1, tag(0x61), 49, "", "bad")));
}

TEST(DifferentialResponses, GenericResultsForEveryOperation) {
    const Operation ops[] = {Operation::modify_response,  Operation::add_response,
                             Operation::del_response,     Operation::modify_dn_response,
                             Operation::compare_response, Operation::search_result_done};
    const uint8_t tags[] = {0x67, 0x69, 0x6b, 0x6d, 0x6f, 0x65};
    for (size_t i = 0; i < std::size(ops); ++i) {
        std::string out;
        const std::string diagnostic(300, 'd');  // a long-form length inside
        encode_result(out, 2147483647, ops[i],
                      {ResultCode::unwilling_to_perform, "dc=example,dc=com", diagnostic});
        auto ber = lber_reader(out);
        auto r = scan_result(ber.get());
        EXPECT_EQ(r.id, 2147483647);
        EXPECT_EQ(r.op, tags[i]);
        EXPECT_EQ(r.code, 53);
        EXPECT_EQ(r.matched, "dc=example,dc=com");
        EXPECT_EQ(r.diagnostic, diagnostic);
        EXPECT_EQ(out, lber_encode(LBER_USE_DER, "{it{ess}}", 2147483647, tag(tags[i]), 53,
                                   "dc=example,dc=com", diagnostic.c_str()));
    }
}

TEST(DifferentialResponses, ExtendedResponseAndNoticeOfDisconnection) {
    std::string out;
    encode_extended_response(out, 3, {}, oid::kStartTls, std::nullopt);
    EXPECT_EQ(out, lber_encode(LBER_USE_DER, "{it{essts}}", 3, tag(0x78), 0, "", "", tag(0x8a),
                               "1.3.6.1.4.1.1466.20037"));
    out.clear();
    encode_extended_response(out, 4, {}, std::nullopt, "u:ada");
    EXPECT_EQ(
        out, lber_encode(LBER_USE_DER, "{it{essts}}", 4, tag(0x78), 0, "", "", tag(0x8b), "u:ada"));
    auto ber = lber_reader(out);
    auto r = scan_result(ber.get());
    ber_tag_t t;
    struct berval value {};
    ASSERT_NE(ber_scanf(ber.get(), "tm}}", &t, &value), LBER_ERROR);
    EXPECT_EQ(t, 0x8bu);
    EXPECT_EQ(as_string(value), "u:ada");

    out.clear();
    encode_notice_of_disconnection(out, ResultCode::protocol_error, "malformed request");
    auto n = lber_reader(out);
    auto nr = scan_result(n.get());
    EXPECT_EQ(nr.id, 0);
    EXPECT_EQ(nr.op, 0x78u);
    EXPECT_EQ(nr.code, 2);
    EXPECT_EQ(nr.diagnostic, "malformed request");
    struct berval name {};
    ASSERT_NE(ber_scanf(n.get(), "tm}}", &t, &name), LBER_ERROR);
    EXPECT_EQ(t, 0x8au);
    EXPECT_EQ(as_string(name), "1.3.6.1.4.1.1466.20036");
}

TEST(DifferentialResponses, SearchResultEntryMatchesLber) {
    // Every size class of lengths, values with NULs, and the typesOnly form.
    for (size_t n : {0u, 1u, 50u, 120u, 200u, 300u, 70000u}) {
        const std::string value(n, 'v');
        const std::string binary("\x00\x01", 2);
        std::string out;
        SearchEntryWriter e(out, 5, "cn=A,dc=example,dc=com");
        e.add_attribute("cn", {"A", value});
        e.begin_attribute("mail");
        e.add_value(value);
        e.add_value("a@example.com");
        e.end_attribute();
        e.add_attribute("bin", {binary});
        e.add_attribute_type("photo");
        e.finish();
        const std::string expected = lber_encode(
            LBER_USE_DER, "{it{s{{s[so]}{s[os]}{s[o]}{s[]}}}}", 5, tag(0x64),
            "cn=A,dc=example,dc=com", "cn", "A", value.data(), value.size(), "mail", value.data(),
            value.size(), "a@example.com", "bin", binary.data(), binary.size(), "photo");
        EXPECT_EQ(out, expected) << "value size " << n;
    }
}

TEST(DifferentialResponses, ManyEntriesAppendToOneBuffer) {
    std::string out;
    for (int i = 1; i <= 100; ++i) {
        SearchEntryWriter e(out, 9, "cn=" + std::to_string(i));
        e.add_attribute("cn", {std::to_string(i)});
        e.finish();
    }
    encode_search_result_done(out, 9, {});
    // liblber reads the 101 messages back, one after the other.
    auto ber = lber_reader(out);
    for (int i = 1; i <= 100; ++i) {
        ber_int_t id = 0;
        struct berval dn {
        }, type{};
        BerVarray values = nullptr;
        ASSERT_NE(ber_scanf(ber.get(), "{i{m{{m[W]}}}}", &id, &dn, &type, &values), LBER_ERROR);
        EXPECT_EQ(id, 9);
        EXPECT_EQ(as_string(dn), "cn=" + std::to_string(i));
        ASSERT_NE(values, nullptr);
        EXPECT_EQ(as_string(values[0]), std::to_string(i));
        ber_bvarray_free(values);
    }
    auto r = scan_result(ber.get());
    EXPECT_EQ(r.op, 0x65u);
    EXPECT_EQ(r.code, 0);
}

TEST(DifferentialResponses, ResponseControlsMatchLber) {
    std::string out;
    const ResponseControl controls[] = {
        PagedResults{0, "cookie"},
        SortResponse{ResultCode::success, std::nullopt},
        SortResponse{ResultCode::no_such_attribute, std::string_view("cn")},
        VlvResponse{7, 1000, ResultCode::success, std::nullopt},
        VlvResponse{0, 0, ResultCode::sort_control_missing, std::string_view("ctx")},
        Control{"1.2.3.4", true, std::string_view("raw")},
        Control{"1.2.3.5", false, std::nullopt},
    };
    encode_search_result_done(out, 6, {}, controls);
    const std::string paged = lber_encode(LBER_USE_DER, "{is}", 0, "cookie");
    const std::string sort_ok = lber_encode(LBER_USE_DER, "{e}", 0);
    const std::string sort_fail = lber_encode(LBER_USE_DER, "{ets}", 16, tag(0x80), "cn");
    const std::string vlv_ok = lber_encode(LBER_USE_DER, "{iie}", 7, 1000, 0);
    const std::string vlv_fail = lber_encode(LBER_USE_DER, "{iies}", 0, 0, 60, "ctx");
    const std::string expected = lber_encode(
        LBER_USE_DER, "{it{ess}t{{so}{so}{so}{so}{so}{sbs}{s}}}", 6, tag(0x65), 0, "", "",
        tag(0xa0), "1.2.840.113556.1.4.319", paged.data(), paged.size(), "1.2.840.113556.1.4.474",
        sort_ok.data(), sort_ok.size(), "1.2.840.113556.1.4.474", sort_fail.data(),
        sort_fail.size(), "2.16.840.1.113730.3.4.10", vlv_ok.data(), vlv_ok.size(),
        "2.16.840.1.113730.3.4.10", vlv_fail.data(), vlv_fail.size(), "1.2.3.4", 1, "raw",
        "1.2.3.5");
    EXPECT_EQ(to_hex(out), to_hex(expected));
}

TEST(DifferentialResponses, RequestControlValueEncodersMatchLber) {
    std::string out;
    ber::Writer w(out);
    encode_paged_results(w, {100, ""});
    EXPECT_EQ(out, lber_encode(LBER_USE_DER, "{is}", 100, ""));
    out.clear();
    encode_sort_request(w, SortRequest{{{"cn", "", false}, {"sn", "rule", true}}});
    EXPECT_EQ(out, lber_encode(LBER_USE_DER, "{{s}{ststb}}", "cn", "sn", tag(0x80), "rule",
                               tag(0x81), 1));
    out.clear();
    VlvRequest v;
    v.before_count = 1;
    v.after_count = 2;
    v.offset = 3;
    v.content_count = 4;
    v.context_id = "c";
    encode_vlv_request(w, v);
    EXPECT_EQ(out, lber_encode(LBER_USE_DER, "{iit{ii}s}", 1, 2, tag(0xa0), 3, 4, "c"));
    out.clear();
    v.target = VlvRequest::Target::greater_than_or_equal;
    v.assertion_value = "Sm";
    v.context_id.reset();
    encode_vlv_request(w, v);
    EXPECT_EQ(out, lber_encode(LBER_USE_DER, "{iits}", 1, 2, tag(0x81), "Sm"));
}

}  // namespace
}  // namespace sb::ldapproto
