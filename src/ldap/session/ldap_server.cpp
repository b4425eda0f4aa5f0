// The only translation unit of the LDAP module that includes Asio and OpenSSL.
#include "ldap/session/ldap_server.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>

#include "ldap/protocol/message.hpp"

namespace sb::ldap {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
constexpr auto as_tuple = asio::as_tuple(asio::use_awaitable);
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kSearchBatch = 64 * 1024;  // bytes of results written at a time
constexpr size_t kMaxQueuedRequests = 64;
constexpr uint8_t kTlsHandshakeRecord = 0x16;  // RFC 8446 5.1 ContentType handshake
constexpr size_t kKeptOutput = 16 * 1024;  // TLS output buffer a connection keeps between writes

// A request cut from the stream, with the bytes its decoded views point into.
struct Pending {
    std::unique_ptr<char[]> bytes;
    size_t size = 0;
    std::optional<Result<ldapproto::Message>> message;  // empty: `fatal`
    std::optional<Error> fatal;
    bool abandoned = false;
    bool start_tls = false;  // a StartTLS request: the reader waits for its outcome

    std::string_view frame() const { return {bytes.get(), size}; }
    int32_t message_id() const { return message && *message ? (*message)->message_id : 0; }
};

// Runs a blocking bind check on the auth pool (named coroutine, by-value parameters).
asio::awaitable<BindResult> authenticate_task(Backend* backend, std::string name,
                                              std::string password, std::string client) {
    co_return backend->authenticate(name, password, client);
}

// The oldest error OpenSSL queued on this thread, as text ("" if none).
std::string openssl_error() {
    const unsigned long e = ERR_get_error();
    if (e == 0) return {};
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    return text;
}

// TLS over memory buffers: OpenSSL reads ciphertext from the memory BIO `in` and appends what
// it writes to the string `output`; the connection moves bytes between those and the socket
// itself. Everything one write of the connection produces (a search batch is several TLS
// records) then leaves in one system call; a TLS stream that writes each record on its own costs
// three sends, and three wake-ups of the client, for a 30 KB answer.
struct TlsChannel {
    SSL* ssl = nullptr;
    BIO* in = nullptr;
    std::string output;  // written by OpenSSL, not sent yet
    std::vector<char> read_buffer;

    static std::unique_ptr<TlsChannel> make(SSL_CTX* ctx) {
        auto t = std::make_unique<TlsChannel>();
        t->ssl = SSL_new(ctx);
        t->in = BIO_new(BIO_s_mem());
        BIO* out = output_method() ? BIO_new(output_method()) : nullptr;
        if (!t->ssl || !t->in || !out) {
            BIO_free(t->in);
            BIO_free(out);
            return nullptr;  // the destructor frees ssl
        }
        BIO_set_mem_eof_return(t->in, -1);  // empty is "try again", not the end
        BIO_set_data(out, &t->output);
        BIO_set_init(out, 1);
        SSL_set_bio(t->ssl, t->in, out);  // owned by ssl from here
        SSL_set_accept_state(t->ssl);
        // Idle connections keep no record buffers (thousands of address books stay connected).
        SSL_set_mode(t->ssl, SSL_MODE_RELEASE_BUFFERS);
        return t;
    }
    ~TlsChannel() { SSL_free(ssl); }

  private:
    // A BIO that appends to a std::string: no copy into a BIO buffer, none cleansed when freed.
    static const BIO_METHOD* output_method() {
        static BIO_METHOD* method = [] {
            BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ldap output");
            if (!m) return m;
            BIO_meth_set_write_ex(m, [](BIO* b, const char* data, size_t size, size_t* written) {
                static_cast<std::string*>(BIO_get_data(b))->append(data, size);
                *written = size;
                return 1;
            });
            BIO_meth_set_ctrl(m, [](BIO*, int cmd, long, void*) -> long {
                return cmd == BIO_CTRL_FLUSH ? 1 : 0;
            });
            return m;
        }();
        return method;
    }
};

std::string endpoint_string(const tcp::endpoint& e) {
    const auto a = e.address();
    return a.is_v6() ? fmt::format("[{}]:{}", a.to_string(), e.port())
                     : fmt::format("{}:{}", a.to_string(), e.port());
}

}  // namespace

