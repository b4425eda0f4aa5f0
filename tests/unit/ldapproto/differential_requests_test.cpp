// Requests encoded by liblber's ber_printf (both its DER mode and its default long-form lengths)
// decoded by the codec.
#include <gtest/gtest.h>

#include "../ber/lber_util.hpp"
#include "ldap_test_util.hpp"

namespace sb::ldapproto {
namespace {

using ber::test::lber_encode;
using test::decode_replayed;

constexpr int kEncodings[] = {LBER_USE_DER, 0};

ber_tag_t tag(uint8_t t) {
    return t;
}

TEST(DifferentialRequests, SimpleBind) {
    for (int options : kEncodings) {
        const std::string pw("p\0w", 3);
        const auto bytes = lber_encode(options, "{it{isto}}", 1, tag(0x60), 3, "mail@example.com",
                                       tag(0x80), pw.data(), pw.size());
        auto d = decode_replayed(bytes);
        ASSERT_TRUE(d);
        const auto& b = std::get<BindRequest>(d->request);
        EXPECT_EQ(b.name, "mail@example.com");
        EXPECT_EQ(b.password, pw);
        EXPECT_EQ(b.version, 3);
    }
}

TEST(DifferentialRequests, SaslBind) {
    for (int options : kEncodings) {
        const auto bytes = lber_encode(options, "{it{ist{ss}}}", 9, tag(0x60), 3, "", tag(0xa3),
                                       "DIGEST-MD5", "response");
        auto d = decode_replayed(bytes);
        ASSERT_TRUE(d);
        const auto& b = std::get<BindRequest>(d->request);
        EXPECT_EQ(b.method, BindRequest::Method::sasl);
        EXPECT_EQ(b.sasl_mechanism, "DIGEST-MD5");
        EXPECT_EQ(b.sasl_credentials, "response");
    }
}

TEST(DifferentialRequests, SearchWithControls) {
    for (int options : kEncodings) {
        // (&(cn=Ada*)(!(mail=*))(sn>=L)), attributes cn mail, one critical control.
        const auto bytes =
            lber_encode(options, "{it{seeiibt{t{st{to}}t{ts}t{ss}}{ss}}t{{sbo}}}", 77, tag(0x63),
                        "ou=people,dc=example,dc=com", 1, 3, 100, 60, 0, tag(0xa0), tag(0xa4), "cn",
                        tag(0x30), tag(0x80), "Ada", size_t{3}, tag(0xa2), tag(0x87), "mail",
                        tag(0xa5), "sn", "L", "cn", "mail", tag(0xa0), "1.2.840.113556.1.4.319", 1,
                        "\x30\x05\x02\x01\x05\x04\x00", size_t{7});
        auto d = decode_replayed(bytes);
        ASSERT_TRUE(d);
        EXPECT_EQ(d->message_id, 77);
        const auto& s = std::get<SearchRequest>(d->request);
        EXPECT_EQ(s.base_object, "ou=people,dc=example,dc=com");
        EXPECT_EQ(s.scope, SearchScope::single_level);
        EXPECT_EQ(s.deref_aliases, DerefAliases::always);
        EXPECT_EQ(s.size_limit, 100);
        EXPECT_EQ(s.time_limit, 60);
        EXPECT_EQ(to_string(s.filter), "(&(cn=Ada*)(!(mail=*))(sn>=L))");
        EXPECT_EQ(s.attributes, (std::vector<std::string_view>{"cn", "mail"}));
        ASSERT_EQ(d->controls.size(), 1u);
        EXPECT_TRUE(d->controls[0].critical);
        auto p = decode_paged_results(*d->controls[0].value);
        ASSERT_TRUE(p);
        EXPECT_EQ(p->size, 5);
        EXPECT_EQ(p->cookie, "");
    }
}

TEST(DifferentialRequests, ModifyAddDeleteModDnCompare) {
    for (int options : kEncodings) {
        auto modify =
            decode_replayed(lber_encode(options, "{it{s{{e{s[ss]}}{e{s[]}}}}}", 2, tag(0x66),
                                        "cn=x", 0, "mail", "a@b", "c@d", 1, "phone"));
        ASSERT_TRUE(modify);
        EXPECT_EQ(std::get<ModifyRequest>(modify->request).object, "cn=x");
        EXPECT_EQ(std::get<ModifyRequest>(modify->request).change_count, 2u);

        auto add = decode_replayed(lber_encode(options, "{it{s{{s[s]}{s[ss]}}}}", 3, tag(0x68),
                                               "cn=y", "cn", "y", "objectClass", "top", "person"));
        ASSERT_TRUE(add);
        EXPECT_EQ(std::get<AddRequest>(add->request).entry, "cn=y");
        EXPECT_EQ(std::get<AddRequest>(add->request).attribute_count, 2u);

        auto del = decode_replayed(lber_encode(options, "{its}", 4, tag(0x4a), "cn=z"));
        ASSERT_TRUE(del);
        EXPECT_EQ(std::get<DelRequest>(del->request).entry, "cn=z");

        auto moddn = decode_replayed(lber_encode(options, "{it{ssbts}}", 5, tag(0x6c), "cn=a",
                                                 "cn=b", 1, tag(0x80), "ou=c"));
        ASSERT_TRUE(moddn);
        const auto& m = std::get<ModifyDNRequest>(moddn->request);
        EXPECT_EQ(m.new_rdn, "cn=b");
        EXPECT_TRUE(m.delete_old_rdn);
        EXPECT_EQ(m.new_superior, "ou=c");

        auto compare = decode_replayed(
            lber_encode(options, "{it{s{ss}}}", 6, tag(0x6e), "cn=a", "mail", "a@b"));
        ASSERT_TRUE(compare);
        const auto& c = std::get<CompareRequest>(compare->request);
        EXPECT_EQ(c.entry, "cn=a");
        EXPECT_EQ(c.attribute, "mail");
        EXPECT_EQ(c.value, "a@b");
    }
}

TEST(DifferentialRequests, AbandonUnbindExtended) {
    for (int options : kEncodings) {
        auto abandon = decode_replayed(lber_encode(options, "{iti}", 8, tag(0x50), 7));
        ASSERT_TRUE(abandon);
        EXPECT_EQ(std::get<AbandonRequest>(abandon->request).message_id, 7);
        auto unbind = decode_replayed(lber_encode(options, "{itn}", 9, tag(0x42)));
        ASSERT_TRUE(unbind);
        EXPECT_EQ(unbind->operation(), Operation::unbind_request);
        auto whoami = decode_replayed(
            lber_encode(options, "{it{ts}}", 10, tag(0x77), tag(0x80), "1.3.6.1.4.1.4203.1.11.3"));
        ASSERT_TRUE(whoami);
        EXPECT_EQ(std::get<ExtendedRequest>(whoami->request).name, oid::kWhoAmI);
        auto with_value = decode_replayed(lber_encode(
            options, "{it{tsto}}", 11, tag(0x77), tag(0x80), "1.2.3", tag(0x81), "v", size_t{1}));
        ASSERT_TRUE(with_value);
        EXPECT_EQ(std::get<ExtendedRequest>(with_value->request).value, "v");
    }
}

TEST(DifferentialRequests, ControlValuesFromLber) {
    for (int options : kEncodings) {
        const auto paged_value = lber_encode(options, "{io}", 250, "\x01\x02", size_t{2});
        auto paged = decode_paged_results(paged_value);
        ASSERT_TRUE(paged);
        EXPECT_EQ(paged->size, 250);
        EXPECT_EQ(paged->cookie, "\x01\x02");

        const auto sort_value =
            lber_encode(options, "{{s}{ststb}{stb}}", "cn", "sn", tag(0x80),
                        "caseIgnoreOrderingMatch", tag(0x81), 1, "mail", tag(0x81), 0);
        auto sort = decode_sort_request(sort_value, 16);
        ASSERT_TRUE(sort) << sort.error().message;
        ASSERT_EQ(sort->keys.size(), 3u);
        EXPECT_EQ(sort->keys[0], (SortKey{"cn", "", false}));
        EXPECT_EQ(sort->keys[1], (SortKey{"sn", "caseIgnoreOrderingMatch", true}));
        EXPECT_EQ(sort->keys[2], (SortKey{"mail", "", false}));
        EXPECT_FALSE(decode_sort_request(sort_value, 2));

        const auto vlv_offset =
            lber_encode(options, "{iit{ii}o}", 0, 19, tag(0xa0), 1, 0, "c", size_t{1});
        auto v = decode_vlv_request(vlv_offset);
        ASSERT_TRUE(v);
        EXPECT_EQ(v->before_count, 0);
        EXPECT_EQ(v->after_count, 19);
        EXPECT_EQ(v->target, VlvRequest::Target::by_offset);
        EXPECT_EQ(v->offset, 1);
        EXPECT_EQ(v->content_count, 0);
        EXPECT_EQ(v->context_id, "c");
        const auto vlv_value = lber_encode(options, "{iito}", 2, 3, tag(0x81), "Mor", size_t{3});
        auto w = decode_vlv_request(vlv_value);
        ASSERT_TRUE(w);
        EXPECT_EQ(w->target, VlvRequest::Target::greater_than_or_equal);
        EXPECT_EQ(w->assertion_value, "Mor");
        EXPECT_FALSE(w->context_id);

        const auto sort_response_value = lber_encode(options, "{ets}", 16, tag(0x80), "cn");
        auto sort_response = decode_sort_response(sort_response_value);
        ASSERT_TRUE(sort_response);
        EXPECT_EQ(sort_response->result, ResultCode::no_such_attribute);
        EXPECT_EQ(sort_response->attribute, "cn");
        const auto vlv_response_value = lber_encode(options, "{iieo}", 5, 900, 0, "x", size_t{1});
        auto vlv_response = decode_vlv_response(vlv_response_value);
        ASSERT_TRUE(vlv_response);
        EXPECT_EQ(*vlv_response, (VlvResponse{5, 900, ResultCode::success, std::string_view("x")}));
    }
}

}  // namespace
}  // namespace sb::ldapproto
