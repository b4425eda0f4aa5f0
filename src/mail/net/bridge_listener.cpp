// The only translation unit of the mail bridges that includes Asio.
#include "mail/net/bridge_listener.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>

#include "config/config.hpp"
#include "mail/setup/stack_config.hpp"

namespace sb::mail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;
using error_code = boost::system::error_code;
constexpr auto as_tuple = asio::as_tuple(asio::use_awaitable);
using SteadyClock = std::chrono::steady_clock;

namespace {
constexpr size_t kReadChunk = 4096;

template <class Socket>
std::string peer_of(const Socket& s) {
    if constexpr (std::is_same_v<typename Socket::protocol_type, tcp>) {
        error_code ec;
        auto e = s.remote_endpoint(ec);
        if (ec) return "?";
        return e.address().is_v6() ? fmt::format("[{}]:{}", e.address().to_string(), e.port())
                                   : fmt::format("{}:{}", e.address().to_string(), e.port());
    } else {
        return "unix";
    }
}
}  // namespace

struct BridgeListener::Impl : std::enable_shared_from_this<BridgeListener::Impl> {
    asio::io_context& io;
    BridgeOptions options;
    BridgeProtocol protocol;
    asio::thread_pool pool;
    std::unique_ptr<tcp::acceptor> tcp_acceptor;
    std::unique_ptr<local::acceptor> unix_acceptor;
    std::string path;
    Counters counters;
    std::atomic<bool> stopping{false};

    Impl(asio::io_context& i, BridgeOptions o, BridgeProtocol p)
        : io(i),
          options(std::move(o)),
          protocol(std::move(p)),
          pool(std::max(1u, options.threads)) {}

    // A named coroutine with by-value parameters: it owns what it uses.
    static asio::awaitable<std::string> compute(std::shared_ptr<Impl> self, std::string request,
                                                std::string peer, bool* close) {
        co_return self->protocol.answer(request, peer, *close);
    }

    template <class Socket>
    asio::awaitable<void> watchdog([[maybe_unused]] std::shared_ptr<Impl> self, Socket* socket,
                                   SteadyClock::time_point* last, bool* done) {
        asio::steady_timer timer(socket->get_executor());
        const auto idle = std::chrono::seconds(options.idle_timeout);
        while (!*done) {
            timer.expires_after(std::min<SteadyClock::duration>(idle, std::chrono::seconds(5)));
            co_await timer.async_wait(as_tuple);
            if (*done) co_return;
            if (SteadyClock::now() - *last > idle) {
                spdlog::debug("{}: closing an idle connection", options.name);
                error_code ec;
                socket->close(ec);
                co_return;
            }
        }
    }

    // After refusing a client, its unread input is drained before the close: closing a socket
    // with unread data resets the connection, and the reset may overtake the error line on its
    // way to the client. Bounded: at most kLingerBytes, and the watchdog ends it within seconds.
    template <class Socket>
    asio::awaitable<void> linger(Socket& socket, SteadyClock::time_point& last) {
        constexpr size_t kLingerBytes = 64 * 1024;
        const auto idle = std::chrono::seconds(options.idle_timeout);
        last = SteadyClock::now() - idle + std::chrono::seconds(1);
        error_code ignored;
        socket.shutdown(Socket::shutdown_send, ignored);
        char scratch[4096];
        for (size_t drained = 0; drained < kLingerBytes;) {
            auto [ec, n] = co_await socket.async_read_some(asio::buffer(scratch), as_tuple);
            if (ec) break;
            drained += n;
        }
    }

    template <class Socket>
    asio::awaitable<void> session(std::shared_ptr<Impl> self, Socket socket) {
        const std::string peer = peer_of(socket);
        auto last = std::make_shared<SteadyClock::time_point>(SteadyClock::now());
        auto done = std::make_shared<bool>(false);
        // The watchdog shares the socket's strand and outlives nothing it points to: it holds
        // `self`, and `done`/`last` are shared.
        asio::co_spawn(
            socket.get_executor(),
            [](std::shared_ptr<Impl> self, Socket* s, std::shared_ptr<SteadyClock::time_point> last,
               std::shared_ptr<bool> done) -> asio::awaitable<void> {
                co_await self->watchdog(self, s, last.get(), done.get());
            }(self, &socket, last, done),
            asio::detached);
        std::string buffer;
        bool closing = false;
        while (!closing && !stopping) {
            // Answer every complete request already buffered, in order.
            for (;;) {
                auto frame = protocol.cut(buffer);
                if (!frame) {
                    ++counters.refused;
                    spdlog::warn("{}: closing the connection from {}: {}", options.name, peer,
                                 frame.error().message);
                    std::string bye = protocol.refuse(frame.error());
                    co_await asio::async_write(socket, asio::buffer(bye), as_tuple);
                    closing = true;
                    break;
                }
                if (!frame->complete) break;
                ++counters.requests;
                bool close = false;
                std::string answer = co_await asio::co_spawn(
                    pool, compute(self, std::string(frame->payload), peer, &close),
                    asio::use_awaitable);
                buffer.erase(0, frame->consumed);
                auto [wec, n] = co_await asio::async_write(socket, asio::buffer(answer), as_tuple);
                *last = SteadyClock::now();
                if (wec || close) {
                    if (close) ++counters.refused;
                    closing = true;
                    break;
                }
            }
            if (closing) break;
            const size_t old = buffer.size();
            buffer.resize(old + kReadChunk);
            auto [ec, n] = co_await socket.async_read_some(
                asio::buffer(buffer.data() + old, kReadChunk), as_tuple);
            buffer.resize(old + n);
            if (ec) break;
            *last = SteadyClock::now();
        }
        if (closing && !stopping) co_await linger(socket, *last);
        *done = true;
        error_code ignored;
        socket.shutdown(Socket::shutdown_both, ignored);
        socket.close(ignored);
        --counters.open;
    }

