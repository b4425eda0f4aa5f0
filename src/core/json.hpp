#pragma once
// JSON text that never throws on what clients and directories send: ill-formed UTF-8 in a string
// is written as U+FFFD (nlohmann's default would throw).
#include <string>

#include <nlohmann/json.hpp>

namespace sb {

inline std::string json_text(const nlohmann::json& j, int indent = -1) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sb
