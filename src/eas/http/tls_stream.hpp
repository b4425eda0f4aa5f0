#pragma once
// A TLS server stream for Beast that lets OpenSSL read and write the socket itself (SSL_set_fd),
// so that an idle connection costs the SSL object and nothing else. asio::ssl::stream keeps two
// zero-filled 17 KiB buffers per connection and OpenSSL a BIO pair with two more: 68 KiB for a
// parked Ping that moves no data for half an hour. With SSL_MODE_RELEASE_BUFFERS OpenSSL also
// frees its record buffers while nothing is pending.
//
// Readiness comes from the reactor (socket.async_wait), never a blocking call. A deadline closes
// the socket's pending wait (the timeouts beast::tcp_stream would give). Included by listener.cpp
// only: it is the one Asio/Beast translation unit of the endpoint.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <memory>
#include <string>
#include <type_traits>

#include <boost/asio.hpp>
#include <boost/asio/ssl/error.hpp>

namespace sb::eas::tls {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

class Stream : public std::enable_shared_from_this<Stream> {
  public:
    using executor_type = tcp::socket::executor_type;

    Stream(tcp::socket socket, SSL_CTX* ctx)
        : socket_(std::move(socket)), deadline_(socket_.get_executor()) {
        error_code ec;
        socket_.non_blocking(true, ec);
        ssl_ = ec ? nullptr : SSL_new(ctx);
        if (ssl_ && SSL_set_fd(ssl_, static_cast<int>(socket_.native_handle())) != 1) {
            SSL_free(ssl_);
            ssl_ = nullptr;
        }
        if (ssl_) SSL_set_accept_state(ssl_);
    }
    ~Stream() {
        if (ssl_) SSL_free(ssl_);
    }
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    bool ok() const { return ssl_ != nullptr; }
    executor_type get_executor() { return socket_.get_executor(); }
    tcp::socket& socket() { return socket_; }

    // The pending operation fails with operation_aborted once `after` has passed.
    void expire_after(std::chrono::seconds after) {
        expired_ = false;
        deadline_.expires_after(after);
        deadline_.async_wait([weak = weak_from_this()](error_code ec) {
            if (ec) return;
            if (auto self = weak.lock()) {
                error_code ignored;
                self->socket_.cancel(ignored);
                self->expired_ = true;
            }
        });
    }
    void expire_never() {
        deadline_.cancel();
        expired_ = false;
    }
    bool expired() const { return expired_; }

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        asio::mutable_buffer first;
        for (auto it = asio::buffer_sequence_begin(buffers);
             it != asio::buffer_sequence_end(buffers); ++it)
            if (asio::mutable_buffer b(*it); b.size() > 0) {
                first = b;
                break;
            }
        return asio::async_compose<Token, void(error_code, size_t)>(Op<Read>{this, Read{first}},
                                                                    token, socket_);
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        // One record per write: several small buffers (an HTTP head and its body) are joined.
        Write w;
        size_t buffers_seen = 0;
        for (auto it = asio::buffer_sequence_begin(buffers);
             it != asio::buffer_sequence_end(buffers); ++it) {
            asio::const_buffer b(*it);
            if (b.size() == 0) continue;
            if (++buffers_seen == 1) w.first = b;
            if (w.joined.size() + b.size() > kJoinLimit) break;
            w.joined.append(static_cast<const char*>(b.data()), b.size());
        }
        if (buffers_seen <= 1) w.joined.clear();
        return asio::async_compose<Token, void(error_code, size_t)>(Op<Write>{this, std::move(w)},
                                                                    token, socket_);
    }

    template <class Token>
    auto async_handshake(Token&& token) {
        return asio::async_compose<Token, void(error_code)>(Op<Handshake>{this, {}}, token,
                                                            socket_);
    }

    // Sends close_notify (without waiting for the peer's) and closes the socket.
    template <class Token>
    auto async_shutdown(Token&& token) {
        return asio::async_compose<Token, void(error_code)>(Op<Shutdown>{this, {}}, token, socket_);
    }

  private:
    static constexpr size_t kJoinLimit = 16 * 1024;

    // The step each operation retries until OpenSSL has what it needs: n > 0 done, else wait.
    struct Read {
        asio::mutable_buffer buffer;
        int step(SSL* ssl) {
            return SSL_read(ssl, buffer.data(),
                            static_cast<int>(std::min<size_t>(buffer.size(), INT_MAX)));
        }
        bool empty() const { return buffer.size() == 0; }
    };
    struct Write {
        asio::const_buffer first;
        std::string joined;  // several buffers joined (else empty)
        int step(SSL* ssl) {
            const void* p = joined.empty() ? first.data() : joined.data();
            size_t n = joined.empty() ? first.size() : joined.size();
            return SSL_write(ssl, p, static_cast<int>(std::min<size_t>(n, INT_MAX)));
        }
        bool empty() const { return first.size() == 0; }
    };
    struct Handshake {
        int step(SSL* ssl) { return SSL_do_handshake(ssl); }
        bool empty() const { return false; }
    };
    struct Shutdown {
        int step(SSL* ssl) {
            int r = SSL_shutdown(ssl);
            return r >= 0 ? 1 : r;  // 0: our close_notify is out; the peer's is not awaited
        }
        bool empty() const { return false; }
    };

    error_code last_error(int ret, int err) {
        unsigned long e = ERR_get_error();
        if (err == SSL_ERROR_SYSCALL && e == 0) {
            if (ret == 0) return asio::ssl::error::stream_truncated;
            return error_code(errno, asio::error::get_system_category());
        }
        return error_code(static_cast<int>(e), asio::error::get_ssl_category());
    }

    template <class Step>
    struct Op {
        Stream* s;
        Step step;
        bool started = false;

        template <class Self>
        void operator()(Self& self, error_code ec = {}) {
            if (!started) {
                // Never complete inside the initiating call: go through the executor once.
                started = true;
                asio::post(s->socket_.get_executor(), std::move(self));
                return;
            }
            if (ec) return finish(self, s->expired_ ? error_code(asio::error::timed_out) : ec, 0);
            if (!s->ssl_) return finish(self, asio::error::bad_descriptor, 0);
            if (step.empty()) return finish(self, {}, 0);
            ERR_clear_error();
            int r = step.step(s->ssl_);
            if (r > 0) return finish(self, {}, static_cast<size_t>(r));
            int err = SSL_get_error(s->ssl_, r);
            if (err == SSL_ERROR_WANT_READ)
                return s->socket_.async_wait(tcp::socket::wait_read, std::move(self));
            if (err == SSL_ERROR_WANT_WRITE)
                return s->socket_.async_wait(tcp::socket::wait_write, std::move(self));
            if (err == SSL_ERROR_ZERO_RETURN) return finish(self, asio::error::eof, 0);
            finish(self, s->last_error(r, err), 0);
        }

        template <class Self>
        static void finish(Self& self, error_code ec, size_t n) {
            if constexpr (std::is_same_v<Step, Read> || std::is_same_v<Step, Write>)
                self.complete(ec, n);
            else
                self.complete(ec);
        }
    };

    tcp::socket socket_;
    asio::steady_timer deadline_;
    SSL* ssl_ = nullptr;
    bool expired_ = false;
};

}  // namespace sb::eas::tls
