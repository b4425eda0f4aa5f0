#include "core/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>

namespace sb::log {

Result<void> init(const std::string& level, const std::string& file) {
    std::shared_ptr<spdlog::logger> logger;
    try {
        if (file.empty())
            logger = spdlog::stderr_color_mt("switchboard");
        else
            logger = spdlog::basic_logger_mt("switchboard", file);
    } catch (const spdlog::spdlog_ex& e) {
        return fail(Errc::io_error, fmt::format("cannot open log file {}: {}", file, e.what()));
    }
    logger->set_level(spdlog::level::from_str(level));
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
    return {};
}

}  // namespace sb::log