class Connection;

struct LdapServer::Impl : std::enable_shared_from_this<LdapServer::Impl> {
    asio::io_context& io;
    Backend& backend;
    ServerOptions options;
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> tls{nullptr, SSL_CTX_free};
    std::unique_ptr<tcp::acceptor> ldaps_acceptor, ldap_acceptor;
    std::string ldaps_address, ldap_address;
    asio::thread_pool auth_pool;
    std::atomic<size_t> connections{0};
    std::mutex registry_mutex;
    std::unordered_map<Connection*, std::weak_ptr<Connection>> registry;
    std::atomic<bool> stopping{false};
    bool refused_logged = false;

    Impl(asio::io_context& i, Backend& b, ServerOptions o)
        : io(i), backend(b), options(std::move(o)), auth_pool(std::max(1u, options.auth_threads)) {}

    asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self, tcp::acceptor* acceptor,
                                      bool implicit_tls);
    Result<void> listen(const config::Endpoint& ep, std::unique_ptr<tcp::acceptor>& acceptor,
                        std::string& address);
};

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    // `socket` runs on its own strand (accepted with make_strand): everything here uses it.
    Connection(std::shared_ptr<LdapServer::Impl> server, tcp::socket socket, bool implicit_tls,
               std::string client)
        : owner_(std::move(server)),
          server_(*owner_),
          strand_(socket.get_executor()),
          socket_(std::move(socket)),
          implicit_tls_(implicit_tls),
          session_(server_.backend, server_.options.session, false, client),
          client_(std::move(client)),
          executor_wake_(strand_),
          reader_wake_(strand_),
          send_done_(strand_),
          watchdog_timer_(strand_),
          last_activity_(SteadyClock::now()) {
        ++server_.connections;
    }
    ~Connection() { --server_.connections; }

    void start() { asio::co_spawn(strand_, run(shared_from_this()), asio::detached); }

    // Safe from any thread.
    void close_async() {
        asio::post(strand_, [self = shared_from_this()] { self->close(); });
    }

  private:
    // Everything below runs on strand_.
    asio::awaitable<void> run([[maybe_unused]] std::shared_ptr<Connection> self);
    asio::awaitable<void> reader([[maybe_unused]] std::shared_ptr<Connection> self);
    asio::awaitable<void> executor([[maybe_unused]] std::shared_ptr<Connection> self);
    asio::awaitable<void> watchdog([[maybe_unused]] std::shared_ptr<Connection> self);
    asio::awaitable<bool> write(std::string_view data);
    asio::awaitable<bool> tls_handshake();
    // Plaintext into `space`: (no error, bytes) or (the error, 0).
    asio::awaitable<std::tuple<error_code, size_t>> tls_read_some(asio::mutable_buffer space);
    // Reads ciphertext from the socket for OpenSSL.
    asio::awaitable<error_code> tls_fill();
    // Sends what OpenSSL has written, until it has nothing more; one sender at a time.
    asio::awaitable<bool> tls_send();
    asio::awaitable<bool> stream_search(Session::Step step);
    asio::awaitable<void> wait(asio::steady_timer& signal);

    void notify(asio::steady_timer& signal) { signal.cancel(); }
    void enqueue(Pending p);
    void abandon(int32_t id);
    void close();

    std::shared_ptr<LdapServer::Impl> owner_;  // the listeners' state outlives every connection
    LdapServer::Impl& server_;
    asio::any_io_executor strand_;
    tcp::socket socket_;
    bool implicit_tls_;
    bool tls_ = false;
    std::unique_ptr<TlsChannel> tls_channel_;
    bool tls_sending_ = false;
    Session session_;
    std::string client_;
    asio::steady_timer executor_wake_, reader_wake_, send_done_, watchdog_timer_;

    std::deque<Pending> queue_;
    size_t queued_bytes_ = 0;
    bool closed_ = false;
    bool busy_ = false;
    bool first_byte_pending_ = false;  // LDAP port: TLS or plain is not known yet
    bool handshaken_ = false;
    bool tls_pending_ = false;  // StartTLS queued: the reader waits for the handshake
    int32_t running_id_ = 0;
    bool abandon_running_ = false;
    SteadyClock::time_point last_activity_;
};

