#pragma once
// Exchange ActiveSync protocol facts shared by the request pipeline and the commands: protocol
// versions, command names and codes, and the status values that are common to every command.
#include <cstdint>
#include <optional>
#include <string_view>

namespace sb::eas {

// A protocol version as a number: 25, 120, 121, 140, 141, 160, 161 (the value of the version byte
// of the base64 query, MS-ASHTTP 2.2.1.1.1.1.1).
using Version = int;
inline constexpr Version kV25 = 25, kV120 = 120, kV121 = 121, kV140 = 140, kV141 = 141, kV160 = 160,
                         kV161 = 161;
inline constexpr Version kSupportedVersions[] = {kV25, kV120, kV121, kV140, kV141, kV160, kV161};
// MS-ASHTTP 2.2.2.4: the OPTIONS header value, in the same order.
inline constexpr std::string_view kVersionsHeader = "2.5,12.0,12.1,14.0,14.1,16.0,16.1";

// "14.1" → 141; nullopt for anything this server does not speak.
std::optional<Version> parse_version(std::string_view text);
// 141 → "14.1".
std::string_view version_text(Version v);
inline bool is_supported(Version v) {
    for (Version s : kSupportedVersions)
        if (s == v) return true;
    return false;
}

// MS-ASHTTP 2.2.1.1.1.1.2: the commands and their codes in the base64 query form.
enum class Command : uint8_t {
    Sync = 0,
    SendMail = 1,
    SmartForward = 2,
    SmartReply = 3,
    GetAttachment = 4,
    FolderSync = 9,
    FolderCreate = 10,
    FolderDelete = 11,
    FolderUpdate = 12,
    MoveItems = 13,
    GetItemEstimate = 14,
    MeetingResponse = 15,
    Search = 16,
    Settings = 17,
    Ping = 18,
    ItemOperations = 19,
    Provision = 20,
    ResolveRecipients = 21,
    ValidateCert = 22,
    Find = 23,
};

std::optional<Command> command_by_name(std::string_view name);  // case-sensitive, as sent
std::optional<Command> command_by_code(uint8_t code);
std::string_view command_name(Command c);

// MS-ASCMD 2.2.2: status values every command may return (protocol 14.0 and later).
namespace status {
inline constexpr int kInvalidContent = 101;
inline constexpr int kInvalidWbxml = 102;
inline constexpr int kInvalidXml = 103;
inline constexpr int kUserDisabledForSync = 126;
inline constexpr int kDeviceNotFullyProvisionable = 139;
inline constexpr int kRemoteWipeRequested = 140;
inline constexpr int kLegacyDeviceOnStrictPolicy = 141;
inline constexpr int kDeviceNotProvisioned = 142;
inline constexpr int kPolicyRefresh = 143;
inline constexpr int kInvalidPolicyKey = 144;
inline constexpr int kDeviceBlocked = 129;  // MS-ASCMD 2.2.2: blocked by an admin rule
inline constexpr int kServerErrorRetryLater = 111;
inline constexpr int kCommandNotSupported = 137;
inline constexpr int kVersionNotSupported = 138;
}  // namespace status

}  // namespace sb::eas
