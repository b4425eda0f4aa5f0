// libldap as the peer: it encodes real requests (filters, controls, every operation) that the
// codec decodes, and it parses the responses the codec encodes. The loopback server keeps every
// wait bounded.
#include <ldap.h>

#include <gtest/gtest.h>

#include <memory>

#include "ldap/protocol/response.hpp"
#include "ldap_test_util.hpp"
#include "loopback_server.hpp"

namespace sb::ldapproto {
namespace {

using test::decode_replayed;
using test::LoopbackServer;

struct LdapUnbind {
    void operator()(LDAP* ld) const { ldap_unbind_ext(ld, nullptr, nullptr); }
};
using LdapPtr = std::unique_ptr<LDAP, LdapUnbind>;
struct MessageFree {
    void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};
using LdapMessagePtr = std::unique_ptr<LDAPMessage, MessageFree>;
struct ControlFree {
    void operator()(LDAPControl* c) const { ldap_control_free(c); }
};
using ControlPtr = std::unique_ptr<LDAPControl, ControlFree>;

LdapPtr connect(const LoopbackServer& server) {
    LDAP* ld = nullptr;
    EXPECT_EQ(ldap_initialize(&ld, server.url().c_str()), LDAP_SUCCESS);
    int version = LDAP_VERSION3;
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    timeval tv{5, 0};
    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    return LdapPtr(ld);
}

// The complete response to `msgid`, waiting at most five seconds.
LdapMessagePtr await_result(LDAP* ld, int msgid) {
    timeval tv{5, 0};
    LDAPMessage* res = nullptr;
    const int rc = ldap_result(ld, msgid, LDAP_MSG_ALL, &tv, &res);
    EXPECT_GT(rc, 0) << "ldap_result: " << ldap_err2string(rc);
    return LdapMessagePtr(res);
}

struct ParsedResult {
    int code = -1;
    std::string matched;
    std::string diagnostic;
};

ParsedResult parse_result(LDAP* ld, LDAPMessage* res, LDAPControl*** controls = nullptr) {
    ParsedResult r;
    char* matched = nullptr;
    char* diagnostic = nullptr;
    EXPECT_EQ(ldap_parse_result(ld, res, &r.code, &matched, &diagnostic, nullptr, controls, 0),
              LDAP_SUCCESS);
    if (matched) r.matched = matched;
    if (diagnostic) r.diagnostic = diagnostic;
    ldap_memfree(matched);
    ldap_memfree(diagnostic);
    return r;
}

berval bv(std::string_view s) {
    berval b;
    b.bv_len = s.size();
    b.bv_val = const_cast<char*>(s.data());
    return b;
}

// Filters as applications write them; each must decode to what parse_filter makes of the text.
const char* const kFilters[] = {
    "(objectClass=*)",
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
    "(1.3.6.1.4.1.1466.0=\\04\\02\\48\\69)",
    // Outlook name resolution, Thunderbird autocomplete, macOS Contacts.
    "(&(mail=*)(|(mail=abc*)(|(cn=abc*)(|(sn=abc*)(givenName=abc*)))))",
    "(|(cn=*ada*love-*)(mail=*ada*)(givenName=*ada*)(sn=*ada*))",
    "(&(|(objectClass=inetOrgPerson)(objectClass=person))(|(givenName=Ad*)(sn=Ad*)))",
    "(age>=21)",
    "(age<=65)",
    "(cn~=jensen)",
    "(userCertificate;binary=*)",
    "(cn=*end)",
    "(cn=start*)",
    "(cn=a*b*c*d)",
    "(&(a=1)(|(b=2)(!(c=3)))(d=*x*))",
    "(&)",
    "(|)",
};

TEST(DifferentialLibldap, SearchFiltersFromLibldap) {
    LoopbackServer server;
    auto ld = connect(server);
    for (const char* text : kFilters) {
        int msgid = 0;
        ASSERT_EQ(ldap_search_ext(ld.get(), "dc=example,dc=com", LDAP_SCOPE_SUBTREE, text, nullptr,
                                  0, nullptr, nullptr, nullptr, 100, &msgid),
                  LDAP_SUCCESS)
            << text;
        auto bytes = server.read_message();
        ASSERT_TRUE(bytes) << text;
        auto d = decode_replayed(*bytes);
        ASSERT_TRUE(d) << text;
        EXPECT_EQ(d->message_id, msgid);
        const auto& s = std::get<SearchRequest>(d->request);
        EXPECT_EQ(s.base_object, "dc=example,dc=com");
        EXPECT_EQ(s.scope, SearchScope::whole_subtree);
        EXPECT_EQ(s.size_limit, 100);
        auto parsed = parse_filter(text);
        ASSERT_TRUE(parsed) << text;
        EXPECT_EQ(s.filter, *parsed) << text << " libldap: " << to_string(s.filter);
        EXPECT_EQ(to_string(s.filter), to_string(*parsed)) << text;
    }
}

TEST(DifferentialLibldap, SearchWithPagedSortAndVlvControls) {
    LoopbackServer server;
    auto ld = connect(server);

    berval cookie = bv(std::string_view("ck\0\x01", 4));
    LDAPControl* raw = nullptr;
    ASSERT_EQ(ldap_create_page_control(ld.get(), 50, &cookie, 0, &raw), LDAP_SUCCESS);
    ControlPtr page(raw);
    LDAPSortKey** keys = nullptr;
    char key_string[] = "cn -sn:caseExactOrderingMatch";
    ASSERT_EQ(ldap_create_sort_keylist(&keys, key_string), LDAP_SUCCESS);
    ASSERT_EQ(ldap_create_sort_control(ld.get(), keys, 1, &raw), LDAP_SUCCESS);
    ldap_free_sort_keylist(keys);
    ControlPtr sort(raw);
    LDAPVLVInfo vlv{};
    vlv.ldvlv_version = 1;
    vlv.ldvlv_before_count = 1;
    vlv.ldvlv_after_count = 9;
    vlv.ldvlv_offset = 1;
    vlv.ldvlv_count = 0;
    ASSERT_EQ(ldap_create_vlv_control(ld.get(), &vlv, &raw), LDAP_SUCCESS);
    ControlPtr by_offset(raw);
    berval context = bv("ctx");
    berval smi = bv("Smi");
    vlv.ldvlv_attrvalue = &smi;
    vlv.ldvlv_context = &context;
    ASSERT_EQ(ldap_create_vlv_control(ld.get(), &vlv, &raw), LDAP_SUCCESS);
    ControlPtr by_value(raw);

    LDAPControl* controls[] = {page.get(), sort.get(), by_offset.get(), by_value.get(), nullptr};
    char cn[] = "cn", mail[] = "mail";
    char* attrs[] = {cn, mail, nullptr};
    int msgid = 0;
    ASSERT_EQ(ldap_search_ext(ld.get(), "", LDAP_SCOPE_SUBTREE, "(cn=a*)", attrs, 1, controls,
                              nullptr, nullptr, 0, &msgid),
              LDAP_SUCCESS);
    auto bytes = server.read_message();
    ASSERT_TRUE(bytes);
    auto d = decode_replayed(*bytes);
    ASSERT_TRUE(d);
    const auto& s = std::get<SearchRequest>(d->request);
    EXPECT_TRUE(s.types_only);
    EXPECT_EQ(s.attributes, (std::vector<std::string_view>{"cn", "mail"}));
    ASSERT_EQ(d->controls.size(), 4u);

    EXPECT_EQ(d->controls[0].type, oid::kPagedResults);
    EXPECT_FALSE(d->controls[0].critical);
    auto p = decode_paged_results(d->controls[0].value.value_or(""));
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->size, 50);
    EXPECT_EQ(p->cookie, std::string_view("ck\0\x01", 4));

