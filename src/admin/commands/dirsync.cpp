// `switchboard dirsync ...`: directory sync with a company LDAP / Active Directory:
// configuration per domain, dry runs, runs, status, login with directory credentials, and the
// admin's decisions about accounts whose directory identity is gone (relink, retire).
#include <fmt/format.h>
#include <toml++/toml.h>

#include "admin/commands/common.hpp"
#include "admin/format.hpp"
#include "core/json.hpp"
#include "dirsync/config.hpp"
#include "dirsync/report.hpp"
#include "dirsync/service.hpp"

namespace sb::admin {
namespace {

using dirsync::DirectorySync;
using dirsync::SettingChange;

Result<DirectorySync*> service(Services& s) {
    if (!s.dirsync)
        return fail(Errc::unavailable, "directory sync is not available in this server");
    return s.dirsync;
}

nlohmann::json plain(const nlohmann::ordered_json& j) {
    return nlohmann::json::parse(json_text(j));
}

std::vector<SettingChange> to_setting_changes(
    const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::vector<SettingChange> out;
    for (const auto& [k, v] : pairs) {
        SettingChange c{SettingChange::Op::set, k, v};
        if (!k.empty() && (k[0] == '+' || k[0] == '-')) {
            c.op = k[0] == '+' ? SettingChange::Op::add : SettingChange::Op::remove;
            c.key = k.substr(1);
        }
        out.push_back(std::move(c));
    }
    return out;
}

// key → shown value ("(set)" for secrets); `effective` adds defaults for keys not set.
nlohmann::json settings_json(const dirsync::Settings& s, bool effective) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& def : dirsync::all_keys()) {
        std::string v = dirsync::shown_value(s, def);
        bool set = s.count(std::string(def.name)) != 0;
        if (!set && !effective) continue;
        if (!set) v = std::string(def.fallback);
        j[std::string(def.name)] = v;
    }
    return j;
}

Result<Output> set(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto pairs, c.pairs(1));
    if (pairs.empty())
        return fail(Errc::invalid_argument,
                    "nothing to set: dirsync set DOMAIN KEY VALUE [KEY VALUE]...");
    auto changes = to_setting_changes(pairs);
    SB_TRY_ASSIGN(auto result, svc->change(c[0], changes));
    std::string text = fmt::format("Directory sync of {}:\n", c[0]);
    for (const auto& ch : changes) {
        const auto* def = dirsync::find_key(ch.key);
        if (!def) {
            text += fmt::format("  preset {} applied\n", ch.value);
            continue;
        }
        std::string v = dirsync::shown_value(result, *def);
        text += fmt::format("  {} = {}\n", def->name,
                            v.empty() ? fmt::format("(default: {})", def->fallback) : v);
    }
    return text_output(text, {{"domain", c[0]}, {"settings", settings_json(result, false)}});
}

Result<Output> get(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto settings, svc->settings(c[0]));
    std::string text = fmt::format("# dirsync {}\n", c[0]);
    nlohmann::json j = nlohmann::json::object();
    if (c.size() == 1) {
        j = settings_json(settings, false);
        for (auto& [k, v] : j.items())
            text += fmt::format("{}: {}\n", k, v.get<std::string>());
    } else {
        for (size_t i = 1; i < c.size(); ++i) {
            const auto* def = dirsync::find_key(c[i]);
            if (!def)
                return fail(Errc::invalid_argument, fmt::format("unknown dirsync key '{}'", c[i]));
            std::string v = dirsync::shown_value(settings, *def);
            bool set = settings.count(std::string(def->name)) != 0;
            if (!set) v = std::string(def->fallback);
            text += fmt::format("{}: {}{}\n", def->name, v, set ? "" : "   # default");
            j[std::string(def->name)] = v;
        }
    }
    return text_output(text, {{"domain", c[0]}, {"settings", j}});
}

