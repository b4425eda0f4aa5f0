#include "ldap/protocol/filter.hpp"

#include <gtest/gtest.h>

#include "ldap_test_util.hpp"

namespace sb::ldapproto {
namespace {

using test::from_hex;
using test::to_hex;

std::string encode(const Filter& f) {
    std::string out;
    ber::Writer w(out);
    encode_filter(w, f);
    return out;
}

// Strings that print back exactly as written.
const char* const kCanonical[] = {
    "(cn=Babs Jensen)",
    "(!(cn=Tim Howes))",
    "(&(objectClass=Person)(|(sn=Jensen)(cn=Babs J*)))",
    "(o=univ*of*mich*)",
    "(seeAlso=)",
    "(cn:caseExactMatch:=Fred Flintstone)",
    "(cn:=Betty Rubble)",
    "(sn:dn:2.4.6.8.10:=Barney Rubble)",
    "(o:dn:=Ace Industry)",
    "(:1.2.3:=Wilma Flintstone)",
    "(:dn:2.4.6.8.10:=Dino)",
    "(o=Parens R Us \\28for all your parenthetical needs\\29)",
    "(cn=*\\2a*)",
    "(filename=C:\\5cMyFile)",
    "(bin=\\00\\00\\00\\04)",
    "(sn=Lu\xc4\x8di\xc4\x87)",
    "(1.3.6.1.4.1.1466.0=\\04\\02Hi)",
    "(&(mail=*)(|(mail=abc*)(|(cn=abc*)(|(sn=abc*)(givenName=abc*)))))",
    "(|(cn=*a*b-*)(mail=*x*)(givenName=*x*)(sn=*x*))",
    "(age>=21)",
    "(age<=65)",
    "(cn~=jensen)",
    "(userCertificate;binary=*)",
    "(cn=*end)",
    "(cn=start*)",
    "(cn=a*b*c*d)",
    "(&)",
    "(|)",
    "(!(&))",
};

TEST(FilterString, CanonicalStringsRoundTrip) {
    for (const char* text : kCanonical) {
        auto f = parse_filter(text);
        ASSERT_TRUE(f) << text << ": " << f.error().message;
        EXPECT_EQ(to_string(*f), text);
        // And through BER.
        const std::string ber = encode(*f);
        auto back = decode_filter(ber, FilterLimits{});
        ASSERT_TRUE(back) << text << ": " << back.error().message;
        EXPECT_EQ(*back, *f) << text;
        EXPECT_EQ(to_string(*back), text);
    }
}

TEST(FilterString, EquivalentSpellings) {
    struct Case {
        const char* in;
        const char* out;
    } cases[] = {
        {"mail=*", "(mail=*)"},                   // bare item, as libldap takes it
        {"(cn=\\4a\\65ns\\45N)", "(cn=JensEN)"},  // escapes of plain characters
        {"(cn=a**b)", "(cn=a*b)"},                // empty any dropped
        {"(cn=**a)", "(cn=*a)"},                  // leading empty piece dropped
        {"(cn:dn:=a:=b)", "(cn:dn:=a:=b)"},       // ':' and '=' are plain in values
        {"(o:DN:=x)", "(o:dn:=x)"},               // "dn" is case-insensitive
        {"(cn=\\c3\\a9)", "(cn=\xc3\xa9)"},       // UTF-8 needs no escape
        {"(cn=\\ff)", "(cn=\\ff)"},               // but raw bytes that are not UTF-8 do
        {"(cn=tab\\09)", "(cn=tab\\09)"},
    };
    for (const auto& c : cases) {
        auto f = parse_filter(c.in);
        ASSERT_TRUE(f) << c.in << ": " << f.error().message;
        EXPECT_EQ(to_string(*f), c.out) << c.in;
    }
}

TEST(FilterString, ParsedStructure) {
    auto f = parse_filter("(&(objectClass=person)(|(cn=a*b*c)(!(sn>=x\\2a))))");
    ASSERT_TRUE(f);
    const auto& nodes = f->nodes();
    ASSERT_EQ(nodes.size(), 6u);
    EXPECT_EQ(nodes[0].kind, FilterKind::and_);
    EXPECT_EQ(nodes[0].child_count, 2u);
    EXPECT_EQ(nodes[0].subtree_size, 6u);
    EXPECT_EQ(nodes[1].kind, FilterKind::equality_match);
    EXPECT_EQ(nodes[1].attribute, "objectClass");
    EXPECT_EQ(nodes[1].value, "person");
    EXPECT_EQ(f->next_sibling(1), 2u);
    EXPECT_EQ(nodes[2].kind, FilterKind::or_);
    EXPECT_EQ(nodes[2].child_count, 2u);
    const FilterNode& sub = nodes[3];
    EXPECT_EQ(sub.kind, FilterKind::substrings);
    EXPECT_EQ(f->substring_initial(sub), "a");
    ASSERT_EQ(f->substring_any(sub).size(), 1u);
    EXPECT_EQ(f->substring_any(sub)[0], "b");
    EXPECT_EQ(f->substring_final(sub), "c");
    EXPECT_EQ(nodes[4].kind, FilterKind::not_);
    EXPECT_EQ(nodes[5].kind, FilterKind::greater_or_equal);
    EXPECT_EQ(nodes[5].value, "x*");  // unescaped
    std::vector<uint32_t> children;
    f->for_each_child(0, [&](uint32_t c) { children.push_back(c); });
    EXPECT_EQ(children, (std::vector<uint32_t>{1, 2}));
}

TEST(FilterString, UnescapedValuesAreViewsIntoTheText) {
    const std::string text = "(cn=plain)";
    auto f = parse_filter(text);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->root().value.data(), text.data() + 4);
}

TEST(FilterString, CopiesOwnTheirUnescapedValues) {
    std::optional<Filter> copy;
    {
        auto f = parse_filter("(&(cn=\\41bc)(sn=*\\2a*)(o=x))");
        ASSERT_TRUE(f);
        copy = *f;  // copy, then the original goes away
        Filter moved = std::move(*f);
        EXPECT_EQ(to_string(moved), "(&(cn=Abc)(sn=*\\2a*)(o=x))");
    }
    EXPECT_EQ(to_string(*copy), "(&(cn=Abc)(sn=*\\2a*)(o=x))");
    Filter assigned;
    assigned = *copy;
    copy.reset();
    EXPECT_EQ(to_string(assigned), "(&(cn=Abc)(sn=*\\2a*)(o=x))");
}

TEST(FilterString, InvalidFiltersAreRejected) {
    const char* const bad[] = {
        "",
        "(",
        "()",
        "(cn=a",
        "(cn=a))",
        "cn=a)",
        "(cn)",
        "(=a)",
        "(c n=a)",
        "(1cn=a)",
        "(cn;=a)",
        "(cn;x y=a)",
        "(1.02=a)",  // leading zero in a numericoid
        "(1=a)",     // a numericoid needs two arcs
        "(cn=a(b)",
        "(cn=a\\)",
        "(cn=a\\4)",
        "(cn=a\\zz)",
        "(cn~=a*)",  // only '=' takes substrings
        "(cn>=*)",
        "(cn<a)",
        "(cn=**)",  // substrings with no value at all
        "(!(a=b)(c=d))",
        "(!)",
        "(&(a=b)",
        "(&(a=b)x)",
        "((a=b))",
        "(cn:=a*)",
        "(:=a)",  // neither attribute nor rule
        "(:dn:=a)",
        "(cn:x y:=a)",
        "(cn:dn:1.2:3:=a)",
        "(cn:1.2)",
        "(cn=\xff)",          // raw bytes must be UTF-8
        "(cn=\xc0\xaf)",      // overlong
        "(cn=\xed\xa0\x80)",  // surrogate
        std::string_view("(cn=a\0b)", 8).data(),
        " (cn=a)",
        "(cn=a) ",
    };
    for (const char* text : bad) {
        auto f = parse_filter(text);
        EXPECT_FALSE(f) << text << " -> " << (f ? to_string(*f) : "");
        if (!f) {
            EXPECT_EQ(f.error().code, Errc::parse_error) << text;
        }
    }
    EXPECT_FALSE(parse_filter(std::string_view("(cn=a\0b)", 8)));
}

TEST(FilterString, Limits) {
    FilterLimits limits;
    limits.max_depth = 3;
    EXPECT_TRUE(parse_filter("(&(|(a=b)))", limits));
    auto deep = parse_filter("(&(|(!(a=b))))", limits);
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error().code, Errc::limit_exceeded);

