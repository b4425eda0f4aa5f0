#pragma once
// The command table: one entry per EAS command this server implements, each handler in its own
// file (commands/<name>.cpp). The pipeline looks commands up here and nowhere else.
#include <optional>
#include <span>
#include <string>

#include "eas/context.hpp"
#include "eas/protocol.hpp"
#include "eas/wbxml/code_pages.hpp"

namespace sb::eas {

struct CommandSpec {
    Command command;
    wbxml::Tag root;     // the request's and the response's top element
    wbxml::Tag status;   // the top-level Status of the response (common statuses, 14.0+)
    bool body_optional;  // an empty request reuses the cached one (Sync, Ping)
    Handler run;
};

const CommandSpec* find_command(Command c);
std::span<const CommandSpec> command_table();
// MS-ASHTTP 2.2.2.3 MS-ASProtocolCommands: the implemented commands, comma-separated.
std::string advertised_commands();

// A body holding only the command's top element and a Status (common statuses 140, 142...).
std::string status_body(const CommandSpec& spec, int status);

// Handlers (one file each).
Result<Reply> run_provision(Context& c);
Result<Reply> run_folder_sync(Context& c);
Result<Reply> run_folder_create(Context& c);
Result<Reply> run_folder_update(Context& c);
Result<Reply> run_folder_delete(Context& c);
Result<Reply> run_sync(Context& c);
Result<Reply> run_get_item_estimate(Context& c);
Result<Reply> run_ping(Context& c);
Result<Reply> run_settings(Context& c);

}  // namespace sb::eas