asio::awaitable<void> Connection::wait(asio::steady_timer& signal) {
    signal.expires_at(asio::steady_timer::time_point::max());
    co_await signal.async_wait(as_tuple);
}

void Connection::close() {
    if (closed_) return;
    closed_ = true;
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    executor_wake_.cancel();
    reader_wake_.cancel();
    send_done_.cancel();
    watchdog_timer_.cancel();
    spdlog::debug("ldap: connection from {} closed", client_);
}

asio::awaitable<bool> Connection::write(std::string_view data) {
    if (closed_) co_return false;
    if (data.empty()) co_return true;
    if (!tls_) {
        auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(data), as_tuple);
        if (ec) {
            close();
            co_return false;
        }
        co_return true;
    }
    // The reader may be sending something OpenSSL answered on its own (a TLS 1.3 KeyUpdate):
    // that goes first, and this data is not left behind a send that would not wait for it.
    while (tls_sending_ && !closed_)
        co_await wait(send_done_);
    if (closed_) co_return false;
    ERR_clear_error();
    size_t written = 0;
    // Room for the records at once (16 KiB of data each, plus a few bytes of framing and tag).
    tls_channel_->output.reserve(tls_channel_->output.size() + data.size() +
                                 (data.size() / 16384 + 1) * 64);
    // The output BIO takes everything: all of it is written, or the connection is broken.
    if (SSL_write_ex(tls_channel_->ssl, data.data(), data.size(), &written) != 1 ||
        written != data.size()) {
        spdlog::debug("ldap: TLS write to {} failed: {}", client_, openssl_error());
        close();
        co_return false;
    }
    co_return co_await tls_send();
}

asio::awaitable<bool> Connection::tls_send() {
    if (tls_sending_) co_return true;  // the sender in progress takes this output too
    tls_sending_ = true;
    bool ok = true;
    std::string sending;
    while (ok && !closed_ && !tls_channel_->output.empty()) {
        // OpenSSL may write more while this is on its way: it goes into the other string.
        sending.swap(tls_channel_->output);
        auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(sending), as_tuple);
        sending.clear();
        if (ec) ok = false;
    }
    // Thousands of connections may sit idle: none keeps a large buffer between writes.
    if (tls_channel_->output.empty() && tls_channel_->output.capacity() > kKeptOutput)
        std::string().swap(tls_channel_->output);
    tls_sending_ = false;
    notify(send_done_);
    if (!ok || closed_) {
        close();
        co_return false;
    }
    co_return true;
}

asio::awaitable<error_code> Connection::tls_fill() {
    auto& buffer = tls_channel_->read_buffer;
    if (buffer.empty()) buffer.resize(kReadChunk);
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer), as_tuple);
    if (ec) co_return ec;
    if (BIO_write(tls_channel_->in, buffer.data(), static_cast<int>(n)) != static_cast<int>(n))
        co_return asio::error::no_memory;
    co_return error_code{};
}

