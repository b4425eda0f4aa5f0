#pragma once
// A minimal HTTP/1.1 client for the admin socket (the CLI side of the admin API).
#include <string>

#include "core/error.hpp"

namespace sb::cli {

struct HttpReply {
    int status = 0;
    std::string body;
};

// POSTs `body` to `target` on the unix socket at `socket_path`; waits at most `timeout_s`.
Result<HttpReply> post(const std::string& socket_path, const std::string& target,
                       const std::string& body, int timeout_s);

}  // namespace sb::cli
