// `switchboard config set|get|unset|info|list ...`: settings at global, domain, COS or account
// level, with the original product's setting names (ZxMobile_*, mobileAntiDos*, abq*...).
#include <fmt/format.h>

#include "admin/commands/common.hpp"
#include "admin/format.hpp"
#include "directory/directory.hpp"

namespace sb::admin {
namespace {

using directory::Scope;

struct Target {
    Scope scope;
    std::string name;  // domain / cos / account key ("" for global)
    size_t next;       // index of the first argument after the target
};

Result<Target> target(const Call& c) {
    if (c.size() == 0)
        return fail(Errc::invalid_argument,
                    "give a level: global, domain NAME, cos NAME or account NAME");
    const std::string& level = c[0];
    if (iequals(level, "global")) return Target{Scope::global, "", 1};
    Scope s;
    if (iequals(level, "domain"))
        s = Scope::domain;
    else if (iequals(level, "cos"))
        s = Scope::cos;
    else if (iequals(level, "account"))
        s = Scope::account;
    else
        return fail(Errc::invalid_argument,
                    fmt::format("unknown level '{}': global, domain, cos or account", level));
    if (c.size() < 2) return fail(Errc::invalid_argument, fmt::format("{} needs a name", level));
    return Target{s, c[1], 2};
}

Result<void> apply(Services& s, const Target& t, const std::vector<directory::AttrChange>& ch) {
    auto& d = *s.directory;
    switch (t.scope) {
        case Scope::global:
            return d.set_global(ch);
        case Scope::domain:
            return d.modify_domain(t.name, ch);
        case Scope::cos:
            return d.modify_cos(t.name, ch);
        case Scope::account:
            return d.modify_account(t.name, ch);
    }
    return {};
}

Result<directory::EffectiveValue> read(Services& s, const Target& t, std::string_view key) {
    auto& d = *s.directory;
    const auto* def = directory::find_attr(key);
    if (!def) return fail(Errc::invalid_argument, fmt::format("unknown setting: {}", key));
    auto own = [&](Scope scope, int64_t id) -> Result<directory::EffectiveValue> {
        SB_TRY_ASSIGN(auto m, d.own_attrs(scope, id));
        directory::EffectiveValue ev;
        if (auto it = m.find(def->name); it != m.end())
            ev = {it->second, std::string(directory::scope_name(scope))};
        return ev;
    };
    switch (t.scope) {
        case Scope::global:
            return d.global(key);
        case Scope::account: {
            SB_TRY_ASSIGN(auto a, d.account(t.name));
            return d.effective(a, key);
        }
        case Scope::domain: {
            SB_TRY_ASSIGN(auto x, d.domain(t.name));
            return own(Scope::domain, x.id);
        }
        case Scope::cos: {
            SB_TRY_ASSIGN(auto x, d.cos(t.name));
            return own(Scope::cos, x.id);
        }
    }
    return directory::EffectiveValue{};
}

Result<Output> set(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto t, target(c));
    SB_TRY_ASSIGN(auto ch, changes_from(c, t.next));
    if (ch.empty()) return fail(Errc::invalid_argument, "give a setting and its value");
    for (auto& x : ch)
        if (x.value.empty())
            return fail(Errc::invalid_argument,
                        fmt::format("{}: empty value (use config unset)", x.name));
    SB_TRY(apply(s, t, ch));
    return text_output("");
}

Result<Output> unset(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto t, target(c));
    if (t.next >= c.size()) return fail(Errc::invalid_argument, "give the setting to unset");
    std::vector<directory::AttrChange> ch;
    for (size_t i = t.next; i < c.size(); ++i)
        ch.push_back({directory::AttrChange::Op::set, c[i], ""});
    SB_TRY(apply(s, t, ch));
    return text_output("");
}

