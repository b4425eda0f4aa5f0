#include "eas/pipeline.hpp"

#include <charconv>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "auth/authenticator.hpp"
#include "core/base64.hpp"
#include "core/strings.hpp"
#include "directory/directory.hpp"
#include "eas/commands/command_table.hpp"
#include "eas/context.hpp"
#include "eas/device_checks.hpp"
#include "eas/provision/policy.hpp"
#include "eas/query.hpp"
#include "eas/service.hpp"

namespace sb::eas {

bool starts_with_ci(std::string_view s, std::string_view prefix);

namespace {

constexpr std::string_view kPath = "/Microsoft-Server-ActiveSync";
constexpr std::string_view kWbxmlType = "application/vnd.ms-sync.wbxml";
// MS-ASHTTP 2.2.2.2: the server version a response names.
constexpr std::string_view kServerVersion = "16.1";

Response wbxml_response(std::string body) {
    Response r = http_status(200);
    if (!body.empty()) {
        r.content_type = std::string(kWbxmlType);
        r.body = std::move(body);
    }
    return r;
}

Response unauthorized() {
    Response r = http_status(401);
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"ActiveSync\"");
    return r;
}

Response service_unavailable(int retry_after) {
    Response r = http_status(503);
    r.headers.emplace_back("Retry-After", std::to_string(retry_after));
    return r;
}

Response bad_request(std::string_view why) {
    spdlog::debug("eas: 400: {}", why);
    return http_status(400);
}

// Seconds until a throttled login may try again, from the throttle's message when it says so.
int retry_after_of(const Error& e) {
    auto pos = e.message.find("retry in ");
    if (pos != std::string::npos) {
        int s = 0;
        auto b = e.message.data() + pos + 9;
        auto r = std::from_chars(b, e.message.data() + e.message.size(), s);
        if (r.ec == std::errc() && s > 0) return s;
    }
    return 60;
}

// Clients that never provision (design brief: Outlook desktop never sends Provision).
bool never_provisions(const Request& req, const Query& q) {
    return starts_with_ci(req.user_agent, "Outlook") ||
           starts_with_ci(q.device_type, "WindowsOutlook");
}

}  // namespace

Response http_status(int status) {
    Response r;
    r.status = status;
    r.headers.emplace_back("MS-Server-ActiveSync", std::string(kServerVersion));
    return r;
}

std::optional<BasicCredentials> parse_basic(std::string_view header) {
    header = trim(header);
    if (header.size() < 6 || !iequals(header.substr(0, 6), "Basic ")) return std::nullopt;
    auto decoded = crypto::base64_decode_lenient(trim(header.substr(6)));
    if (!decoded) return std::nullopt;
    auto colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    BasicCredentials c{decoded->substr(0, colon), decoded->substr(colon + 1)};
    if (auto bs = c.user.find('\\'); bs != std::string::npos) c.user = c.user.substr(bs + 1);
    if (c.user.empty()) return std::nullopt;
    return c;
}

bool is_activesync_path(std::string_view target, std::string_view& query) {
    auto q = target.find('?');
    std::string_view path = target.substr(0, q);
    query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    while (path.size() > 1 && path.back() == '/')
        path.remove_suffix(1);
    return iequals(path, kPath);
}

