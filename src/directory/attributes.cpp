#include "directory/attributes.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/strings.hpp"

namespace sb::directory {
namespace {

constexpr uint8_t kAccount = uint8_t(Scope::account);
constexpr uint8_t kGlobal = uint8_t(Scope::global);
constexpr uint8_t kDomain = uint8_t(Scope::domain);
// Inherited attributes may be set at every level; the nearest one wins.
constexpr uint8_t kAll = Scope::account | Scope::cos | Scope::domain | Scope::global;

constexpr AttrDef person(std::string_view name, std::string_view alias = {}) {
    return AttrDef{name, AttrType::string, kAccount, false, false, "", "", 0, 0, {}, alias};
}
constexpr AttrDef flag(std::string_view name, std::string_view cos_default,
                       std::string_view builtin) {
    return AttrDef{name, AttrType::boolean, kAll, true, false, cos_default, builtin};
}
constexpr AttrDef number(std::string_view name, std::string_view cos_default, int64_t min,
                         int64_t max) {
    return AttrDef{name, AttrType::integer, kAll, true, false, cos_default, cos_default, min, max};
}
// Mobile policy values that may be -1 ("not sent to the device").
constexpr AttrDef tri(std::string_view name, std::string_view cos_default, int64_t max = 1) {
    return number(name, cos_default, -1, max);
}
constexpr AttrDef text(std::string_view name, bool multi = false) {
    return AttrDef{name, AttrType::string, kAll, true, multi, "", ""};
}
constexpr AttrDef setting(std::string_view name, AttrType type, std::string_view builtin,
                          int64_t min = 0, int64_t max = 0, std::string_view choices = {}) {
    return AttrDef{name, type, kGlobal, true, false, "", builtin, min, max, choices};
}
// A setting of the original product that nothing reads yet: known, shown, refused when set.
constexpr AttrDef pending(AttrDef def, std::string_view missing) {
    def.builtin = {};
    def.cos_default = {};
    def.pending = missing;
    return def;
}
constexpr std::string_view kNeedsAbq =
    "the Allow/Block/Quarantine device control (ABQ) is not built yet";
constexpr std::string_view kNeedsAntiDos = "the ActiveSync DoS filter is not built yet";
constexpr std::string_view kNeedsMail =
    "mail quotas need the mail store integration (Dovecot), which is not built yet";

constexpr AttrDef kAttrs[] = {
    // identity and status of an account (derived or stored in columns)
    {"zimbraId", AttrType::string, 0, false, false, "", "", 0, 0, {}, {}, AttrStorage::identity},
    {"mail",
     AttrType::string,
     0,
     false,
     false,
     "",
     "",
     0,
     0,
     {},
     "zimbraMailDeliveryAddress",
     AttrStorage::identity},
    {"zimbraMailAlias",
     AttrType::string,
     0,
     false,
     true,
     "",
     "",
     0,
     0,
     {},
     {},
     AttrStorage::identity},
    {"zimbraCreateTimestamp",
     AttrType::string,
     0,
     false,
     false,
     "",
     "",
     0,
     0,
     {},
     {},
     AttrStorage::identity},
    {"zimbraAccountStatus",
     AttrType::enumeration,
     kAccount,
     false,
     false,
     "",
     "active",
     0,
     0,
     "active|locked|closed",
     {},
     AttrStorage::status},
    {"zimbraCOSId", AttrType::cos_ref, kAccount, false, false, "", ""},
    {"zimbraDomainDefaultCOSId", AttrType::cos_ref, kDomain, false, false, "", ""},
    // The account whose contacts are the domain's GAL contacts (shown in its GAL beside the
    // accounts, e.g. suppliers or shared numbers every user should find).
    {"zimbraGalAccountId", AttrType::account_ref, kDomain, false, false, "", ""},
    // person fields (account only)
    person("displayName"),
    person("cn", "commonName"),
    person("givenName"),
    person("sn", "surname"),
    person("initials"),
    person("telephoneNumber"),
    person("homePhone"),
    person("mobile"),
    person("facsimileTelephoneNumber"),
    person("pager"),
    person("title"),
    person("company", "o"),
    person("ou", "department"),
    person("physicalDeliveryOfficeName"),
    person("street"),
    person("l"),
    person("st"),
    person("postalCode"),
    person("c"),
    person("co"),
    person("postalAddress"),
    person("description"),
    person("zimbraNotes"),
    // features and GAL
    flag("zimbraFeatureMobileSyncEnabled", "FALSE", "FALSE"),
    flag("zimbraHideInGal", "", "FALSE"),
    pending(number("zimbraMailQuota", "0", 0, INT64_MAX), kNeedsMail),
    // mobile device management (MDM); see the mobile provisioning reference for meanings
    flag("zimbraFeatureMobilePolicyEnabled", "TRUE", "TRUE"),
    flag("zimbraMobilePolicyAllowNonProvisionableDevices", "TRUE", "TRUE"),
    flag("zimbraMobilePolicyAllowPartialProvisioning", "TRUE", "TRUE"),
    number("zimbraMobilePolicyRefreshInterval", "1440", 0, 1000000),
    flag("zimbraMobilePolicyDevicePasswordEnabled", "TRUE", "TRUE"),
    number("zimbraMobilePolicyMinDevicePasswordLength", "4", 1, 16),
    flag("zimbraMobilePolicyAllowSimpleDevicePassword", "FALSE", "FALSE"),
    flag("zimbraMobilePolicyAlphanumericDevicePasswordRequired", "FALSE", "FALSE"),
    number("zimbraMobilePolicyMinDevicePasswordComplexCharacters", "0", 0, 4),
    number("zimbraMobilePolicyDevicePasswordExpiration", "0", 0, 730),
    number("zimbraMobilePolicyDevicePasswordHistory", "8", 0, 50),
    number("zimbraMobilePolicyMaxInactivityTimeDeviceLock", "15", 0, 9999),
    number("zimbraMobilePolicyMaxDevicePasswordFailedAttempts", "4", 0, 16),
    flag("zimbraMobilePolicyPasswordRecoveryEnabled", "TRUE", "TRUE"),
    flag("zimbraMobilePolicyDeviceEncryptionEnabled", "TRUE", "TRUE"),
    tri("zimbraMobilePolicyRequireDeviceEncryption", "0"),
    flag("zimbraMobilePolicyRequireStorageCardEncryption", "FALSE", "FALSE"),
    flag("zimbraMobilePolicySuppressDeviceEncryption", "FALSE", "FALSE"),
    tri("zimbraMobilePolicyAllowStorageCard", "1"),
    tri("zimbraMobilePolicyAllowCamera", "1"),
    tri("zimbraMobilePolicyAllowUnsignedApplications", "1"),
    tri("zimbraMobilePolicyAllowUnsignedInstallationPackages", "1"),
    tri("zimbraMobilePolicyAllowWiFi", "1"),
    tri("zimbraMobilePolicyAllowTextMessaging", "1"),
    tri("zimbraMobilePolicyAllowPOPIMAPEmail", "1"),
    tri("zimbraMobilePolicyAllowBluetooth", "2", 2),
    tri("zimbraMobilePolicyAllowIrDA", "1"),
    tri("zimbraMobilePolicyRequireManualSyncWhenRoaming", "0"),
    tri("zimbraMobilePolicyAllowDesktopSync", "1"),
    tri("zimbraMobilePolicyMaxCalendarAgeFilter", "5", 7),
    tri("zimbraMobilePolicyAllowHTMLEmail", "1"),
    tri("zimbraMobilePolicyMaxEmailAgeFilter", "5", 5),
    number("zimbraMobilePolicyMaxEmailBodyTruncationSize", "-1", -1, INT32_MAX),
    number("zimbraMobilePolicyMaxEmailHTMLBodyTruncationSize", "-1", -1, INT32_MAX),
    tri("zimbraMobilePolicyRequireSignedSMIMEMessages", "0"),
    tri("zimbraMobilePolicyRequireEncryptedSMIMEMessages", "0"),
    tri("zimbraMobilePolicyRequireSignedSMIMEAlgorithm", "0"),
    tri("zimbraMobilePolicyRequireEncryptionSMIMEAlgorithm", "0"),
    tri("zimbraMobilePolicyAllowSMIMEEncryptionAlgorithmNegotiation", "2", 2),
    tri("zimbraMobilePolicyAllowSMIMESoftCerts", "1"),
    tri("zimbraMobilePolicyAllowBrowser", "1"),
    tri("zimbraMobilePolicyAllowConsumerEmail", "1"),
    tri("zimbraMobilePolicyAllowRemoteDesktop", "1"),
    tri("zimbraMobilePolicyAllowInternetSharing", "1"),
    text("zimbraMobilePolicyUnapprovedInROMApplication", true),
    text("zimbraMobilePolicyApprovedApplication", true),
    text("zimbraMobilePolicyApprovedApplicationList", true),
    // server-wide mobile settings (the original's config engine; set with `config set global`)
    setting("ZxMobile_NotificationsLatency", AttrType::integer, "0", 0, 3600),
    setting("ZxMobile_UseInstantNotficiations", AttrType::boolean, "TRUE"),
    setting("ZxMobile_MaxPingHeartbeat", AttrType::integer, "3540", 60, 86400),
    pending(setting("mobileAntiDosServiceEnabled", AttrType::boolean, "FALSE"), kNeedsAntiDos),
    pending(setting("mobileAntiDosServiceJailDuration", AttrType::integer, "600000", 0, INT32_MAX),
            kNeedsAntiDos),
    pending(setting("mobileAntiDosServiceTimeWindow", AttrType::integer, "30000", 1, INT32_MAX),
            kNeedsAntiDos),
    pending(setting("mobileAntiDosServiceMaxRequests", AttrType::integer, "150", 0, INT32_MAX),
            kNeedsAntiDos),
    pending(setting("abqMode", AttrType::enumeration, "Disabled", 0, 0,
                    "Permissive|Interactive|Strict|Disabled"),
            kNeedsAbq),
    pending(setting("abqNotificationsInterval", AttrType::integer, "0", 0, INT32_MAX), kNeedsAbq),
    pending(setting("abq_enabled_at_startup", AttrType::boolean, "TRUE"), kNeedsAbq),
    // authentication throttling (failures before a client address or an account is slowed down)
    setting("authThrottleAccountFailures", AttrType::integer, "10", 1, 100000),
    setting("authThrottleAddressFailures", AttrType::integer, "30", 1, 1000000),
    setting("authThrottleWindow", AttrType::integer, "900", 1, 86400),
    setting("authThrottleInitialDelay", AttrType::integer, "1", 1, 3600),
    setting("authThrottleMaxDelay", AttrType::integer, "900", 1, 86400),
};

}  // namespace

std::string_view scope_name(Scope s) {
    switch (s) {
        case Scope::global:
            return "global";
        case Scope::domain:
            return "domain";
        case Scope::cos:
            return "cos";
        case Scope::account:
            return "account";
    }
    return "global";
}

const AttrDef* find_attr(std::string_view name) {
    for (const auto& d : kAttrs)
        if (iequals(d.name, name) || (!d.alias.empty() && iequals(d.alias, name))) return &d;
    return nullptr;
}

std::span<const AttrDef> all_attrs() {
    return kAttrs;
}

bool attr_allowed_at(const AttrDef& def, Scope scope) {
    return (def.scopes & uint8_t(scope)) != 0;
}

Result<std::string> normalize_value(const AttrDef& def, std::string_view value) {
    switch (def.type) {
        case AttrType::boolean:
            if (iequals(value, "TRUE") || value == "1") return std::string("TRUE");
            if (iequals(value, "FALSE") || value == "0") return std::string("FALSE");
            return fail(Errc::invalid_argument,
                        fmt::format("{} must be TRUE or FALSE, not '{}'", def.name, value));
        case AttrType::integer: {
            int64_t v = 0;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
            if (ec != std::errc() || p != value.data() + value.size())
                return fail(Errc::invalid_argument,
                            fmt::format("{} must be an integer, not '{}'", def.name, value));
            if (def.min < def.max && (v < def.min || v > def.max))
                return fail(Errc::invalid_argument,
                            fmt::format("{} must be between {} and {}, not {}", def.name, def.min,
                                        def.max, v));
            return std::to_string(v);
        }
        case AttrType::enumeration: {
            std::string_view rest = def.choices;
            while (!rest.empty()) {
                auto bar = rest.find('|');
                auto choice = rest.substr(0, bar);
                if (iequals(choice, value)) return std::string(choice);
                rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
            }
            std::string list(def.choices);
            std::replace(list.begin(), list.end(), '|', ',');
            return fail(Errc::invalid_argument,
                        fmt::format("{} must be one of {}, not '{}'", def.name, list, value));
        }
        case AttrType::string:
        case AttrType::cos_ref:
        case AttrType::account_ref:
            if (value.size() > 65536)
                return fail(Errc::invalid_argument,
                            fmt::format("{}: value too long ({} bytes)", def.name, value.size()));
            return std::string(value);
    }
    return std::string(value);
}

}  // namespace sb::directory