Result<Output> show(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    if (c.size() == 0) {
        SB_TRY_ASSIGN(auto domains, svc->configured_domains());
        std::string text;
        nlohmann::json list = nlohmann::json::array();
        for (const auto& d : domains) {
            SB_TRY_ASSIGN(auto st, svc->status(d));
            std::string last = (st)["lastRun"].is_object()
                                   ? (st)["lastRun"].value("outcome", "") + " " +
                                         (st)["lastRun"].value("started", "")
                                   : "never run";
            std::string servers;
            for (auto& srv : (st)["servers"])
                servers += (servers.empty() ? "" : " ") + srv.get<std::string>();
            text +=
                fmt::format("{}  {}  {}  last run: {}\n", d,
                            (st)["enabled"].get<bool>() ? "enabled " : "disabled", servers, last);
            list.push_back(plain(st));
        }
        if (domains.empty())
            text =
                "no domain has directory sync configured (switchboard dirsync set DOMAIN server "
                "HOST ...)\n";
        return text_output(text, {{"domains", list}});
    }
    SB_TRY_ASSIGN(auto settings, svc->settings(c[0]));
    TextBlock t;
    t.heading(fmt::format("Directory sync of {} (* = set, others are defaults)", c[0]));
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& def : dirsync::all_keys()) {
        bool set = settings.count(std::string(def.name)) != 0;
        std::string v = set ? dirsync::shown_value(settings, def) : std::string(def.fallback);
        t.row(fmt::format("{} {}", set ? "*" : " ", def.name), v.empty() ? "-" : v);
        keys.push_back(
            {{"key", def.name}, {"value", v}, {"set", set}, {"description", def.description}});
    }
    return text_output(t.str(), {{"domain", c[0]}, {"keys", keys}});
}

Result<Output> test(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto o, c.options(1, {"mode"}));
    dirsync::RunOptions opts;
    opts.dry_run = true;
    if (auto it = o.find("mode"); it != o.end()) {
        if (iequals(it->second, "incremental"))
            opts.mode = dirsync::RunOptions::Mode::incremental;
        else if (iequals(it->second, "full"))
            opts.mode = dirsync::RunOptions::Mode::full;
        else if (!iequals(it->second, "auto"))
            return fail(Errc::invalid_argument, "mode must be full, incremental or auto");
    } else {
        opts.mode = dirsync::RunOptions::Mode::full;
    }
    SB_TRY_ASSIGN(auto r, svc->run(c[0], opts));
    return text_output(dirsync::report_text(r) + "Nothing was changed (dry run).\n", plain(r));
}

Result<Output> run(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto o, c.options(1, {"mode", "force"}));
    dirsync::RunOptions opts;
    if (auto it = o.find("mode"); it != o.end()) {
        if (iequals(it->second, "incremental"))
            opts.mode = dirsync::RunOptions::Mode::incremental;
        else if (iequals(it->second, "full"))
            opts.mode = dirsync::RunOptions::Mode::full;
        else if (!iequals(it->second, "auto"))
            return fail(Errc::invalid_argument, "mode must be full, incremental or auto");
    }
    if (auto it = o.find("force"); it != o.end()) {
        SB_TRY_ASSIGN(auto b, parse_bool("force", it->second));
        opts.force = b;
    }
    SB_TRY_ASSIGN(auto r, svc->run(c[0], opts));
    return text_output(dirsync::report_text(r), plain(r));
}

