#include "mailbox/vcard/date_value.hpp"

namespace sb::vcard::detail {
namespace {

bool all_digits(std::string_view s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return !s.empty();
}

int number(std::string_view two) {
    return (two[0] - '0') * 10 + (two[1] - '0');
}

bool valid_month_day(int month, int day) {
    static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month >= 1 && month <= 12 && day >= 1 && day <= kDays[month - 1];
}

// A time part after 'T': digits and the separators of ISO 8601 times and zones only.
bool plausible_time(std::string_view t) {
    if (t.empty()) return false;
    for (char c : t)
        if (!((c >= '0' && c <= '9') || c == ':' || c == '.' || c == '+' || c == '-' || c == 'Z' ||
              c == 'z'))
            return false;
    return true;
}

}  // namespace

std::optional<std::string> normalize_date(std::string_view value) {
    std::string_view date = value;
    if (auto t = value.find_first_of("Tt"); t != std::string_view::npos) {
        if (!plausible_time(value.substr(t + 1))) return std::nullopt;
        date = value.substr(0, t);
    }
    std::string_view year, month, day;
    if (date.size() == 10 && date[4] == '-' && date[7] == '-') {
        year = date.substr(0, 4), month = date.substr(5, 2), day = date.substr(8, 2);
    } else if (date.size() == 8 && all_digits(date)) {
        year = date.substr(0, 4), month = date.substr(4, 2), day = date.substr(6, 2);
    } else if (date.size() == 6 && date.starts_with("--")) {
        month = date.substr(2, 2), day = date.substr(4, 2);
    } else if (date.size() == 7 && date.starts_with("--") && date[4] == '-') {
        month = date.substr(2, 2), day = date.substr(5, 2);
    } else {
        return std::nullopt;
    }
    if ((!year.empty() && !all_digits(year)) || !all_digits(month) || !all_digits(day))
        return std::nullopt;
    if (!valid_month_day(number(month), number(day))) return std::nullopt;
    std::string out = year.empty() ? std::string("-") : std::string(year);
    out += '-';
    out += month;
    out += '-';
    out += day;
    return out;
}

bool is_canonical_date(std::string_view value) {
    auto normalized = normalize_date(value);
    return normalized && *normalized == value;
}

std::string format_date(std::string_view canonical, bool v4) {
    if (!v4) return std::string(canonical);
    std::string out;
    for (char c : canonical.starts_with("--") ? canonical.substr(2) : canonical)
        if (c != '-') out += c;
    return canonical.starts_with("--") ? "--" + out : out;
}

}  // namespace sb::vcard::detail