    EXPECT_EQ(d->controls[1].type, oid::kSortRequest);
    EXPECT_TRUE(d->controls[1].critical);
    auto so = decode_sort_request(d->controls[1].value.value_or(""), 16);
    ASSERT_TRUE(so) << so.error().message;
    ASSERT_EQ(so->keys.size(), 2u);
    EXPECT_EQ(so->keys[0], (SortKey{"cn", "", false}));
    EXPECT_EQ(so->keys[1], (SortKey{"sn", "caseExactOrderingMatch", true}));

    EXPECT_EQ(d->controls[2].type, oid::kVlvRequest);
    auto v1 = decode_vlv_request(d->controls[2].value.value_or(""));
    ASSERT_TRUE(v1) << v1.error().message;
    EXPECT_EQ(v1->before_count, 1);
    EXPECT_EQ(v1->after_count, 9);
    EXPECT_EQ(v1->target, VlvRequest::Target::by_offset);
    EXPECT_EQ(v1->offset, 1);
    EXPECT_EQ(v1->content_count, 0);
    EXPECT_FALSE(v1->context_id);
    auto v2 = decode_vlv_request(d->controls[3].value.value_or(""));
    ASSERT_TRUE(v2) << v2.error().message;
    EXPECT_EQ(v2->target, VlvRequest::Target::greater_than_or_equal);
    EXPECT_EQ(v2->assertion_value, "Smi");
    EXPECT_EQ(v2->context_id, "ctx");

