#include <gtest/gtest.h>

#include "ldap/protocol/message.hpp"
#include "ldap_test_util.hpp"

namespace sb::ldapproto {
namespace {

using test::decode_replayed;
using test::from_hex;

// Outlook's address-book name resolution: every length in the four-octet long form (even
// those of INTEGER, ENUMERATED and BOOLEAN), sizeLimit 100, timeLimit 60, base "" subtree.
const std::string kOutlookSearch = from_hex(
    "30 84 00 00 01 a1 02 84 00 00 00 01 02 63 84 00 00 01 94 04 84 00 00 00 "
    "00 0a 84 00 00 00 01 02 0a 84 00 00 00 01 00 02 84 00 00 00 01 64 02 84 "
    "00 00 00 01 3c 01 84 00 00 00 01 00 a0 84 00 00 00 99 87 84 00 00 00 04 "
    "6d 61 69 6c a1 84 00 00 00 89 a4 84 00 00 00 19 04 84 00 00 00 04 6d 61 "
    "69 6c 30 84 00 00 00 09 80 84 00 00 00 03 61 62 63 a1 84 00 00 00 64 a4 "
    "84 00 00 00 17 04 84 00 00 00 02 63 6e 30 84 00 00 00 09 80 84 00 00 00 "
    "03 61 62 63 a1 84 00 00 00 41 a4 84 00 00 00 17 04 84 00 00 00 02 73 6e "
    "30 84 00 00 00 09 80 84 00 00 00 03 61 62 63 a4 84 00 00 00 1e 04 84 00 "
    "00 00 09 67 69 76 65 6e 4e 61 6d 65 30 84 00 00 00 09 80 84 00 00 00 03 "
    "61 62 63 30 84 00 00 00 c6 04 84 00 00 00 0c 64 69 73 70 6c 61 79 2d 6e "
    "61 6d 65 04 84 00 00 00 02 63 6e 04 84 00 00 00 0a 63 6f 6d 6d 6f 6e 4e "
    "61 6d 65 04 84 00 00 00 04 6d 61 69 6c 04 84 00 00 00 09 67 69 76 65 6e "
    "4e 61 6d 65 04 84 00 00 00 02 73 6e 04 84 00 00 00 07 73 75 72 6e 61 6d "
    "65 04 84 00 00 00 0f 74 65 6c 65 70 68 6f 6e 65 4e 75 6d 62 65 72 04 84 "
    "00 00 00 05 74 69 74 6c 65 04 84 00 00 00 0a 64 65 70 61 72 74 6d 65 6e "
    "74 04 84 00 00 00 07 63 6f 6d 70 61 6e 79 04 84 00 00 00 1a 70 68 79 73 "
    "69 63 61 6c 44 65 6c 69 76 65 72 79 4f 66 66 69 63 65 4e 61 6d 65 04 84 "
    "00 00 00 0b 6f 62 6a 65 63 74 43 6c 61 73 73 ");

TEST(Message, OutlookNameResolutionSearch) {
    ASSERT_EQ(kOutlookSearch.size(), 423u);
    auto d = decode_replayed(kOutlookSearch);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->message_id, 2);
    ASSERT_EQ(d->operation(), Operation::search_request);
    const auto& s = std::get<SearchRequest>(d->request);
    EXPECT_EQ(s.base_object, "");
    EXPECT_EQ(s.scope, SearchScope::whole_subtree);
    EXPECT_EQ(s.deref_aliases, DerefAliases::never);
    EXPECT_EQ(s.size_limit, 100);
    EXPECT_EQ(s.time_limit, 60);
    EXPECT_FALSE(s.types_only);
    EXPECT_EQ(to_string(s.filter),
              "(&(mail=*)(|(mail=abc*)(|(cn=abc*)(|(sn=abc*)(givenName=abc*)))))");
    EXPECT_EQ(s.filter, *parse_filter("(&(mail=*)(|(mail=abc*)(|(cn=abc*)(|(sn=abc*)"
                                      "(givenName=abc*)))))"));
    ASSERT_EQ(s.attributes.size(), 13u);
    EXPECT_EQ(s.attributes[0], "display-name");
    EXPECT_EQ(s.attributes[11], "physicalDeliveryOfficeName");
    EXPECT_EQ(s.attributes[12], "objectClass");
    EXPECT_TRUE(d->controls.empty());
    // Zero copy: strings point into the frame.
    const char* begin = d.frame->data();
    const char* end = begin + d.frame->size();
    EXPECT_GE(s.attributes[0].data(), begin);
    EXPECT_LT(s.attributes[0].data(), end);
    const auto& leaf = s.filter.node(s.filter.nodes().size() - 1);
    EXPECT_EQ(leaf.attribute, "givenName");
    EXPECT_GE(leaf.attribute.data(), begin);
    EXPECT_LT(leaf.attribute.data(), end);
}

TEST(Message, OutlookSearchFramerWaitsForTheWholeMessage) {
    // One byte at a time, the framer knows the total after the 6-byte header.
    for (size_t n = 1; n < kOutlookSearch.size(); ++n) {
        auto f = frame_message(std::string_view(kOutlookSearch).substr(0, n), Limits{});
        ASSERT_TRUE(f);
        EXPECT_FALSE(f->complete);
        EXPECT_EQ(f->size, n < 6 ? 0u : kOutlookSearch.size());
    }
}

TEST(Message, MinimalSimpleBind) {
    // ldapsearch -x -D cn=a -w pw: 30 12 02 01 01 60 0d 02 01 03 04 04 63 6e 3d 61 80 02 70 77
    auto d =
        decode_replayed(from_hex("30 13 02 01 01 60 0e 02 01 03 04 04 63 6e 3d 61 80 03 "
                                 "70 77 21"));
    ASSERT_TRUE(d);
    const auto& b = std::get<BindRequest>(d->request);
    EXPECT_EQ(b.version, 3);
    EXPECT_EQ(b.name, "cn=a");
    EXPECT_EQ(b.method, BindRequest::Method::simple);
    EXPECT_EQ(b.password, "pw!");
}

TEST(Message, BindWithUnknownAuthenticationChoiceDecodesAsOther) {
    // [5] is not defined: the server answers authMethodNotSupported, not protocolError.
    auto d = decode_replayed(from_hex("30 0c 02 01 01 60 07 02 01 03 04 00 85 00"));
    ASSERT_TRUE(d);
    const auto& b = std::get<BindRequest>(d->request);
    EXPECT_EQ(b.method, BindRequest::Method::other);
    EXPECT_EQ(b.auth_tag, 0x85);
}

TEST(Message, SaslBindWithAndWithoutCredentials) {
    auto d =
        decode_replayed(from_hex("30 16 02 01 01 60 11 02 01 03 04 00 a3 0a 04 08 "
                                 "45 58 54 45 52 4e 41 4c"));
    ASSERT_TRUE(d);
    const auto& b = std::get<BindRequest>(d->request);
    EXPECT_EQ(b.method, BindRequest::Method::sasl);
    EXPECT_EQ(b.sasl_mechanism, "EXTERNAL");
    EXPECT_FALSE(b.sasl_credentials);
    auto c =
        decode_replayed(from_hex("30 16 02 01 02 60 11 02 01 03 04 00 a3 0a 04 05 "
                                 "50 4c 41 49 4e 04 01 78"));
    ASSERT_TRUE(c);
    const auto& p = std::get<BindRequest>(c->request);
    EXPECT_EQ(p.sasl_mechanism, "PLAIN");
    EXPECT_EQ(p.sasl_credentials, "x");
}

TEST(Message, UnbindAbandonDelete) {
    auto u = decode_replayed(from_hex("30 05 02 01 07 42 00"));
    ASSERT_TRUE(u);
    EXPECT_EQ(u->operation(), Operation::unbind_request);
    auto a = decode_replayed(from_hex("30 06 02 01 08 50 01 05"));
    ASSERT_TRUE(a);
    EXPECT_EQ(std::get<AbandonRequest>(a->request).message_id, 5);
    auto d = decode_replayed(from_hex("30 0a 02 01 09 4a 05 63 6e 3d 78 79"));
    ASSERT_TRUE(d);
    EXPECT_EQ(std::get<DelRequest>(d->request).entry, "cn=xy");
}

TEST(Message, StartTlsAndWhoAmI) {
    auto tls =
        decode_replayed(from_hex("30 1d 02 01 01 77 18 80 16 31 2e 33 2e 36 2e 31 2e 34 "
                                 "2e 31 2e 31 34 36 36 2e 32 30 30 33 37"));
    ASSERT_TRUE(tls);
    const auto& e = std::get<ExtendedRequest>(tls->request);
    EXPECT_EQ(e.name, oid::kStartTls);
    EXPECT_FALSE(e.value);
    auto who =
        decode_replayed(from_hex("30 1e 02 01 02 77 19 80 17 31 2e 33 2e 36 2e 31 2e 34 "
                                 "2e 31 2e 34 32 30 33 2e 31 2e 31 31 2e 33"));
    ASSERT_TRUE(who);
    EXPECT_EQ(std::get<ExtendedRequest>(who->request).name, oid::kWhoAmI);
    auto with_value = decode_replayed(from_hex("30 0c 02 01 03 77 07 80 03 31 2e 32 81 00"));
    ASSERT_TRUE(with_value);
    EXPECT_EQ(std::get<ExtendedRequest>(with_value->request).value, "");
}

TEST(Message, ControlsWithDefaultsAndValues) {
    // Search base "", base scope, (objectClass=*), with a critical control without value and a
    // non-critical one with a value.
    auto d = decode_replayed(from_hex(
        "30 3c 02 01 04 63 20 04 00 0a 01 00 0a 01 00 02 01 00 02 01 00 01 01 00 87 0b 6f 62 "
        "6a 65 63 74 43 6c 61 73 73 30 00 a0 15 30 08 04 03 31 2e 32 01 01 ff 30 09 04 03 31 "
        "2e 33 04 02 30 00"));
    ASSERT_TRUE(d);
    ASSERT_EQ(d->controls.size(), 2u);
    EXPECT_EQ(d->controls[0].type, "1.2");
    EXPECT_TRUE(d->controls[0].critical);
    EXPECT_FALSE(d->controls[0].value);
    EXPECT_EQ(d->controls[1].type, "1.3");
    EXPECT_FALSE(d->controls[1].critical);
    EXPECT_EQ(d->controls[1].value, test::from_hex("30 00"));
    const auto& s = std::get<SearchRequest>(d->request);
    EXPECT_EQ(to_string(s.filter), "(objectClass=*)");
    EXPECT_TRUE(s.attributes.empty());
}

TEST(Message, HeaderOfAMessageThatFailsToDecode) {
    // A search whose filter is broken: the header still gives the id and operation.
    const std::string bad = from_hex(
        "30 14 02 02 01 00 63 0e 04 00 0a 01 00 0a 01 00 02 01 00 "
        "02 01 00");
    EXPECT_FALSE(decode_message(bad, Limits{}));
    auto h = decode_header(bad);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->message_id, 256);
    EXPECT_EQ(h->operation, Operation::search_request);
    auto unknown = decode_header(from_hex("30 05 02 01 09 5f 00"));
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->operation, std::nullopt);
    auto response = decode_header(from_hex("30 05 02 01 09 61 00"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->operation, Operation::bind_response);
    EXPECT_FALSE(decode_header(from_hex("30 03 02 01 ff")));
}

TEST(Message, OperationTagsAndNames) {
    EXPECT_EQ(operation_tag(Operation::search_request), 0x63);
    EXPECT_EQ(operation_tag(Operation::unbind_request), 0x42);
    EXPECT_EQ(operation_tag(Operation::del_request), 0x4a);
    EXPECT_EQ(operation_tag(Operation::abandon_request), 0x50);
    EXPECT_EQ(operation_tag(Operation::extended_response), 0x78);
    EXPECT_EQ(operation_from_tag(0x63), Operation::search_request);
    EXPECT_EQ(operation_from_tag(0x43), std::nullopt);  // primitive search
    EXPECT_EQ(operation_from_tag(0x62), std::nullopt);  // constructed unbind
    EXPECT_EQ(operation_from_tag(0x71), std::nullopt);  // 17 is unused
    EXPECT_EQ(operation_from_tag(0x23), std::nullopt);  // universal
    EXPECT_EQ(operation_name(Operation::compare_request), "compareRequest");
}

}  // namespace
}  // namespace sb::ldapproto
