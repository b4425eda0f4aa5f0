// `switchboard server status`: what is running and where.
#include <fmt/format.h>

#include "admin/commands/common.hpp"
#include "admin/format.hpp"
#include "config/config.hpp"
#include "core/json.hpp"
#include "directory/directory.hpp"
#include "store/migrations.hpp"

namespace sb::admin {
namespace {

Result<Output> status(Services& s, const Call&) {
    SB_TRY_ASSIGN(auto domains, s.directory->domains());
    SB_TRY_ASSIGN(auto accounts, s.directory->account_count());
    nlohmann::json j = s.runtime;
    j["domains"] = domains.size();
    j["accounts"] = accounts;
    j["schemaVersion"] = store::current_schema_version();
    j["dataDir"] = s.config->data_dir;
    j["store"] = s.config->store.backend;
    TextBlock t;
    for (auto& [k, v] : j.items()) {
        if (v.is_object()) {
            for (auto& [k2, v2] : v.items())
                t.row(k + "." + k2, v2.is_string() ? v2.get<std::string>() : json_text(v2));
        } else {
            t.row(k, v.is_string() ? v.get<std::string>() : json_text(v));
        }
    }
    return text_output(t.str(), j);
}

}  // namespace

void register_server(CommandTable& t) {
    t.add({"server", "status", "", "", "version, listeners, store and counts", 0, {}, status});
}

}  // namespace sb::admin
