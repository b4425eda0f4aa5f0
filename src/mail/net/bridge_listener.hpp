#pragma once
// A listener for one of the small request/answer protocols Dovecot and Postfix speak to
// Switchboard (tab lines, netstrings). The session owns the socket and feeds the codec; answers
// are computed on a worker pool (they read the store and may hash passwords), never on the I/O
// threads. A malformed stream gets one error answer and the connection is closed.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace boost::asio {
class io_context;
}

namespace sb::mail {

struct Frame {
    bool complete = false;
    std::string_view payload;
    size_t consumed = 0;
};

struct BridgeProtocol {
    // Cuts the first request of the bytes received so far (or says "need more", or fails).
    std::function<Result<Frame>(std::string_view buffered)> cut;
    // The answer's bytes to one request; sets `close` when the connection must end after it.
    std::function<std::string(std::string_view request, const std::string& peer, bool& close)>
        answer;
    // The bytes sent before closing a stream that cannot be decoded.
    std::function<std::string(const Error& e)> refuse;
};

struct BridgeOptions {
    std::string name;    // for logs, e.g. "dovecot-auth"
    std::string listen;  // "host:port" or a unix socket path
    size_t max_request = 16 * 1024;
    size_t max_connections = 1024;
    uint32_t idle_timeout = 600;  // seconds without a request
    unsigned threads = 2;         // workers computing answers
    int socket_mode = 0600;       // unix sockets only
};

class BridgeListener {
  public:
    BridgeListener(boost::asio::io_context& io, BridgeOptions options, BridgeProtocol protocol);
    ~BridgeListener();
    // Binds and starts accepting; returns the bound address ("127.0.0.1:PORT" or the path).
    Result<std::string> start();
    void stop();

    struct Counters {
        std::atomic<uint64_t> connections{0}, requests{0}, refused{0};
        std::atomic<int64_t> open{0};
    };
    const Counters& counters() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace sb::mail
