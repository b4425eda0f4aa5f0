#include "eas/http/listener.hpp"

#include <atomic>
#include <optional>

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "eas/http/tls_stream.hpp"
#include "eas/service.hpp"

namespace sb::eas {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto as_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// What a parked request is waiting for; touched only on its connection's strand.
struct Parking {
    explicit Parking(asio::any_io_executor ex) : timer(ex) {}
    asio::steady_timer timer;
    bool changed = false;
    bool superseded = false;
    bool shutdown = false;
};

// Named coroutines with by-value parameters (no lambda coroutines: GCC 12).
asio::awaitable<Outcome> handle_on_pool(Service* svc, Request req) {
    co_return svc->handle(std::move(req));
}
asio::awaitable<bool> changed_on_pool(std::shared_ptr<Wait> w) {
    co_return w->changed();
}
asio::awaitable<Response> answer_on_pool(std::shared_ptr<Wait> w, Wake why) {
    co_return w->answer(why);
}

std::string peer_address(const tcp::socket& sock) {
    boost::system::error_code ec;
    auto ep = sock.remote_endpoint(ec);
    return ec ? std::string() : ep.address().to_string();
}

// A read that ends like this is the client going away (or idling out), not a bad request.
bool ends_quietly(const boost::system::error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::timed_out || ec == ssl::error::stream_truncated ||
           ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
           ec.category() == asio::error::get_ssl_category();
}

// An answer after which the connection closes (the request was not read, or is not served).
Response closing(int status) {
    Response r;
    r.status = status;
    r.close = true;
    return r;
}

Request to_request(http::request<http::string_body>& m, const std::string& peer) {
    Request req;
    req.method = std::string(m.method_string());
    req.target = std::string(m.target());
    req.authorization = std::string(m[http::field::authorization]);
    req.user_agent = std::string(m[http::field::user_agent]);
    req.protocol_version = std::string(m["MS-ASProtocolVersion"]);
    req.policy_key = std::string(m["X-MS-PolicyKey"]);
    req.content_type = std::string(m[http::field::content_type]);
    req.client_address = peer;
    req.body = std::move(m.body());
    return req;
}

http::response<http::string_body> to_http(const Response& r, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), 11};
    res.keep_alive(keep_alive && !r.close);
    for (auto& [k, v] : r.headers)
        res.set(k, v);
    if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
    res.body() = r.body;
    res.prepare_payload();
    return res;
}

}  // namespace

struct Listener::Impl {
    asio::io_context& io;
    Service& svc;
    ListenerOptions opt;
    ssl::context tls{ssl::context::tls_server};
    tcp::acceptor acceptor{io};
    asio::thread_pool pool;
    std::atomic<size_t> connections{0};
    std::atomic<size_t> queued{0};
    std::atomic<bool> stopping{false};

    Impl(asio::io_context& i, Service& s, ListenerOptions o)
        : io(i), svc(s), opt(std::move(o)), pool(opt.workers) {}

    asio::awaitable<Response> park(std::shared_ptr<Wait> w) {
        auto ex = co_await asio::this_coro::executor;
        auto state = std::make_shared<Parking>(ex);
        auto token = svc.hub().park(w->account_id, w->device_id, [state](Signal s) {
            asio::post(state->timer.get_executor(), [state, s] {
                if (s == Signal::changed) state->changed = true;
                if (s == Signal::superseded) state->superseded = true;
                if (s == Signal::shutdown) state->shutdown = true;
                state->timer.cancel();
            });
        });
        auto deadline =
            std::chrono::steady_clock::now() + std::chrono::seconds(w->heartbeat_seconds);
        Wake why = Wake::heartbeat;
        for (;;) {
            if (state->superseded || state->shutdown || stopping) {
                why = state->superseded ? Wake::superseded : Wake::shutdown;
                break;
            }
            if (state->changed) {
                state->changed = false;
                auto tuning = svc.tuning();
                if (!tuning.instant_notifications && tuning.notifications_latency > 0) {
                    // Coalescing: changes within the latency window cost one check. A change
                    // in the window cancels the timer too: wait out the rest of the window (never
                    // past the heartbeat).
                    auto until =
                        std::min(deadline, std::chrono::steady_clock::now() +
                                               std::chrono::seconds(tuning.notifications_latency));
                    while (!state->superseded && !state->shutdown && !stopping &&
                           std::chrono::steady_clock::now() < until) {
                        state->timer.expires_at(until);
                        co_await state->timer.async_wait(as_tuple);
                    }
                    state->changed = false;
                    if (state->superseded || state->shutdown || stopping) continue;
                }
                bool changed =
                    co_await asio::co_spawn(pool, changed_on_pool(w), asio::use_awaitable);
                if (changed) {
                    why = Wake::changed;
                    break;
                }
                continue;
            }
            if (std::chrono::steady_clock::now() >= deadline) break;
            state->timer.expires_at(deadline);
            co_await state->timer.async_wait(as_tuple);
        }
        svc.hub().leave(token);
        Response r = co_await asio::co_spawn(pool, answer_on_pool(w, why), asio::use_awaitable);
        co_return r;
    }

    // Holds one of max_connections until the session's socket is closed (it is declared before
    // the stream, so it is released after it).
    struct ConnectionSlot {
        std::atomic<size_t>& count;
        ~ConnectionSlot() { --count; }
    };