    // Answer with entries (one in the typesOnly form) and a done carrying the three response
    // controls; libldap must read all of it back.
    std::string out;
    const std::string big(70000, 'p');  // a three-octet length inside the entry
    const std::string binary("\x00\xff\x01", 3);
    {
        SearchEntryWriter e(out, msgid, "cn=Ada Lovelace,ou=people,dc=example,dc=com");
        e.add_attribute("cn", {"Ada Lovelace", "Ada"});
        e.begin_attribute("mail");
        e.add_value("ada@example.com");
        e.end_attribute();
        e.add_attribute("jpegPhoto", {big});
        e.add_attribute("userCertificate;binary", {binary});
        e.finish();
    }
    {
        SearchEntryWriter e(out, msgid, "cn=Bob,dc=example,dc=com");
        e.add_attribute_type("cn");
        e.add_attribute_type("mail");
        e.finish();
    }
    const ResponseControl response_controls[] = {
        PagedResults{2, std::string_view("next\0", 5)},
        SortResponse{ResultCode::success, std::nullopt},
        VlvResponse{1, 2, ResultCode::success, std::string_view("ctx2")},
    };
    encode_search_result_done(out, msgid, {ResultCode::success, "", "two entries"},
                              response_controls);
    ASSERT_TRUE(server.send(out));

    auto res = await_result(ld.get(), msgid);
    ASSERT_TRUE(res);
    EXPECT_EQ(ldap_count_entries(ld.get(), res.get()), 2);
    LDAPMessage* entry = ldap_first_entry(ld.get(), res.get());
    ASSERT_NE(entry, nullptr);
    char* dn = ldap_get_dn(ld.get(), entry);
    EXPECT_STREQ(dn, "cn=Ada Lovelace,ou=people,dc=example,dc=com");
    ldap_memfree(dn);
    std::vector<std::pair<std::string, std::vector<std::string>>> seen;
    BerElement* ber = nullptr;
    for (char* a = ldap_first_attribute(ld.get(), entry, &ber); a;
         a = ldap_next_attribute(ld.get(), entry, ber)) {
        std::vector<std::string> values;
        berval** vals = ldap_get_values_len(ld.get(), entry, a);
        for (int i = 0; vals && vals[i]; ++i)
            values.emplace_back(vals[i]->bv_val, vals[i]->bv_len);
        ldap_value_free_len(vals);
        seen.emplace_back(a, values);
        ldap_memfree(a);
    }
    ber_free(ber, 0);
    ASSERT_EQ(seen.size(), 4u);
    EXPECT_EQ(seen[0].first, "cn");
    EXPECT_EQ(seen[0].second, (std::vector<std::string>{"Ada Lovelace", "Ada"}));
    EXPECT_EQ(seen[1].second, (std::vector<std::string>{"ada@example.com"}));
    EXPECT_EQ(seen[2].second, (std::vector<std::string>{big}));
    EXPECT_EQ(seen[3].first, "userCertificate;binary");
    EXPECT_EQ(seen[3].second, (std::vector<std::string>{binary}));

    LDAPMessage* second = ldap_next_entry(ld.get(), entry);
    ASSERT_NE(second, nullptr);
    BerElement* ber2 = nullptr;
    int attributes = 0;
    for (char* a = ldap_first_attribute(ld.get(), second, &ber2); a;
         a = ldap_next_attribute(ld.get(), second, ber2)) {
        berval** vals = ldap_get_values_len(ld.get(), second, a);
        EXPECT_EQ(ldap_count_values_len(vals), 0) << a;
        ldap_value_free_len(vals);
        ldap_memfree(a);
        ++attributes;
    }
    ber_free(ber2, 0);
    EXPECT_EQ(attributes, 2);

