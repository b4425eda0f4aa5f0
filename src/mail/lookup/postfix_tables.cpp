#include "mail/lookup/postfix_tables.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "directory/directory.hpp"

namespace sb::mail {
namespace {

constexpr std::string_view kNotFound = "NOTFOUND ";

std::string temp(const Error& e) {
    spdlog::warn("mail lookup: answering TEMP: {}", e.message);
    return "TEMP " + e.message;
}

// Keys Postfix may send that cannot name one of our addresses: "@domain" (catch-all probes),
// "user" without a domain, anything with spaces or controls.
bool plausible_address(std::string_view key) {
    const auto at = key.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == key.size()) return false;
    for (char c : key)
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
    return true;
}

}  // namespace

std::string PostfixTables::answer(std::string_view request) {
    const auto space = request.find(' ');
    if (space == std::string_view::npos) return "PERM request must be \"<table> <key>\"";
    const std::string_view name = request.substr(0, space);
    const std::string key = to_lower(request.substr(space + 1));
    if (key.empty() || key.size() > 1024) return std::string(kNotFound);
    if (name == "domains") return domains(key);
    if (name == "mailboxes") return mailboxes(key);
    if (name == "aliases") return aliases(key);
    if (name == "senders") return senders(key);
    return fmt::format("PERM unknown table '{}' (domains, mailboxes, aliases, senders)",
                       name.substr(0, 64));
}

std::string PostfixTables::domains(std::string_view key) {
    if (key.find('@') != std::string_view::npos) return std::string(kNotFound);
    auto d = directory_.domain(key);
    if (d && d->name == key) return "OK " + d->name;
    if (d) return std::string(kNotFound);  // a uuid is not a domain name
    if (d.error().code == Errc::not_found || d.error().code == Errc::invalid_argument)
        return std::string(kNotFound);
    return temp(d.error());
}

std::string PostfixTables::mailboxes(std::string_view key) {
    if (!plausible_address(key)) return std::string(kNotFound);
    auto a = directory_.account(key);
    if (!a) {
        if (a.error().code == Errc::not_found || a.error().code == Errc::invalid_argument)
            return std::string(kNotFound);
        return temp(a.error());
    }
    // Aliases reach the mailbox through the aliases table, which Postfix asks first.
    if (a->address != key || a->status == directory::AccountStatus::closed)
        return std::string(kNotFound);
    return fmt::format("OK {}/", a->uuid);
}

std::string PostfixTables::aliases(std::string_view key) {
    if (!plausible_address(key)) return std::string(kNotFound);
    auto a = directory_.account(key);
    if (!a) {
        if (a.error().code == Errc::not_found || a.error().code == Errc::invalid_argument)
            return std::string(kNotFound);
        return temp(a.error());
    }
    if (a->address == key || a->uuid == key || a->status == directory::AccountStatus::closed)
        return std::string(kNotFound);
    return "OK " + a->address;
}

std::string PostfixTables::senders(std::string_view key) {
    if (!plausible_address(key)) return std::string(kNotFound);
    auto a = directory_.account(key);
    if (!a) {
        if (a.error().code == Errc::not_found || a.error().code == Errc::invalid_argument)
            return std::string(kNotFound);
        return temp(a.error());
    }
    if (a->uuid == key || a->status == directory::AccountStatus::closed)
        return std::string(kNotFound);
    std::string logins = a->address;
    for (const auto& alias : a->aliases)
        logins += "," + alias;
    return "OK " + logins;
}

}  // namespace sb::mail
