#pragma once
#include "config/config.hpp"

namespace sb::server {

struct ServeOptions {
    bool demo = false;  // seed a demo domain with accounts, a mobile password and contacts
};

// Runs the server until SIGINT/SIGTERM; returns the process exit code.
int serve(const config::Config& config, const ServeOptions& options);

}  // namespace sb::server
