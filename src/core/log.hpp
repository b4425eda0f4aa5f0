#pragma once
// Logging set-up. Modules log with spdlog directly, naming the account, device and reason.
#include <string>

#include "core/error.hpp"

namespace sb::log {

// level: trace, debug, info, warn, error, critical, off; file empty → stderr.
Result<void> init(const std::string& level, const std::string& file);

}  // namespace sb::log