std::string status_text(const nlohmann::ordered_json& st) {
    TextBlock t;
    t.heading(fmt::format("Directory sync of {}", st.value("domain", "")));
    if (!st.value("configured", false)) {
        t.row("configured", "no");
        return t.str();
    }
    std::string servers;
    for (auto& srv : st["servers"])
        servers += (servers.empty() ? "" : " ") + srv.get<std::string>();
    t.row("servers", servers + " (" + st.value("protocol", "") + ")");
    t.row("enabled", st.value("enabled", false) ? "yes" : "no");
    t.row("interval",
          st.value("interval", "") + ", full runs every " + st.value("fullSyncInterval", ""));
    t.row("next run", st.value("nextRun", ""));
    if (st["running"].is_object())
        t.row("running", "since " + st["running"].value("since", "") + " (" +
                             st["running"].value("trigger", "") + ")");
    t.row("synced accounts", std::to_string(st.value("syncedAccounts", int64_t{0})));
    if (st.value("lockedForRemoval", int64_t{0}))
        t.row("locked for removal", std::to_string(st.value("lockedForRemoval", int64_t{0})));
    if (const int64_t gone = st.value("lockedGone", int64_t{0})) {
        std::string text = std::to_string(gone) + " (gone from the directory)";
        std::string some;
        if (st.contains("goneAccounts"))
            for (auto& a : st["goneAccounts"])
                some += (some.empty() ? "" : ", ") + a.get<std::string>();
        if (!some.empty()) text += "   e.g. " + some;
        t.row("locked, gone", text);
    }
    t.row("last full run",
          st.value("lastFullRun", "").empty() ? "never" : st.value("lastFullRun", ""));
    if (st["lastSuccessfulRun"].is_object()) {
        const auto& ok = st["lastSuccessfulRun"];
        t.row("last successful run",
              fmt::format("{} ({}, {:.1f} s)", ok.value("started", ""), ok.value("kind", ""),
                          static_cast<double>(ok.value("durationMs", int64_t{0})) / 1000.0));
    }
    std::string out = t.str();
    if (st["lastRun"].is_object())
        out += "\nLast run:\n" + dirsync::report_text(st["lastRun"]);
    else
        out += "\nNo run yet: try switchboard dirsync test " + st.value("domain", "") + "\n";
    return out;
}

Result<Output> status(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    std::vector<std::string> domains;
    if (c.size() > 0) {
        domains.push_back(c[0]);
    } else {
        SB_TRY_ASSIGN(auto all, svc->configured_domains());
        domains = all;
        if (domains.empty())
            return text_output("no domain has directory sync configured\n",
                               {{"domains", nlohmann::json::array()}});
    }
    std::string text;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& d : domains) {
        SB_TRY_ASSIGN(auto st, svc->status(d));
        text += (text.empty() ? "" : "\n") + status_text(st);
        list.push_back(plain(st));
    }
    if (c.size() > 0) return text_output(text, list.front());
    return text_output(text, {{"domains", list}});
}

Result<Output> history(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto o, c.options(1, {"count"}));
    int count = 10;
    if (auto it = o.find("count"); it != o.end())
        count = std::clamp(std::atoi(it->second.c_str()), 1, 100);
    SB_TRY_ASSIGN(auto runs, svc->history(c[0], count));
    std::string text;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : runs) {
        std::string detail = r.contains("error") ? r["error"].get<std::string>() : "";
        if (detail.empty() && r.contains("counts")) {
            const auto& n = r["counts"];
            detail = fmt::format("{} created, {} updated, {} renamed, {} locked, {} deleted",
                                 n.value("created", int64_t{0}), n.value("updated", int64_t{0}),
                                 n.value("renamed", int64_t{0}),
                                 n.value("locked", int64_t{0}) + n.value("lockedGone", int64_t{0}) +
                                     n.value("lockedForRemoval", int64_t{0}),
                                 n.value("deleted", int64_t{0}));
        }
        text +=
            fmt::format("{}  {:<11} {:<8} {:<14} {:>7.1f} s  {}\n", r.value("started", ""),
                        r.value("kind", ""), r.value("trigger", ""), r.value("outcome", ""),
                        static_cast<double>(r.value("durationMs", int64_t{0})) / 1000.0, detail);
        list.push_back(plain(r));
    }
    if (runs.empty()) text = fmt::format("no run of {} yet\n", c[0]);
    return text_output(text, {{"domain", c[0]}, {"runs", list}});
}

