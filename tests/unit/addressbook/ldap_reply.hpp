#pragma once
// Test helper: decodes the LDAP responses a server wrote (SearchResultEntry, SearchResultDone,
// other LDAPResult responses, ExtendedResponse) with the BER reader, so tests can assert on DNs,
// attributes, result codes and response controls. Header-only: the session tests use it too.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ldap/ber/framer.hpp"
#include "ldap/ber/reader.hpp"

namespace sb::test {

struct ReplyEntry {
    int32_t message_id = 0;
    std::string dn;
    std::vector<std::pair<std::string, std::vector<std::string>>> attrs;

    const std::vector<std::string>* get(std::string_view name) const {
        for (const auto& [n, v] : attrs)
            if (n.size() == name.size() &&
                std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) ==
                           std::tolower(static_cast<unsigned char>(b));
                }))
                return &v;
        return nullptr;
    }
    std::string first(std::string_view name) const {
        auto v = get(name);
        return v && !v->empty() ? v->front() : std::string();
    }
};

struct ReplyControl {
    std::string oid;
    bool critical = false;
    std::string value;
};

struct ReplyResult {
    int32_t message_id = 0;
    uint8_t op_tag = 0;  // 0x61 bind, 0x65 searchDone, 0x78 extended, ...
    int code = -1;
    std::string matched_dn;
    std::string diagnostic;
    std::optional<std::string> response_name;   // extended
    std::optional<std::string> response_value;  // extended
    std::vector<ReplyControl> controls;

    const ReplyControl* control(std::string_view oid) const {
        for (const auto& c : controls)
            if (c.oid == oid) return &c;
        return nullptr;
    }
};

struct Replies {
    std::vector<ReplyEntry> entries;
    std::vector<ReplyResult> results;
    size_t bytes_used = 0;  // bytes of complete messages

    const ReplyResult& last() const {
        if (results.empty()) throw std::runtime_error("no LDAPResult in the replies");
        return results.back();
    }
    std::vector<std::string> dns() const {
        std::vector<std::string> out;
        for (const auto& e : entries)
            out.push_back(e.dn);
        return out;
    }
};

inline void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("malformed LDAP reply: ") + what);
}

// Decodes every complete message in `buf`; throws on malformed ones.
inline Replies parse_replies(std::string_view buf) {
    Replies out;
    size_t pos = 0;
    while (pos < buf.size()) {
        auto f = ber::frame(buf.substr(pos), 64u << 20);
        check(f.has_value(), "frame");
        if (!f->complete) break;
        ber::Reader top(buf.substr(pos, f->size));
        pos += f->size;
        auto msg = top.enter();
        check(msg.has_value(), "message");
        auto id = msg->read_integer();
        check(id.has_value(), "message id");
        auto op = msg->read_any();
        check(op.has_value(), "protocolOp");
        ber::Reader body(op->contents);
        if (op->tag == 0x64) {  // SearchResultEntry
            ReplyEntry e;
            e.message_id = static_cast<int32_t>(*id);
            auto dn = body.read_octet_string();
            check(dn.has_value(), "entry dn");
            e.dn = std::string(*dn);
            auto attrs = body.enter();
            check(attrs.has_value(), "attributes");
            while (!attrs->at_end()) {
                auto a = attrs->enter();
                check(a.has_value(), "attribute");
                auto type = a->read_octet_string();
                check(type.has_value(), "type");
                auto vals = a->enter(ber::tag::kSet);
                check(vals.has_value(), "values");
                std::vector<std::string> values;
                while (!vals->at_end()) {
                    auto v = vals->read_octet_string();
                    check(v.has_value(), "value");
                    values.emplace_back(*v);
                }
                e.attrs.emplace_back(std::string(*type), std::move(values));
            }
            out.entries.push_back(std::move(e));
        } else {
            ReplyResult r;
            r.message_id = static_cast<int32_t>(*id);
            r.op_tag = op->tag;
            auto code = body.read_enumerated();
            check(code.has_value(), "resultCode");
            r.code = static_cast<int>(*code);
            auto matched = body.read_octet_string();
            check(matched.has_value(), "matchedDN");
            r.matched_dn = std::string(*matched);
            auto diag = body.read_octet_string();
            check(diag.has_value(), "diagnosticMessage");
            r.diagnostic = std::string(*diag);
            if (body.next_is(0x8A)) r.response_name = std::string(*body.read(0x8A));
            if (body.next_is(0x8B)) r.response_value = std::string(*body.read(0x8B));
            if (msg->next_is(0xA0)) {
                auto ctrls = msg->enter(0xA0);
                check(ctrls.has_value(), "controls");
                while (!ctrls->at_end()) {
                    auto c = ctrls->enter();
                    check(c.has_value(), "control");
                    ReplyControl rc;
                    rc.oid = std::string(*c->read_octet_string());
                    if (c->next_is(ber::tag::kBoolean)) rc.critical = *c->read_boolean();
                    if (c->next_is(ber::tag::kOctetString))
                        rc.value = std::string(*c->read_octet_string());
                    r.controls.push_back(std::move(rc));
                }
            }
            out.results.push_back(std::move(r));
        }
        out.bytes_used = pos;
    }
    return out;
}

}  // namespace sb::test
