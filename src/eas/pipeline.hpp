#pragma once
// The request pipeline: an ordered list of steps that every request goes through, built once (the
// shape of Envoy's HTTP filter chain). A step reads the exchange, adds what later steps need, and
// either lets the request go on or answers it, which ends the chain. In order:
//   route           method and path                                            405 / 404
//   authenticate    Basic authentication          401 (bad credentials), 503 + Retry-After
//   account         the account may sync (effective zimbraFeatureMobileSyncEnabled)    403
//   options         OPTIONS → versions and commands
//   request         query string, command, protocol version, PolicyKey          400 / 501
//   body            body size and WBXML                                         413 / 400
//   device          device registration (first contact) and last-seen bookkeeping
//   device-control  device-control checks (suspension; later ABQ, DoS filter...) 403 / 129...
//   remote-wipe     a remote wipe is pending         Status 140 (14.0+) / HTTP 449
//   provisioning    the PolicyKey                    Status 142/143/144 (14.0+) / HTTP 449
//   dispatch        the command from the command table, with the device's lock held
// A new step is one more entry in the list in Pipeline::Pipeline (pipeline.cpp).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authenticator.hpp"
#include "eas/account_settings.hpp"
#include "eas/device_store.hpp"
#include "eas/exchange.hpp"
#include "eas/protocol.hpp"
#include "eas/query.hpp"
#include "eas/wbxml/wbxml.hpp"

namespace sb::eas {

class Service;
struct CommandSpec;

// One request as the steps learn about it; each field is set by the step named beside it.
struct Exchange {
    Exchange(Service& s, Request r) : service(s), request(std::move(r)) {}

    Service& service;
    Request request;
    std::string_view query_text;                              // route: a view into request.target
    std::optional<auth::AuthSuccess> auth;                    // authenticate
    std::shared_ptr<const AccountSettings::Values> settings;  // account
    Query query;                                              // request
    const CommandSpec* spec = nullptr;                        // request
    Version version = 0;                                      // request
    std::optional<uint32_t> policy_key;                       // request
    wbxml::Document body;                                     // body (null root when empty)
    std::optional<Device> device;                             // device

    const directory::Account& account() const { return auth->account; }
};

// What a step decides: nullopt lets the request go on; an Outcome answers it and ends the chain.
using Verdict = std::optional<Outcome>;

struct Step {
    std::string_view name;  // for the log and for tests
    std::function<Verdict(Exchange&)> run;
};

class Pipeline {
  public:
    explicit Pipeline(Service& service);
    Outcome handle(Request request);
    const std::vector<Step>& steps() const { return steps_; }

  private:
    Service& service_;
    std::vector<Step> steps_;
};

// "Basic base64(user:password)" → (user, password); a "DOMAIN\user" login keeps the user part.
struct BasicCredentials {
    std::string user;
    std::string password;
};
std::optional<BasicCredentials> parse_basic(std::string_view header);

// Splits "/path?query" (the path compared case-insensitively with /Microsoft-Server-ActiveSync).
bool is_activesync_path(std::string_view target, std::string_view& query);

// A plain HTTP answer without body (and the headers every EAS answer carries).
Response http_status(int status);

}  // namespace sb::eas
