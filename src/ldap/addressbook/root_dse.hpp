#pragma once
// The root DSE (RFC 4512 5.1): what a client reads before binding to learn the naming context
// and the controls and extensions the server supports. Outlook shows "Enable Browsing" only when
// VLV and server-side sort are listed; configurationNamingContext is never sent (it would put
// Outlook for Mac into Exchange mode).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sb::addressbook {

struct RootDseInfo {
    std::string_view naming_context;  // "o=switchboard"
    std::string_view vendor_version;
};

// Appends the SearchResultEntry of the root DSE with the requested attributes (none, "*" or
// "+" = all of them, as Active Directory and Outlook expect).
void encode_root_dse(std::string& out, int32_t message_id,
                     std::span<const std::string_view> requested, bool types_only,
                     const RootDseInfo& info);

}  // namespace sb::addressbook