    template <class Acceptor>
    asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self, Acceptor* acceptor) {
        for (;;) {
            auto [ec, socket] = co_await acceptor->async_accept(asio::make_strand(io), as_tuple);
            if (ec) {
                if (ec == asio::error::operation_aborted || stopping) co_return;
                spdlog::warn("{}: accept failed: {}", options.name, ec.message());
                continue;
            }
            if (static_cast<size_t>(counters.open.load()) >= options.max_connections) {
                spdlog::warn("{}: refusing a connection: {} connections are open", options.name,
                             options.max_connections);
                error_code ignored;
                socket.close(ignored);
                continue;
            }
            ++counters.connections;
            ++counters.open;
            auto executor = socket.get_executor();
            asio::co_spawn(executor, session(self, std::move(socket)), asio::detached);
        }
    }
};

BridgeListener::BridgeListener(asio::io_context& io, BridgeOptions options, BridgeProtocol protocol)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(protocol))) {}

BridgeListener::~BridgeListener() {
    stop();
    impl_->pool.join();
}

const BridgeListener::Counters& BridgeListener::counters() const {
    return impl_->counters;
}

Result<std::string> BridgeListener::start() {
    auto& o = impl_->options;
    error_code ec;
    if (config::is_host_port(o.listen)) {
        auto [host, port] = split_host_port(o.listen);
        auto address = asio::ip::make_address(host, ec);
        if (ec)
            return fail(Errc::invalid_argument,
                        fmt::format("{}: '{}' is not an IP address", o.name, host));
        tcp::endpoint ep(address, static_cast<uint16_t>(std::stoul(port)));
        auto a = std::make_unique<tcp::acceptor>(impl_->io);
        a->open(ep.protocol(), ec);
        if (!ec) a->set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) a->bind(ep, ec);
        if (!ec) a->listen(asio::socket_base::max_listen_connections, ec);
        if (ec)
            return fail(Errc::io_error,
                        fmt::format("{}: cannot listen on {}: {}", o.name, o.listen, ec.message()));
        auto bound = a->local_endpoint();
        std::string text = bound.address().is_v6()
                               ? fmt::format("[{}]:{}", bound.address().to_string(), bound.port())
                               : fmt::format("{}:{}", bound.address().to_string(), bound.port());
        impl_->tcp_acceptor = std::move(a);
        asio::co_spawn(impl_->io, impl_->accept_loop(impl_, impl_->tcp_acceptor.get()),
                       asio::detached);
        return text;
    }
    namespace fs = std::filesystem;
    std::error_code fec;
    fs::create_directories(fs::path(o.listen).parent_path(), fec);
    if (fs::exists(o.listen, fec)) {
        // A socket left by a crashed server is removed; a live one is not taken over.
        local::socket probe(impl_->io);
        probe.connect(local::endpoint(o.listen), ec);
        if (!ec)
            return fail(Errc::unavailable,
                        fmt::format("{}: another process listens on {}", o.name, o.listen));
        fs::remove(o.listen, fec);
    }
    auto a = std::make_unique<local::acceptor>(impl_->io);
    ec = {};
    a->open(local{}, ec);
    if (!ec) a->bind(local::endpoint(o.listen), ec);
    if (!ec) ::chmod(o.listen.c_str(), static_cast<mode_t>(o.socket_mode));
    if (!ec) a->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return fail(Errc::io_error,
                    fmt::format("{}: cannot listen on {}: {}", o.name, o.listen, ec.message()));
    impl_->path = o.listen;
    impl_->unix_acceptor = std::move(a);
    asio::co_spawn(impl_->io, impl_->accept_loop(impl_, impl_->unix_acceptor.get()),
                   asio::detached);
    return o.listen;
}

void BridgeListener::stop() {
    impl_->stopping = true;
    error_code ec;
    if (impl_->tcp_acceptor && impl_->tcp_acceptor->is_open()) impl_->tcp_acceptor->close(ec);
    if (impl_->unix_acceptor && impl_->unix_acceptor->is_open()) {
        impl_->unix_acceptor->close(ec);
        if (!impl_->path.empty()) ::unlink(impl_->path.c_str());
    }
}

}  // namespace sb::mail
