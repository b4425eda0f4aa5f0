#pragma once
// The one place every protocol checks a login. Rules (Carbonio Mobile's "Mobile Password"):
//  - ActiveSync and the LDAP address book accept the account password, unless the account has an
//    EAS credential (mobile password): then only an enabled EAS credential is accepted there.
//  - An EAS credential is never accepted by any other service.
//  - The login is the primary address or any alias; the account must be active.
//  - An account that logs in through the company directory must still have its entry there
//    (not deleted, not disabled), whichever secret it logs in with.
// Failures are throttled per account and per client address. Successful checks are cached for a
// short time under an HMAC of (service, login, secret) with a per-process key, so ActiveSync,
// which authenticates every request, does not pay an argon2id hash each time; any password,
// credential or account change drops the account's cached entries.
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "auth/credentials.hpp"
#include "auth/throttle.hpp"
#include "core/error.hpp"
#include "directory/directory.hpp"

namespace sb::auth {

enum class Service { eas, address_book, imap, pop3, smtp, web };
std::string_view service_name(Service s);
Result<Service> parse_service(std::string_view name);

struct AuthSuccess {
    directory::Account account;
    std::string method;  // "password", "credential aKcLK", "directory"
    bool cached = false;
};

// Verifies a password against the company directory (pass-through login of synced accounts).
using ExternalVerifier =
    std::function<Result<bool>(const directory::Account&, std::string_view secret)>;
// Whether an account that logs in through the company directory still has its entry there, for
// logins that do not ask the directory for the password (mobile passwords). Errors: auth_failed
// (gone or disabled: the reason) or unavailable.
using DirectoryEntryCheck = std::function<Result<void>(const directory::Account&)>;

class Authenticator {
  public:
    Authenticator(directory::Directory& dir, Credentials& creds);

    // Errors: auth_failed (message = the real reason, for the server log only) or throttled.
    Result<AuthSuccess> authenticate(Service service, std::string_view login,
                                     std::string_view secret, std::string_view client_address);

    void set_external_verifier(ExternalVerifier v) { external_ = std::move(v); }
    void set_directory_entry_check(DirectoryEntryCheck c) { entry_check_ = std::move(c); }
    void set_cache_ttl_ms(int64_t ttl) { cache_ttl_ms_ = ttl; }
    // Forgets cached logins of one account (0 = all) and re-reads throttle settings.
    void invalidate(int64_t account_id);
    void reset_throttle() { throttle_.clear(); }

  private:
    Result<AuthSuccess> verify(Service service, const directory::Account& account,
                               std::string_view secret);
    std::string cache_key(Service service, std::string_view login, std::string_view secret) const;
    ThrottlePolicy policy(bool per_address);

    directory::Directory& dir_;
    Credentials& creds_;
    ExternalVerifier external_;
    DirectoryEntryCheck entry_check_;
    Throttle throttle_;
    std::string cache_secret_;
    int64_t cache_ttl_ms_ = 60'000;

    struct CacheEntry {
        int64_t account_id;
        std::string method;
        int64_t expires_ms;
    };
    std::mutex mutex_;
    std::unordered_map<std::string, CacheEntry> cache_;
    bool settings_loaded_ = false;
    ThrottlePolicy account_policy_, address_policy_;
    store::Subscription subscription_;  // last: ends before the state it touches
};

}  // namespace sb::auth
