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
#include "eas/status_map.hpp"

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

namespace {

Verdict answer(Response r) {
    Outcome out;
    out.response = std::move(r);
    return out;
}

// A denial with an EAS status where the version has common statuses, HTTP 449 before (MS-ASHTTP
// 2.2.2.1.1: retry after Provision).
Verdict deny_with_status(const Exchange& x, int eas_status) {
    if (x.version >= kV140) return answer(wbxml_response(status_body(*x.spec, eas_status)));
    return answer(http_status(449));
}

Verdict route(Exchange& x) {
    if (!is_activesync_path(x.request.target, x.query_text)) return answer(http_status(404));
    if (x.request.method != "POST" && x.request.method != "OPTIONS") {
        Response r = http_status(405);
        r.headers.emplace_back("Allow", "OPTIONS,POST");
        return answer(std::move(r));
    }
    return std::nullopt;
}

// MS-ASHTTP 2.2.1.1.2.2: Basic over TLS.
Verdict authenticate(Exchange& x) {
    const Request& req = x.request;
    auto creds = parse_basic(req.authorization);
    if (!creds) return answer(unauthorized());
    auto auth = x.service.authenticator().authenticate(auth::Service::eas, creds->user,
                                                       creds->password, req.client_address);
    if (auth) {
        x.auth = std::move(*auth);
        return std::nullopt;
    }
    switch (auth.error().code) {
        case Errc::throttled:
            // Repeated failures: a 401 would make the phone ask the user again at once; a 503
            // with Retry-After makes it back off instead (and tells an attacker nothing).
            spdlog::info("eas: {} throttled from {}", creds->user, req.client_address);
            return answer(service_unavailable(retry_after_of(auth.error())));
        case Errc::auth_failed:
            spdlog::info("eas: login refused for {} from {}: {}", creds->user, req.client_address,
                         auth.error().message);
            return answer(unauthorized());
        default:
            spdlog::warn("eas: authentication unavailable: {}", auth.error().message);
            return answer(service_unavailable(30));
    }
}

Verdict account_may_sync(Exchange& x) {
    auto settings = x.service.settings().get(x.account());
    if (!settings) {
        spdlog::warn("eas: the settings of {} could not be read: {}", x.account().address,
                     settings.error().message);
        return answer(service_unavailable(30));
    }
    if (!(*settings)->mobile_sync) {
        spdlog::info("eas: mobile sync disabled for {}", x.account().address);
        return answer(http_status(403));
    }
    x.settings = std::move(*settings);
    return std::nullopt;
}

// MS-ASHTTP 2.2.2.4, 3.1.5.1
Verdict answer_options(Exchange& x) {
    if (x.request.method != "OPTIONS") return std::nullopt;
    std::string versions;
    for (Version v : x.service.checks().versions(x.account(), "", x.request.user_agent))
        versions += (versions.empty() ? "" : ",") + std::string(version_text(v));
    Response r = http_status(200);
    r.headers.emplace_back("Allow", "OPTIONS,POST");
    r.headers.emplace_back("Public", "OPTIONS,POST");
    r.headers.emplace_back("MS-ASProtocolVersions", versions);
    r.headers.emplace_back("MS-ASProtocolCommands", advertised_commands());
    return answer(std::move(r));
}

// The plain form carries the version and the PolicyKey in headers, the base64 form in the query.
Verdict read_request_line(Exchange& x) {
    auto query = parse_query(x.query_text);
    if (!query) return answer(bad_request(query.error().message));
    x.query = std::move(*query);
    if (!x.query.command) return answer(bad_request("unknown command " + x.query.command_name));
    x.spec = find_command(*x.query.command);
    // MS-ASHTTP 2.2.2.1.2: a command the server does not implement.
    if (!x.spec) return answer(http_status(501));
    if (x.query.version) {
        x.version = *x.query.version;
    } else {
        auto v = parse_version(trim(x.request.protocol_version));
        if (!v) return answer(bad_request("missing or unsupported MS-ASProtocolVersion"));
        x.version = *v;
    }
    x.policy_key = x.query.policy_key;
    if (auto t = trim(x.request.policy_key); !x.policy_key && !t.empty()) {
        uint32_t k = 0;
        auto r = std::from_chars(t.data(), t.data() + t.size(), k);
        if (r.ec != std::errc() || r.ptr != t.data() + t.size())
            return answer(bad_request("malformed X-MS-PolicyKey"));
        x.policy_key = k;
    }
    return std::nullopt;
}

Verdict read_body(Exchange& x) {
    const Options& options = x.service.options();
    if (x.request.body.size() > options.max_body) {
        Response r = http_status(413);
        r.close = true;
        return answer(std::move(r));
    }
    if (x.request.body.empty()) {
        if (x.spec->body_optional) return std::nullopt;
        return answer(bad_request(fmt::format("{} needs a body", x.query.command_name)));
    }
    auto decoded = wbxml::decode_owned(std::move(x.request.body), options.wbxml);
    if (!decoded) return answer(bad_request("body: " + decoded.error().message));
    x.body = std::move(*decoded);
    if (!x.body.root().is(x.spec->root))
        return answer(bad_request(fmt::format("body is <{}>, not <{}>", x.body.root().name(),
                                              wbxml::tag_name(x.spec->root))));
    return std::nullopt;
}

Verdict register_device(Exchange& x) {
    auto device = x.service.devices().touch(x.account().id, x.query.device_id, x.query.device_type,
                                            x.request.user_agent, version_text(x.version),
                                            x.query.command_name);
    if (!device) {
        spdlog::error("eas: device registration failed: {}", device.error().message);
        return answer(service_unavailable(30));
    }
    x.device = std::move(*device);
    return std::nullopt;
}

Verdict device_control(Exchange& x) {
    CheckInput in{x.account(), *x.device, x.query, x.version};
    auto denial = x.service.checks().run(in);
    if (!denial) return std::nullopt;
    spdlog::info("eas: {} {} denied: {}", x.account().address, x.device->device_id, denial->reason);
    if (denial->eas_status && x.version >= kV140)
        return answer(wbxml_response(status_body(*x.spec, denial->eas_status)));
    return answer(http_status(denial->http_status));
}

// MS-ASPROV 3.2.5.1.2: while a wipe is pending, only Provision may go on.
Verdict remote_wipe(Exchange& x) {
    if (x.device->wipe == Wipe::none || x.spec->command == Command::Provision) return std::nullopt;
    return deny_with_status(x, status::kRemoteWipeRequested);
}

// MS-ASPROV 3.1.5.1
Verdict provisioning(Exchange& x) {
    const Policy& policy = x.settings->policy;
    if (x.spec->command == Command::Provision || !policy.enabled) return std::nullopt;
    if (policy.allow_non_provisionable && never_provisions(x.request, x.query)) return std::nullopt;
    if (!x.policy_key || *x.policy_key == 0)
        return deny_with_status(x, status::kDeviceNotProvisioned);
    if (*x.policy_key != x.device->policy_key)
        return deny_with_status(x, status::kInvalidPolicyKey);
    bool stale = x.device->policy_hash != policy.hash ||
                 (policy.refresh_minutes > 0 &&
                  now_ms() - x.device->provisioned_at > policy.refresh_minutes * 60'000);
    if (stale) return deny_with_status(x, status::kPolicyRefresh);
    return std::nullopt;
}

Outcome command_outcome(Exchange& x, Result<Reply> reply) {
    Outcome out;
    if (!reply) {
        if (http_status_of_failure(reply.error()) == 400) {
            out.response = bad_request(reply.error().message);
            return out;
        }
        spdlog::error("eas: {} for {} {} failed: {}", x.query.command_name, x.account().address,
                      x.device->device_id, reply.error().message);
        out.response = http_status(500);
    } else if (reply->wait) {
        out.wait = std::move(reply->wait);
    } else if (reply->http_status != 200) {
        out.response = http_status(reply->http_status);
    } else {
        out.response = wbxml_response(std::move(reply->body));
    }
    return out;
}

Verdict dispatch(Exchange& x) {
    try {
        auto lock = x.service.lock_device(x.account().id, x.device->device_id);
        Context ctx{x.service, x.account(), *x.device, x.query, x.version, x.body};
        return command_outcome(x, x.spec->run(ctx));
    } catch (const std::exception& e) {
        spdlog::error("eas: {} raised: {}", x.query.command_name, e.what());
        return answer(http_status(500));
    }
}

}  // namespace

Pipeline::Pipeline(Service& service)
    : service_(service),
      steps_{
          {"route", route},
          {"authenticate", authenticate},
          {"account", account_may_sync},
          {"options", answer_options},
          {"request", read_request_line},
          {"body", read_body},
          {"device", register_device},
          {"device-control", device_control},
          {"remote-wipe", remote_wipe},
          {"provisioning", provisioning},
          {"dispatch", dispatch},
      } {}

Outcome Pipeline::handle(Request request) {
    Exchange x(service_, std::move(request));
    for (const Step& step : steps_)
        if (auto outcome = step.run(x)) return std::move(*outcome);
    spdlog::error("eas: no step answered {}", x.request.target);  // the chain ends in dispatch
    Outcome out;
    out.response = http_status(500);
    return out;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace sb::eas