asio::awaitable<bool> Connection::tls_handshake() {
    tls_channel_ = TlsChannel::make(server_.tls.get());
    if (!tls_channel_) {
        spdlog::error("ldap: cannot start TLS with {}: {}", client_, openssl_error());
        co_return false;
    }
    for (;;) {
        ERR_clear_error();
        const int r = SSL_do_handshake(tls_channel_->ssl);
        const int err = r == 1 ? SSL_ERROR_NONE : SSL_get_error(tls_channel_->ssl, r);
        const std::string reason = err == SSL_ERROR_SSL ? openssl_error() : std::string();
        // The server's flight, or the alert that tells the client why it failed.
        if (!tls_channel_->output.empty() && !co_await tls_send()) co_return false;
        if (r == 1) co_return true;
        if (err != SSL_ERROR_WANT_READ) {
            spdlog::debug("ldap: TLS handshake with {} failed: {}", client_,
                          reason.empty() ? "the connection broke" : reason);
            co_return false;
        }
        if (auto ec = co_await tls_fill(); ec) {
            spdlog::debug("ldap: TLS handshake with {} failed: {}", client_, ec.message());
            co_return false;
        }
    }
}

asio::awaitable<std::tuple<error_code, size_t>> Connection::tls_read_some(
    asio::mutable_buffer space) {
    for (;;) {
        ERR_clear_error();
        size_t n = 0;
        const int r = SSL_read_ex(tls_channel_->ssl, space.data(), space.size(), &n);
        const int err = r == 1 ? SSL_ERROR_NONE : SSL_get_error(tls_channel_->ssl, r);
        if (!tls_channel_->output.empty() && !co_await tls_send())
            co_return std::tuple{error_code(asio::error::broken_pipe), size_t{0}};
        if (r == 1) co_return std::tuple{error_code{}, n};
        if (err == SSL_ERROR_ZERO_RETURN)  // close_notify
            co_return std::tuple{error_code(asio::error::eof), size_t{0}};
        if (err != SSL_ERROR_WANT_READ) {
            spdlog::debug("ldap: TLS read from {} failed: {}", client_, openssl_error());
            co_return std::tuple{error_code(asio::error::connection_aborted), size_t{0}};
        }
        if (auto ec = co_await tls_fill(); ec) co_return std::tuple{ec, size_t{0}};
    }
}

asio::awaitable<void> Connection::run([[maybe_unused]] std::shared_ptr<Connection> self) {
    if (!implicit_tls_) {
        // The LDAP port also serves implicit TLS (Outlook's "Use SSL" on the port of the LDAP
        // listener): the first byte tells. 0x16 is a TLS handshake record (RFC 8446 5.1); 0x30
        // starts an LDAPMessage SEQUENCE (RFC 4511 5.1), and anything else is left to the LDAP
        // framer, which answers it with a Notice of Disconnection. The watchdog bounds the wait.
        first_byte_pending_ = true;
        asio::co_spawn(strand_, watchdog(self), asio::detached);
        uint8_t first = 0;
        auto [ec, n] = co_await socket_.async_receive(asio::buffer(&first, 1),
                                                      tcp::socket::message_peek, as_tuple);
        if (closed_) co_return;
        if (ec || n == 0) {  // gone before saying anything
            close();
            co_return;
        }
        first_byte_pending_ = false;
        last_activity_ = SteadyClock::now();
        if (first == kTlsHandshakeRecord) {
            spdlog::debug("ldap: {} starts TLS on the LDAP port", client_);
            implicit_tls_ = true;
        }
    } else {
        asio::co_spawn(strand_, watchdog(self), asio::detached);
    }
    if (implicit_tls_) {
        if (!co_await tls_handshake()) {
            close();
            co_return;
        }
        tls_ = true;
        session_.tls_started();
    }
    handshaken_ = true;
    last_activity_ = SteadyClock::now();
    asio::co_spawn(strand_, executor(self), asio::detached);
    asio::co_spawn(strand_, reader(self), asio::detached);
}

void Connection::enqueue(Pending p) {
    queued_bytes_ += p.size;
    queue_.push_back(std::move(p));
    notify(executor_wake_);
}

void Connection::abandon(int32_t id) {
    // RFC 4511 4.11: no further responses for the abandoned operation.
    if (busy_ && running_id_ == id) abandon_running_ = true;
    for (auto& p : queue_)
        if (p.message_id() == id) p.abandoned = true;
}