    // `over`: the connection was beyond max_connections when it was accepted. Deciding at accept
    // time, not after the TLS handshake, keeps a connection within the limit from being refused
    // because others were accepted while its handshake was still running.
    asio::awaitable<void> session(tcp::socket sock, bool over) {
        ConnectionSlot slot{connections};
        const std::string peer = peer_address(sock);
        auto stream = std::make_shared<tls::Stream>(std::move(sock), tls.native_handle());
        if (!stream->ok()) co_return;
        stream->expire_after(std::chrono::seconds(30));
        auto hs = co_await stream->async_handshake(as_tuple);
        if (std::get<0>(hs)) co_return;
        beast::flat_buffer buffer;
        for (;;) {
            stream->expire_after(std::chrono::seconds(opt.idle_timeout));
            // Optional so that its header fields are freed before a request is parked.
            std::optional<http::request_parser<http::string_body>> parser(std::in_place);
            parser->header_limit(16 * 1024);
            parser->body_limit(opt.max_body);
            auto read = co_await http::async_read(*stream, buffer, *parser, as_tuple);
            auto ec = std::get<0>(read);
            stream->expire_never();
            if (ec && ec != http::error::body_limit && ends_quietly(ec)) break;
            Response res;
            bool answered = bool(ec);
            if (ec) res = closing(ec == http::error::body_limit ? 413 : 400);  // 400: bad HTTP
            bool keep_alive = !answered && parser->get().keep_alive();
            if (!answered && (over || queued > opt.max_queue || stopping)) {
                res = closing(503);
                res.headers.emplace_back("Retry-After", "30");
                answered = true;
            }
            // An idle connection keeps no buffers (the Ping benchmark's memory per connection).
            if (buffer.size() == 0) buffer.shrink_to_fit();
            if (!answered) {
                Request req = to_request(parser->get(), peer);
                parser.reset();
                ++queued;
                Outcome out = co_await asio::co_spawn(pool, handle_on_pool(&svc, std::move(req)),
                                                      asio::use_awaitable);
                --queued;
                if (out.wait)
                    res = co_await park(std::move(out.wait));
                else
                    res = std::move(out.response);
            }
            parser.reset();
            auto reply = to_http(res, keep_alive);
            stream->expire_after(std::chrono::seconds(60));
            auto written = co_await http::async_write(*stream, reply, as_tuple);
            stream->expire_never();
            if (std::get<0>(written) || !reply.keep_alive()) break;
        }
        stream->expire_after(std::chrono::seconds(5));
        co_await stream->async_shutdown(as_tuple);
        stream->expire_never();
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto accepted = co_await acceptor.async_accept(asio::make_strand(io), as_tuple);
            auto& ec = std::get<0>(accepted);
            if (ec) {
                if (ec == asio::error::operation_aborted || stopping) co_return;
                spdlog::warn("eas: accept failed: {}", ec.message());
                // Out of descriptors: back off instead of spinning.
                asio::steady_timer t(io, std::chrono::milliseconds(100));
                co_await t.async_wait(as_tuple);
                continue;
            }
            bool over = ++connections > opt.max_connections;
            auto& s = std::get<1>(accepted);
            // Answers are written as a header and a body: without TCP_NODELAY, Nagle holds the
            // second small segment until the client's delayed ACK of the first (tens of ms).
            boost::system::error_code nodelay_ec;
            s.set_option(tcp::no_delay(true), nodelay_ec);
            auto ex = s.get_executor();
            asio::co_spawn(ex, session(std::move(s), over), asio::detached);
        }
    }
};

Listener::Listener(asio::io_context& io, Service& service, ListenerOptions options)
    : impl_(std::make_unique<Impl>(io, service, std::move(options))) {}

Listener::~Listener() {
    stop();
    impl_->pool.join();
}

Result<std::string> Listener::start() {
    auto& i = *impl_;
    boost::system::error_code ec;
    i.tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                      ec);
    // Free OpenSSL's record buffers of every idle connection (parked Pings); writes may be
    // partial and retried from a moved buffer (tls_stream.hpp).
    SSL_CTX_set_mode(i.tls.native_handle(), SSL_MODE_RELEASE_BUFFERS |
                                                SSL_MODE_ENABLE_PARTIAL_WRITE |
                                                SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // A peer that closes without close_notify ends the stream like one that sends it.
    SSL_CTX_set_options(i.tls.native_handle(), SSL_OP_IGNORE_UNEXPECTED_EOF);
    i.tls.use_certificate_chain_file(i.opt.cert_file, ec);
    if (ec)
        return fail(Errc::io_error,
                    fmt::format("eas: certificate {}: {}", i.opt.cert_file, ec.message()));
    i.tls.use_private_key_file(i.opt.key_file, ssl::context::pem, ec);
    if (ec)
        return fail(Errc::io_error, fmt::format("eas: key {}: {}", i.opt.key_file, ec.message()));
    auto addr = asio::ip::make_address(i.opt.host, ec);
    if (ec)
        return fail(Errc::invalid_argument, fmt::format("eas: bad listen address {}", i.opt.host));
    tcp::endpoint ep(addr, i.opt.port);
    i.acceptor.open(ep.protocol(), ec);
    if (!ec) i.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) i.acceptor.bind(ep, ec);
    if (!ec) i.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return fail(Errc::io_error, fmt::format("eas: cannot listen on {}:{}: {}", i.opt.host,
                                                i.opt.port, ec.message()));
    auto bound = i.acceptor.local_endpoint(ec);
    asio::co_spawn(i.io, i.accept_loop(), asio::detached);
    return fmt::format("{}:{}", bound.address().to_string(), bound.port());
}

void Listener::stop() {
    auto& i = *impl_;
    if (i.stopping.exchange(true)) return;
    boost::system::error_code ec;
    i.acceptor.close(ec);
    i.svc.hub().shutdown();
}

}  // namespace sb::eas
