#include "admin/command.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/strings.hpp"

namespace sb::admin {

Result<std::string> Call::file(size_t position) const {
    auto it = files_.find(std::to_string(position));
    if (it == files_.end())
        return fail(Errc::invalid_argument,
                    fmt::format("the file '{}' was not uploaded with the command",
                                position < size() ? args_[position] : ""));
    return it->second;
}

Result<std::map<std::string, std::string>> Call::options(
    size_t from, std::vector<std::string_view> allowed) const {
    std::map<std::string, std::string> out;
    for (size_t i = from; i < args_.size(); i += 2) {
        std::string name = args_[i];
        if (!allowed.empty()) {
            auto it = std::find_if(allowed.begin(), allowed.end(),
                                   [&](auto a) { return iequals(a, name); });
            if (it == allowed.end()) {
                std::string list;
                for (auto a : allowed)
                    list += (list.empty() ? "" : ", ") + std::string(a);
                return fail(Errc::invalid_argument,
                            fmt::format("unknown parameter '{}' (expected: {})", name, list));
            }
            name = std::string(*it);
        }
        if (i + 1 >= args_.size())
            return fail(Errc::invalid_argument, fmt::format("parameter '{}' needs a value", name));
        out[name] = args_[i + 1];
    }
    return out;
}

Result<std::vector<std::pair<std::string, std::string>>> Call::pairs(size_t from) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t i = from; i < args_.size(); i += 2) {
        if (i + 1 >= args_.size())
            return fail(Errc::invalid_argument,
                        fmt::format("attribute '{}' needs a value", args_[i]));
        out.emplace_back(args_[i], args_[i + 1]);
    }
    return out;
}

namespace {

size_t match_words(std::string_view name, const std::vector<std::string>& argv, size_t start) {
    auto words = split(name, ' ');
    if (start + words.size() > argv.size()) return 0;
    for (size_t i = 0; i < words.size(); ++i)
        if (!iequals(words[i], argv[start + i])) return 0;
    return words.size();
}

std::string usage_line(const Command& c) {
    return fmt::format("switchboard {} {} {}", c.module, c.name, c.usage);
}

}  // namespace

const Command* CommandTable::find(const std::vector<std::string>& argv, size_t& consumed) const {
    if (argv.size() < 2) return nullptr;
    const Command* best = nullptr;
    size_t best_len = 0;
    for (const auto& c : commands_) {
        if (!iequals(c.module, argv[0])) continue;
        size_t n = match_words(c.name, argv, 1);
        if (n == 0 && !c.short_name.empty()) n = match_words(c.short_name, argv, 1);
        if (n > best_len) best = &c, best_len = n;
    }
    consumed = 1 + best_len;
    return best;
}

std::vector<const Command*> CommandTable::module(std::string_view m) const {
    std::vector<const Command*> out;
    for (const auto& c : commands_)
        if (iequals(c.module, m)) out.push_back(&c);
    return out;
}

std::vector<std::string_view> CommandTable::modules() const {
    std::vector<std::string_view> out;
    for (const auto& c : commands_)
        if (std::find(out.begin(), out.end(), c.module) == out.end()) out.push_back(c.module);
    return out;
}

const CommandTable& commands() {
    static const CommandTable table = [] {
        CommandTable t;
        register_prov(t);
        register_auth(t);
        register_contacts(t);
        register_config(t);
        register_server(t);
        register_addressbook(t);
        register_mobile(t);
        register_dirsync(t);
        register_mail(t);
        return t;
    }();
    return table;
}

Result<Output> run_command(Services& s, const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& files) {
    if (argv.empty())
        return fail(Errc::invalid_argument, "no command given; try: switchboard help");
    size_t consumed = 0;
    const Command* c = commands().find(argv, consumed);
    if (!c) {
        if (commands().module(argv[0]).empty())
            return fail(Errc::invalid_argument,
                        fmt::format("unknown command '{}'; try: switchboard help", argv[0]));
        return fail(Errc::invalid_argument,
                    fmt::format("unknown {} command '{}'; try: switchboard help {}", argv[0],
                                argv.size() > 1 ? argv[1] : "", argv[0]));
    }
    std::vector<std::string> args(argv.begin() + static_cast<long>(consumed), argv.end());
    if (args.size() < c->min_args)
        return fail(Errc::invalid_argument, fmt::format("{} {} needs more arguments\nusage: {}",
                                                        c->module, c->name, usage_line(*c)));
    std::map<std::string, std::string> shifted;
    for (const auto& [k, v] : files) {
        long pos = std::strtol(k.c_str(), nullptr, 10) - static_cast<long>(consumed);
        if (pos >= 0) shifted[std::to_string(pos)] = v;
    }
    return c->run(s, Call(std::move(args), std::move(shifted)));
}

std::string help_text(const std::vector<std::string>& topic) {
    const auto& t = commands();
    std::string out;
    if (topic.empty()) {
        out += "usage: switchboard [--config FILE] [--json] COMMAND ...\n\n";
        out += "  serve [--config FILE] [--demo]   run the server\n";
        out += "  help [MODULE [COMMAND]]           this help\n\n";
        out += "Admin commands (they talk to the running server through its admin socket):\n";
        for (auto m : t.modules()) {
            out += fmt::format("\n  {}\n", m);
            for (auto* c : t.module(m))
                out += fmt::format("    {:<28} {}\n",
                                   c->short_name.empty()
                                       ? std::string(c->name)
                                       : fmt::format("{} ({})", c->name, c->short_name),
                                   c->summary);
        }
        return out;
    }
    if (topic[0] == "serve")
        return "run the server (in the foreground; logs to stderr or log_file)\n\n"
               "usage: switchboard serve [--config FILE] [--demo]\n";
    if (topic[0] == "help") return help_text({});
    size_t consumed = 0;
    if (topic.size() >= 2) {
        if (const Command* c = t.find(topic, consumed))
            return fmt::format("{}\n\nusage: {}\n", c->summary, usage_line(*c));
    }
    auto list = t.module(topic[0]);
    if (list.empty()) return fmt::format("no help for '{}'; try: switchboard help\n", topic[0]);
    for (auto* c : list)
        out += fmt::format("{}\n    {}\n", usage_line(*c), c->summary);
    return out;
}

}  // namespace sb::admin