    LDAPControl** done_controls = nullptr;
    auto r = parse_result(ld.get(), res.get(), &done_controls);
    EXPECT_EQ(r.code, LDAP_SUCCESS);
    EXPECT_EQ(r.diagnostic, "two entries");
    ASSERT_NE(done_controls, nullptr);
    LDAPControl* pc = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, done_controls, nullptr);
    ASSERT_NE(pc, nullptr);
    ber_int_t estimate = 0;
    berval next{};
    ASSERT_EQ(ldap_parse_pageresponse_control(ld.get(), pc, &estimate, &next), LDAP_SUCCESS);
    EXPECT_EQ(estimate, 2);
    EXPECT_EQ(std::string(next.bv_val, next.bv_len), std::string("next\0", 5));
    ber_memfree(next.bv_val);
    LDAPControl* sc = ldap_control_find(LDAP_CONTROL_SORTRESPONSE, done_controls, nullptr);
    ASSERT_NE(sc, nullptr);
    ber_int_t sort_result = -1;
    char* sort_attribute = nullptr;
    ASSERT_EQ(ldap_parse_sortresponse_control(ld.get(), sc, &sort_result, &sort_attribute),
              LDAP_SUCCESS);
    EXPECT_EQ(sort_result, 0);
    EXPECT_EQ(sort_attribute, nullptr);
    LDAPControl* vc = ldap_control_find(LDAP_CONTROL_VLVRESPONSE, done_controls, nullptr);
    ASSERT_NE(vc, nullptr);
    ber_int_t position = 0, count = 0;
    berval* vlv_context = nullptr;
    int vlv_result = -1;
    ASSERT_EQ(
        ldap_parse_vlvresponse_control(ld.get(), vc, &position, &count, &vlv_context, &vlv_result),
        LDAP_SUCCESS);
    EXPECT_EQ(position, 1);
    EXPECT_EQ(count, 2);
    EXPECT_EQ(vlv_result, 0);
    ASSERT_NE(vlv_context, nullptr);
    EXPECT_EQ(std::string(vlv_context->bv_val, vlv_context->bv_len), "ctx2");
    ber_bvfree(vlv_context);
    ldap_controls_free(done_controls);
}

TEST(DifferentialLibldap, SortAndVlvErrorsInResponseControls) {
    LoopbackServer server;
    auto ld = connect(server);
    int msgid = 0;
    ASSERT_EQ(ldap_search_ext(ld.get(), "", LDAP_SCOPE_SUBTREE, "(cn=*)", nullptr, 0, nullptr,
                              nullptr, nullptr, 0, &msgid),
              LDAP_SUCCESS);
    ASSERT_TRUE(server.read_message());
    std::string out;
    const ResponseControl controls[] = {
        SortResponse{ResultCode::no_such_attribute, std::string_view("displayName")},
        VlvResponse{0, 100000, ResultCode::offset_range_error, std::nullopt},
    };
    encode_search_result_done(out, msgid, {ResultCode::offset_range_error, "", "window"}, controls);
    ASSERT_TRUE(server.send(out));
    auto res = await_result(ld.get(), msgid);
    ASSERT_TRUE(res);
    LDAPControl** ctrls = nullptr;
    auto r = parse_result(ld.get(), res.get(), &ctrls);
    EXPECT_EQ(r.code, 61);
    ASSERT_NE(ctrls, nullptr);
    ber_int_t sort_result = -1;
    char* attribute = nullptr;
    ASSERT_EQ(ldap_parse_sortresponse_control(
                  ld.get(), ldap_control_find(LDAP_CONTROL_SORTRESPONSE, ctrls, nullptr),
                  &sort_result, &attribute),
              LDAP_SUCCESS);
    EXPECT_EQ(sort_result, 16);
    ASSERT_NE(attribute, nullptr);
    EXPECT_STREQ(attribute, "displayName");
    ldap_memfree(attribute);
    ber_int_t position = -1, count = -1;
    berval* context = nullptr;
    int vlv_result = -1;
    ASSERT_EQ(ldap_parse_vlvresponse_control(
                  ld.get(), ldap_control_find(LDAP_CONTROL_VLVRESPONSE, ctrls, nullptr), &position,
                  &count, &context, &vlv_result),
              LDAP_SUCCESS);
    EXPECT_EQ(position, 0);
    EXPECT_EQ(count, 100000);
    EXPECT_EQ(vlv_result, 61);
    EXPECT_EQ(context, nullptr);
    ldap_controls_free(ctrls);
}