Result<Output> get(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto t, target(c));
    if (t.next >= c.size()) return fail(Errc::invalid_argument, "give the setting to read");
    std::string text;
    nlohmann::json j = nlohmann::json::object();
    for (size_t i = t.next; i < c.size(); ++i) {
        SB_TRY_ASSIGN(auto ev, read(s, t, c[i]));
        std::string name(directory::find_attr(c[i])->name);
        std::string value;
        for (auto& v : ev.values)
            value += (value.empty() ? "" : ",") + v;
        const auto* def = directory::find_attr(name);
        text += ev.values.empty() ? fmt::format("{}: (not set)\n", name)
                                  : fmt::format("{}: {}    # from {}\n", name, value, ev.source);
        if (!directory::attr_enforced(*def))
            text += fmt::format("# {} is not enforced yet: {}\n", name, def->pending);
        j[name] = {{"values", ev.values},
                   {"source", ev.source},
                   {"enforced", directory::attr_enforced(*def)}};
    }
    return text_output(text, j);
}

Result<Output> info(Services&, const Call& c) {
    const auto* def = directory::find_attr(c[0]);
    if (!def) return fail(Errc::invalid_argument, fmt::format("unknown setting: {}", c[0]));
    static const char* types[] = {"boolean", "integer", "string", "enumeration", "cos reference"};
    std::string levels;
    for (Scope s : {Scope::account, Scope::cos, Scope::domain, Scope::global})
        if (directory::attr_allowed_at(*def, s))
            levels += (levels.empty() ? "" : ", ") + std::string(directory::scope_name(s));
    TextBlock t;
    t.row("name", def->name).row("type", types[int(def->type)]);
    if (def->min < def->max) t.row("range", fmt::format("{} .. {}", def->min, def->max));
    if (!def->choices.empty()) t.row("values", def->choices);
    t.row("set at", levels.empty() ? "(read-only)" : levels);
    t.row("inherited", def->inherited ? "yes (account, COS, domain, global)" : "no");
    if (!def->cos_default.empty()) t.row("COS default", def->cos_default);
    if (!def->builtin.empty()) t.row("default", def->builtin);
    const bool enforced = directory::attr_enforced(*def);
    t.row("enforced", enforced ? std::string("yes")
                               : fmt::format("not enforced yet: {}; it cannot be set until then",
                                             def->pending));
    return text_output(t.str(), {{"name", def->name},
                                 {"type", types[int(def->type)]},
                                 {"levels", levels},
                                 {"default", def->builtin},
                                 {"cosDefault", def->cos_default},
                                 {"enforced", enforced},
                                 {"notEnforcedReason", def->pending}});
}

Result<Output> list(Services& s, const Call&) {
    std::string text;
    nlohmann::json j = nlohmann::json::object();
    for (const auto& def : directory::all_attrs()) {
        if (def.scopes != uint8_t(Scope::global)) continue;
        SB_TRY_ASSIGN(auto ev, s.directory->global(def.name));
        std::string value = ev.values.empty() ? "" : ev.values.front();
        const bool enforced = directory::attr_enforced(def);
        text += fmt::format("{}: {}{}\n", def.name, value,
                            !enforced                ? "    # not enforced yet"
                            : ev.source == "default" ? "    # default"
                                                     : "");
        j[std::string(def.name)] = {
            {"value", value}, {"source", ev.source}, {"enforced", enforced}};
    }
    return text_output(text, j);
}

}  // namespace

void register_config(CommandTable& t) {
    t.add({"config",
           "set",
           "",
           "global|domain NAME|cos NAME|account NAME KEY VALUE [KEY VALUE]...",
           "change settings at a level",
           3,
           {},
           set});
    t.add({"config",
           "get",
           "",
           "global|domain NAME|cos NAME|account NAME KEY...",
           "show settings (for an account: the effective value and where it comes from)",
           2,
           {},
           get});
    t.add({"config",
           "unset",
           "",
           "global|domain NAME|cos NAME|account NAME KEY...",
           "remove settings so the inherited value applies",
           2,
           {},
           unset});
    t.add({"config", "info", "", "KEY", "describe a setting: type, levels, default", 1, {}, info});
    t.add({"config", "list", "", "global", "show every server-wide setting", 0, {}, list});
}

}  // namespace sb::admin
