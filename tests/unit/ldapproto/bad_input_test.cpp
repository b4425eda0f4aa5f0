// Malformed and hostile input: every case must end in an error (never a crash, a hang or an
// allocation proportional to a claimed length), replayed through the framer in fragments.
#include <gtest/gtest.h>

#include "ldap/ber/writer.hpp"
#include "ldap_test_util.hpp"

namespace sb::ldapproto {
namespace {

using test::from_hex;
using test::reject_replayed;

std::string tlv(uint8_t tag, std::string_view contents) {
    std::string out;
    ber::Writer(out).element(tag, contents);
    return out;
}
std::string str(std::string_view s) {
    return tlv(0x04, s);
}
std::string integer(int64_t v, uint8_t tag = 0x02) {
    std::string out;
    ber::Writer(out).integer(v, tag);
    return out;
}
std::string message(const std::string& id, const std::string& op, const std::string& rest = "") {
    return tlv(0x30, id + op + rest);
}
std::string message(int id, const std::string& op, const std::string& rest = "") {
    return message(integer(id), op, rest);
}
std::string search_body(const std::string& filter, const std::string& attributes = tlv(0x30, ""),
                        int scope = 2, int deref = 0, int64_t size_limit = 0) {
    return str("") + integer(scope, 0x0a) + integer(deref, 0x0a) + integer(size_limit) +
           integer(0) + tlv(0x01, std::string_view("\x00", 1)) + filter + attributes;
}
const std::string kPresent = tlv(0x87, "cn");
std::string search(const std::string& filter) {
    return message(1, tlv(0x63, search_body(filter)));
}

void expect_rejected(const std::string& bytes, Errc code, const Limits& limits = {}) {
    const Error e = reject_replayed(bytes, limits);
    EXPECT_EQ(e.code, code) << e.message << " for " << test::to_hex(bytes.substr(0, 64));
}

TEST(BadInput, ValidBaselinesDecode) {
    // The builders above make valid messages; the cases below break one thing each.
    EXPECT_TRUE(test::decode_replayed(search(kPresent)));
    EXPECT_TRUE(test::decode_replayed(message(1, tlv(0x42, ""))));
}

TEST(BadInput, NotLdapAtAll) {
    expect_rejected("GET / HTTP/1.1\r\nHost: x\r\n\r\n", Errc::parse_error);
    // A TLS ClientHello on the plain port.
    expect_rejected(from_hex("16 03 01 02 00 01 00 01 fc 03 03"), Errc::parse_error);
    expect_rejected(std::string(64, '\0'), Errc::parse_error);
    expect_rejected(std::string(64, '\xff'), Errc::parse_error);
}

TEST(BadInput, LengthsThatCannotBeHonoured) {
    expect_rejected(from_hex("30 84 ff ff ff ff"), Errc::limit_exceeded);
    expect_rejected(from_hex("30 84 00 10 00 01"), Errc::limit_exceeded);  // 1 MiB + 1
    expect_rejected(from_hex("30 80 02 01 01 42 00 00 00"), Errc::parse_error);
    expect_rejected(from_hex("30 85 00 00 00 00 05 02 01 01 42 00"), Errc::parse_error);
    // Inner lengths that overrun the message.
    expect_rejected(from_hex("30 05 02 01 01 42 05"), Errc::parse_error);
    expect_rejected(from_hex("30 09 02 84 ff ff ff ff 01 42 00"), Errc::parse_error);
    expect_rejected(from_hex("30 07 02 01 01 63 84 00 00"), Errc::parse_error);
    // Smaller configured limit.
    Limits small;
    small.max_message_size = 64;
    expect_rejected(search(tlv(0xa3, str("cn") + str(std::string(60, 'x')))), Errc::limit_exceeded,
                    small);
    EXPECT_FALSE(decode_message(search(tlv(0xa3, str("cn") + str(std::string(60, 'x')))), small));
}

TEST(BadInput, MessageIds) {
    expect_rejected(message(-1, tlv(0x42, "")), Errc::parse_error);
    expect_rejected(message(0, tlv(0x42, "")), Errc::parse_error);
    expect_rejected(message(integer(2147483648LL), tlv(0x42, "")), Errc::parse_error);
    expect_rejected(message(str("1"), tlv(0x42, "")), Errc::parse_error);
    expect_rejected(message(tlv(0x02, ""), tlv(0x42, "")), Errc::parse_error);
    expect_rejected(message(tlv(0x02, std::string(9, '\x01')), tlv(0x42, "")), Errc::parse_error);
    expect_rejected(tlv(0x30, ""), Errc::parse_error);
    expect_rejected(tlv(0x30, integer(1)), Errc::parse_error);
}

TEST(BadInput, ProtocolOps) {
    expect_rejected(message(1, tlv(0x61, integer(0, 0x0a) + str("") + str(""))),
                    Errc::parse_error);                             // a response
    expect_rejected(message(1, tlv(0x74, "")), Errc::parse_error);  // [APPLICATION 20]
    expect_rejected(message(1, tlv(0x43, "")), Errc::parse_error);  // primitive search
    expect_rejected(message(1, tlv(0x62, "")), Errc::parse_error);  // constructed unbind
    expect_rejected(message(1, tlv(0x42, std::string_view("\x00", 1))),
                    Errc::parse_error);  // unbind with contents
    expect_rejected(message(1, tlv(0x42, "") + tlv(0x42, "")), Errc::parse_error);  // two ops
    expect_rejected(message(1, tlv(0x50, "")), Errc::parse_error);      // abandon, no id
    expect_rejected(message(1, tlv(0x50, "\xff")), Errc::parse_error);  // abandon -1
    expect_rejected(message(1, tlv(0x30, "")), Errc::parse_error);      // universal
}

TEST(BadInput, Bind) {
    const auto bind = [](const std::string& body) { return message(1, tlv(0x60, body)); };
    expect_rejected(bind(integer(0) + str("") + tlv(0x80, "")), Errc::parse_error);
    expect_rejected(bind(integer(128) + str("") + tlv(0x80, "")), Errc::parse_error);
    expect_rejected(bind(integer(3) + str("")), Errc::parse_error);
    expect_rejected(bind(integer(3) + str("") + tlv(0x80, "") + str("x")), Errc::parse_error);
    expect_rejected(bind(integer(3) + str("") + tlv(0x04, "pw")), Errc::parse_error);
    expect_rejected(bind(integer(3) + str("") + tlv(0xa3, "")), Errc::parse_error);  // no mech
    expect_rejected(bind(integer(3) + str("") + tlv(0xa3, str("PLAIN") + str("a") + str("b"))),
                    Errc::parse_error);
    expect_rejected(bind(integer(3) + tlv(0x24, str("cn")) + tlv(0x80, "")), Errc::parse_error);
}

TEST(BadInput, SearchFields) {
    const auto s = [](const std::string& body) { return message(1, tlv(0x63, body)); };
    expect_rejected(s(search_body(kPresent, tlv(0x30, ""), 4)), Errc::parse_error);
    expect_rejected(s(search_body(kPresent, tlv(0x30, ""), -1)), Errc::parse_error);
    expect_rejected(s(search_body(kPresent, tlv(0x30, ""), 2, 4)), Errc::parse_error);
    expect_rejected(s(search_body(kPresent, tlv(0x30, ""), 2, 0, -1)), Errc::parse_error);
    expect_rejected(s(search_body(kPresent, tlv(0x30, ""), 2, 0, 2147483648LL)), Errc::parse_error);
    expect_rejected(s(search_body(kPresent, tlv(0x31, ""))), Errc::parse_error);  // SET attrs
    expect_rejected(s(search_body(kPresent, tlv(0x30, tlv(0x02, "\x01"))).substr(0)),
                    Errc::parse_error);  // an attribute that is not a string
    expect_rejected(s(search_body(kPresent, "")), Errc::parse_error);  // no attribute list
    expect_rejected(s(search_body(kPresent) + str("extra")), Errc::parse_error);
    expect_rejected(s(search_body("")), Errc::parse_error);  // no filter
    // typesOnly that is not a BOOLEAN of one octet.
    std::string body = search_body(kPresent);
    const size_t boolean = body.find(std::string("\x01\x01\x00", 3));
    ASSERT_NE(boolean, std::string::npos);
    expect_rejected(s(body.substr(0, boolean) + tlv(0x01, std::string("\x00\x00", 2)) +
                      body.substr(boolean + 3)),
                    Errc::parse_error);
}

TEST(BadInput, Filters) {
    expect_rejected(search(tlv(0xaa, "")), Errc::parse_error);         // unknown choice
    expect_rejected(search(tlv(0xa3, str("cn"))), Errc::parse_error);  // AVA without value
    expect_rejected(search(tlv(0xa3, str("cn") + str("x") + str("y"))), Errc::parse_error);
    expect_rejected(search(tlv(0xa4, str("cn") + tlv(0x30, ""))), Errc::parse_error);
    expect_rejected(search(tlv(0xa4, str("cn") + tlv(0x30, tlv(0x82, "a") + tlv(0x80, "b")))),
                    Errc::parse_error);
    expect_rejected(search(tlv(0xa2, kPresent + kPresent)), Errc::parse_error);
    expect_rejected(search(tlv(0xa9, tlv(0x83, "v"))), Errc::parse_error);
    // 10000 nested NOTs, and 10000 nested ANDs.
    for (uint8_t tag : {uint8_t{0xa2}, uint8_t{0xa0}}) {
        std::string f = kPresent;
        for (int i = 0; i < 10000; ++i)
            f = tlv(tag, f);
        expect_rejected(search(f), Errc::limit_exceeded);
    }
    // Too many elements.
    std::string wide;
    for (int i = 0; i < 1100; ++i)
        wide += kPresent;
    expect_rejected(search(tlv(0xa1, wide)), Errc::limit_exceeded);
    std::string parts;
    for (int i = 0; i < 1100; ++i)
        parts += tlv(0x81, "x");
    expect_rejected(search(tlv(0xa4, str("cn") + tlv(0x30, parts))), Errc::limit_exceeded);
}

TEST(BadInput, TooManyAttributesValuesAndControls) {
    std::string attributes;
    for (int i = 0; i < 1025; ++i)
        attributes += str("cn");
    expect_rejected(message(1, tlv(0x63, search_body(kPresent, tlv(0x30, attributes)))),
                    Errc::limit_exceeded);
    Limits limits;
    limits.max_attributes = 1025;
    EXPECT_TRUE(test::decode_replayed(
        message(1, tlv(0x63, search_body(kPresent, tlv(0x30, attributes)))), limits));

    std::string values;
    for (int i = 0; i < 9000; ++i)
        values += str("v");
    expect_rejected(
        message(1, tlv(0x68, str("cn=x") + tlv(0x30, tlv(0x30, str("cn") + tlv(0x31, values))))),
        Errc::limit_exceeded);

    std::string controls;
    for (int i = 0; i < 33; ++i)
        controls += tlv(0x30, str("1.2.3"));
    expect_rejected(message(1, tlv(0x42, ""), tlv(0xa0, controls)), Errc::limit_exceeded);
}

TEST(BadInput, Controls) {
    const std::string unbind = tlv(0x42, "");
    expect_rejected(message(1, unbind, tlv(0xa1, "")), Errc::parse_error);             // wrong tag
    expect_rejected(message(1, unbind, tlv(0xa0, tlv(0x30, ""))), Errc::parse_error);  // no type
    expect_rejected(message(1, unbind, tlv(0xa0, tlv(0x30, str("1.2") + integer(1)))),
                    Errc::parse_error);
    expect_rejected(message(1, unbind, tlv(0xa0, tlv(0x30, str("1.2") + str("v") + str("w")))),
                    Errc::parse_error);
    expect_rejected(message(1, unbind, tlv(0xa0, tlv(0x30, str("1.2") + tlv(0x01, "") + str("v")))),
                    Errc::parse_error);
    expect_rejected(message(1, unbind, tlv(0xa0, "") + tlv(0xa0, "")), Errc::parse_error);
    expect_rejected(message(1, unbind, tlv(0xa0, str("1.2"))), Errc::parse_error);
}

TEST(BadInput, UpdateOperationsAreValidatedStructurally) {
    const auto add = [](const std::string& attrs) {
        return message(1, tlv(0x68, str("cn=x") + tlv(0x30, attrs)));
    };
    expect_rejected(add(tlv(0x30, str("cn") + tlv(0x31, ""))), Errc::parse_error);  // no values
    expect_rejected(add(tlv(0x30, str("cn"))), Errc::parse_error);
    expect_rejected(add(tlv(0x30, str("") + tlv(0x31, str("v")))), Errc::parse_error);
    expect_rejected(add(tlv(0x30, str("cn") + tlv(0x30, str("v")))), Errc::parse_error);
    expect_rejected(add(tlv(0x30, str("cn") + tlv(0x31, str("v")) + str("x"))), Errc::parse_error);
    const auto modify = [](const std::string& change) {
        return message(1, tlv(0x66, str("cn=x") + tlv(0x30, tlv(0x30, change))));
    };
    expect_rejected(modify(integer(4, 0x0a) + tlv(0x30, str("cn") + tlv(0x31, ""))),
                    Errc::parse_error);
    expect_rejected(modify(integer(0) + tlv(0x30, str("cn") + tlv(0x31, ""))), Errc::parse_error);
    expect_rejected(modify(integer(0, 0x0a)), Errc::parse_error);
    expect_rejected(modify(integer(0, 0x0a) + tlv(0x30, str("cn") + tlv(0x31, "")) + str("x")),
                    Errc::parse_error);
    expect_rejected(message(1, tlv(0x66, str("cn=x"))), Errc::parse_error);
    expect_rejected(message(1, tlv(0x6a, "")), Errc::parse_error);  // constructed del
    const auto moddn = [](const std::string& body) { return message(1, tlv(0x6c, body)); };
    expect_rejected(moddn(str("cn=a") + str("cn=b")), Errc::parse_error);
    expect_rejected(moddn(str("cn=a") + str("cn=b") + tlv(0x01, "\x01") + str("ou=x")),
                    Errc::parse_error);
    expect_rejected(moddn(str("cn=a") + str("cn=b") + tlv(0x01, "\x01") + tlv(0x80, "ou=x") +
                          tlv(0x80, "ou=y")),
                    Errc::parse_error);
    const auto compare = [](const std::string& body) { return message(1, tlv(0x6e, body)); };
    expect_rejected(compare(str("cn=a") + tlv(0x30, str("cn"))), Errc::parse_error);
    expect_rejected(compare(str("cn=a")), Errc::parse_error);
    expect_rejected(compare(str("cn=a") + tlv(0x30, str("cn") + str("v")) + str("x")),
                    Errc::parse_error);
}

TEST(BadInput, Extended) {
    const auto ext = [](const std::string& body) { return message(1, tlv(0x77, body)); };
    expect_rejected(ext(""), Errc::parse_error);
    expect_rejected(ext(str("1.2.3")), Errc::parse_error);
    expect_rejected(ext(tlv(0x81, "v")), Errc::parse_error);
    expect_rejected(ext(tlv(0x80, "1.2") + tlv(0x82, "v")), Errc::parse_error);
    expect_rejected(ext(tlv(0x80, "1.2") + tlv(0x81, "v") + tlv(0x81, "w")), Errc::parse_error);
}

TEST(BadInput, TypedControlValues) {
    const std::string not_ber = "garbage";
    EXPECT_FALSE(decode_paged_results(not_ber));
    EXPECT_FALSE(decode_paged_results(""));
    const std::string negative = tlv(0x30, integer(-1) + str(""));
    EXPECT_FALSE(decode_paged_results(negative));
    const std::string no_cookie = tlv(0x30, integer(10));
    EXPECT_FALSE(decode_paged_results(no_cookie));
    const std::string trailing = tlv(0x30, integer(10) + str("") + str(""));
    EXPECT_FALSE(decode_paged_results(trailing));
    const std::string after = tlv(0x30, integer(10) + str("")) + "x";
    EXPECT_FALSE(decode_paged_results(after));

    EXPECT_FALSE(decode_sort_request(tlv(0x30, ""), 16));  // no keys
    EXPECT_FALSE(decode_sort_request(tlv(0x30, tlv(0x30, "")), 16));
    EXPECT_FALSE(
        decode_sort_request(tlv(0x30, tlv(0x30, str("cn") + tlv(0x81, "\xff") + tlv(0x80, "rule"))),
                            16));  // out of order
    EXPECT_FALSE(decode_sort_request(tlv(0x30, tlv(0x30, str("cn") + tlv(0x82, ""))), 16));
    std::string keys;
    for (int i = 0; i < 17; ++i)
        keys += tlv(0x30, str("cn"));
    auto many = decode_sort_request(tlv(0x30, keys), 16);
    ASSERT_FALSE(many);
    EXPECT_EQ(many.error().code, Errc::limit_exceeded);

    EXPECT_FALSE(decode_vlv_request(tlv(0x30, integer(0) + integer(0) + tlv(0x82, "x"))));
    EXPECT_FALSE(decode_vlv_request(tlv(0x30, integer(0) + integer(0))));
    EXPECT_FALSE(decode_vlv_request(tlv(0x30, integer(-1) + integer(0) + tlv(0x81, "x"))));
    EXPECT_FALSE(decode_vlv_request(tlv(0x30, integer(0) + integer(0) + tlv(0xa0, integer(1)))));
    EXPECT_FALSE(decode_vlv_request(
        tlv(0x30, integer(0) + integer(0) + tlv(0xa0, integer(1) + integer(-5)))));
    EXPECT_FALSE(decode_vlv_request(
        tlv(0x30, integer(0) + integer(0) + tlv(0x81, "x") + str("ctx") + str("more"))));
    EXPECT_FALSE(decode_sort_response(tlv(0x30, integer(0))));  // INTEGER, not ENUMERATED
    EXPECT_FALSE(decode_vlv_response(tlv(0x30, integer(0) + integer(0))));
}

}  // namespace
}  // namespace sb::ldapproto
