#pragma once
// The request pipeline, in order (each step may answer on its own):
//   1. method and path                      405 / 404
//   2. Basic authentication                 401 (bad credentials), 503 + Retry-After (throttled)
//   3. account may sync (effective zimbraFeatureMobileSyncEnabled)     403
//   4. OPTIONS → versions and commands
//   5. query string, protocol version, body size and WBXML           400 / 501
//   6. device registration (first contact) and last-seen bookkeeping
//   7. device-control checks (suspension; later ABQ, DoS filter, ...) 403 / Status 129...
//   8. remote wipe pending                  Status 140 (14.0+) / HTTP 449
//   9. provisioning (PolicyKey)             Status 142/143/144 (14.0+) / HTTP 449
//  10. the command from the command table, with the device's lock held
#include <optional>
#include <string>
#include <string_view>

#include "eas/exchange.hpp"

namespace sb::eas {

class Service;

class Pipeline {
  public:
    explicit Pipeline(Service& service) : service_(service) {}
    Outcome handle(Request request);

  private:
    Service& service_;
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
