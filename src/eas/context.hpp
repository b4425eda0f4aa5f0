#pragma once
// What a command handler gets and gives back.
#include <memory>
#include <string>

#include "directory/model.hpp"
#include "eas/device_store.hpp"
#include "eas/exchange.hpp"
#include "eas/protocol.hpp"
#include "eas/query.hpp"
#include "eas/wbxml/wbxml.hpp"

namespace sb::eas {

class Service;

struct Context {
    Service& service;
    const directory::Account& account;
    Device& device;
    const Query& query;
    Version version;
    // The decoded body; its root is the command's element. Null root when the body was empty
    // (an empty Sync or Ping reuses the cached request).
    const wbxml::Document& request;
};

// A handler's answer: a WBXML body (HTTP 200), or a parked wait (Ping).
struct Reply {
    std::string body;
    int http_status = 200;
    std::shared_ptr<Wait> wait;
};

// Command errors the dispatcher maps to HTTP in one place.
// - Errc::invalid_argument / parse_error: the request is malformed → HTTP 400
// - anything else: HTTP 500 (logged)
using Handler = Result<Reply> (*)(Context&);

// Finishes an encoder into a Reply body (an encoder misuse is an internal error).
Result<Reply> finish(wbxml::Encoder& enc, std::string& body);

}  // namespace sb::eas