asio::awaitable<void> Connection::reader([[maybe_unused]] std::shared_ptr<Connection> self) {
    const auto& limits = server_.options.session.limits;
    std::string buf;
    size_t start = 0, used = 0;
    while (!closed_) {
        // Cut every complete message out of what has arrived.
        for (;;) {
            const std::string_view avail(buf.data() + start, used - start);
            if (avail.empty()) break;
            auto f = ldapproto::frame_message(avail, limits);
            if (!f) {
                Pending p;
                p.fatal = f.error();
                enqueue(std::move(p));
                co_return;  // the executor answers what came before, then the notice
            }
            if (!f->complete) break;
            Pending p;
            p.size = f->size;
            p.bytes = std::make_unique<char[]>(f->size);
            std::memcpy(p.bytes.get(), avail.data(), f->size);
            start += f->size;
            p.message = ldapproto::decode_message(p.frame(), limits);
            last_activity_ = SteadyClock::now();
            if (*p.message) {
                const auto op = (*p.message)->operation();
                if (op == ldapproto::Operation::abandon_request) {
                    abandon(std::get<ldapproto::AbandonRequest>((*p.message)->request).message_id);
                    continue;
                }
                if (op == ldapproto::Operation::unbind_request) {  // RFC 4511 4.3: no response
                    close();
                    co_return;
                }
                if (op == ldapproto::Operation::extended_request &&
                    std::get<ldapproto::ExtendedRequest>((*p.message)->request).name ==
                        ldapproto::oid::kStartTls &&
                    !tls_)
                    tls_pending_ = p.start_tls = true;
            }
            const bool starting_tls = tls_pending_;
            enqueue(std::move(p));
            // Bounded read-ahead; and after StartTLS nothing may be read until the handshake.
            while (!closed_ && (tls_pending_ || queued_bytes_ > server_.options.max_queued_bytes ||
                                queue_.size() >= kMaxQueuedRequests))
                co_await wait(reader_wake_);
            if (closed_) co_return;
            if (starting_tls && tls_ && start < used) {
                // Cleartext sent after StartTLS, before the handshake (RFC 4511 4.14.1): not taken.
                spdlog::warn("ldap: {} sent data between StartTLS and the TLS handshake; closing",
                             client_);
                close();
                co_return;
            }
        }
        if (start > 0) {
            buf.erase(0, start);
            used -= start;
            start = 0;
        }
        if (buf.size() < used + kReadChunk) buf.resize(used + kReadChunk);
        error_code ec;
        size_t n = 0;
        auto space = asio::buffer(buf.data() + used, buf.size() - used);
        if (tls_)
            std::tie(ec, n) = co_await tls_read_some(space);
        else
            std::tie(ec, n) = co_await socket_.async_read_some(space, as_tuple);
        if (ec) {
            close();
            co_return;
        }
        used += n;
        if (buf.capacity() > 4 * kReadChunk && used < kReadChunk) buf.shrink_to_fit();
    }
}

asio::awaitable<bool> Connection::stream_search(Session::Step step) {
    std::string out;
    out.reserve(kSearchBatch + 4096);
    for (;;) {
        out.clear();
        const bool done = step.cursor->pump(out, kSearchBatch);
        if (abandon_running_) co_return true;
        if (!co_await write(out)) co_return false;
        if (done || abandon_running_) co_return true;
    }
}