Result<Output> groups(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto gs, svc->groups(c[0]));
    std::string text;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& g : gs) {
        text +=
            fmt::format("{}{}  ({} members in scope, {} values)  {}\n", g.name,
                        g.selected ? " [synced]" : "", g.member_dns.size(), g.member_values, g.dn);
        list.push_back({{"name", g.name},
                        {"dn", g.dn},
                        {"description", g.description},
                        {"selected", g.selected},
                        {"members", g.member_dns},
                        {"memberValues", g.member_values}});
    }
    if (gs.empty())
        text =
            fmt::format("no groups read for {} (group_filter empty, or no full run yet)\n", c[0]);
    return text_output(text, {{"domain", c[0]}, {"groups", list}});
}

Result<Output> remove(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY(svc->remove(c[0]));
    return text_output(
        fmt::format(
            "Directory sync of {} removed; its accounts stay (switch them to local passwords "
            "with: switchboard dirsync auth ACCOUNT local)\n",
            c[0]),
        {{"domain", c[0]}, {"removed", true}});
}

Result<Output> auth_source(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    bool directory = false;
    if (iequals(c[1], "directory") || iequals(c[1], "ldap"))
        directory = true;
    else if (!iequals(c[1], "local"))
        return fail(Errc::invalid_argument, "the source must be directory or local");
    SB_TRY_ASSIGN(auto msg, svc->set_auth_source(c[0], directory));
    return text_output(msg + "\n",
                       {{"account", c[0]}, {"authSource", directory ? "directory" : "local"}});
}

Result<Output> relink(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto msg, svc->relink(c[0]));
    return text_output(msg + "\n", {{"account", c[0]}, {"relinked", true}, {"message", msg}});
}

Result<Output> retire(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto o, c.options(1, {"as"}));
    std::string as;
    if (auto it = o.find("as"); it != o.end()) as = it->second;
    SB_TRY_ASSIGN(auto msg, svc->retire(c[0], as));
    return text_output(msg + "\n", {{"account", c[0]}, {"retired", true}, {"message", msg}});
}

// A TOML value as the text `dirsync set` takes; arrays become one change per element.
Result<std::vector<SettingChange>> toml_changes(const toml::table& table,
                                                const std::string& prefix) {
    std::vector<SettingChange> out;
    for (auto&& [k, node] : table) {
        std::string key(k.str());
        if (node.is_table()) {
            return fail(Errc::invalid_argument,
                        fmt::format("{}{}: tables are not dirsync keys", prefix, key));
        }
        if (auto* arr = node.as_array()) {
            bool first = true;
            if (arr->empty()) out.push_back({SettingChange::Op::set, key, ""});
            for (auto& e : *arr) {
                auto v = e.is_string() ? e.value<std::string>() : std::nullopt;
                if (!v)
                    return fail(Errc::invalid_argument,
                                fmt::format("{}{}: array elements must be strings", prefix, key));
                out.push_back({first ? SettingChange::Op::set : SettingChange::Op::add, key, *v});
                first = false;
            }
            continue;
        }
        std::string value;
        if (node.is_string())
            value = *node.value<std::string>();
        else if (node.is_boolean())
            value = *node.value<bool>() ? "TRUE" : "FALSE";
        else if (node.is_integer())
            value = std::to_string(*node.value<int64_t>());
        else
            return fail(
                Errc::invalid_argument,
                fmt::format("{}{}: must be a string, boolean, integer or array", prefix, key));
        out.push_back({SettingChange::Op::set, key, value});
    }
    return out;
}

