#include "ldap/ber/framer.hpp"

#include <string>

#include "ldap/ber/header.hpp"

namespace sb::ber {

Result<Frame> frame(std::string_view received, size_t max_element_size) {
    Frame f;
    if (received.empty()) return f;
    f.tag = static_cast<uint8_t>(received[0]);
    SB_TRY_ASSIGN(auto header, parse_header(received));
    if (!header) return f;
    const size_t total = header->total_size();
    if (total > max_element_size)
        return fail(Errc::limit_exceeded, "BER: element of " + std::to_string(total) +
                                              " bytes exceeds the limit of " +
                                              std::to_string(max_element_size));
    f.size = total;
    f.complete = received.size() >= total;
    return f;
}

}  // namespace sb::ber
