#pragma once
// Device-control checks that run after authentication and before any command: the place where
// suspension (this issue), Allow/Block/Quarantine, the DoS filter and EAS version filters plug in.
// Each check may deny the request with an HTTP status or an EAS status.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "directory/model.hpp"
#include "eas/device_store.hpp"
#include "eas/protocol.hpp"
#include "eas/query.hpp"

namespace sb::eas {

struct Denial {
    int http_status = 403;  // answered as is when eas_status is 0 or the version is below 14.0
    int eas_status = 0;     // MS-ASCMD 2.2.2 common status (e.g. 129 blocked), 14.0 and later
    std::string reason;     // for the log
};

struct CheckInput {
    const directory::Account& account;
    const Device& device;
    const Query& query;
    Version version;
};

class DeviceCheck {
  public:
    virtual ~DeviceCheck() = default;
    virtual std::string_view name() const = 0;
    virtual std::optional<Denial> check(const CheckInput& in) = 0;
};

// doSuspendDeviceSync: a suspended device gets 403 until doResumeDeviceSync.
class SuspendedCheck final : public DeviceCheck {
  public:
    std::string_view name() const override { return "suspended"; }
    std::optional<Denial> check(const CheckInput& in) override;
};

class DeviceChecks {
  public:
    DeviceChecks();
    void add(std::unique_ptr<DeviceCheck> check) { checks_.push_back(std::move(check)); }
    // The first denial, in the order the checks were added.
    std::optional<Denial> run(const CheckInput& in) const;

    // The protocol versions offered to a user agent (OPTIONS and the version a POST may use);
    // EAS version filters replace it. Default: every supported version.
    using VersionPolicy = std::function<std::vector<Version>(
        const directory::Account&, std::string_view device_type, std::string_view user_agent)>;
    void set_version_policy(VersionPolicy p) { versions_ = std::move(p); }
    std::vector<Version> versions(const directory::Account& a, std::string_view device_type,
                                  std::string_view user_agent) const;

  private:
    std::vector<std::unique_ptr<DeviceCheck>> checks_;
    VersionPolicy versions_;
};

}  // namespace sb::eas