asio::awaitable<void> Connection::executor([[maybe_unused]] std::shared_ptr<Connection> self) {
    while (!closed_) {
        while (!closed_ && queue_.empty())
            co_await wait(executor_wake_);
        if (closed_) co_return;
        Pending p = std::move(queue_.front());
        queue_.pop_front();
        queued_bytes_ -= p.size;
        notify(reader_wake_);
        if (p.abandoned) {
            if (p.start_tls) {
                tls_pending_ = false;
                notify(reader_wake_);
            }
            continue;
        }
        busy_ = true;
        abandon_running_ = false;
        Session::Step step;
        if (p.fatal)
            step = session_.fatal(*p.fatal);
        else if (!*p.message)
            step = session_.handle_malformed(p.frame(), p.message->error());
        else
            step = session_.handle(**p.message);
        running_id_ = step.message_id;
        bool ok = true;
        switch (step.action) {
            case Session::Action::send:
                ok = co_await write(step.out);
                break;
            case Session::Action::search:
                ok = co_await stream_search(std::move(step));
                break;
            case Session::Action::bind: {
                const std::string name = step.bind_name;
                BindResult r = co_await asio::co_spawn(
                    server_.auth_pool,
                    authenticate_task(&server_.backend, std::move(step.bind_name),
                                      std::move(step.bind_password), client_),
                    asio::use_awaitable);
                if (closed_) co_return;
                auto reply = session_.bind_done(step.message_id, name, r);
                ok = co_await write(reply.out);
                break;
            }
            case Session::Action::start_tls: {
                ok = co_await write(step.out);
                if (!ok) break;
                if (!co_await tls_handshake()) {
                    close();
                    co_return;
                }
                tls_ = true;
                session_.tls_started();
                tls_pending_ = false;
                notify(reader_wake_);
                break;
            }
            case Session::Action::close:
                co_await write(step.out);
                close();
                co_return;
            case Session::Action::none:
                break;
        }
        if (!ok) co_return;
        if (p.start_tls &&
            step.action != Session::Action::start_tls) {  // StartTLS refused: read on
            tls_pending_ = false;
            notify(reader_wake_);
        }
        busy_ = false;
        running_id_ = 0;
        last_activity_ = SteadyClock::now();
    }
}

asio::awaitable<void> Connection::watchdog([[maybe_unused]] std::shared_ptr<Connection> self) {
    const auto idle = std::chrono::seconds(server_.options.idle_timeout);
    const auto handshake = std::chrono::seconds(
        std::min(server_.options.handshake_timeout, server_.options.idle_timeout));
    const auto period = std::max<SteadyClock::duration>(std::chrono::seconds(1), idle / 4);
    while (!closed_) {
        watchdog_timer_.expires_after(handshaken_ ? period : std::chrono::seconds(1));
        co_await watchdog_timer_.async_wait(as_tuple);
        if (closed_) co_return;
        const auto quiet = SteadyClock::now() - last_activity_;
        if (first_byte_pending_) {
            if (quiet > idle) {
                spdlog::debug("ldap: {} sent nothing within {} s; closing", client_,
                              server_.options.idle_timeout);
                close();
            }
        } else if (!handshaken_ && quiet > handshake) {
            spdlog::debug("ldap: {} did not complete the TLS handshake in time", client_);
            close();
        } else if (!busy_ && queue_.empty() && !tls_pending_ && quiet > idle) {
            spdlog::debug("ldap: closing idle connection from {}", client_);
            close();
        }
    }
}

asio::awaitable<void> LdapServer::Impl::accept_loop(std::shared_ptr<Impl> self,
                                                    tcp::acceptor* acceptor, bool implicit_tls) {
    for (;;) {
        auto [ec, socket] = co_await acceptor->async_accept(asio::make_strand(io), as_tuple);
        if (ec) {
            if (ec == asio::error::operation_aborted || stopping) co_return;
            spdlog::warn("ldap: accept failed: {}", ec.message());
            // Out of descriptors: give connections time to close instead of spinning.
            asio::steady_timer pause(io, std::chrono::milliseconds(100));
            co_await pause.async_wait(as_tuple);
            continue;
        }
        if (connections >= options.max_connections) {
            if (!refused_logged)
                spdlog::warn("ldap: {} connections open: refusing new ones",
                             options.max_connections);
            refused_logged = true;
            error_code ignored;
            socket.close(ignored);
            continue;
        }
        refused_logged = false;
        error_code opt_ec;
        socket.set_option(tcp::no_delay(true), opt_ec);
        auto remote = socket.remote_endpoint(opt_ec);
        std::string client = opt_ec ? std::string("unknown") : remote.address().to_string();
        spdlog::debug("ldap: connection from {} ({})", client, implicit_tls ? "LDAPS" : "LDAP");
        auto c =
            std::make_shared<Connection>(self, std::move(socket), implicit_tls, std::move(client));
        {
            std::lock_guard lock(registry_mutex);
            for (auto it = registry.begin(); it != registry.end();)
                it = it->second.expired() ? registry.erase(it) : std::next(it);
            registry[c.get()] = c;
        }
        c->start();
    }
}

