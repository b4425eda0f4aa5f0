// The protocol logic of a connection, without sockets: binds, the read-only rule, controls,
// root DSE, compare, extended operations and malformed requests.
#include <gtest/gtest.h>

#include "../addressbook/fixture.hpp"
#include "../addressbook/ldap_reply.hpp"
#include "ldap/ber/writer.hpp"
#include "ldap/session/session.hpp"

namespace sb::ldap {
namespace {

using ldapproto::ResultCode;

class FakeBackend : public Backend {
  public:
    test::Fixture fx;
    int binds = 0;
    Result<addressbook::ViewPtr> view(int64_t id) override {
        if (id != 10) return fail(Errc::not_found, "no such account");
        return fx.view;
    }
    const addressbook::NamingContext& naming_context() const override { return *fx.ctx; }
    BindResult authenticate(std::string_view name, std::string_view password,
                            std::string_view) override {
        ++binds;
        if (name == "me@example.com" && password == "pw") return BoundAccount{10, "me@example.com"};
        return fail(Errc::auth_failed, "wrong password");
    }
};

// Encodes a request with the test-only writer.
std::string message(int32_t id, const std::function<void(ber::Writer&)>& op,
                    const std::vector<ldapproto::Control>& controls = {}) {
    std::string out;
    ber::Writer w(out);
    auto m = w.begin(ber::tag::kSequence);
    w.integer(id);
    op(w);
    if (!controls.empty()) {
        auto cs = w.begin(0xA0);
        for (const auto& c : controls) {
            auto cm = w.begin(ber::tag::kSequence);
            w.octet_string(c.type);
            if (c.critical) w.boolean(true);
            if (c.value) w.octet_string(*c.value);
            w.end(cm);
        }
        w.end(cs);
    }
    w.end(m);
    return out;
}

std::string bind_request(int32_t id, std::string_view name, std::string_view pw, int version = 3) {
    return message(id, [&](ber::Writer& w) {
        auto b = w.begin(0x60);
        w.integer(version);
        w.octet_string(name);
        w.element(0x80, pw);
        w.end(b);
    });
}

std::string search_request(int32_t id, std::string_view base, int scope, std::string_view filter,
                           std::vector<std::string_view> attrs = {},
                           std::vector<ldapproto::Control> controls = {}) {
    auto f = ldapproto::parse_filter(filter);
    return message(
        id,
        [&](ber::Writer& w) {
            auto s = w.begin(0x63);
            w.octet_string(base);
            w.enumerated(scope);
            w.enumerated(0);
            w.integer(0);
            w.integer(0);
            w.boolean(false);
            ldapproto::encode_filter(w, *f);
            auto a = w.begin(ber::tag::kSequence);
            for (auto x : attrs)
                w.octet_string(x);
            w.end(a);
            w.end(s);
        },
        controls);
}

class SessionTest : public ::testing::Test {
  protected:
    FakeBackend backend;
    SessionConfig config;
    std::unique_ptr<Session> session;
    std::vector<std::string> frames;  // keep decoded bytes alive

    void SetUp() override {
        session = std::make_unique<Session>(backend, config, true, "192.0.2.1");
    }

    Session::Step feed(const std::string& bytes) {
        frames.push_back(bytes);
        auto m = ldapproto::decode_message(frames.back(), config.limits);
        if (!m) return session->handle_malformed(frames.back(), m.error());
        return session->handle(*m);
    }

    // Runs a step to completion (binds through the fake backend, searches pumped) → replies.
    test::Replies run(const std::string& bytes) {
        auto step = feed(bytes);
        std::string out = step.out;
        if (step.action == Session::Action::bind) {
            auto r = backend.authenticate(step.bind_name, step.bind_password, "192.0.2.1");
            out = session->bind_done(step.message_id, step.bind_name, r).out;
        } else if (step.action == Session::Action::search) {
            while (!step.cursor->pump(out, 4096)) {
            }
        }
        return test::parse_replies(out);
    }

