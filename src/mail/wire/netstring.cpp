#include "mail/wire/netstring.hpp"

#include <fmt/format.h>

namespace sb::mailwire {

Result<NetstringFrame> decode_netstring(std::string_view in, size_t max_payload) {
    size_t length = 0;
    size_t i = 0;
    for (; i < in.size() && in[i] != ':'; ++i) {
        const char c = in[i];
        if (c < '0' || c > '9')
            return fail(Errc::parse_error,
                        fmt::format("netstring length has a non-digit byte 0x{:02x}",
                                    static_cast<unsigned char>(c)));
        if (i == 1 && in[0] == '0')
            return fail(Errc::parse_error, "netstring length has a leading zero");
        length = length * 10 + static_cast<size_t>(c - '0');
        if (length > max_payload)
            return fail(Errc::limit_exceeded,
                        fmt::format("netstring longer than {} bytes", max_payload));
    }
    if (i == in.size()) return NetstringFrame{};  // the length is not finished yet
    if (i == 0) return fail(Errc::parse_error, "netstring without a length");
    const size_t start = i + 1;
    if (in.size() - start < length + 1) return NetstringFrame{};
    if (in[start + length] != ',')
        return fail(Errc::parse_error, "netstring does not end with ','");
    return NetstringFrame{true, in.substr(start, length), start + length + 1};
}

std::string encode_netstring(std::string_view payload) {
    std::string out = fmt::format("{}:", payload.size());
    out.append(payload);
    out.push_back(',');
    return out;
}

}  // namespace sb::mailwire