    limits = {};
    limits.max_elements = 4;
    EXPECT_TRUE(parse_filter("(&(a=b)(c=d)(e=f))", limits));
    EXPECT_FALSE(parse_filter("(&(a=b)(c=d)(e=f)(g=h))", limits));
    EXPECT_TRUE(parse_filter("(a=1*2*3)", limits));  // node + 3 components
    EXPECT_FALSE(parse_filter("(a=1*2*3*4)", limits));

    limits = {};
    limits.max_string_size = 10;
    EXPECT_TRUE(parse_filter("(cn=12345)", limits));
    auto big = parse_filter("(cn=123456)", limits);
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().code, Errc::limit_exceeded);

    // Ten thousand nested NOTs stop at the default depth, without exhausting the stack.
    std::string nots;
    for (int i = 0; i < 10000; ++i)
        nots += "(!";
    nots += "(a=b)";
    for (int i = 0; i < 10000; ++i)
        nots += ")";
    auto n = parse_filter(nots);
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().code, Errc::limit_exceeded);
}

TEST(FilterBer, DecodesEveryChoice) {
    // (&(cn=x)(!(sn=*))) as liblber would write it, then each remaining choice.
    const std::string bytes = from_hex("a0 0f a3 07 04 02 63 6e 04 01 78 a2 04 87 02 73 6e");
    auto f = decode_filter(bytes, {});
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(to_string(*f), "(&(cn=x)(!(sn=*)))");
    struct Case {
        const char* hex;
        const char* text;
    } cases[] = {
        {"a5 07 04 02 63 6e 04 01 78", "(cn>=x)"},
        {"a6 07 04 02 63 6e 04 01 78", "(cn<=x)"},
        {"a8 07 04 02 63 6e 04 01 78", "(cn~=x)"},
        {"a4 0d 04 02 63 6e 30 07 80 01 61 81 00 82 00", "(cn=a**)"},
        {"a4 0a 04 02 63 6e 30 04 81 02 6d 69", "(cn=*mi*)"},
        {"a9 0c 81 04 31 2e 32 33 83 01 76 84 01 ff", "(:dn:1.23:=v)"},
        {"a9 07 82 02 63 6e 83 01 76", "(cn:=v)"},
        {"a9 0a 81 01 78 82 02 63 6e 83 01 76", "(cn:x:=v)"},
        {"a0 00", "(&)"},
        {"a1 00", "(|)"},
    };
    for (const auto& c : cases) {
        const std::string ber = from_hex(c.hex);
        auto g = decode_filter(ber, {});
        ASSERT_TRUE(g) << c.hex << ": " << g.error().message;
        EXPECT_EQ(to_string(*g), c.text) << c.hex;
        EXPECT_EQ(to_hex(encode(*g)), to_hex(ber)) << c.text;
    }
}

