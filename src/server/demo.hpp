#pragma once
#include <string>

#include "core/error.hpp"

namespace sb::admin {
struct Services;
}

namespace sb::server {

// Creates the demo domain (example.com) with accounts, a mobile password and contacts, unless it
// exists already. Returns a description of the demo data for the start-up banner.
Result<std::string> seed_demo(admin::Services& services);

}  // namespace sb::server