TEST(DifferentialLibldap, SimpleAndSaslBinds) {
    LoopbackServer server;
    auto ld = connect(server);
    berval password = bv("s3cr\xc3\xa9t");
    int msgid = 0;
    ASSERT_EQ(ldap_sasl_bind(ld.get(), "ada@example.com", LDAP_SASL_SIMPLE, &password, nullptr,
                             nullptr, &msgid),
              LDAP_SUCCESS);
    auto bytes = server.read_message();
    ASSERT_TRUE(bytes);
    auto d = decode_replayed(*bytes);
    ASSERT_TRUE(d);
    const auto& b = std::get<BindRequest>(d->request);
    EXPECT_EQ(b.version, 3);
    EXPECT_EQ(b.name, "ada@example.com");
    EXPECT_EQ(b.method, BindRequest::Method::simple);
    EXPECT_EQ(b.password, "s3cr\xc3\xa9t");
    std::string out;
    encode_bind_response(out, msgid, {ResultCode::invalid_credentials, "", "wrong password"});
    ASSERT_TRUE(server.send(out));
    auto res = await_result(ld.get(), msgid);
    ASSERT_TRUE(res);
    auto r = parse_result(ld.get(), res.get());
    EXPECT_EQ(r.code, LDAP_INVALID_CREDENTIALS);
    EXPECT_EQ(r.diagnostic, "wrong password");

    berval credentials = bv(std::string_view("\0ada\0pw", 7));
    ASSERT_EQ(ldap_sasl_bind(ld.get(), "", "PLAIN", &credentials, nullptr, nullptr, &msgid),
              LDAP_SUCCESS);
    bytes = server.read_message();
    ASSERT_TRUE(bytes);
    auto s = decode_replayed(*bytes);
    ASSERT_TRUE(s);
    const auto& sb = std::get<BindRequest>(s->request);
    EXPECT_EQ(sb.method, BindRequest::Method::sasl);
    EXPECT_EQ(sb.sasl_mechanism, "PLAIN");
    EXPECT_EQ(sb.sasl_credentials, std::string_view("\0ada\0pw", 7));
    out.clear();
    encode_bind_response(out, msgid, {ResultCode::auth_method_not_supported, "", "simple only"});
    ASSERT_TRUE(server.send(out));
    res = await_result(ld.get(), msgid);
    ASSERT_TRUE(res);
    EXPECT_EQ(parse_result(ld.get(), res.get()).code, LDAP_AUTH_METHOD_NOT_SUPPORTED);

    ASSERT_EQ(ldap_sasl_bind(ld.get(), "", "EXTERNAL", nullptr, nullptr, nullptr, &msgid),
              LDAP_SUCCESS);
    bytes = server.read_message();
    ASSERT_TRUE(bytes);
    auto e = decode_replayed(*bytes);
    ASSERT_TRUE(e);
    EXPECT_EQ(std::get<BindRequest>(e->request).sasl_mechanism, "EXTERNAL");
    EXPECT_FALSE(std::get<BindRequest>(e->request).sasl_credentials);
}

