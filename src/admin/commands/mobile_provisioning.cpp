// `switchboard mobile getProvisioning|setProvisioning account|cos TARGET ...`: the MDM policy
// attributes (zimbraMobilePolicy*, zimbraFeatureMobilePolicyEnabled) of an account (effective
// values, with where they come from) or of a COS. setProvisioning takes the short EAS policy name
// ("AllowDesktopSync") or the attribute name, and true/false for the integer policies.
#include <fmt/format.h>

#include "admin/commands/common.hpp"
#include "admin/format.hpp"
#include "core/strings.hpp"
#include "directory/attributes.hpp"
#include "directory/directory.hpp"
#include "eas/provision/policy.hpp"

namespace sb::admin {
namespace {

constexpr std::string_view kPrefix = "zimbraMobilePolicy";
constexpr std::string_view kFeature = "zimbraFeatureMobilePolicyEnabled";

bool is_policy_attr(std::string_view name) {
    return iequals(name, kFeature) ||
           (name.size() > kPrefix.size() && iequals(name.substr(0, kPrefix.size()), kPrefix));
}

Result<std::string> attribute_of(std::string_view key) {
    if (iequals(key, kFeature) || iequals(key, "MobilePolicyEnabled")) return std::string(kFeature);
    std::string a = eas::policy_attribute(key);
    if (a.empty() || !directory::find_attr(a))
        return fail(Errc::invalid_argument, fmt::format("unknown provisioning key: {}", key));
    return std::string(directory::find_attr(a)->name);
}

Result<bool> is_cos(const Call& c) {
    if (iequals(c[0], "cos")) return true;
    if (iequals(c[0], "account")) return false;
    return fail(Errc::invalid_argument,
                fmt::format("'{}': the target type is account or cos", c[0]));
}

Result<Output> get(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto cos, is_cos(c));
    SB_TRY_ASSIGN(auto o, c.options(2, {"key"}));
    std::optional<std::string> only;
    if (o.count("key")) {
        SB_TRY_ASSIGN(auto a, attribute_of(o.at("key")));
        only = a;
    }
    TextBlock t;
    nlohmann::json j = nlohmann::json::object();
    auto show = [&](const std::string& name, const std::vector<std::string>& values,
                    const std::string& source) {
        std::string v;
        for (auto& x : values)
            v += (v.empty() ? "" : ",") + x;
        t.row(name, source.empty() ? v : fmt::format("{}    ({})", v, source));
        j[name] = {{"values", values}, {"source", source}};
    };
    if (cos) {
        SB_TRY_ASSIGN(auto x, s.directory->cos(c[1]));
        SB_TRY_ASSIGN(auto own, s.directory->own_attrs(directory::Scope::cos, x.id));
        for (auto& def : directory::all_attrs()) {
            std::string name(def.name);
            if (!is_policy_attr(name) || (only && !iequals(*only, name))) continue;
            auto it = own.find(name);
            if (it != own.end())
                show(name, it->second, "");
            else if (only)
                show(name, {}, "not set");
        }
    } else {
        SB_TRY_ASSIGN(auto a, s.directory->account(c[1]));
        for (auto& def : directory::all_attrs()) {
            std::string name(def.name);
            if (!is_policy_attr(name) || (only && !iequals(*only, name))) continue;
            SB_TRY_ASSIGN(auto ev, s.directory->effective(a, name));
            if (ev.values.empty() && !only) continue;
            show(name, ev.values, ev.source);
        }
    }
    return text_output(t.str(), j);
}

Result<Output> set(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto cos, is_cos(c));
    SB_TRY_ASSIGN(auto attr, attribute_of(c[2]));
    const auto* def = directory::find_attr(attr);
    std::string value = c[3];
    // The product's examples set integer policies with true/false (AllowDesktopSync true).
    if (def->type == directory::AttrType::integer) {
        if (iequals(value, "true"))
            value = "1";
        else if (iequals(value, "false"))
            value = "0";
    } else if (def->type == directory::AttrType::boolean) {
        SB_TRY_ASSIGN(bool b, parse_bool(attr, value));
        value = b ? "TRUE" : "FALSE";
    }
    std::vector<directory::AttrChange> ch{{directory::AttrChange::Op::set, attr, value}};
    if (cos)
        SB_TRY(s.directory->modify_cos(c[1], ch));
    else
        SB_TRY(s.directory->modify_account(c[1], ch));
    return text_output(fmt::format("{} = {} for {} {}\n", attr, value, c[0], c[1]),
                       {{"attribute", attr}, {"value", value}});
}

}  // namespace

void register_mobile_provisioning(CommandTable& t) {
    t.add({"mobile",
           "getProvisioning",
           "",
           "account|cos TARGET [key KEY]",
           "show the mobile device policy (MDM) of an account (effective) or a COS",
           2,
           {},
           get});
    t.add({"mobile",
           "setProvisioning",
           "",
           "account|cos TARGET KEY VALUE",
           "set one mobile device policy, e.g. AllowDesktopSync true",
           4,
           {},
           set});
}

}  // namespace sb::admin
