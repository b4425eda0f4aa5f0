#include "mailbox/vcard/property_map.hpp"

#include <algorithm>

namespace sb::vcard::detail {
namespace {

bool has_any(std::span<const std::string> types, std::initializer_list<std::string_view> wanted) {
    for (const auto& t : types)
        if (std::find(wanted.begin(), wanted.end(), t) != wanted.end()) return true;
    return false;
}

}  // namespace

PhoneKind classify_phone(std::span<const std::string> types) {
    // Evolution writes X-EVOLUTION-ASSISTANT and X-EVOLUTION-COMPANY; Apple's labels are words.
    if (has_any(types, {"x-assistant", "assistant", "x-evolution-assistant"}))
        return PhoneKind::assistant;
    bool home = has_any(types, {"home"});
    bool work = has_any(types, {"work"});
    if (has_any(types, {"fax"})) return home && !work ? PhoneKind::home_fax : PhoneKind::work_fax;
    if (has_any(types, {"pager"})) return PhoneKind::pager;
    if (has_any(types, {"cell", "mobile", "iphone"})) return PhoneKind::mobile;
    if (has_any(types, {"car"})) return PhoneKind::car;
    if (has_any(types, {"main", "company", "x-evolution-company"})) return PhoneKind::company;
    if (work) return PhoneKind::work;
    if (home) return PhoneKind::home;
    return PhoneKind::other;
}

Place classify_place(std::span<const std::string> types) {
    if (has_any(types, {"home"})) return Place::home;
    if (has_any(types, {"work"})) return Place::work;
    return Place::other;
}

std::string_view place_type(Place place) {
    switch (place) {
        case Place::home:
            return "home";
        case Place::work:
            return "work";
        case Place::other:
            return "";
    }
    return "";
}

}  // namespace sb::vcard::detail