TEST(DifferentialLibldap, UpdateOperationsAndCompare) {
    LoopbackServer server;
    auto ld = connect(server);
    const ResultCode refusal = ResultCode::unwilling_to_perform;
    const std::string matched = "dc=example,dc=com";

    auto answer = [&](int msgid, Operation response, ResultCode code) {
        std::string out;
        encode_result(out, msgid, response, {code, matched, "read-only address book"});
        ASSERT_TRUE(server.send(out));
        auto res = await_result(ld.get(), msgid);
        ASSERT_TRUE(res);
        auto r = parse_result(ld.get(), res.get());
        EXPECT_EQ(r.code, static_cast<int>(code));
        EXPECT_EQ(r.matched, matched);
        EXPECT_EQ(r.diagnostic, "read-only address book");
    };

    // Add
    char cn_type[] = "cn", oc_type[] = "objectClass";
    char v1[] = "Ada", v2[] = "person", v3[] = "top";
    char* cn_values[] = {v1, nullptr};
    char* oc_values[] = {v2, v3, nullptr};
    LDAPMod cn_mod{LDAP_MOD_ADD, cn_type, {cn_values}};
    LDAPMod oc_mod{LDAP_MOD_ADD, oc_type, {oc_values}};
    LDAPMod* add_mods[] = {&cn_mod, &oc_mod, nullptr};
    int msgid = 0;
    ASSERT_EQ(
        ldap_add_ext(ld.get(), "cn=Ada,dc=example,dc=com", add_mods, nullptr, nullptr, &msgid),
        LDAP_SUCCESS);
    auto bytes = server.read_message();
    ASSERT_TRUE(bytes);
    auto d = decode_replayed(*bytes);
    ASSERT_TRUE(d);
    EXPECT_EQ(std::get<AddRequest>(d->request).entry, "cn=Ada,dc=example,dc=com");
    EXPECT_EQ(std::get<AddRequest>(d->request).attribute_count, 2u);
    answer(msgid, Operation::add_response, refusal);

    // Modify: replace, delete (no values), add
    LDAPMod replace{LDAP_MOD_REPLACE, cn_type, {cn_values}};
    LDAPMod remove{LDAP_MOD_DELETE, oc_type, {nullptr}};
    LDAPMod add{LDAP_MOD_ADD, oc_type, {oc_values}};
    LDAPMod* mods[] = {&replace, &remove, &add, nullptr};
    ASSERT_EQ(ldap_modify_ext(ld.get(), "cn=Ada,dc=example,dc=com", mods, nullptr, nullptr, &msgid),
              LDAP_SUCCESS);
    bytes = server.read_message();
    ASSERT_TRUE(bytes);
    d = decode_replayed(*bytes);
    ASSERT_TRUE(d);
    EXPECT_EQ(std::get<ModifyRequest>(d->request).object, "cn=Ada,dc=example,dc=com");
    EXPECT_EQ(std::get<ModifyRequest>(d->request).change_count, 3u);
    answer(msgid, Operation::modify_response, refusal);

    // Delete
    ASSERT_EQ(ldap_delete_ext(ld.get(), "cn=Ada,dc=example,dc=com", nullptr, nullptr, &msgid),
              LDAP_SUCCESS);
    bytes = server.read_message();
    ASSERT_TRUE(bytes);
    d = decode_replayed(*bytes);
    ASSERT_TRUE(d);
    EXPECT_EQ(std::get<DelRequest>(d->request).entry, "cn=Ada,dc=example,dc=com");
    answer(msgid, Operation::del_response, ResultCode::insufficient_access_rights);

    // ModifyDN, with and without newSuperior
    ASSERT_EQ(ldap_rename(ld.get(), "cn=Ada,dc=example,dc=com", "cn=Ada L",
                          "ou=x,dc=example,dc=com", 1, nullptr, nullptr, &msgid),
              LDAP_SUCCESS);
    bytes = server.read_message();
    ASSERT_TRUE(bytes);
    d = decode_replayed(*bytes);
    ASSERT_TRUE(d);
    const auto& m = std::get<ModifyDNRequest>(d->request);
    EXPECT_EQ(m.entry, "cn=Ada,dc=example,dc=com");
    EXPECT_EQ(m.new_rdn, "cn=Ada L");
    EXPECT_TRUE(m.delete_old_rdn);
    EXPECT_EQ(m.new_superior, "ou=x,dc=example,dc=com");
    answer(msgid, Operation::modify_dn_response, refusal);
    ASSERT_EQ(ldap_rename(ld.get(), "cn=B", "cn=C", nullptr, 0, nullptr, nullptr, &msgid),
              LDAP_SUCCESS);
    bytes = server.read_message();
    ASSERT_TRUE(bytes);
    d = decode_replayed(*bytes);
    ASSERT_TRUE(d);
    EXPECT_FALSE(std::get<ModifyDNRequest>(d->request).delete_old_rdn);
    EXPECT_FALSE(std::get<ModifyDNRequest>(d->request).new_superior);
    answer(msgid, Operation::modify_dn_response, refusal);

    // Compare, both answers
    berval value = bv("ada@example.com");
    for (ResultCode code : {ResultCode::compare_true, ResultCode::compare_false}) {
        ASSERT_EQ(ldap_compare_ext(ld.get(), "cn=Ada,dc=example,dc=com", "mail", &value, nullptr,
                                   nullptr, &msgid),
                  LDAP_SUCCESS);
        bytes = server.read_message();
        ASSERT_TRUE(bytes);
        d = decode_replayed(*bytes);
        ASSERT_TRUE(d);
        const auto& c = std::get<CompareRequest>(d->request);
        EXPECT_EQ(c.entry, "cn=Ada,dc=example,dc=com");
        EXPECT_EQ(c.attribute, "mail");
        EXPECT_EQ(c.value, "ada@example.com");
        answer(msgid, Operation::compare_response, code);
    }
}

