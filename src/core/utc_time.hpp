#pragma once
// Times as text, in UTC. Seconds and milliseconds count from the Unix epoch.
#include <cstdint>
#include <string>

namespace sb {

// `format` as strftime(3) reads it, for the UTC time `seconds`.
std::string format_utc(int64_t seconds, const char* format);

// "2026-11-25 16:40:00 UTC", as admins read times; "" for 0 (never) and earlier.
std::string utc_time_text(int64_t ms);

// GeneralizedTime (RFC 4517 3.3.13) in its UTC form, e.g. "20261125164000Z".
std::string generalized_time(int64_t seconds);

}  // namespace sb