TEST(FilterBer, ExplicitDefaultsDecode) {
    // dnAttributes FALSE written out (DEFAULT values may be present in BER).
    const std::string ber = from_hex("a9 0d 81 01 78 82 02 63 6e 83 01 76 84 01 00");
    auto f = decode_filter(ber, {});
    ASSERT_TRUE(f);
    EXPECT_EQ(to_string(*f), "(cn:x:=v)");
}

TEST(FilterBer, StructuralErrors) {
    const char* const bad[] = {
        "",
        "a3 05 04 02 63 6e 04",                    // truncated
        "a3 04 04 02 63 6e",                       // AVA without value
        "a3 0a 04 02 63 6e 04 01 78 04 01 79",     // trailing element in AVA
        "83 03 63 6e 78",                          // primitive equality
        "a7 02 63 6e",                             // constructed present
        "80 00",                                   // primitive and
        "aa 00",                                   // unknown choice [10]
        "04 02 63 6e",                             // universal tag
        "a2 00",                                   // empty not
        "a2 08 87 02 63 6e 87 02 73 6e",           // not with two filters
        "a4 06 04 02 63 6e 30 00",                 // no substrings
        "a4 0b 04 02 63 6e 30 05 81 00 80 01 61",  // initial after any
        "a4 0a 04 02 63 6e 30 04 82 00 82 00",     // two finals
        "a4 0a 04 02 63 6e 30 04 82 00 81 00",     // any after final
        "a4 0a 04 02 63 6e 30 04 80 00 80 00",     // two initials
        "a4 08 04 02 63 6e 30 02 83 00",           // unknown substring choice
        "a4 0a 04 02 63 6e 30 02 80 00 04 00",     // trailing data in SubstringFilter
        "a9 03 83 01 76",                          // extensible: neither rule nor type
        "a9 09 82 02 63 6e 84 01 ff 83 00",        // extensible: fields out of order
        "a9 0a 82 02 63 6e 83 01 76 84 02 00 00",  // bad BOOLEAN
        "a9 04 82 02 63 6e",                       // extensible: no value
        "a0 04 a3 05 04 02",                       // inner longer than outer
        "a3 80 04 02 63 6e 04 01 78 00 00",        // indefinite length
    };
    for (const char* hex : bad) {
        const std::string ber = from_hex(hex);
        auto f = decode_filter(ber, {});
        EXPECT_FALSE(f) << hex << " -> " << (f ? to_string(*f) : "");
    }
}

