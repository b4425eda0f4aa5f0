#pragma once
// Helpers shared by admin command files.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "admin/command.hpp"
#include "core/utc_time.hpp"
#include "directory/model.hpp"

namespace sb::admin {

// "name value" pairs to attribute changes: "+name" adds a value, "-name" removes one.
std::vector<directory::AttrChange> to_changes(
    const std::vector<std::pair<std::string, std::string>>& pairs);
Result<std::vector<directory::AttrChange>> changes_from(const Call& call, size_t from);

nlohmann::json account_json(const directory::Account& a);
// TRUE/FALSE/true/false/1/0/yes/no → bool, or an error naming the parameter.
Result<bool> parse_bool(std::string_view name, std::string_view value);

inline Output text_output(std::string text, nlohmann::json result = nlohmann::json::object()) {
    Output o;
    o.text = std::move(text);
    o.result = std::move(result);
    return o;
}

}  // namespace sb::admin
