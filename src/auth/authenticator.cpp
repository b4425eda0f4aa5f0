#include "auth/authenticator.hpp"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include "core/digest.hpp"
#include "core/password.hpp"
#include "core/random.hpp"

namespace sb::auth {

std::string_view service_name(Service s) {
    switch (s) {
        case Service::eas:
            return "EAS";
        case Service::address_book:
            return "LDAP address book";
        case Service::imap:
            return "IMAP";
        case Service::pop3:
            return "POP3";
        case Service::smtp:
            return "SMTP";
        case Service::web:
            return "web";
    }
    return "?";
}

Result<Service> parse_service(std::string_view n) {
    if (iequals(n, "eas") || iequals(n, "activesync")) return Service::eas;
    if (iequals(n, "ldap") || iequals(n, "addressbook") || iequals(n, "address_book"))
        return Service::address_book;
    if (iequals(n, "imap")) return Service::imap;
    if (iequals(n, "pop3")) return Service::pop3;
    if (iequals(n, "smtp")) return Service::smtp;
    if (iequals(n, "web") || iequals(n, "webui")) return Service::web;
    return fail(Errc::invalid_argument,
                fmt::format("unknown service '{}' (EAS, LDAP, IMAP, POP3, SMTP, WEB)", n));
}

namespace {
bool mobile_service(Service s) {
    return s == Service::eas || s == Service::address_book;
}
// Same cost as a real check, so an unknown login cannot be told apart by timing.
const std::string& decoy_hash() {
    static const std::string h = crypto::hash_password(crypto::random_password(16));
    return h;
}
}  // namespace

Authenticator::Authenticator(directory::Directory& dir, Credentials& creds)
    : dir_(dir), creds_(creds), cache_secret_(crypto::random_bytes(32)) {
    subscription_ = dir_.db().subscribe([this](const std::vector<store::Change>& changes) {
        for (const auto& c : changes)
            if (c.channel == directory::kChannel) invalidate(c.subject);
    });
}

void Authenticator::invalidate(int64_t account_id) {
    std::lock_guard lock(mutex_);
    if (account_id == 0) {
        cache_.clear();
        settings_loaded_ = false;
        return;
    }
    for (auto it = cache_.begin(); it != cache_.end();)
        it = it->second.account_id == account_id ? cache_.erase(it) : std::next(it);
}

std::string Authenticator::cache_key(Service service, std::string_view login,
                                     std::string_view secret) const {
    std::string msg = fmt::format("{}\n{}\n", int(service), to_lower(login));
    msg.append(secret);
    return crypto::hmac_sha256(cache_secret_, msg);
}

ThrottlePolicy Authenticator::policy(bool per_address) {
    {
        std::lock_guard lock(mutex_);
        if (settings_loaded_) return per_address ? address_policy_ : account_policy_;
    }
    auto get = [&](std::string_view name, int64_t fallback) -> int64_t {
        auto ev = dir_.global(name);
        if (!ev || ev->values.empty()) return fallback;
        return int64_t{std::strtoll(ev->values.front().c_str(), nullptr, 10)};
    };
    ThrottlePolicy acc, addr;
    acc.limit = static_cast<int>(get("authThrottleAccountFailures", 10));
    addr.limit = static_cast<int>(get("authThrottleAddressFailures", 30));
    acc.window_ms = addr.window_ms = get("authThrottleWindow", 900) * 1000;
    acc.initial_delay_ms = addr.initial_delay_ms = get("authThrottleInitialDelay", 1) * 1000;
    acc.max_delay_ms = addr.max_delay_ms = get("authThrottleMaxDelay", 900) * 1000;
    std::lock_guard lock(mutex_);
    account_policy_ = acc;
    address_policy_ = addr;
    settings_loaded_ = true;
    return per_address ? addr : acc;
}

Result<AuthSuccess> Authenticator::authenticate(Service service, std::string_view login_in,
                                                std::string_view secret,
                                                std::string_view client_address) {
    const std::string login = to_lower(trim(login_in));
    const std::string addr_key = "ip " + std::string(client_address);
    const std::string login_key = "login " + login;
    const int64_t now = now_ms();
    if (int64_t w = throttle_.wait_ms(addr_key, now); w > 0)
        return fail(Errc::throttled, fmt::format("too many failed logins from {}; retry in {} s",
                                                 client_address, (w + 999) / 1000));
    // An attempt on a throttled login still counts against the client address, so one address
    // cannot go on guessing across many logins.
    if (int64_t w = throttle_.wait_ms(login_key, now); w > 0) {
        throttle_.failure(addr_key, now, policy(true));
        return fail(Errc::throttled, fmt::format("too many failed logins for {}; retry in {} s",
                                                 login, (w + 999) / 1000));
    }
    if (login.empty() || secret.empty())
        return fail(Errc::auth_failed, fmt::format("empty login or password for '{}'", login));

    const std::string key = cache_key(service, login, secret);
    std::optional<CacheEntry> hit;
    {
        std::lock_guard lock(mutex_);
        if (auto it = cache_.find(key); it != cache_.end()) {
            if (it->second.expires_ms > now)
                hit = it->second;
            else
                cache_.erase(it);
        }
    }
    if (hit) {
        auto acc = dir_.account_by_id(hit->account_id);
        if (acc && acc->status == directory::AccountStatus::active)
            return AuthSuccess{std::move(*acc), hit->method, true};
    }

    // Per-account counting uses the account id, so aliases do not multiply the attempts.
    // A block runs from the refusal, not from the start of a (slow, argon2id) verification, so
    // the first block is not over before the client even hears of it.
    auto record_failure = [&](std::optional<int64_t> account_id) {
        const int64_t at = now_ms();
        throttle_.failure(addr_key, at, policy(true));
        throttle_.failure(account_id ? "account " + std::to_string(*account_id) : login_key, at,
                          policy(false));
    };

    auto account = dir_.account(login);
    if (!account) {
        if (account.error().code != Errc::not_found) return tl::unexpected(account.error());
        (void)crypto::verify_password(decoy_hash(), secret);
        record_failure(std::nullopt);
        return fail(Errc::auth_failed, fmt::format("no account or alias named '{}'", login));
    }
    const std::string account_key = "account " + std::to_string(account->id);
    if (int64_t w = throttle_.wait_ms(account_key, now); w > 0) {
        throttle_.failure(addr_key, now, policy(true));
        return fail(Errc::throttled, fmt::format("too many failed logins for {}; retry in {} s",
                                                 account->address, (w + 999) / 1000));
    }
    auto ok = verify(service, *account, secret);
    if (!ok) {
        if (ok.error().code == Errc::auth_failed) record_failure(account->id);
        return ok;
    }
    throttle_.success(account_key);
    {
        std::lock_guard lock(mutex_);
        if (cache_.size() > 100'000) cache_.clear();
        cache_[key] = CacheEntry{account->id, ok->method, now + cache_ttl_ms_};
    }
    return ok;
}

Result<AuthSuccess> Authenticator::verify(Service service, const directory::Account& account,
                                          std::string_view secret) {
    if (account.status != directory::AccountStatus::active)
        return fail(Errc::auth_failed, fmt::format("account {} is {}", account.address,
                                                   directory::status_name(account.status)));

    if (mobile_service(service)) {
        SB_TRY_ASSIGN(auto creds, creds_.list_by_id(account.id));
        bool has_eas = false;
        for (const auto& c : creds) {
            if (std::find(c.services.begin(), c.services.end(), kServiceEas) == c.services.end())
                continue;
            has_eas = true;
            if (c.enabled && crypto::verify_password(c.hash, secret)) {
                // A mobile password does not outlive the directory entry of its account.
                if (account.auth_source == "directory" && entry_check_)
                    if (auto present = entry_check_(account); !present)
                        return tl::unexpected(present.error());
                return AuthSuccess{account, "credential " + c.public_id, false};
            }
        }
        if (has_eas)
            return fail(
                Errc::auth_failed,
                fmt::format(
                    "{} has a mobile password (EAS credential): the secret given is not an enabled "
                    "EAS credential, and the account password is not accepted for {}",
                    account.address, service_name(service)));
    }

    if (account.auth_source == "directory") {
        if (!external_)
            return fail(
                Errc::unavailable,
                fmt::format("{} logs in through the company directory, which is not configured",
                            account.address));
        SB_TRY_ASSIGN(auto r, external_(account, secret));
        if (!r)
            return fail(
                Errc::auth_failed,
                fmt::format("the company directory refused the password of {}", account.address));
        return AuthSuccess{account, "directory", false};
    }

    SB_TRY_ASSIGN(auto stored, dir_.password_hash(account.id));
    if (stored.empty())
        return fail(Errc::auth_failed, fmt::format("{} has no password set", account.address));
    if (!crypto::verify_password(stored, secret))
        return fail(Errc::auth_failed, fmt::format("wrong password for {}", account.address));
    if (crypto::password_needs_rehash(stored)) {
        // Imported {SSHA}/{CRYPT}/... hashes become argon2id at the first successful login.
        auto up = dir_.upgrade_password_hash(account.id, stored, crypto::hash_password(secret));
        if (!up)
            spdlog::warn("auth: could not upgrade the password hash of {}: {}", account.address,
                         up.error().message);
        else
            spdlog::info("auth: upgraded the password hash of {} from {} to argon2id",
                         account.address,
                         crypto::password_scheme_name(crypto::password_scheme(stored)));
    }
    return AuthSuccess{account, "password", false};
}

}  // namespace sb::auth