TEST(FilterBer, DepthAndElementLimits) {
    // 10000 nested NOTs and ANDs: rejected at the depth limit.
    for (uint8_t tag : {uint8_t{0xa2}, uint8_t{0xa0}}) {
        std::string ber = from_hex("87 02 63 6e");
        for (int i = 0; i < 10000; ++i) {
            std::string outer;
            ber::Writer(outer).element(tag, ber);
            ber = std::move(outer);
        }
        auto f = decode_filter(ber, {});
        ASSERT_FALSE(f);
        EXPECT_EQ(f.error().code, Errc::limit_exceeded);
    }
    FilterLimits limits;
    limits.max_depth = 2;
    EXPECT_TRUE(decode_filter(from_hex("a2 04 87 02 63 6e"), limits));
    EXPECT_FALSE(decode_filter(from_hex("a2 06 a2 04 87 02 63 6e"), limits));
    // A wide OR of 2000 presents passes the default depth but not the element count.
    std::string items;
    for (int i = 0; i < 2000; ++i)
        items += from_hex("87 02 63 6e");
    std::string wide;
    ber::Writer(wide).element(0xa1, items);
    auto w = decode_filter(wide, {});
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().code, Errc::limit_exceeded);
    limits = {};
    limits.max_elements = 2001;
    EXPECT_TRUE(decode_filter(wide, limits));
}

TEST(FilterBer, JunkNamesAreEscapedInLogs) {
    const std::string ber = from_hex("a3 08 04 03 63 28 29 04 01 2a");
    auto f = decode_filter(ber, {});
    ASSERT_TRUE(f);
    EXPECT_EQ(to_string(*f), "(c\\28\\29=\\2a)");
}

}  // namespace
}  // namespace sb::ldapproto
