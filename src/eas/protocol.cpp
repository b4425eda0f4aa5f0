#include "eas/protocol.hpp"

#include <array>
#include <utility>

namespace sb::eas {
namespace {

constexpr std::array<std::pair<Command, std::string_view>, 20> kCommands{{
    {Command::Sync, "Sync"},
    {Command::SendMail, "SendMail"},
    {Command::SmartForward, "SmartForward"},
    {Command::SmartReply, "SmartReply"},
    {Command::GetAttachment, "GetAttachment"},
    {Command::FolderSync, "FolderSync"},
    {Command::FolderCreate, "FolderCreate"},
    {Command::FolderDelete, "FolderDelete"},
    {Command::FolderUpdate, "FolderUpdate"},
    {Command::MoveItems, "MoveItems"},
    {Command::GetItemEstimate, "GetItemEstimate"},
    {Command::MeetingResponse, "MeetingResponse"},
    {Command::Search, "Search"},
    {Command::Settings, "Settings"},
    {Command::Ping, "Ping"},
    {Command::ItemOperations, "ItemOperations"},
    {Command::Provision, "Provision"},
    {Command::ResolveRecipients, "ResolveRecipients"},
    {Command::ValidateCert, "ValidateCert"},
    {Command::Find, "Find"},
}};

}  // namespace

std::optional<Version> parse_version(std::string_view text) {
    for (Version v : kSupportedVersions)
        if (version_text(v) == text) return v;
    return std::nullopt;
}

std::string_view version_text(Version v) {
    switch (v) {
        case kV25:
            return "2.5";
        case kV120:
            return "12.0";
        case kV121:
            return "12.1";
        case kV140:
            return "14.0";
        case kV141:
            return "14.1";
        case kV160:
            return "16.0";
        case kV161:
            return "16.1";
    }
    return "";
}

std::optional<Command> command_by_name(std::string_view name) {
    for (auto& [c, n] : kCommands)
        if (n == name) return c;
    return std::nullopt;
}

std::optional<Command> command_by_code(uint8_t code) {
    for (auto& [c, n] : kCommands)
        if (static_cast<uint8_t>(c) == code) return c;
    return std::nullopt;
}

std::string_view command_name(Command c) {
    for (auto& [cc, n] : kCommands)
        if (cc == c) return n;
    return "";
}

}  // namespace sb::eas
