#include "mail/auth/dovecot_auth.hpp"

#include <arpa/inet.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "auth/authenticator.hpp"
#include "core/digest.hpp"
#include "directory/directory.hpp"

namespace sb::mail {
namespace {

std::vector<std::string> error(std::string reason) {
    return {"ERROR", std::move(reason)};
}

std::vector<std::string> refusal(const Error& e) {
    const bool temporary = e.code == Errc::throttled || e.code == Errc::unavailable ||
                           e.code == Errc::io_error || e.code == Errc::internal;
    return {"FAIL", temporary ? "temp" : "denied", e.message};
}

// Dovecot's service names (imap, pop3, smtp, submission, lmtp, sieve ...) → the authenticator's.
// Anything that is not a mail protocol of ours is refused rather than guessed.
Result<auth::Service> mail_service(std::string_view name) {
    if (iequals(name, "imap")) return auth::Service::imap;
    if (iequals(name, "pop3")) return auth::Service::pop3;
    if (iequals(name, "smtp") || iequals(name, "submission")) return auth::Service::smtp;
    return fail(
        Errc::invalid_argument,
        fmt::format("service '{}' is not one Switchboard answers for (imap, pop3, smtp)", name));
}

}  // namespace

bool is_loopback_address(std::string_view ip) {
    std::string s(ip);
    in_addr v4{};
    if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (::inet_pton(AF_INET6, s.c_str(), &v6) != 1) return false;
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

DovecotAuth::DovecotAuth(auth::Authenticator& authenticator, directory::Directory& directory,
                         MailboxLayout layout, std::string master_secret)
    : authenticator_(authenticator),
      directory_(directory),
      layout_(std::move(layout)),
      master_secret_(std::move(master_secret)) {}

std::string DovecotAuth::home_of(const directory::Account& account) const {
    return layout_.root + "/" + account.uuid;
}

std::vector<std::string> DovecotAuth::user_fields(const directory::Account& account) const {
    std::vector<std::string> f = {"OK", account.address, "home=" + home_of(account),
                                  "switchboard_account=" + account.uuid};
    if (!layout_.user.empty()) {
        f.push_back("uid=" + layout_.user);
        f.push_back("gid=" + layout_.user);
    }
    return f;
}

std::vector<std::string> DovecotAuth::answer(const std::vector<std::string>& r) {
    if (r.empty() || r[0].empty()) return error("empty request");
    if (r[0] == "PASS") return pass(r);
    if (r[0] == "MASTER") return master(r);
    if (r[0] == "USER") return user(r);
    return error(fmt::format("unknown request '{}' (PASS, MASTER, USER)", r[0].substr(0, 32)));
}

std::vector<std::string> DovecotAuth::pass(const std::vector<std::string>& r) {
    if (r.size() != 5) return error("PASS takes service, login, client address and password");
    const std::string& login = r[2];
    const std::string& client = r[3];
    auto service = mail_service(r[1]);
    if (!service) {
        spdlog::warn("mail auth: login of {} from {} refused: {}", login, client,
                     service.error().message);
        return {"FAIL", "denied", service.error().message};
    }
    auto ok = authenticator_.authenticate(*service, login, r[4], client);
    if (!ok) {
        spdlog::info("mail auth: {} login of {} from {} refused: {}", auth::service_name(*service),
                     login, client, ok.error().message);
        return refusal(ok.error());
    }
    spdlog::debug("mail auth: {} login of {} from {} ({}{})", auth::service_name(*service),
                  ok->account.address, client, ok->method, ok->cached ? ", cached" : "");
    return {"OK", ok->account.address};
}

std::vector<std::string> DovecotAuth::master(const std::vector<std::string>& r) {
    if (r.size() != 6)
        return error("MASTER takes service, master user, target, client address and secret");
    const std::string &master_name = r[2], &target = r[3], &client = r[4];
    // The secret is compared first and in constant time; the other checks do not reveal it.
    const bool secret_ok =
        !master_secret_.empty() && crypto::constant_time_equal(r[5], master_secret_);
    auto refuse = [&](const std::string& why) -> std::vector<std::string> {
        spdlog::warn("mail auth: master login '{}' for {} from {} refused: {}", master_name, target,
                     client, why);
        return {"FAIL", "denied", why};
    };
    if (master_name != kMasterUser)
        return refuse(fmt::format("'{}' is not the master user", master_name));
    if (!secret_ok) return refuse("wrong master secret");
    if (!is_loopback_address(client))
        return refuse("master logins are accepted only from the local host");
    auto account = directory_.account(to_lower(trim(target)));
    if (!account) {
        if (account.error().code == Errc::not_found) return refuse("no such account");
        return refusal(account.error());
    }
    if (account->status == directory::AccountStatus::closed) return refuse("the account is closed");
    spdlog::debug("mail auth: master login for {} from {}", account->address, client);
    return {"OK", account->address};
}

std::vector<std::string> DovecotAuth::user(const std::vector<std::string>& r) {
    if (r.size() != 3) return error("USER takes service and login");
    const std::string login = to_lower(trim(r[2]));
    auto account = directory_.account(login);
    if (!account) {
        if (account.error().code == Errc::not_found) return {"NOTFOUND", "no such account"};
        spdlog::warn("mail auth: userdb lookup of {} failed: {}", login, account.error().message);
        return refusal(account.error());
    }
    // A closed account has no mailbox: LMTP refuses its mail, nobody opens it.
    if (account->status == directory::AccountStatus::closed)
        return {"NOTFOUND", fmt::format("account {} is closed", account->address)};
    return user_fields(*account);
}

}  // namespace sb::mail
