#pragma once
// The admin command table, shared by the CLI (which runs in the same binary and learns from the
// table which arguments are files to upload) and the admin API (which runs the handlers). A
// command is "<module> <verb> args...": mandatory arguments are positional, optional ones are
// "name value" pairs after them, as in the original product's CLI.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace sb::config {
struct Config;
}
namespace sb::store {
class Database;
}
namespace sb::directory {
class Directory;
}
namespace sb::auth {
class Credentials;
class Authenticator;
}  // namespace sb::auth
namespace sb::mailbox {
class Mailbox;
}
namespace sb::addressbook {
class AddressBook;
}
namespace sb::eas {
class Service;
}
namespace sb::dirsync {
class DirectorySync;
}
namespace sb::mail {
class MailEvents;
struct Wiring;
}  // namespace sb::mail

namespace sb::admin {

// Everything a command may use. Protocol modules add their services as they land.
struct Services {
    const config::Config* config = nullptr;
    store::Database* db = nullptr;
    directory::Directory* directory = nullptr;
    auth::Credentials* credentials = nullptr;
    auth::Authenticator* authenticator = nullptr;
    mailbox::Mailbox* mailbox = nullptr;
    addressbook::AddressBook* address_book =
        nullptr;                  // LDAP address book (`mobile addressBook ...`)
    eas::Service* eas = nullptr;  // ActiveSync devices and SyncStates (`mobile ...`)
    dirsync::DirectorySync* dirsync = nullptr;
    // Mail bridges (`mail ...`): events from Dovecot, what Dovecot/Postfix must point at, and
    // the listeners' counters. Null/empty when the server runs without them.
    mail::MailEvents* mail_events = nullptr;
    const mail::Wiring* mail_wiring = nullptr;
    std::function<nlohmann::json()> mail_status;
    // Runtime facts for `status` (listener addresses, start time).
    nlohmann::json runtime = nlohmann::json::object();
};

struct Output {
    nlohmann::json result = nlohmann::json::object();  // --json output
    std::string text;                                  // plain output
};

// The arguments after "<module> <verb>".
class Call {
  public:
    Call(std::vector<std::string> args, std::map<std::string, std::string> files)
        : args_(std::move(args)), files_(std::move(files)) {}

    size_t size() const { return args_.size(); }
    const std::string& operator[](size_t i) const { return args_.at(i); }
    const std::vector<std::string>& args() const { return args_; }
    // Content of an uploaded file argument (by position), or an error naming it.
    Result<std::string> file(size_t position) const;

    // "name value" pairs from `from` on; names are matched case-insensitively against `allowed`
    // (empty = any). Errors name the unknown or incomplete parameter.
    Result<std::map<std::string, std::string>> options(size_t from,
                                                       std::vector<std::string_view> allowed) const;
    // "name value" pairs as they are (attribute changes), in order.
    Result<std::vector<std::pair<std::string, std::string>>> pairs(size_t from) const;

  private:
    std::vector<std::string> args_;
    std::map<std::string, std::string> files_;
};

using Handler = std::function<Result<Output>(Services&, const Call&)>;

struct Command {
    std::string_view module;  // "prov", "auth", "contacts", "mobile", "config", "server"
    std::string_view
        name;  // long verb, e.g. "createAccount"; may contain a space ("credential add")
    std::string_view short_name;    // e.g. "ca" ("" = none)
    std::string_view usage;         // e.g. "ACCOUNT PASSWORD [ATTR VALUE]..."
    std::string_view summary;       // one line
    size_t min_args = 0;            // mandatory positional arguments
    std::vector<size_t> file_args;  // positions of arguments that are local files to upload
    Handler run;
};

class CommandTable {
  public:
    void add(Command c) { commands_.push_back(std::move(c)); }
    // Finds the command for argv ("prov", "ca", ...); `consumed` = words used by module+verb.
    const Command* find(const std::vector<std::string>& argv, size_t& consumed) const;
    std::vector<const Command*> module(std::string_view m) const;
    std::vector<std::string_view> modules() const;
    const std::vector<Command>& all() const { return commands_; }

  private:
    std::vector<Command> commands_;
};

// The table with every command of this build.
const CommandTable& commands();

// Runs argv with uploaded files; errors carry the message the admin sees.
Result<Output> run_command(Services& s, const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& files);

// Help text: all modules, one module, or one command.
std::string help_text(const std::vector<std::string>& topic);

// Registration, one function per command family.
void register_prov(CommandTable& t);
void register_auth(CommandTable& t);
void register_contacts(CommandTable& t);
void register_config(CommandTable& t);
void register_server(CommandTable& t);
void register_addressbook(CommandTable& t);
void register_mobile(CommandTable& t);
void register_dirsync(CommandTable& t);
void register_mail(CommandTable& t);

}  // namespace sb::admin