    void login() { ASSERT_EQ(run(bind_request(1, "me@example.com", "pw")).last().code, 0); }
};

TEST_F(SessionTest, BindOutcomes) {
    EXPECT_EQ(run(bind_request(1, "me@example.com", "nope")).last().code, 49);
    EXPECT_EQ(session->account_id(), 0);
    auto ok = run(bind_request(2, "me@example.com", "pw"));
    EXPECT_EQ(ok.last().code, 0);
    EXPECT_EQ(ok.last().op_tag, 0x61);
    EXPECT_EQ(ok.last().message_id, 2);
    EXPECT_EQ(session->account_id(), 10);
    // A failed bind drops the earlier authentication (RFC 4513 4).
    EXPECT_EQ(run(bind_request(3, "me@example.com", "nope")).last().code, 49);
    EXPECT_EQ(session->account_id(), 0);
    EXPECT_EQ(run(bind_request(4, "", "")).last().code, 0);                     // anonymous
    EXPECT_EQ(run(bind_request(5, "me@example.com", "")).last().code, 53);      // unauthenticated
    EXPECT_EQ(run(bind_request(6, "me@example.com", "pw", 2)).last().code, 2);  // LDAPv2
}

TEST_F(SessionTest, CleartextBindNeedsTlsUnlessAllowed) {
    Session plain(backend, config, false, "192.0.2.1");
    frames.push_back(bind_request(1, "me@example.com", "pw"));
    auto m = ldapproto::decode_message(frames.back(), config.limits);
    auto step = plain.handle(*m);
    EXPECT_EQ(step.action, Session::Action::send);
    EXPECT_EQ(test::parse_replies(step.out).last().code,
              static_cast<int>(ResultCode::confidentiality_required));
    EXPECT_EQ(backend.binds, 0);  // the password was not even checked
    plain.tls_started();
    EXPECT_EQ(plain.handle(*m).action, Session::Action::bind);
    SessionConfig lax;
    lax.allow_cleartext_bind = true;
    Session allowed(backend, lax, false, "192.0.2.1");
    EXPECT_EQ(allowed.handle(*m).action, Session::Action::bind);
}

TEST_F(SessionTest, AnonymousSeesOnlyTheRootDse) {
    auto dse =
        run(search_request(2, "", 0, "(objectClass=*)", {"namingContexts", "supportedControl"}));
    ASSERT_EQ(dse.entries.size(), 1u);
    EXPECT_EQ(dse.entries[0].dn, "");
    EXPECT_EQ(dse.entries[0].first("namingContexts"), "o=switchboard");
    EXPECT_EQ(dse.entries[0].get("supportedControl")->size(), 4u);
    EXPECT_EQ(dse.last().code, 0);
    auto denied = run(search_request(3, "", 2, "(objectClass=*)"));
    EXPECT_TRUE(denied.entries.empty());
    EXPECT_EQ(denied.last().code, static_cast<int>(ResultCode::insufficient_access_rights));
    login();
    auto allowed = run(search_request(4, "", 2, "(mail=*)"));
    EXPECT_EQ(allowed.entries.size(), 9u);
}

TEST_F(SessionTest, WritesAreRefused) {
    login();
    auto del = message(5, [](ber::Writer& w) { w.element(0x4A, "uid=1,o=switchboard"); });
    EXPECT_EQ(run(del).last().code, static_cast<int>(ResultCode::unwilling_to_perform));
    EXPECT_EQ(run(del).last().op_tag, 0x6B);
    auto add = message(6, [](ber::Writer& w) {
        auto a = w.begin(0x68);
        w.octet_string("uid=x,o=switchboard");
        auto l = w.begin(ber::tag::kSequence);
        auto at = w.begin(ber::tag::kSequence);
        w.octet_string("cn");
        auto vs = w.begin(ber::tag::kSet);
        w.octet_string("x");
        w.end(vs);
        w.end(at);
        w.end(l);
        w.end(a);
    });
    auto r = run(add);
    EXPECT_EQ(r.last().code, static_cast<int>(ResultCode::unwilling_to_perform));
    EXPECT_EQ(r.last().op_tag, 0x69);
}

TEST_F(SessionTest, CriticalControls) {
    login();
    auto unknown = run(search_request(7, "", 2, "(mail=*)", {}, {{"1.2.3.4", true, std::nullopt}}));
    EXPECT_EQ(unknown.last().code, static_cast<int>(ResultCode::unavailable_critical_extension));
    EXPECT_TRUE(unknown.entries.empty());
    auto ignored =
        run(search_request(8, "", 2, "(mail=*)", {}, {{"1.2.3.4", false, std::nullopt}}));
    EXPECT_EQ(ignored.last().code, 0);
    // A search control on another operation, critical: refused there.
    frames.push_back(bind_request(9, "me@example.com", "pw"));
    std::string b = message(
        9,
        [](ber::Writer& w) {
            auto x = w.begin(0x60);
            w.integer(3);
            w.octet_string("me@example.com");
            w.element(0x80, "pw");
            w.end(x);
        },
        {{ldapproto::oid::kPagedResults, true, std::string("\x30\x05\x02\x01\x05\x04\x00", 7)}});
    EXPECT_EQ(run(b).last().code, static_cast<int>(ResultCode::unavailable_critical_extension));
    // A known control with a broken value, critical: protocolError.
    auto broken = run(search_request(10, "", 2, "(mail=*)", {},
                                     {{ldapproto::oid::kSortRequest, true, std::string("\x30")}}));
    EXPECT_EQ(broken.last().code, static_cast<int>(ResultCode::protocol_error));
}

TEST_F(SessionTest, CompareAndWhoAmI) {
    login();
    auto compare = [&](std::string_view dn, std::string_view attr, std::string_view value) {
        return run(message(11,
                           [&](ber::Writer& w) {
                               auto c = w.begin(0x6E);
                               w.octet_string(dn);
                               auto ava = w.begin(ber::tag::kSequence);
                               w.octet_string(attr);
                               w.octet_string(value);
                               w.end(ava);
                               w.end(c);
                           }))
            .last()
            .code;
    };
    const std::string ada = "uid=ada@example.com,ou=InternalGAL/example.com,o=switchboard";
    EXPECT_EQ(compare(ada, "sn", "LOVELACE"), 6);
    EXPECT_EQ(compare(ada, "sn", "Babbage"), 5);
    EXPECT_EQ(compare(ada, "pager", "1"), 16);
    EXPECT_EQ(compare(ada, "nosuch", "1"), 17);
    EXPECT_EQ(compare("uid=nobody,ou=/Contacts,o=switchboard", "cn", "x"), 32);
    EXPECT_EQ(compare("cn=a,,", "cn", "x"), 34);
    auto whoami = run(message(12, [](ber::Writer& w) {
        auto e = w.begin(0x77);
        w.element(0x80, ldapproto::oid::kWhoAmI);
        w.end(e);
    }));
    EXPECT_EQ(whoami.last().code, 0);
    EXPECT_EQ(whoami.last().response_value,
              "dn:uid=me@example.com,ou=InternalGAL/example.com,o=switchboard");
    auto password = run(message(13, [](ber::Writer& w) {
        auto e = w.begin(0x77);
        w.element(0x80, "1.3.6.1.4.1.4203.1.11.1");  // password modify: a write, refused
        w.end(e);
    }));
    EXPECT_EQ(password.last().code, static_cast<int>(ResultCode::unwilling_to_perform));
    auto unknown = run(message(14, [](ber::Writer& w) {
        auto e = w.begin(0x77);
        w.element(0x80, "1.2.3.4.5");
        w.end(e);
    }));
    EXPECT_EQ(unknown.last().code, static_cast<int>(ResultCode::protocol_error));
}

TEST_F(SessionTest, StartTlsOnlyOnce) {
    Session plain(backend, config, false, "192.0.2.1");
    frames.push_back(message(1, [](ber::Writer& w) {
        auto e = w.begin(0x77);
        w.element(0x80, ldapproto::oid::kStartTls);
        w.end(e);
    }));
    auto m = ldapproto::decode_message(frames.back(), config.limits);
    auto step = plain.handle(*m);
    EXPECT_EQ(step.action, Session::Action::start_tls);
    auto r = test::parse_replies(step.out);
    EXPECT_EQ(r.last().code, 0);
    EXPECT_EQ(r.last().response_name, std::string(ldapproto::oid::kStartTls));
    plain.tls_started();
    auto again = plain.handle(*m);
    EXPECT_EQ(again.action, Session::Action::send);
    EXPECT_EQ(test::parse_replies(again.out).last().code,
              static_cast<int>(ResultCode::operations_error));
}

TEST_F(SessionTest, MalformedRequestsGetProtocolErrorOrNotice) {
    login();
    // A search whose scope is out of range: answered with protocolError, same message id.
    std::string bad = message(14, [](ber::Writer& w) {
        auto s = w.begin(0x63);
        w.octet_string("");
        w.enumerated(9);
        w.end(s);
    });
    auto r = run(bad);
    EXPECT_EQ(r.last().message_id, 14);
    EXPECT_EQ(r.last().op_tag, 0x65);
    EXPECT_EQ(r.last().code, 2);
    // Not even a message id: notice of disconnection, then close.
    auto fatal = session->fatal(Error{Errc::parse_error, "garbage"});
    EXPECT_EQ(fatal.action, Session::Action::close);
    auto n = test::parse_replies(fatal.out);
    EXPECT_EQ(n.last().message_id, 0);
    EXPECT_EQ(n.last().code, 2);
    EXPECT_EQ(n.last().response_name, std::string(ldapproto::oid::kNoticeOfDisconnection));
}

TEST_F(SessionTest, UnbindClosesAndAbandonSendsNothing) {
    login();
    auto unbind = feed(message(15, [](ber::Writer& w) { w.null(0x42); }));
    EXPECT_EQ(unbind.action, Session::Action::close);
    EXPECT_TRUE(unbind.out.empty());
    auto abandon = feed(message(16, [](ber::Writer& w) { w.integer(3, 0x50); }));
    EXPECT_EQ(abandon.action, Session::Action::none);
    EXPECT_TRUE(abandon.out.empty());
}

}  // namespace
}  // namespace sb::ldap