TEST(DifferentialLibldap, ExtendedOperations) {
    LoopbackServer server;
    auto ld = connect(server);
    int msgid = 0;
    ASSERT_EQ(
        ldap_extended_operation(ld.get(), LDAP_EXOP_WHO_AM_I, nullptr, nullptr, nullptr, &msgid),
        LDAP_SUCCESS);
    auto bytes = server.read_message();
    ASSERT_TRUE(bytes);
    auto d = decode_replayed(*bytes);
    ASSERT_TRUE(d);
    EXPECT_EQ(std::get<ExtendedRequest>(d->request).name, oid::kWhoAmI);
    EXPECT_FALSE(std::get<ExtendedRequest>(d->request).value);
    std::string out;
    encode_extended_response(out, msgid, {}, std::nullopt, "u:ada@example.com");
    ASSERT_TRUE(server.send(out));
    auto res = await_result(ld.get(), msgid);
    ASSERT_TRUE(res);
    char* retoid = nullptr;
    berval* retdata = nullptr;
    ASSERT_EQ(ldap_parse_extended_result(ld.get(), res.get(), &retoid, &retdata, 0), LDAP_SUCCESS);
    EXPECT_EQ(retoid, nullptr);
    ASSERT_NE(retdata, nullptr);
    EXPECT_EQ(std::string(retdata->bv_val, retdata->bv_len), "u:ada@example.com");
    ber_bvfree(retdata);
    EXPECT_EQ(parse_result(ld.get(), res.get()).code, LDAP_SUCCESS);

    // StartTLS as a plain extended operation (no handshake follows here).
    berval data = bv("payload");
    ASSERT_EQ(
        ldap_extended_operation(ld.get(), LDAP_EXOP_START_TLS, &data, nullptr, nullptr, &msgid),
        LDAP_SUCCESS);
    bytes = server.read_message();
    ASSERT_TRUE(bytes);
    d = decode_replayed(*bytes);
    ASSERT_TRUE(d);
    EXPECT_EQ(std::get<ExtendedRequest>(d->request).name, oid::kStartTls);
    EXPECT_EQ(std::get<ExtendedRequest>(d->request).value, "payload");
    out.clear();
    encode_extended_response(out, msgid, {ResultCode::unavailable, "", "no TLS here"},
                             oid::kStartTls, std::nullopt);
    ASSERT_TRUE(server.send(out));
    res = await_result(ld.get(), msgid);
    ASSERT_TRUE(res);
    retoid = nullptr;
    retdata = nullptr;
    ASSERT_EQ(ldap_parse_extended_result(ld.get(), res.get(), &retoid, &retdata, 0), LDAP_SUCCESS);
    ASSERT_NE(retoid, nullptr);
    EXPECT_STREQ(retoid, LDAP_EXOP_START_TLS);
    EXPECT_EQ(retdata, nullptr);
    ldap_memfree(retoid);
    auto r = parse_result(ld.get(), res.get());
    EXPECT_EQ(r.code, LDAP_UNAVAILABLE);
    EXPECT_EQ(r.diagnostic, "no TLS here");
}

TEST(DifferentialLibldap, AbandonAndUnbind) {
    LoopbackServer server;
    LDAP* ld = connect(server).release();
    int msgid = 0;
    ASSERT_EQ(ldap_search_ext(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", nullptr, 0, nullptr,
                              nullptr, nullptr, 0, &msgid),
              LDAP_SUCCESS);
    ASSERT_TRUE(server.read_message());
    ASSERT_EQ(ldap_abandon_ext(ld, msgid, nullptr, nullptr), LDAP_SUCCESS);
    auto bytes = server.read_message();
    ASSERT_TRUE(bytes);
    auto d = decode_replayed(*bytes);
    ASSERT_TRUE(d);
    EXPECT_EQ(std::get<AbandonRequest>(d->request).message_id, msgid);
    EXPECT_GT(d->message_id, msgid);

    ldap_unbind_ext(ld, nullptr, nullptr);
    bytes = server.read_message();
    ASSERT_TRUE(bytes);
    auto u = decode_replayed(*bytes);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->operation(), Operation::unbind_request);
    EXPECT_TRUE(server.client_closed());
}

}  // namespace
}  // namespace sb::ldapproto
