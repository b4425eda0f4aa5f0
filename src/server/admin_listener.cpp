#include "server/admin_listener.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "admin/command.hpp"
#include "core/base64.hpp"
#include "core/json.hpp"

namespace sb::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = asio::local::stream_protocol;
constexpr auto as_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr size_t kMaxRequestBytes = size_t{1} << 30;

int http_status(Errc c) {
    switch (c) {
        case Errc::invalid_argument:
        case Errc::parse_error:
        case Errc::limit_exceeded:
            return 400;
        case Errc::auth_failed:
            return 401;
        case Errc::permission_denied:
            return 403;
        case Errc::not_found:
            return 404;
        case Errc::already_exists:
            return 409;
        case Errc::throttled:
            return 429;
        case Errc::unavailable:
            return 503;
        default:
            return 500;
    }
}

struct Reply {
    int status = 200;
    std::string body;
};

Reply error_reply(Errc code, const std::string& message) {
    nlohmann::json j = {{"ok", false},
                        {"error", {{"code", std::string(errc_name(code))}, {"message", message}}}};
    return {http_status(code), json_text(j)};
}

Reply execute(admin::Services& services, const std::string& body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object() || !j.contains("argv") || !j["argv"].is_array())
        return error_reply(Errc::invalid_argument,
                           "request body must be a JSON object with an \"argv\" array");
    std::vector<std::string> argv;
    for (auto& a : j["argv"]) {
        if (!a.is_string())
            return error_reply(Errc::invalid_argument, "every argv element must be a string");
        argv.push_back(a.get<std::string>());
    }
    std::map<std::string, std::string> files;
    if (j.contains("files") && j["files"].is_object()) {
        for (auto& [k, v] : j["files"].items()) {
            if (!v.is_string())
                return error_reply(Errc::invalid_argument, "file contents must be base64 strings");
            auto bytes = crypto::base64_decode(v.get<std::string>());
            if (!bytes)
                return error_reply(Errc::invalid_argument, "file contents are not valid base64");
            files[k] = std::move(*bytes);
        }
    }
    std::string what;
    for (size_t i = 0; i < argv.size() && i < 3; ++i)
        what += (i ? " " : "") + argv[i];
    try {
        auto out = admin::run_command(services, argv, files);
        if (!out) {
            spdlog::info("admin: '{}' failed: {}", what, out.error().message);
            return error_reply(out.error().code, out.error().message);
        }
        spdlog::info("admin: '{}' done", what);
        nlohmann::json r = {{"ok", true}, {"result", out->result}, {"text", out->text}};
        return {200, json_text(r)};
    } catch (const std::exception& e) {
        spdlog::error("admin: '{}' raised an internal error: {}", what, e.what());
        return error_reply(Errc::internal, fmt::format("internal error: {}", e.what()));
    }
}

}  // namespace

struct AdminListener::Impl {
    asio::io_context& io;
    admin::Services& services;
    asio::thread_pool pool{1};
    local::acceptor acceptor{io};
    std::string path;

    Impl(asio::io_context& i, admin::Services& s) : io(i), services(s) {}

    // A named coroutine with a by-value parameter: everything it uses lives in its own frame.
    asio::awaitable<Reply> run(std::string body) { co_return execute(services, body); }

    asio::awaitable<void> session(local::socket sock) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(kMaxRequestBytes);
            auto read = co_await http::async_read(sock, buffer, parser, as_tuple);
            if (std::get<0>(read)) break;
            auto req = parser.release();
            Reply reply;
            if (req.method() == http::verb::get && req.target() == "/v1/health") {
                reply = {200, R"({"ok":true})"};
            } else if (req.method() != http::verb::post || req.target() != "/v1/command") {
                reply = error_reply(Errc::not_found, "unknown endpoint; use POST /v1/command");
            } else {
                std::string body = std::move(req.body());
                reply = co_await asio::co_spawn(pool, run(std::move(body)), asio::use_awaitable);
            }
            http::response<http::string_body> res{static_cast<http::status>(reply.status),
                                                  req.version()};
            res.set(http::field::content_type, "application/json");
            res.keep_alive(req.keep_alive());
            res.body() = std::move(reply.body);
            res.prepare_payload();
            auto written = co_await http::async_write(sock, res, as_tuple);
            if (std::get<0>(written) || !req.keep_alive()) break;
        }
        beast::error_code ignored;
        sock.shutdown(local::socket::shutdown_both, ignored);
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto accepted = co_await acceptor.async_accept(as_tuple);
            auto& ec = std::get<0>(accepted);
            if (ec) {
                if (ec == asio::error::operation_aborted) co_return;
                spdlog::warn("admin: accept failed: {}", ec.message());
                continue;
            }
            asio::co_spawn(io, session(std::move(std::get<1>(accepted))), asio::detached);
        }
    }
};

AdminListener::AdminListener(asio::io_context& io, admin::Services& services)
    : impl_(std::make_unique<Impl>(io, services)) {}

AdminListener::~AdminListener() {
    stop();
    impl_->pool.join();
}

Result<void> AdminListener::start(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code fec;
    fs::create_directories(fs::path(path).parent_path(), fec);
    if (fs::exists(path)) {
        // A socket left by a crashed server is removed; a live server keeps its socket.
        local::socket probe(impl_->io);
        boost::system::error_code ec;
        probe.connect(local::endpoint(path), ec);
        if (!ec)
            return fail(Errc::unavailable,
                        fmt::format("another Switchboard server is already running on {}", path));
        fs::remove(path, fec);
    }
    boost::system::error_code ec;
    impl_->acceptor.open(local{}, ec);
    if (!ec) impl_->acceptor.bind(local::endpoint(path), ec);
    if (!ec) ::chmod(path.c_str(), 0600);
    if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return fail(Errc::io_error,
                    fmt::format("cannot listen on admin socket {}: {}", path, ec.message()));
    impl_->path = path;
    asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
    return {};
}

void AdminListener::stop() {
    boost::system::error_code ec;
    if (impl_->acceptor.is_open()) {
        impl_->acceptor.close(ec);
        if (!impl_->path.empty()) ::unlink(impl_->path.c_str());
    }
}

}  // namespace sb::server
