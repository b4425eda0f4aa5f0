#pragma once
// Exchange ActiveSync code pages (MS-ASWBXML 2.1.2.1): tag names and tokens of pages 0-25.
// Lookups are backed by tables built at compile time from code_pages.inc.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sb::wbxml {

// One EAS tag: its code page and its token within the page (0x05-0x3F).
struct Tag {
    uint8_t page = 0;
    uint8_t token = 0;
    friend constexpr bool operator==(Tag, Tag) = default;
};

inline constexpr uint8_t kPageCount = 26;  // pages 0 (AirSync) .. 25 (Find)

enum TagFlags : uint8_t {
    kNone = 0,
    kLegacy = 1,  // 2.5-12.1 vocabulary replaced in later versions; decoded, not needed by 14.0+
    kBinary = 2,  // value is a byte array (MS-ASCMD) sent as OPAQUE; XML text of it is base64
};

struct TagInfo {
    Tag tag;
    std::string_view name;  // MS-ASWBXML table name, e.g. "SyncKey", "Recurrence_Type"
    uint8_t flags = kNone;
};

// "AirSync", "Contacts", ..., "GAL", "Find" for a page number; empty for an unknown page.
std::string_view page_name(uint8_t page);
// The XML namespace of a page as EAS XML and libwbxml write it: "AirSync:", "AirSyncBase:", ...
// (page 16 is written "Gal:", libwbxml's spelling).
std::string_view page_namespace(uint8_t page);
// Page of an XML namespace. Accepts the name with or without the trailing colon ("AirSync:",
// "AirSync"), and "GAL:" as well as "Gal:" for page 16.
std::optional<uint8_t> page_by_namespace(std::string_view ns);

// The table entry of a tag, or nullptr when the page or token is unknown.
const TagInfo* tag_info(Tag tag);
inline bool is_known(Tag tag) {
    return tag_info(tag) != nullptr;
}
// Name of a tag; empty when unknown.
std::string_view tag_name(Tag tag);
// Tag of a name within a page. Also accepts the few spellings libwbxml prints differently
// (e.g. "Reply-To" for email ReplyTo); those are never produced.
std::optional<Tag> tag_by_name(uint8_t page, std::string_view name);
// Every tag of a page in token order (empty for an unknown page).
std::span<const TagInfo> page_tags(uint8_t page);
// Every tag of every page, ordered by page then token.
std::span<const TagInfo> all_tags();

// Named constants for every tag: cp::airsync::SyncKey, cp::folderhierarchy::FolderSync,
// cp::airsyncbase::Body, ... and cp::<page>::kPage for the page number.
namespace cp {
#define SB_WBXML_PAGE(number, ident, ns)     \
    namespace ident {                        \
    inline constexpr uint8_t kPage = number; \
    }
#define SB_WBXML_TAG(ident, Name, token, flags) \
    namespace ident {                           \
    inline constexpr Tag Name{kPage, token};    \
    }
#include "eas/wbxml/code_pages.inc"
#undef SB_WBXML_TAG
#undef SB_WBXML_PAGE
}  // namespace cp

}  // namespace sb::wbxml