Outcome Pipeline::handle(Request req) {
    Outcome out;
    auto& svc = service_;
    std::string_view query_text;
    if (!is_activesync_path(req.target, query_text)) {
        out.response = http_status(404);
        return out;
    }
    if (req.method != "POST" && req.method != "OPTIONS") {
        out.response = http_status(405);
        out.response.headers.emplace_back("Allow", "OPTIONS,POST");
        return out;
    }

    // 2. authentication (MS-ASHTTP 2.2.1.1.2.2: Basic over TLS)
    auto creds = parse_basic(req.authorization);
    if (!creds) {
        out.response = unauthorized();
        return out;
    }
    auto auth = svc.authenticator().authenticate(auth::Service::eas, creds->user, creds->password,
                                                 req.client_address);
    if (!auth) {
        if (auth.error().code == Errc::throttled) {
            // Repeated failures: a 401 would make the phone ask the user again at once; a 503
            // with Retry-After makes it back off instead (and tells an attacker nothing).
            spdlog::info("eas: {} throttled from {}", creds->user, req.client_address);
            out.response = service_unavailable(retry_after_of(auth.error()));
        } else if (auth.error().code == Errc::auth_failed) {
            spdlog::info("eas: login refused for {} from {}: {}", creds->user, req.client_address,
                         auth.error().message);
            out.response = unauthorized();
        } else {
            spdlog::warn("eas: authentication unavailable: {}", auth.error().message);
            out.response = service_unavailable(30);
        }
        return out;
    }
    const directory::Account& account = auth->account;

    // 3. the account may sync
    auto settings = svc.settings().get(account);
    if (!settings) {
        spdlog::warn("eas: the settings of {} could not be read: {}", account.address,
                     settings.error().message);
        out.response = service_unavailable(30);
        return out;
    }
    if (!(*settings)->mobile_sync) {
        spdlog::info("eas: mobile sync disabled for {}", account.address);
        out.response = http_status(403);
        return out;
    }

    // 4. OPTIONS (MS-ASHTTP 2.2.2.4, 3.1.5.1)
    if (req.method == "OPTIONS") {
        std::string versions;
        for (Version v : svc.checks().versions(account, "", req.user_agent))
            versions += (versions.empty() ? "" : ",") + std::string(version_text(v));
        out.response = http_status(200);
        out.response.headers.emplace_back("Allow", "OPTIONS,POST");
        out.response.headers.emplace_back("Public", "OPTIONS,POST");
        out.response.headers.emplace_back("MS-ASProtocolVersions", versions);
        out.response.headers.emplace_back("MS-ASProtocolCommands", advertised_commands());
        return out;
    }

    // 5. request line, version, body
    auto query = parse_query(query_text);
    if (!query) {
        out.response = bad_request(query.error().message);
        return out;
    }
    if (!query->command) {
        out.response = bad_request("unknown command " + query->command_name);
        return out;
    }
    const CommandSpec* spec = find_command(*query->command);
    if (!spec) {
        // MS-ASHTTP 2.2.2.1.2: a command the server does not implement.
        out.response = http_status(501);
        return out;
    }
    Version version = 0;
    if (query->version) {
        version = *query->version;
    } else {
        auto v = parse_version(trim(req.protocol_version));
        if (!v) {
            out.response = bad_request("missing or unsupported MS-ASProtocolVersion");
            return out;
        }
        version = *v;
    }
    std::optional<uint32_t> policy_key = query->policy_key;
    if (!policy_key && !trim(req.policy_key).empty()) {
        uint32_t k = 0;
        auto t = trim(req.policy_key);
        auto r = std::from_chars(t.data(), t.data() + t.size(), k);
        if (r.ec != std::errc() || r.ptr != t.data() + t.size()) {
            out.response = bad_request("malformed X-MS-PolicyKey");
            return out;
        }
        policy_key = k;
    }
    if (req.body.size() > svc.options().max_body) {
        out.response = http_status(413);
        out.response.close = true;
        return out;
    }
    wbxml::Document doc;
    if (!req.body.empty()) {
        auto decoded = wbxml::decode_owned(std::move(req.body), svc.options().wbxml);
        if (!decoded) {
            out.response = bad_request("body: " + decoded.error().message);
            return out;
        }
        doc = std::move(*decoded);
        if (!doc.root().is(spec->root)) {
            out.response = bad_request(fmt::format("body is <{}>, not <{}>", doc.root().name(),
                                                   wbxml::tag_name(spec->root)));
            return out;
        }
    } else if (!spec->body_optional) {
        out.response = bad_request(fmt::format("{} needs a body", query->command_name));
        return out;
    }

    // 6. the device
    auto device = svc.devices().touch(account.id, query->device_id, query->device_type,
                                      req.user_agent, version_text(version), query->command_name);
    if (!device) {
        spdlog::error("eas: device registration failed: {}", device.error().message);
        out.response = service_unavailable(30);
        return out;
    }

    auto deny_with_status = [&](int eas_status) {
        if (version >= kV140)
            out.response = wbxml_response(status_body(*spec, eas_status));
        else
            out.response = http_status(449);  // MS-ASHTTP 2.2.2.1.1: retry after Provision
    };

    // 7. device control
    CheckInput in{account, *device, *query, version};
    if (auto denial = svc.checks().run(in)) {
        spdlog::info("eas: {} {} denied: {}", account.address, device->device_id, denial->reason);
        if (denial->eas_status && version >= kV140)
            out.response = wbxml_response(status_body(*spec, denial->eas_status));
        else
            out.response = http_status(denial->http_status);
        return out;
    }

    // 8. remote wipe: only Provision may go on (MS-ASPROV 3.2.5.1.2)
    if (device->wipe != Wipe::none && spec->command != Command::Provision) {
        deny_with_status(status::kRemoteWipeRequested);
        return out;
    }

    // 9. provisioning (MS-ASPROV 3.1.5.1)
    if (spec->command != Command::Provision && device->wipe == Wipe::none) {
        const Policy* policy = &(*settings)->policy;
        if (policy->enabled) {
            bool exempt = policy->allow_non_provisionable && never_provisions(req, *query);
            if (!exempt) {
                if (!policy_key || *policy_key == 0) {
                    deny_with_status(status::kDeviceNotProvisioned);
                    return out;
                }
                if (*policy_key != device->policy_key) {
                    deny_with_status(status::kInvalidPolicyKey);
                    return out;
                }
                bool stale = device->policy_hash != policy->hash ||
                             (policy->refresh_minutes > 0 &&
                              now_ms() - device->provisioned_at > policy->refresh_minutes * 60'000);
                if (stale) {
                    deny_with_status(status::kPolicyRefresh);
                    return out;
                }
            }
        }
    }

    // 10. the command
    try {
        auto lock = svc.lock_device(account.id, device->device_id);
        Context ctx{svc, account, *device, *query, version, doc};
        auto reply = spec->run(ctx);
        if (!reply) {
            auto code = reply.error().code;
            if (code == Errc::invalid_argument || code == Errc::parse_error ||
                code == Errc::limit_exceeded) {
                out.response = bad_request(reply.error().message);
            } else {
                spdlog::error("eas: {} for {} {} failed: {}", query->command_name, account.address,
                              device->device_id, reply.error().message);
                out.response = http_status(500);
            }
            return out;
        }
        if (reply->wait) {
            out.wait = std::move(reply->wait);
            return out;
        }
        if (reply->http_status != 200)
            out.response = http_status(reply->http_status);
        else
            out.response = wbxml_response(std::move(reply->body));
    } catch (const std::exception& e) {
        spdlog::error("eas: {} raised: {}", query->command_name, e.what());
        out.response = http_status(500);
    }
    return out;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace sb::eas
