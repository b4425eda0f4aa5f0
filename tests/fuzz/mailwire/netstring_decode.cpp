// Fuzz target: Postfix socketmap netstrings, decoded from a stream one request at a time. A
// decoded payload re-encodes to exactly the bytes it was cut from.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mail/wire/netstring.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    while (!in.empty()) {
        auto f = sb::mailwire::decode_netstring(in, 4096);
        if (!f || !f->complete) break;
        if (f->consumed == 0 || f->consumed > in.size() || f->payload.size() > 4096) std::abort();
        if (sb::mailwire::encode_netstring(f->payload) != in.substr(0, f->consumed)) std::abort();
        in.remove_prefix(f->consumed);
    }
    return 0;
}
