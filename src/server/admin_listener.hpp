#pragma once
// The admin API: JSON over HTTP/1.1 on a unix socket (mode 0600). One endpoint:
//   POST /v1/command  {"argv": ["prov", "ca", ...], "files": {"<argv index>": "<base64>"}}
//   → {"ok": true, "result": {...}, "text": "..."} or {"ok": false, "error": {"code", "message"}}
// Commands run one at a time on an admin thread, never on the protocol I/O threads.
#include <memory>
#include <string>

#include "core/error.hpp"

namespace boost::asio {
class io_context;
}
namespace sb::admin {
struct Services;
}

namespace sb::server {

class AdminListener {
  public:
    AdminListener(boost::asio::io_context& io, admin::Services& services);
    ~AdminListener();
    Result<void> start(const std::string& socket_path);
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sb::server