Result<void> LdapServer::Impl::listen(const config::Endpoint& ep,
                                      std::unique_ptr<tcp::acceptor>& acceptor,
                                      std::string& address) {
    if (!ep.enabled) return {};
    error_code ec;
    auto addr = asio::ip::make_address(ep.host.empty() ? "0.0.0.0" : ep.host, ec);
    if (ec)
        return fail(Errc::invalid_argument,
                    fmt::format("ldap: bad listen address '{}': {}", ep.host, ec.message()));
    tcp::endpoint endpoint(addr, ep.port);
    acceptor = std::make_unique<tcp::acceptor>(io);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return fail(Errc::io_error,
                    fmt::format("ldap: cannot listen on {}: {}", ep.to_string(), ec.message()));
    address = endpoint_string(acceptor->local_endpoint());
    return {};
}

LdapServer::LdapServer(boost::asio::io_context& io, Backend& backend, ServerOptions options)
    : impl_(std::make_shared<Impl>(io, backend, std::move(options))) {}

LdapServer::~LdapServer() {
    stop();
    impl_->auth_pool.join();
}

Result<void> LdapServer::start() {
    auto& o = impl_->options;
    ERR_clear_error();
    impl_->tls.reset(SSL_CTX_new(TLS_server_method()));
    SSL_CTX* tls = impl_->tls.get();
    if (!tls)
        return fail(Errc::io_error, fmt::format("ldap: cannot set up TLS: {}", openssl_error()));
    // TLS 1.2 or newer only; client-initiated renegotiation stays off (OpenSSL 3 default).
    SSL_CTX_set_options(tls, SSL_OP_ALL | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_min_proto_version(tls, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(tls, o.cert_file.c_str()) != 1)
        return fail(Errc::io_error, fmt::format("ldap: cannot load certificate {}: {}", o.cert_file,
                                                openssl_error()));
    if (SSL_CTX_use_PrivateKey_file(tls, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(tls) != 1)
        return fail(Errc::io_error, fmt::format("ldap: cannot load private key {}: {}", o.key_file,
                                                openssl_error()));
    SB_TRY(impl_->listen(o.ldaps, impl_->ldaps_acceptor, impl_->ldaps_address));
    SB_TRY(impl_->listen(o.ldap, impl_->ldap_acceptor, impl_->ldap_address));
    if (impl_->ldaps_acceptor)
        asio::co_spawn(impl_->io, impl_->accept_loop(impl_, impl_->ldaps_acceptor.get(), true),
                       asio::detached);
    if (impl_->ldap_acceptor)
        asio::co_spawn(impl_->io, impl_->accept_loop(impl_, impl_->ldap_acceptor.get(), false),
                       asio::detached);
    return {};
}

void LdapServer::stop() {
    if (impl_->stopping.exchange(true)) return;
    error_code ec;
    if (impl_->ldaps_acceptor) impl_->ldaps_acceptor->close(ec);
    if (impl_->ldap_acceptor) impl_->ldap_acceptor->close(ec);
    std::lock_guard lock(impl_->registry_mutex);
    for (auto& [ptr, weak] : impl_->registry)
        if (auto c = weak.lock()) c->close_async();
    impl_->registry.clear();
}

std::string LdapServer::ldaps_address() const {
    return impl_->ldaps_address;
}
std::string LdapServer::ldap_address() const {
    return impl_->ldap_address;
}
size_t LdapServer::connections() const {
    return impl_->connections;
}

}  // namespace sb::ldap
