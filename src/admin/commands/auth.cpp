// `switchboard auth ...`: service credentials (mobile passwords) and a login check for admins.
#include <fmt/format.h>

#include "admin/commands/common.hpp"
#include "admin/format.hpp"
#include "auth/authenticator.hpp"
#include "auth/credentials.hpp"

namespace sb::admin {
namespace {

nlohmann::json credential_json(const auth::Credential& c) {
    std::string services;
    for (auto& s : c.services)
        services += (services.empty() ? "" : ",") + s;
    return {{"id", c.public_id},    {"label", c.label},
            {"services", services}, {"generated", c.generated},
            {"enabled", c.enabled}, {"created", utc_time_text(c.created_at)}};
}

void credential_rows(TextBlock& t, const nlohmann::json& j) {
    t.row("id", j["id"].get<std::string>());
    t.row("label", j["label"].get<std::string>());
    t.row("services", j["services"].get<std::string>());
    t.row("generated", j["generated"].get<bool>() ? "true" : "false");
    t.row("enabled", j["enabled"].get<bool>() ? "true" : "false");
    t.row("created", j["created"].get<std::string>());
}

Result<Output> credential_add(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto o, c.options(1, {"password", "label", "service", "qrcode"}));
    auth::NewCredential nc;
    if (auto it = o.find("password"); it != o.end()) nc.password = it->second;
    if (auto it = o.find("label"); it != o.end()) nc.label = it->second;
    if (auto it = o.find("service"); it != o.end()) {
        SB_TRY_ASSIGN(auto sv, auth::parse_services(it->second));
        nc.services = sv;
    }
    if (auto it = o.find("qrcode"); it != o.end()) {
        SB_TRY_ASSIGN(auto b, parse_bool("qrcode", it->second));
        if (b)
            return fail(Errc::invalid_argument,
                        "QR-code credentials (mobile apps) are not supported; use service EAS");
    }
    SB_TRY_ASSIGN(auto r, s.credentials->add(c[0], nc));
    auto j = credential_json(r.first);
    TextBlock t;
    t.heading(fmt::format("Credential {} added for {}", r.first.public_id, c[0]));
    credential_rows(t, j);
    t.row("password", r.second);
    std::string text =
        t.str() +
        "The password is shown only now: give it to the user for their phone or Outlook.\n";
    j["password"] = r.second;
    j["account"] = c[0];
    return text_output(text, j);
}

Result<Output> credential_list(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto list, s.credentials->list(c[0]));
    TextBlock t;
    nlohmann::json arr = nlohmann::json::array();
    for (auto& cr : list) {
        auto j = credential_json(cr);
        t.heading(fmt::format("credential {}", cr.public_id));
        credential_rows(t, j);
        t.blank();
        arr.push_back(j);
    }
    std::string text = list.empty() ? fmt::format("{} has no credentials\n", c[0]) : t.str();
    return text_output(text, {{"account", c[0]}, {"credentials", arr}});
}

Result<Output> credential_update(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto o, c.options(2, {"label", "enabled", "service"}));
    if (o.empty())
        return fail(Errc::invalid_argument, "nothing to update (label, enabled, service)");
    auth::CredentialUpdate u;
    if (auto it = o.find("label"); it != o.end()) u.label = it->second;
    if (auto it = o.find("enabled"); it != o.end()) {
        SB_TRY_ASSIGN(auto b, parse_bool("enabled", it->second));
        u.enabled = b;
    }
    if (auto it = o.find("service"); it != o.end()) {
        SB_TRY_ASSIGN(auto sv, auth::parse_services(it->second));
        u.services = sv;
    }
    SB_TRY_ASSIGN(auto cr, s.credentials->update(c[0], c[1], u));
    auto j = credential_json(cr);
    TextBlock t;
    t.heading(fmt::format("Credential {} of {} updated", cr.public_id, c[0]));
    credential_rows(t, j);
    return text_output(t.str(), j);
}

Result<Output> credential_delete(Services& s, const Call& c) {
    SB_TRY(s.credentials->remove(c[0], c[1]));
    return text_output(fmt::format("Credential {} of {} deleted\n", c[1], c[0]),
                       {{"deleted", c[1]}});
}

// Lets an admin see why a login fails, with the real reason the client never sees.
Result<Output> auth_test(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto o, c.options(2, {"service", "client"}));
    auth::Service service = auth::Service::eas;
    if (auto it = o.find("service"); it != o.end()) {
        SB_TRY_ASSIGN(auto sv, auth::parse_service(it->second));
        service = sv;
    }
    std::string client = o.count("client") ? o.at("client") : "admin-cli";
    auto r = s.authenticator->authenticate(service, c[0], c[1], client);
    if (!r) {
        if (r.error().code == Errc::auth_failed || r.error().code == Errc::throttled)
            return fail(r.error().code,
                        fmt::format("login refused for {} ({}): {}", c[0],
                                    auth::service_name(service), r.error().message));
        return tl::unexpected(r.error());
    }
    return text_output(fmt::format("login accepted for {} ({}) by {}\n", r->account.address,
                                   auth::service_name(service), r->method),
                       {{"account", r->account.address},
                        {"method", r->method},
                        {"service", std::string(auth::service_name(service))}});
}

}  // namespace

void register_auth(CommandTable& t) {
    t.add({"auth",
           "credential add",
           "",
           "ACCOUNT [password P] [label L] [service EAS]",
           "add a mobile password (generated and shown once when P is omitted)",
           1,
           {},
           credential_add});
    t.add({"auth",
           "credential list",
           "",
           "ACCOUNT",
           "list an account's credentials (never their passwords)",
           1,
           {},
           credential_list});
    t.add({"auth",
           "credential update",
           "",
           "ACCOUNT ID [label L] [enabled true|false] [service EAS]",
           "change a credential's label, state or services",
           2,
           {},
           credential_update});
    t.add({"auth",
           "credential delete",
           "",
           "ACCOUNT ID",
           "delete a credential",
           2,
           {},
           credential_delete});
    t.add({"auth",
           "test",
           "",
           "LOGIN SECRET [service EAS|LDAP|IMAP|POP3|SMTP|WEB] [client ADDRESS]",
           "check a login as a protocol would, and say why it is refused",
           2,
           {},
           auth_test});
}

}  // namespace sb::admin
