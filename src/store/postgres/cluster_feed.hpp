#pragma once
// Receives the changes other nodes commit: a dedicated connection LISTENs on the cluster
// channel and a thread hands each foreign payload to the node's subscribers. After the
// connection breaks it reconnects with backoff and, since NOTIFYs sent meanwhile are lost,
// announces a catch-all change (subject 0) on every channel.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/connection.hpp"

namespace sb::store::postgres {

// The LISTEN/NOTIFY channel of Switchboard nodes sharing one database.
inline constexpr std::string_view kClusterChannel = "switchboard_changes";

class ClusterFeed {
  public:
    using Deliver = std::function<void(const std::vector<Change>&)>;
    using Channels = std::function<std::vector<std::string>()>;

    // `node` is this node's id (its own payloads are skipped); `channels` lists the channels a
    // catch-all must cover.
    ClusterFeed(const Settings& settings, std::string node, Deliver deliver, Channels channels);
    ~ClusterFeed();  // stops and joins the thread
    ClusterFeed(const ClusterFeed&) = delete;
    ClusterFeed& operator=(const ClusterFeed&) = delete;

    // Starts listening: connects once before returning (so changes committed after start() are
    // not missed when the server is up), then the thread takes over.
    void start();

  private:
    Result<std::unique_ptr<Connection>> connect();
    void run(std::unique_ptr<Connection> conn, bool missed);
    bool pause(std::chrono::milliseconds d);  // false when stopping
    void drain(Connection& conn);
    void catch_all();

    const Settings& settings_;
    const std::string node_;
    Deliver deliver_;
    Channels channels_;
    int wake_fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace sb::store::postgres
