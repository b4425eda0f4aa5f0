#include "admin/commands/common.hpp"

#include <fmt/format.h>

#include "core/strings.hpp"

namespace sb::admin {

std::vector<directory::AttrChange> to_changes(
    const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::vector<directory::AttrChange> out;
    for (const auto& [n, v] : pairs) {
        directory::AttrChange c;
        c.name = n;
        c.value = v;
        if (!n.empty() && (n[0] == '+' || n[0] == '-')) {
            c.op = n[0] == '+' ? directory::AttrChange::Op::add : directory::AttrChange::Op::remove;
            c.name = n.substr(1);
        }
        out.push_back(std::move(c));
    }
    return out;
}

Result<std::vector<directory::AttrChange>> changes_from(const Call& call, size_t from) {
    SB_TRY_ASSIGN(auto p, call.pairs(from));
    return to_changes(p);
}

nlohmann::json account_json(const directory::Account& a) {
    return {{"id", a.uuid},
            {"name", a.address},
            {"domain", a.domain},
            {"status", std::string(directory::status_name(a.status))},
            {"aliases", a.aliases},
            {"authSource", a.auth_source},
            {"hasPassword", a.has_password},
            {"created", utc_time_text(a.created_at)},
            {"modified", utc_time_text(a.modified_at)}};
}

Result<bool> parse_bool(std::string_view name, std::string_view v) {
    if (iequals(v, "true") || v == "1" || iequals(v, "yes")) return true;
    if (iequals(v, "false") || v == "0" || iequals(v, "no")) return false;
    return fail(Errc::invalid_argument, fmt::format("{} must be true or false, not '{}'", name, v));
}

}  // namespace sb::admin
