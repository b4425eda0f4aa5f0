#pragma once
// The HTTPS endpoint of ActiveSync (MS-ASHTTP): TLS, HTTP/1.1 keep-alive, one coroutine per
// connection on a strand; requests run on a small worker pool (the pipeline blocks on the store),
// and a parked Ping costs its connection's coroutine frames, a timer and the TLS state (OpenSSL
// read/write buffers are released while idle).
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.hpp"

namespace boost::asio {
class io_context;
}

namespace sb::eas {

class Service;

struct ListenerOptions {
    std::string host = "0.0.0.0";
    uint16_t port = 8443;
    std::string cert_file;
    std::string key_file;
    size_t max_connections = 20000;  // beyond it: 503 + Retry-After, then close
    size_t max_body = 32u << 20;     // beyond it: 413
    size_t workers = 4;              // threads running the pipeline
    size_t max_queue = 512;          // requests waiting for a worker; beyond it: 503
    int64_t idle_timeout = 120;      // seconds a connection may sit between requests (Ping aside)
};

class Listener {
  public:
    Listener(boost::asio::io_context& io, Service& service, ListenerOptions options);
    ~Listener();
    // Binds and starts accepting; returns the bound address ("127.0.0.1:8443").
    Result<std::string> start();
    // Stops accepting, answers parked Pings and lets running requests finish.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sb::eas
