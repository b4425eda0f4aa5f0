#pragma once
// store.url for the PostgreSQL backend: a libpq connection string, either a URI
// ("postgresql://switchboard@db1/switchboard?sslmode=require&pool_size=16") or keyword/value
// ("host=db1 dbname=switchboard pool_size=16"), plus a few Switchboard-only keys that are taken
// out before the rest goes to libpq.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sb::store::postgres {

struct Settings {
    std::string conninfo;  // what libpq sees: the URL without the Switchboard keys
    std::string server;    // "host:port/dbname" for messages (never the password)

    // Switchboard keys (all optional):
    int pool_size = 8;                              // pool_size: open connections per node at most
    std::chrono::milliseconds pool_timeout{10000};  // pool_timeout (s): wait for a free one
    std::string statement_timeout = "60s";          // statement_timeout: server-side, "0" = none
    int write_attempts = 10;  // write_attempts: tries of a write that hits a conflict
    std::chrono::milliseconds connect_timeout{10000};  // libpq's connect_timeout (s)
};

// Splits store.url into the libpq part and the Switchboard keys; errors name the bad key.
Result<Settings> parse_settings(std::string_view url);

// libpq keywords/values passed before the connection string so that the string overrides them:
// a bounded connect time, TCP keepalives, and the application name shown in pg_stat_activity.
struct ConnectDefaults {
    std::vector<const char*> keywords;
    std::vector<const char*> values;
};
const ConnectDefaults& connect_defaults();

}  // namespace sb::store::postgres
