#include "eas/wbxml/code_pages.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace sb::wbxml {
namespace {

constexpr TagInfo kTags[] = {
#define SB_WBXML_PAGE(number, ident, ns)
#define SB_WBXML_TAG(ident, Name, token, flags) TagInfo{cp::ident::Name, #Name, flags},
#include "eas/wbxml/code_pages.inc"
#undef SB_WBXML_TAG
#undef SB_WBXML_PAGE
};
constexpr size_t kTagCount = std::size(kTags);

constexpr uint8_t kPageNumbers[] = {
#define SB_WBXML_PAGE(number, ident, ns) number,
#define SB_WBXML_TAG(ident, Name, token, flags)
#include "eas/wbxml/code_pages.inc"
#undef SB_WBXML_TAG
#undef SB_WBXML_PAGE
};
constexpr std::string_view kPageNames[] = {
#define SB_WBXML_PAGE(number, ident, ns) ns,
#define SB_WBXML_TAG(ident, Name, token, flags)
#include "eas/wbxml/code_pages.inc"
#undef SB_WBXML_TAG
#undef SB_WBXML_PAGE
};
constexpr std::string_view kNamespaces[] = {
#define SB_WBXML_PAGE(number, ident, ns) ns ":",
#define SB_WBXML_TAG(ident, Name, token, flags)
#include "eas/wbxml/code_pages.inc"
#undef SB_WBXML_TAG
#undef SB_WBXML_PAGE
};

constexpr bool pages_are_numbered_in_order() {
    if (std::size(kPageNumbers) != kPageCount) return false;
    for (size_t i = 0; i < std::size(kPageNumbers); ++i)
        if (kPageNumbers[i] != i) return false;
    return true;
}
static_assert(pages_are_numbered_in_order(), "code_pages.inc must list pages 0..25 in order");

// Tokens 0x00-0x04 of every page are the global tokens (WBXML 1.3 section 7.1); a tag token is
// six bits, the two high bits being the content and attribute flags.
constexpr bool tags_are_sorted_and_valid() {
    for (size_t i = 0; i < kTagCount; ++i) {
        const Tag t = kTags[i].tag;
        if (t.page >= kPageCount || t.token < 0x05 || t.token > 0x3F) return false;
        if (i > 0) {
            const Tag p = kTags[i - 1].tag;
            if (t.page < p.page || (t.page == p.page && t.token <= p.token)) return false;
        }
    }
    return true;
}
static_assert(tags_are_sorted_and_valid(), "code_pages.inc must list tokens in ascending order");

// (page, token) -> index into kTags, or -1.
constexpr auto kByToken = [] {
    std::array<std::array<int16_t, 64>, kPageCount> index{};
    for (auto& page : index)
        page.fill(-1);
    for (size_t i = 0; i < kTagCount; ++i)
        index[kTags[i].tag.page][kTags[i].tag.token] = static_cast<int16_t>(i);
    return index;
}();

struct PageRange {
    uint16_t first = 0;
    uint16_t count = 0;
};
constexpr auto kPageRanges = [] {
    std::array<PageRange, kPageCount> ranges{};
    for (size_t i = kTagCount; i-- > 0;) {
        auto& r = ranges[kTags[i].tag.page];
        r.first = static_cast<uint16_t>(i);
        ++r.count;
    }
    return ranges;
}();

constexpr bool name_less(const TagInfo& a, const TagInfo& b) {
    return a.tag.page != b.tag.page ? a.tag.page < b.tag.page : a.name < b.name;
}

// Indexes into kTags ordered by (page, name), for binary search by name.
constexpr auto kByName = [] {
    std::array<uint16_t, kTagCount> order{};
    for (size_t i = 0; i < kTagCount; ++i)
        order[i] = static_cast<uint16_t>(i);
    std::sort(order.begin(), order.end(),
              [](uint16_t a, uint16_t b) { return name_less(kTags[a], kTags[b]); });
    return order;
}();

constexpr bool names_are_unique_per_page() {
    for (size_t i = 1; i < kTagCount; ++i) {
        const TagInfo& a = kTags[kByName[i - 1]];
        const TagInfo& b = kTags[kByName[i]];
        if (a.tag.page == b.tag.page && a.name == b.name) return false;
    }
    return true;
}
static_assert(names_are_unique_per_page(), "a tag name appears twice in one code page");

// Spellings libwbxml 0.11 prints for a few tags, accepted on input so its output can be read back.
struct Alias {
    Tag tag;
    std::string_view name;
};
constexpr Alias kAliases[] = {
    {cp::email::Att0Id, "AttOId"},
    {cp::email::ReplyTo, "Reply-To"},
    {cp::provision::RequireStorageCardEncryption, "DeviceEncryptionEnabled"},
    {cp::settings::RightsManagementInformation, "ihsManagementInformation"},
};

}  // namespace

std::string_view page_name(uint8_t page) {
    return page < kPageCount ? kPageNames[page] : "";
}

std::string_view page_namespace(uint8_t page) {
    // libwbxml writes and needs "Gal:" (its xml2wbxml silently encodes "GAL:" elements with
    // tokens of other pages); both spellings are read.
    if (page == cp::gal::kPage) return "Gal:";
    return page < kPageCount ? kNamespaces[page] : "";
}

std::optional<uint8_t> page_by_namespace(std::string_view ns) {
    if (ns.ends_with(':')) ns.remove_suffix(1);
    if (ns == "Gal") return cp::gal::kPage;
    for (uint8_t p = 0; p < kPageCount; ++p)
        if (kPageNames[p] == ns) return p;
    return std::nullopt;
}

const TagInfo* tag_info(Tag tag) {
    if (tag.page >= kPageCount || tag.token >= 64) return nullptr;
    const int16_t i = kByToken[tag.page][tag.token];
    return i < 0 ? nullptr : &kTags[i];
}

std::string_view tag_name(Tag tag) {
    const TagInfo* info = tag_info(tag);
    return info ? info->name : std::string_view{};
}

std::optional<Tag> tag_by_name(uint8_t page, std::string_view name) {
    if (page >= kPageCount) return std::nullopt;
    const TagInfo key{Tag{page, 0}, name, kNone};
    auto it = std::lower_bound(kByName.begin(), kByName.end(), key,
                               [](uint16_t i, const TagInfo& k) { return name_less(kTags[i], k); });
    if (it != kByName.end() && kTags[*it].tag.page == page && kTags[*it].name == name)
        return kTags[*it].tag;
    for (const Alias& a : kAliases)
        if (a.tag.page == page && a.name == name) return a.tag;
    return std::nullopt;
}

std::span<const TagInfo> page_tags(uint8_t page) {
    if (page >= kPageCount) return {};
    return std::span<const TagInfo>(kTags + kPageRanges[page].first, kPageRanges[page].count);
}

std::span<const TagInfo> all_tags() {
    return std::span<const TagInfo>(kTags, kTagCount);
}

}  // namespace sb::wbxml
