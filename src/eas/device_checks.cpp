#include "eas/device_checks.hpp"

namespace sb::eas {

std::optional<Denial> SuspendedCheck::check(const CheckInput& in) {
    if (!in.device.suspended) return std::nullopt;
    return Denial{403, 0, "device sync suspended by an administrator"};
}

DeviceChecks::DeviceChecks() {
    add(std::make_unique<SuspendedCheck>());
}

std::optional<Denial> DeviceChecks::run(const CheckInput& in) const {
    for (auto& c : checks_)
        if (auto d = c->check(in)) {
            d->reason = std::string(c->name()) + ": " + d->reason;
            return d;
        }
    return std::nullopt;
}

std::vector<Version> DeviceChecks::versions(const directory::Account& a,
                                            std::string_view device_type,
                                            std::string_view user_agent) const {
    if (versions_) return versions_(a, device_type, user_agent);
    return {std::begin(kSupportedVersions), std::end(kSupportedVersions)};
}

}  // namespace sb::eas
