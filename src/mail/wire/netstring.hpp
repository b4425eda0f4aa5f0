#pragma once
// Netstrings (D. J. Bernstein, "Netstrings", 1997): "<length>:<bytes>," with a decimal length
// without leading zeros. Postfix's socketmap tables speak them (socketmap_table(5)).
// Pure and incremental: the decoder looks at the bytes received so far and says "need more",
// returns one payload and how many bytes it used, or fails; it never touches a socket.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sb::mailwire {

struct NetstringFrame {
    bool complete = false;     // false: the bytes so far are a valid prefix; read more
    std::string_view payload;  // points into the input
    size_t consumed = 0;       // bytes of the input the frame used
};

// Decodes the first netstring of `in`. Errors (parse_error, limit_exceeded) mean the stream
// cannot be resynchronised: answer once and close.
Result<NetstringFrame> decode_netstring(std::string_view in, size_t max_payload);

std::string encode_netstring(std::string_view payload);

}  // namespace sb::mailwire
