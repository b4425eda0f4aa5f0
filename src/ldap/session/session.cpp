#include "ldap/session/session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ldap/addressbook/matcher.hpp"
#include "ldap/addressbook/root_dse.hpp"
#include "ldap/protocol/response.hpp"
#include "ldap/session/refusal.hpp"

namespace sb::ldap {

using ldapproto::Operation;
using ldapproto::ResultCode;
namespace oid = ldapproto::oid;

namespace {

bool control_known_for(std::string_view type, Operation op) {
    if (type == oid::kManageDsaIt) return true;  // no referrals here: nothing changes
    if (op != Operation::search_request) return false;
    return type == oid::kPagedResults || type == oid::kSortRequest || type == oid::kVlvRequest;
}

}  // namespace

std::optional<Operation> response_of(Operation request) {
    switch (request) {
        case Operation::bind_request:
            return Operation::bind_response;
        case Operation::search_request:
            return Operation::search_result_done;
        case Operation::modify_request:
            return Operation::modify_response;
        case Operation::add_request:
            return Operation::add_response;
        case Operation::del_request:
            return Operation::del_response;
        case Operation::modify_dn_request:
            return Operation::modify_dn_response;
        case Operation::compare_request:
            return Operation::compare_response;
        case Operation::extended_request:
            return Operation::extended_response;
        default:
            return std::nullopt;
    }
}

Session::Session(Backend& backend, const SessionConfig& config, bool tls,
                 std::string client_address)
    : backend_(backend), config_(config), tls_(tls), client_(std::move(client_address)) {}

Session::Step Session::result(int32_t id, Operation response, ResultCode code,
                              std::string_view diagnostic, std::string_view matched) {
    Step s;
    s.action = Action::send;
    s.message_id = id;
    const ldapproto::LdapResult r{code, matched, diagnostic};
    if (response == Operation::extended_response)
        ldapproto::encode_extended_response(s.out, id, r, {}, {});
    else
        ldapproto::encode_result(s.out, id, response, r);
    return s;
}

Session::Step Session::handle(const ldapproto::Message& m) {
    const Operation op = m.operation();
    const auto response = response_of(op);
    // RFC 4511 4.1.11: a critical control that is unknown or does not apply fails the operation.
    for (const auto& c : m.controls)
        if (c.critical && !control_known_for(c.type, op)) {
            if (!response) return Step{};
            return result(m.message_id, *response, ResultCode::unavailable_critical_extension,
                          fmt::format("unsupported critical control {}", c.type));
        }
    switch (op) {
        case Operation::bind_request:
            return bind(m, std::get<ldapproto::BindRequest>(m.request));
        case Operation::search_request:
            return search(m, std::get<ldapproto::SearchRequest>(m.request));
        case Operation::compare_request:
            return compare(m, std::get<ldapproto::CompareRequest>(m.request));
        case Operation::extended_request:
            return extended(m, std::get<ldapproto::ExtendedRequest>(m.request));
        case Operation::unbind_request: {
            Step s;
            s.action = Action::close;
            return s;
        }
        case Operation::abandon_request:
            return Step{};  // the network layer stops the search
        case Operation::modify_request:
        case Operation::add_request:
        case Operation::del_request:
        case Operation::modify_dn_request:
            return result(m.message_id, *response, ResultCode::unwilling_to_perform,
                          "the address book is read-only");
        default:
            return result(m.message_id, Operation::extended_response, ResultCode::protocol_error,
                          "not a request");
    }
}

Session::Step Session::handle_malformed(std::string_view frame, const Error& error) {
    auto header = ldapproto::decode_header(frame);
    if (!header || !header->operation || header->message_id <= 0) return fatal(error);
    const auto response = response_of(*header->operation);
    if (!response) {
        // A malformed Abandon or Unbind cannot be answered.
        if (*header->operation == Operation::unbind_request) return fatal(error);
        return Step{};
    }
    return refused(header->message_id, *response, Failed::request, error);
}

Session::Step Session::fatal(const Error& error) {
    const auto r = refusal(Failed::stream, error);
    Step s;
    s.action = Action::close;
    ldapproto::encode_notice_of_disconnection(s.out, r.code, r.diagnostic);
    return s;
}

Session::Step Session::refused(int32_t id, Operation response, Failed what, const Error& error) {
    const auto r = refusal(what, error);
    return result(id, response, r.code, r.diagnostic);
}

Session::Step Session::bind(const ldapproto::Message& m, const ldapproto::BindRequest& r) {
    // RFC 4513 4: a new bind first drops the current authentication.
    account_id_ = 0;
    address_.clear();
    if (r.version != 3)
        return result(m.message_id, Operation::bind_response, ResultCode::protocol_error,
                      "only LDAPv3 is supported");
    if (r.method != ldapproto::BindRequest::Method::simple)
        return result(m.message_id, Operation::bind_response, ResultCode::auth_method_not_supported,
                      "only simple bind with your e-mail address and password is supported (no "
                      "SASL, SPA or NTLM)");
    if (r.name.empty() && r.password.empty())  // anonymous: the root DSE only
        return result(m.message_id, Operation::bind_response, ResultCode::success, "");
    if (r.password.empty())  // RFC 4513 5.1.2: unauthenticated binds are refused
        return result(m.message_id, Operation::bind_response, ResultCode::unwilling_to_perform,
                      "a password is required");
    if (!tls_ && !config_.allow_cleartext_bind)
        return result(m.message_id, Operation::bind_response, ResultCode::confidentiality_required,
                      "use LDAPS or StartTLS: passwords are not accepted over a plain connection");
    Step s;
    s.action = Action::bind;
    s.message_id = m.message_id;
    s.bind_name = std::string(r.name);
    s.bind_password = std::string(r.password);
    return s;
}

Session::Step Session::bind_done(int32_t message_id, std::string_view name, const BindResult& r) {
    if (r) {
        account_id_ = r->account_id;
        address_ = r->address;
        spdlog::info("ldap: {} bound as {} from {}", name, r->address, client_);
        return result(message_id, Operation::bind_response, ResultCode::success, "");
    }
    const auto answer = refusal(Failed::bind, r.error());
    if (answer.code == ResultCode::invalid_credentials)
        spdlog::warn("ldap: bind as '{}' from {} refused: {}", name, client_, r.error().message);
    else
        spdlog::error("ldap: bind as '{}' from {} failed: {}", name, client_, r.error().message);
    return result(message_id, Operation::bind_response, answer.code, answer.diagnostic);
}

Session::Step Session::search(const ldapproto::Message& m, const ldapproto::SearchRequest& r) {
    const bool root_dse = r.base_object.empty() && r.scope == ldapproto::SearchScope::base_object;
    if (root_dse) {
        Step s;
        s.action = Action::send;
        s.message_id = m.message_id;
        addressbook::encode_root_dse(s.out, m.message_id, r.attributes, r.types_only,
                                     {backend_.naming_context().dn, config_.vendor_version});
        ldapproto::encode_search_result_done(s.out, m.message_id, {});
        return s;
    }
    if (account_id_ == 0)
        return result(m.message_id, Operation::search_result_done,
                      ResultCode::insufficient_access_rights,
                      "bind with your e-mail address and password first");
    addressbook::SearchControls controls;
    for (const auto& c : m.controls) {
        auto bad = [&](const Error& e) {
            return refused(m.message_id, Operation::search_result_done, Failed::control,
                           Error{e.code, fmt::format("control {}: {}", c.type, e.message)});
        };
        const std::string_view value = c.value.value_or(std::string_view());
        if (c.type == oid::kPagedResults) {
            auto v = ldapproto::decode_paged_results(value);
            if (!v) {
                if (c.critical) return bad(v.error());
                continue;
            }
            controls.paged = *v;
        } else if (c.type == oid::kSortRequest) {
            auto v = ldapproto::decode_sort_request(value, config_.limits.max_sort_keys);
            if (!v) {
                if (c.critical) return bad(v.error());
                continue;
            }
            controls.sort = std::move(*v);
            controls.sort_critical = c.critical;
        } else if (c.type == oid::kVlvRequest) {
            auto v = ldapproto::decode_vlv_request(value);
            if (!v) {
                if (c.critical) return bad(v.error());
                continue;
            }
            controls.vlv = *v;
        }
    }
    auto view = backend_.view(account_id_);
    if (!view) return refused_view(m.message_id, Operation::search_result_done, view.error());
    Step s;
    s.action = Action::search;
    s.message_id = m.message_id;
    s.cursor = std::make_unique<addressbook::SearchCursor>(std::move(*view), r, m.message_id,
                                                           controls, config_.search);
    return s;
}

// The bound account's view could not be had: an account locked or closed since its bind is
// refused and the connection becomes anonymous (a new bind would be refused too); anything else
// is the server's trouble.
Session::Step Session::refused_view(int32_t id, ldapproto::Operation response, const Error& e) {
    const auto answer = refusal(Failed::view, e);
    if (answer.code == ResultCode::insufficient_access_rights) {
        spdlog::info("ldap: {} from {}: request refused, bound account no longer active: {}",
                     address_, client_, e.message);
        account_id_ = 0;
        address_.clear();
    } else {
        spdlog::error("ldap: no address book view for {}: {}", address_, e.message);
    }
    return result(id, response, answer.code, answer.diagnostic);
}

Session::Step Session::compare(const ldapproto::Message& m, const ldapproto::CompareRequest& r) {
    using addressbook::Presented;
    if (account_id_ == 0)
        return result(m.message_id, Operation::compare_response,
                      ResultCode::insufficient_access_rights,
                      "bind with your e-mail address and password first");
    auto view = backend_.view(account_id_);
    if (!view) return refused_view(m.message_id, Operation::compare_response, view.error());
    const auto& v = **view;
    Error dn_error;
    const auto t = v.resolve(r.entry, &dn_error);
    using K = addressbook::View::Target::Kind;
    Presented p;
    switch (t.kind) {
        case K::root:
            p = Presented::root(v);
            break;
        case K::container:
            p = Presented::container(v, t.book);
            break;
        case K::entry:
            p = Presented::person(v, t.book, t.entry);
            break;
        default:
            if (!dn_error.message.empty())
                return result(m.message_id, Operation::compare_response,
                              ResultCode::invalid_dn_syntax, dn_error.message);
            return result(m.message_id, Operation::compare_response, ResultCode::no_such_object,
                          "no such entry in your address book", t.matched_dn);
    }
    const addressbook::AttrInfo* info = addressbook::find_attr(r.attribute);
    if (!info)
        return result(m.message_id, Operation::compare_response,
                      ResultCode::undefined_attribute_type,
                      fmt::format("unknown attribute {}", r.attribute));
    if (!p.has(info->id))
        return result(m.message_id, Operation::compare_response, ResultCode::no_such_attribute, "");
    ldapproto::Filter f;
    f.add_item(ldapproto::FilterKind::equality_match, r.attribute, r.value);
    const auto tri = addressbook::Matcher::compile(f).eval(p);
    return result(
        m.message_id, Operation::compare_response,
        tri == addressbook::Tri::true_ ? ResultCode::compare_true : ResultCode::compare_false, "");
}

Session::Step Session::extended(const ldapproto::Message& m, const ldapproto::ExtendedRequest& r) {
    if (r.name == oid::kStartTls) {
        if (tls_)
            return result(m.message_id, Operation::extended_response, ResultCode::operations_error,
                          "TLS is already active");
        Step s;
        s.action = Action::start_tls;
        s.message_id = m.message_id;
        ldapproto::encode_extended_response(s.out, m.message_id, {}, oid::kStartTls, std::nullopt);
        return s;
    }
    if (r.name == oid::kWhoAmI) {
        // RFC 4532 2.2: authzId "dn:..." for a bound user, empty for anonymous.
        std::string authz;
        if (account_id_ != 0) {
            auto view = backend_.view(account_id_);
            authz = view ? "dn:" + (*view)->own_dn() : "u:" + address_;
        }
        Step s;
        s.action = Action::send;
        s.message_id = m.message_id;
        ldapproto::encode_extended_response(s.out, m.message_id, {}, std::nullopt, authz);
        return s;
    }
    if (r.name == oid::kPasswordModify)  // a write like the others
        return result(m.message_id, Operation::extended_response, ResultCode::unwilling_to_perform,
                      "the address book is read-only: passwords are changed with the mail "
                      "platform, not over LDAP");
    // RFC 4511 4.12: an unknown request name is a protocolError.
    return result(m.message_id, Operation::extended_response, ResultCode::protocol_error,
                  fmt::format("unsupported extended operation {}", r.name));
}

}  // namespace sb::ldap
