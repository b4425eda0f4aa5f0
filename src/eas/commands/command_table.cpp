#include "eas/commands/command_table.hpp"

#include <array>

namespace sb::eas {

namespace cp = wbxml::cp;

namespace {

const std::array kTable = {
    CommandSpec{Command::Sync, cp::airsync::Sync, cp::airsync::Status, true, run_sync},
    CommandSpec{Command::FolderSync, cp::folderhierarchy::FolderSync, cp::folderhierarchy::Status,
                false, run_folder_sync},
    CommandSpec{Command::FolderCreate, cp::folderhierarchy::FolderCreate,
                cp::folderhierarchy::Status, false, run_folder_create},
    CommandSpec{Command::FolderDelete, cp::folderhierarchy::FolderDelete,
                cp::folderhierarchy::Status, false, run_folder_delete},
    CommandSpec{Command::FolderUpdate, cp::folderhierarchy::FolderUpdate,
                cp::folderhierarchy::Status, false, run_folder_update},
    CommandSpec{Command::GetItemEstimate, cp::getitemestimate::GetItemEstimate,
                cp::getitemestimate::Status, false, run_get_item_estimate},
    CommandSpec{Command::Settings, cp::settings::Settings, cp::settings::Status, false,
                run_settings},
    CommandSpec{Command::Ping, cp::ping::Ping, cp::ping::Status, true, run_ping},
    CommandSpec{Command::Provision, cp::provision::Provision, cp::provision::Status, false,
                run_provision},
};

}  // namespace

const CommandSpec* find_command(Command c) {
    for (auto& s : kTable)
        if (s.command == c) return &s;
    return nullptr;
}

std::span<const CommandSpec> command_table() {
    return kTable;
}

std::string advertised_commands() {
    std::string out;
    for (auto& s : kTable) {
        if (!out.empty()) out += ',';
        out += command_name(s.command);
    }
    return out;
}

std::string status_body(const CommandSpec& spec, int status) {
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(spec.root).element(spec.status, status).end();
    (void)enc.finish();
    return body;
}

Result<Reply> finish(wbxml::Encoder& enc, std::string& body) {
    if (auto r = enc.finish(); !r)
        return fail(Errc::internal, "response encoding: " + r.error().message);
    Reply reply;
    reply.body = std::move(body);
    return reply;
}

}  // namespace sb::eas
