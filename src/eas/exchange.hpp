#pragma once
// One EAS HTTP exchange as the request pipeline sees it, free of any HTTP library: the HTTP
// layer (eas/http) fills a Request and sends back the Response.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sb::eas {

struct Request {
    std::string method;  // "POST", "OPTIONS", ...
    std::string target;  // path and query, e.g. "/Microsoft-Server-ActiveSync?Cmd=Sync&..."
    std::string authorization;
    std::string user_agent;
    std::string protocol_version;  // MS-ASProtocolVersion header (plain query form)
    std::string policy_key;        // X-MS-PolicyKey header (plain query form)
    std::string content_type;
    std::string client_address;
    std::string body;
};

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string content_type;  // "" when there is no body
    std::string body;
    bool close = false;  // close the connection after sending
};

// Why a parked request is being answered.
enum class Wake : uint8_t {
    heartbeat,   // its interval ran out
    changed,     // the mailbox moved and the check found changes
    superseded,  // a newer request of the same device replaced it
    shutdown,    // the server is stopping
};

// A request parked until something changes (Ping; later Sync with Wait): the HTTP layer holds the
// connection, calls changed() (blocking, on a worker) after mailbox notifications, and answer()
// once it wakes.
class Wait {
  public:
    virtual ~Wait() = default;
    int64_t account_id = 0;
    std::string device_id;
    int64_t heartbeat_seconds = 0;
    // Whether a watched folder has changes the device does not hold yet.
    virtual bool changed() = 0;
    virtual Response answer(Wake why) = 0;
};

struct Outcome {
    Response response;           // sent at once, unless `wait` is set
    std::shared_ptr<Wait> wait;  // park the request instead
};

}  // namespace sb::eas
