#include "core/utc_time.hpp"

#include <ctime>

namespace sb {

std::string format_utc(int64_t seconds, const char* format) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    const size_t n = std::strftime(buf, sizeof buf, format, &tm);
    return std::string(buf, n);
}

std::string utc_time_text(int64_t ms) {
    if (ms <= 0) return "";
    return format_utc(ms / 1000, "%Y-%m-%d %H:%M:%S UTC");
}

std::string generalized_time(int64_t seconds) {
    return format_utc(seconds, "%Y%m%d%H%M%SZ");
}

}  // namespace sb
