#pragma once
// Finds where the first complete BER element of a byte stream ends, so a session can cut
// messages out of its receive buffer without decoding them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"

namespace sb::ber {

struct Frame {
    // True when the first `size` bytes of the input hold one whole element.
    bool complete = false;
    // complete: the element's total size. Not complete: the total size the element will have
    // once its header is known, or 0 while the header itself is still incomplete.
    size_t size = 0;
    uint8_t tag = 0;  // valid as soon as one byte was seen
};

// Frames the first element of `received`. Errors (parse_error or limit_exceeded) are final:
// indefinite or over-long length forms, multi-octet tags, and elements larger than
// `max_element_size` (reported as soon as the header is seen, without waiting for the body).
Result<Frame> frame(std::string_view received, size_t max_element_size);

}  // namespace sb::ber
