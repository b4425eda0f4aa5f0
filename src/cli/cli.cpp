#include "cli/cli.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "admin/command.hpp"
#include "cli/admin_client.hpp"
#include "config/config.hpp"
#include "core/base64.hpp"
#include "core/json.hpp"
#include "server/server.hpp"

namespace sb::cli {
namespace {

int usage_error(const std::string& msg) {
    std::fprintf(stderr, "switchboard: %s\n", msg.c_str());
    return 2;
}

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail(Errc::io_error, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string joined(const std::vector<std::string>& words) {
    std::string s;
    for (const auto& w : words)
        s += (s.empty() ? "" : " ") + w;
    return s;
}

// Why `words` names no admin command ("" when it names one, or a module for `help`). Checked
// before the server is asked, so a typo is reported the same whether or not a server runs.
std::string unknown_command(const std::vector<std::string>& words, bool module_is_enough) {
    const auto& table = admin::commands();
    if (table.module(words[0]).empty())
        return fmt::format("unknown command '{}'; `switchboard help` lists the commands",
                           joined(words));
    if (words.size() == 1 && module_is_enough) return "";
    size_t consumed = 0;
    if (words.size() >= 2 && table.find(words, consumed)) return "";
    if (words.size() == 1)
        return fmt::format("'{}' needs a command; `switchboard help {}` lists them", words[0],
                           words[0]);
    return fmt::format("unknown command '{} {}'; `switchboard help {}` lists the {} commands",
                       words[0], words[1], words[0], words[0]);
}

int run_admin(const config::Config& cfg, const std::vector<std::string>& argv, bool json) {
    nlohmann::json req = {{"argv", argv}};
    // Arguments the command reads as files are read here and sent with it, so the server needs
    // no access to the admin's files.
    size_t consumed = 0;
    if (const admin::Command* c = admin::commands().find(argv, consumed)) {
        nlohmann::json files = nlohmann::json::object();
        for (size_t pos : c->file_args) {
            size_t i = consumed + pos;
            if (i >= argv.size()) continue;
            auto content = read_file(argv[i]);
            if (!content) return usage_error(content.error().message);
            files[std::to_string(i)] = crypto::base64_encode(*content);
        }
        req["files"] = files;
    }
    auto reply = post(cfg.admin_socket, "/v1/command", json_text(req), 3600);
    if (!reply) return usage_error(reply.error().message);
    auto j = nlohmann::json::parse(reply->body, nullptr, false);
    if (!j.is_object())
        return usage_error(
            fmt::format("unexpected answer from the server (HTTP {})", reply->status));
    if (!j.value("ok", false)) {
        std::string msg = j["error"].value("message", "unknown error");
        if (json)
            std::cout << json_text(j, 2) << "\n";
        else
            std::fprintf(stderr, "error: %s\n", msg.c_str());
        return 1;
    }
    if (json) {
        std::cout << json_text(j["result"], 2) << "\n";
    } else {
        std::cout << j.value("text", "");
    }
    std::cout.flush();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_path;
    bool json = false, demo = false;
    std::vector<std::string> rest;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (rest.empty() && (a == "--config" || a == "-c")) {
            if (++i >= argc) return usage_error("--config needs a file");
            config_path = argv[i];
        } else if (a.rfind("--config=", 0) == 0 && rest.empty()) {
            config_path = a.substr(9);
        } else if (a == "--json") {
            json = true;
        } else if (a == "--demo" && !rest.empty() && rest[0] == "serve") {
            demo = true;
        } else if (rest.empty() && (a == "--help" || a == "-h")) {
            rest.push_back("help");
        } else if (rest.empty() && a == "--version") {
            std::printf("switchboard %s\n", SWITCHBOARD_VERSION);
            return 0;
        } else if (!rest.empty() && rest[0] == "serve" && a == "--config") {
            if (++i >= argc) return usage_error("--config needs a file");
            config_path = argv[i];
        } else {
            rest.push_back(std::move(a));
        }
    }
    if (rest.empty() || rest[0] == "help") {
        std::vector<std::string> topic(rest.empty() ? rest.end() : rest.begin() + 1, rest.end());
        if (!topic.empty() && topic[0] != "serve" && topic[0] != "help") {
            // `help MODULE VERB EXTRA...` describes the command; only the command words count.
            if (auto why = unknown_command(topic, true); !why.empty()) return usage_error(why);
        }
        std::cout << admin::help_text(topic);
        return rest.empty() ? 2 : 0;
    }
    auto cfg = config::resolve(config_path);
    if (!cfg) return usage_error(cfg.error().message);
    if (rest[0] == "serve") {
        if (rest.size() > 1)
            return usage_error(fmt::format("unexpected argument to serve: {}", rest[1]));
        return server::serve(*cfg, {demo});
    }
    if (rest.size() >= 2 && (rest[1] == "help" || rest[1] == "--help")) {
        rest.erase(rest.begin() + 1);
        if (auto why = unknown_command(rest, true); !why.empty()) return usage_error(why);
        std::cout << admin::help_text(rest);
        return 0;
    }
    if (auto why = unknown_command(rest, false); !why.empty()) return usage_error(why);
    return run_admin(*cfg, rest, json);
}

}  // namespace sb::cli
