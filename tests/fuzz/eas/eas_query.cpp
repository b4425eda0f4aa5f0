// Fuzzes the EAS request-line parser (plain and base64 query forms) and the SyncKey parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "eas/query.hpp"
#include "eas/sync/sync_key.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto q = sb::eas::parse_query(in);
    if (q && q->base64) {
        auto again = sb::eas::parse_query(sb::eas::encode_base64_query(*q));
        if (!again || again->device_id != q->device_id) __builtin_trap();
    }
    (void)sb::eas::parse_sync_key(in);
    (void)sb::eas::parse_items(in);
    return 0;
}
