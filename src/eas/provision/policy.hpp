#pragma once
// The provisioning policy of an account (MS-ASPROV 2.2.2.27 EASProvisionDoc), built from the
// effective zimbraMobilePolicy* attributes (account → COS → domain → global → default).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "directory/directory.hpp"
#include "eas/protocol.hpp"
#include "eas/wbxml/wbxml.hpp"

namespace sb::eas {

struct PolicySetting {
    wbxml::Tag tag;
    std::string value;
};

struct Policy {
    bool enabled = true;                         // zimbraFeatureMobilePolicyEnabled
    bool allow_non_provisionable = true;         // zimbraMobilePolicyAllowNonProvisionableDevices
    bool allow_partial = true;                   // zimbraMobilePolicyAllowPartialProvisioning
    int64_t refresh_minutes = 1440;              // zimbraMobilePolicyRefreshInterval
    std::vector<PolicySetting> settings;         // EASProvisionDoc children, in code-page order
    std::vector<std::string> unapproved_in_rom;  // UnapprovedInROMApplicationList/ApplicationName
    std::vector<std::string> approved_hashes;    // ApprovedApplicationList/Hash
    std::string hash;  // identifies the policy: a change makes devices re-provision (Status 143)
};

// The MS-ASPROV policy type of 12.0 and later.
inline constexpr std::string_view kPolicyType = "MS-EAS-Provisioning-WBXML";

// The effective values of an account's attribute (account → COS → domain → global → default).
using AttrValues = std::function<std::vector<std::string>(std::string_view attr)>;
Policy make_policy(const AttrValues& values);
// Writes <EASProvisionDoc> with the elements the version knows.
void write_policy_doc(wbxml::Encoder& enc, const Policy& policy, Version version);
// The attribute that a setProvisioning short key ("AllowDesktopSync") names, or "" when unknown.
std::string policy_attribute(std::string_view key);

}  // namespace sb::eas
