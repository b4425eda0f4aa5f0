#include "store/postgres/cluster_feed.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/postgres/payload.hpp"

namespace sb::store::postgres {

using namespace std::chrono_literals;

ClusterFeed::ClusterFeed(const Settings& settings, std::string node, Deliver deliver,
                         Channels channels)
    : settings_(settings),
      node_(std::move(node)),
      deliver_(std::move(deliver)),
      channels_(std::move(channels)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

ClusterFeed::~ClusterFeed() {
    stopping_ = true;
    if (wake_fd_ >= 0) {
        uint64_t one = 1;
        (void)!::write(wake_fd_, &one, sizeof one);
    }
    if (thread_.joinable()) thread_.join();
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

void ClusterFeed::start() {
    if (thread_.joinable()) return;
    auto conn = connect();
    if (!conn)
        spdlog::warn("store: cluster change feed: {}; retrying in the background",
                     conn.error().message);
    // If the first connection failed, changes of other nodes may be missed until it succeeds.
    const bool missed = !conn;
    thread_ = std::thread([this, c = conn ? std::move(*conn) : nullptr, missed]() mutable {
        run(std::move(c), missed);
    });
}

Result<std::unique_ptr<Connection>> ClusterFeed::connect() {
    auto conn = Connection::open(settings_, wake_fd_);
    if (!conn) return conn;
    SB_TRY((*conn)->command(fmt::format("LISTEN {}", kClusterChannel)));
    return conn;
}

bool ClusterFeed::pause(std::chrono::milliseconds d) {
    pollfd fd{wake_fd_, POLLIN, 0};
    (void)::poll(&fd, 1, static_cast<int>(d.count()));
    return !stopping_;
}

void ClusterFeed::catch_all() {
    std::vector<Change> all;
    for (auto& ch : channels_())
        all.push_back(Change{std::move(ch), 0, ""});
    if (!all.empty()) deliver_(all);
}

void ClusterFeed::drain(Connection& conn) {
    while (PGnotify* n = PQnotifies(conn.raw())) {
        auto payload = decode_payload(n->extra ? n->extra : "");
        PQfreemem(n);
        if (!payload) {
            spdlog::warn("store: ignored a malformed notification on channel {}", kClusterChannel);
            continue;
        }
        if (payload->node == node_ || payload->changes.empty()) continue;
        deliver_(payload->changes);
    }
}

void ClusterFeed::run(std::unique_ptr<Connection> conn, bool missed) {
    auto backoff = 100ms;
    bool warned = false;
    while (!stopping_) {
        if (!conn) {
            auto c = connect();
            if (!c) {
                if (!warned)
                    spdlog::warn("store: cluster change feed: {}; retrying", c.error().message);
                warned = true;
                if (!pause(backoff)) break;
                backoff = std::min<std::chrono::milliseconds>(backoff * 2, 5s);
                continue;
            }
            conn = std::move(*c);
            if (warned)
                spdlog::info("store: cluster change feed listening again on {}", settings_.server);
            warned = false;
            backoff = 100ms;
        }
        if (missed) {
            catch_all();
            missed = false;
        }
        // Waits for a notification or a stop request; TCP keepalives (connect_defaults) turn a
        // dead peer into an error here.
        pollfd fds[2] = {{PQsocket(conn->raw()), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        int n = ::poll(fds, 2, 30000);
        if (stopping_) break;
        if (n < 0 && errno != EINTR) {
            spdlog::error("store: cluster change feed: poll failed: {}", std::strerror(errno));
            if (!pause(1s)) break;
            continue;
        }
        if (n <= 0) continue;
        if (!PQconsumeInput(conn->raw()) || conn->broken()) {
            std::string why = one_line(PQerrorMessage(conn->raw()));
            spdlog::warn("store: cluster change feed lost PostgreSQL server {}: {}; reconnecting",
                         settings_.server, why.empty() ? "connection closed" : why);
            conn.reset();
            missed = true;
            continue;
        }
        drain(*conn);
    }
}

}  // namespace sb::store::postgres
