#include "eas/provision/policy.hpp"

#include <array>

#include "core/digest.hpp"
#include "core/strings.hpp"

namespace sb::eas {

namespace cp = wbxml::cp;

namespace {

enum class Kind { boolean, integer };

struct Entry {
    std::string_view attr;  // zimbraMobilePolicy<...>
    wbxml::Tag tag;
    Kind kind;
    Version since;  // MS-ASPROV 2.2.2: the element's first protocol version
};

// In EASProvisionDoc order (the code page's token order). Tri-state integers use -1 for "do not
// send"; booleans go out as 0/1.
const std::array kEntries = {
    Entry{"DevicePasswordEnabled", cp::provision::DevicePasswordEnabled, Kind::boolean, kV120},
    Entry{"AlphanumericDevicePasswordRequired", cp::provision::AlphanumericDevicePasswordRequired,
          Kind::boolean, kV120},
    Entry{"RequireStorageCardEncryption", cp::provision::RequireStorageCardEncryption,
          Kind::boolean, kV120},
    Entry{"PasswordRecoveryEnabled", cp::provision::PasswordRecoveryEnabled, Kind::boolean, kV120},
    Entry{"MinDevicePasswordLength", cp::provision::MinDevicePasswordLength, Kind::integer, kV120},
    Entry{"MaxInactivityTimeDeviceLock", cp::provision::MaxInactivityTimeDeviceLock, Kind::integer,
          kV120},
    Entry{"MaxDevicePasswordFailedAttempts", cp::provision::MaxDevicePasswordFailedAttempts,
          Kind::integer, kV120},
    Entry{"AllowSimpleDevicePassword", cp::provision::AllowSimpleDevicePassword, Kind::boolean,
          kV120},
    Entry{"DevicePasswordExpiration", cp::provision::DevicePasswordExpiration, Kind::integer,
          kV121},
    Entry{"DevicePasswordHistory", cp::provision::DevicePasswordHistory, Kind::integer, kV121},
    Entry{"AllowStorageCard", cp::provision::AllowStorageCard, Kind::integer, kV121},
    Entry{"AllowCamera", cp::provision::AllowCamera, Kind::integer, kV121},
    Entry{"RequireDeviceEncryption", cp::provision::RequireDeviceEncryption, Kind::integer, kV121},
    Entry{"AllowUnsignedApplications", cp::provision::AllowUnsignedApplications, Kind::integer,
          kV121},
    Entry{"AllowUnsignedInstallationPackages", cp::provision::AllowUnsignedInstallationPackages,
          Kind::integer, kV121},
    Entry{"MinDevicePasswordComplexCharacters", cp::provision::MinDevicePasswordComplexCharacters,
          Kind::integer, kV121},
    Entry{"AllowWiFi", cp::provision::AllowWiFi, Kind::integer, kV121},
    Entry{"AllowTextMessaging", cp::provision::AllowTextMessaging, Kind::integer, kV121},
    Entry{"AllowPOPIMAPEmail", cp::provision::AllowPOPIMAPEmail, Kind::integer, kV121},
    Entry{"AllowBluetooth", cp::provision::AllowBluetooth, Kind::integer, kV121},
    Entry{"AllowIrDA", cp::provision::AllowIrDA, Kind::integer, kV121},
    Entry{"RequireManualSyncWhenRoaming", cp::provision::RequireManualSyncWhenRoaming,
          Kind::integer, kV121},
    Entry{"AllowDesktopSync", cp::provision::AllowDesktopSync, Kind::integer, kV121},
    Entry{"MaxCalendarAgeFilter", cp::provision::MaxCalendarAgeFilter, Kind::integer, kV121},
    Entry{"AllowHTMLEmail", cp::provision::AllowHTMLEmail, Kind::integer, kV121},
    Entry{"MaxEmailAgeFilter", cp::provision::MaxEmailAgeFilter, Kind::integer, kV121},
    Entry{"MaxEmailBodyTruncationSize", cp::provision::MaxEmailBodyTruncationSize, Kind::integer,
          kV121},
    Entry{"MaxEmailHTMLBodyTruncationSize", cp::provision::MaxEmailHTMLBodyTruncationSize,
          Kind::integer, kV121},
    Entry{"RequireSignedSMIMEMessages", cp::provision::RequireSignedSMIMEMessages, Kind::integer,
          kV121},
    Entry{"RequireEncryptedSMIMEMessages", cp::provision::RequireEncryptedSMIMEMessages,
          Kind::integer, kV121},
    Entry{"RequireSignedSMIMEAlgorithm", cp::provision::RequireSignedSMIMEAlgorithm, Kind::integer,
          kV121},
    Entry{"RequireEncryptionSMIMEAlgorithm", cp::provision::RequireEncryptionSMIMEAlgorithm,
          Kind::integer, kV121},
    Entry{"AllowSMIMEEncryptionAlgorithmNegotiation",
          cp::provision::AllowSMIMEEncryptionAlgorithmNegotiation, Kind::integer, kV121},
    Entry{"AllowSMIMESoftCerts", cp::provision::AllowSMIMESoftCerts, Kind::integer, kV121},
    Entry{"AllowBrowser", cp::provision::AllowBrowser, Kind::integer, kV121},
    Entry{"AllowConsumerEmail", cp::provision::AllowConsumerEmail, Kind::integer, kV121},
    Entry{"AllowRemoteDesktop", cp::provision::AllowRemoteDesktop, Kind::integer, kV121},
    Entry{"AllowInternetSharing", cp::provision::AllowInternetSharing, Kind::integer, kV121},
};

constexpr std::string_view kPrefix = "zimbraMobilePolicy";

Version since_of(wbxml::Tag tag) {
    for (auto& e : kEntries)
        if (e.tag == tag) return e.since;
    return kV120;
}

}  // namespace

Policy make_policy(const AttrValues& values) {
    auto single = [&](std::string_view attr) {
        auto v = values(attr);
        return v.empty() ? std::string() : v.front();
    };
    Policy p;
    auto flag = [&](std::string_view attr, bool& out) {
        auto v = single(attr);
        if (!v.empty()) out = directory::is_true(v);
    };
    flag("zimbraFeatureMobilePolicyEnabled", p.enabled);
    flag("zimbraMobilePolicyAllowNonProvisionableDevices", p.allow_non_provisionable);
    flag("zimbraMobilePolicyAllowPartialProvisioning", p.allow_partial);
    auto refresh = single("zimbraMobilePolicyRefreshInterval");
    if (!refresh.empty()) p.refresh_minutes = std::strtoll(refresh.c_str(), nullptr, 10);
    bool suppress_encryption = false;
    flag("zimbraMobilePolicySuppressDeviceEncryption", suppress_encryption);
    std::string signature = p.enabled ? "on" : "off";
    for (auto& e : kEntries) {
        auto v = single(std::string(kPrefix) + std::string(e.attr));
        if (v.empty()) continue;
        std::string value;
        if (e.kind == Kind::boolean) {
            value = directory::is_true(v) ? "1" : "0";
        } else {
            if (v == "-1") continue;  // not sent to the device
            value = v;
        }
        if (e.tag == cp::provision::RequireDeviceEncryption && suppress_encryption) continue;
        p.settings.push_back({e.tag, value});
        signature += "|" + std::string(e.attr) + "=" + value;
    }
    p.unapproved_in_rom = values("zimbraMobilePolicyUnapprovedInROMApplication");
    p.approved_hashes = values("zimbraMobilePolicyApprovedApplication");
    for (auto& r : p.unapproved_in_rom)
        signature += "|rom=" + r;
    for (auto& h : p.approved_hashes)
        signature += "|app=" + h;
    p.hash = crypto::to_hex(crypto::sha256(signature)).substr(0, 16);
    return p;
}

void write_policy_doc(wbxml::Encoder& enc, const Policy& policy, Version version) {
    enc.start(cp::provision::EASProvisionDoc);
    for (auto& s : policy.settings) {
        if (version < since_of(s.tag)) continue;
        enc.element(s.tag, s.value);
        // MS-ASPROV 2.2.2.3: attachments stay allowed; there is no Zimbra attribute for them.
        if (s.tag == cp::provision::PasswordRecoveryEnabled)
            enc.element(cp::provision::AttachmentsEnabled, 1);
    }
    if (version >= kV121) {
        if (!policy.unapproved_in_rom.empty()) {
            enc.start(cp::provision::UnapprovedInROMApplicationList);
            for (auto& n : policy.unapproved_in_rom)
                enc.element(cp::provision::ApplicationName, n);
            enc.end();
        }
        if (!policy.approved_hashes.empty()) {
            enc.start(cp::provision::ApprovedApplicationList);
            for (auto& h : policy.approved_hashes)
                enc.element(cp::provision::Hash, h);
            enc.end();
        }
    }
    enc.end();
}

std::string policy_attribute(std::string_view key) {
    if (key.size() > kPrefix.size() && iequals(key.substr(0, kPrefix.size()), kPrefix))
        key.remove_prefix(kPrefix.size());
    for (auto& e : kEntries)
        if (iequals(e.attr, key)) return std::string(kPrefix) + std::string(e.attr);
    static constexpr std::string_view kOthers[] = {
        "AllowNonProvisionableDevices", "AllowPartialProvisioning", "RefreshInterval",
        "DeviceEncryptionEnabled",      "SuppressDeviceEncryption", "UnapprovedInROMApplication",
        "ApprovedApplication",          "ApprovedApplicationList"};
    for (auto o : kOthers)
        if (iequals(o, key)) return std::string(kPrefix) + std::string(o);
    return "";
}

}  // namespace sb::eas
