#pragma once
// The request-line parameters of an EAS POST (MS-ASHTTP 2.2.1.1.1): the plain form
// "Cmd=Sync&User=u&DeviceId=d&DeviceType=t" (2.5, 12.0 and every later version) and the base64
// form (12.1+) that packs version, command code, locale, device id, policy key, device type and
// tagged command parameters into bytes. A pure parser with explicit limits: no sockets.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "eas/protocol.hpp"

namespace sb::eas {

struct QueryLimits {
    size_t max_query = 2048;    // bytes of the query string as received
    size_t max_device_id = 64;  // MS-ASHTTP says 32 (plain) / 16 (base64); devices exceed it
    size_t max_device_type = 64;
    size_t max_value = 1024;  // any other parameter value
};

struct Query {
    bool base64 = false;
    std::string command_name;        // as sent ("Sync"); for base64, the name of the code
    std::optional<Command> command;  // nullopt: a name this server does not know
    std::string user;
    std::string device_id;
    std::string device_type;
    // Base64 form only: the version byte and the policy key (MS-ASHTTP 2.2.1.1.1.1.1); the plain
    // form carries them in the MS-ASProtocolVersion and X-MS-PolicyKey headers.
    std::optional<Version> version;
    std::optional<uint32_t> policy_key;
    uint16_t locale = 0;
    // Command parameters (MS-ASHTTP 2.2.1.1.1.1.3 / 2.2.1.1.1.2.5).
    std::string attachment_name, collection_id, item_id, long_id, occurrence;
    bool save_in_sent = false;      // Options bit 0x01, or SaveInSent=T
    bool accept_multipart = false;  // Options bit 0x02
};

// Parses the query string (the part after '?', still percent-encoded). Errors are
// Errc::invalid_argument (bad value) or Errc::parse_error (malformed), answered with HTTP 400.
Result<Query> parse_query(std::string_view query, const QueryLimits& limits = {});

// Percent-decoding of one component ('+' is a space in the plain form's values).
Result<std::string> percent_decode(std::string_view s, bool plus_is_space);

// Builds the base64 form (for tests, tools and benchmarks).
std::string encode_base64_query(const Query& q);

}  // namespace sb::eas
