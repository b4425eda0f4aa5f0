#pragma once
// What a device asks of one collection in a Sync (MS-ASCMD 2.2.3.123.5 Options); remembered in the
// collection's SyncState, since a request without Options keeps the last ones.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace sb::eas {

// MS-ASAIRS 2.2.2.7 BodyPreference: the body type wanted and where to cut it.
struct BodyPreference {
    int type = 1;              // 1 plain text, 2 HTML, 3 RTF, 4 MIME
    int64_t truncation = -1;   // bytes; -1 = whole body
    bool all_or_none = false;  // MS-ASAIRS 2.2.2.3: whole body or nothing

    bool operator==(const BodyPreference&) const = default;
};

struct CollectionOptions {
    size_t window = 100;  // MS-ASCMD 2.2.3.199.2: default 100, at most 512
    std::optional<BodyPreference> body;
    int conflict = 1;  // MS-ASCMD 2.2.3.34: 0 client wins, 1 server wins (default)
    std::optional<std::set<std::string>> supported;

    bool operator==(const CollectionOptions&) const = default;
};

}  // namespace sb::eas
