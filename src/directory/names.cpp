#include <fmt/format.h>

#include "directory/directory.hpp"

namespace sb::directory {

std::string_view status_name(AccountStatus s) {
    switch (s) {
        case AccountStatus::active:
            return "active";
        case AccountStatus::locked:
            return "locked";
        case AccountStatus::closed:
            return "closed";
    }
    return "active";
}

AccountStatus parse_status(std::string_view name) {
    if (name == "locked") return AccountStatus::locked;
    if (name == "closed") return AccountStatus::closed;
    return AccountStatus::active;
}

Result<std::string> normalize_domain(std::string_view name) {
    std::string d = to_lower(trim(name));
    if (d.empty()) return fail(Errc::invalid_argument, "domain name is empty");
    if (d.size() > 253)
        return fail(Errc::invalid_argument, fmt::format("domain name too long: {}", d));
    size_t label = 0;
    for (size_t i = 0; i < d.size(); ++i) {
        char c = d[i];
        if (c == '.') {
            if (label == 0 || d[i - 1] == '-')
                return fail(
                    Errc::invalid_argument,
                    fmt::format("invalid domain name '{}': empty label or label ending in '-'", d));
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok)
            return fail(Errc::invalid_argument,
                        fmt::format("invalid domain name '{}': character '{}' not allowed", d, c));
        if (label == 0 && c == '-')
            return fail(Errc::invalid_argument,
                        fmt::format("invalid domain name '{}': label starts with '-'", d));
        if (++label > 63)
            return fail(Errc::invalid_argument,
                        fmt::format("invalid domain name '{}': label longer than 63", d));
    }
    if (label == 0 || d.back() == '-')
        return fail(Errc::invalid_argument, fmt::format("invalid domain name '{}'", d));
    return d;
}

Result<std::string> normalize_address(std::string_view address) {
    std::string a = to_lower(trim(address));
    auto at = a.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == a.size())
        return fail(Errc::invalid_argument,
                    fmt::format("'{}' is not an address of the form name@domain", address));
    std::string_view local(a.data(), at);
    if (local.size() > 64)
        return fail(Errc::invalid_argument,
                    fmt::format("local part of '{}' is longer than 64 characters", a));
    for (char c : local) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
        if (!ok)
            return fail(Errc::invalid_argument,
                        fmt::format("'{}': character '{}' not allowed in the local part", a, c));
    }
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
        return fail(Errc::invalid_argument,
                    fmt::format("'{}': misplaced '.' in the local part", a));
    SB_TRY_ASSIGN(auto domain, normalize_domain(std::string_view(a).substr(at + 1)));
    return std::string(local) + "@" + domain;
}

}  // namespace sb::directory