// The whole configuration of a domain from a TOML file: keys at the top or in a [dirsync] table.
Result<Output> load(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto content, c.file(1));
    toml::table root;
    try {
        root = toml::parse(content, c[1]);
    } catch (const toml::parse_error& e) {
        return fail(Errc::parse_error, fmt::format("{}:{}:{}: {}", c[1], e.source().begin.line,
                                                   e.source().begin.column, e.description()));
    }
    const toml::table* table = &root;
    std::string prefix;
    if (auto* d = root.get_as<toml::table>("dirsync"); d && root.size() == 1) {
        table = d;
        prefix = "dirsync.";
    }
    SB_TRY_ASSIGN(auto changes, toml_changes(*table, prefix));
    // A file without the password keeps the stored one: secrets need not sit in files.
    bool has_password = std::any_of(changes.begin(), changes.end(), [](auto& ch) {
        return dirsync::find_key(ch.key) == dirsync::find_key("bind_password");
    });
    if (!has_password) {
        auto current = svc->settings(c[0]);
        if (current) {
            if (auto it = current->find("bind_password"); it != current->end())
                changes.push_back({SettingChange::Op::set, "bind_password", it->second});
        }
    }
    auto result = svc->replace(c[0], changes);
    if (!result)
        return fail(result.error().code, fmt::format("{}: {}", c[1], result.error().message));
    return text_output(fmt::format("Directory sync of {} loaded from {} ({} keys set)\n", c[0],
                                   c[1], result->size()),
                       {{"domain", c[0]}, {"settings", settings_json(*result, false)}});
}

}  // namespace

namespace {

// A domain's keys, one at a time.
void add_settings_verbs(CommandTable& t) {
    t.add({"dirsync",
           "set",
           "",
           "DOMAIN KEY VALUE [KEY VALUE]... (+KEY adds, -KEY removes a value; '' unsets; "
           "preset active-directory|openldap)",
           "configure directory sync of a domain (see: switchboard dirsync show DOMAIN)",
           3,
           {},
           set});
    t.add({"dirsync",
           "get",
           "",
           "DOMAIN [KEY]...",
           "show the keys set (secrets as \"(set)\")",
           1,
           {},
           get});
    t.add({"dirsync",
           "show",
           "",
           "[DOMAIN]",
           "every key with its value or default; without DOMAIN: the configured domains",
           0,
           {},
           show});
}

// Runs and what they found.
void add_run_verbs(CommandTable& t) {
    t.add({"dirsync",
           "test",
           "",
           "DOMAIN [mode full|incremental]",
           "dry run: connect, read, and report what would be created, updated, locked and deleted",
           1,
           {},
           test});
    t.add({"dirsync",
           "run",
           "",
           "DOMAIN [mode full|incremental|auto] [force true]",
           "synchronise now (force: allow one run past delete_threshold)",
           1,
           {},
           run});
    t.add({"dirsync",
           "status",
           "",
           "[DOMAIN]",
           "last run, duration, counts, errors, next run",
           0,
           {},
           status});
    t.add({"dirsync", "history", "", "DOMAIN [count N]", "the latest runs", 1, {}, history});
    t.add({"dirsync", "groups", "", "DOMAIN", "groups read by the last full run", 1, {}, groups});
}

// The configuration as a whole.
void add_configuration_verbs(CommandTable& t) {
    t.add({"dirsync",
           "load",
           "",
           "DOMAIN FILE",
           "replace the configuration with a TOML file (keys as in dirsync show; a missing "
           "bind_password is kept)",
           2,
           {1},
           load});
    t.add({"dirsync",
           "remove",
           "",
           "DOMAIN",
           "forget the configuration (accounts stay)",
           1,
           {},
           remove});
}

// One account and its directory entry.
void add_account_verbs(CommandTable& t) {
    t.add({"dirsync",
           "auth",
           "",
           "ACCOUNT directory|local",
           "log in with the directory password (the name must match a directory user) or the local "
           "one",
           2,
           {},
           auth_source});
    t.add({"dirsync",
           "relink",
           "",
           "ACCOUNT",
           "hand an account whose directory entry is gone over to the new entry that maps to its "
           "address (mailbox, contacts and devices go with it)",
           1,
           {},
           relink});
    t.add({"dirsync",
           "retire",
           "",
           "ACCOUNT [as NEWADDRESS]",
           "rename and lock an account whose directory entry is gone, so the next run creates a "
           "new account for the entry that maps to its address",
           1,
           {},
           retire});
}

}  // namespace

void register_dirsync(CommandTable& t) {
    add_settings_verbs(t);
    add_run_verbs(t);
    add_configuration_verbs(t);
    add_account_verbs(t);
}

}  // namespace sb::admin
