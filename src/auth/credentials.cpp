#include "auth/credentials.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/password.hpp"
#include "core/random.hpp"
#include "directory/reader.hpp"

namespace sb::auth {
namespace {

using store::Tx;

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (auto& x : v)
        s += (s.empty() ? "" : ",") + x;
    return s;
}

Credential from_row(const store::Row& r) {
    Credential c;
    c.id = r.integer(0);
    c.public_id = r.text(1);
    c.services = split(r.text(2), ',');
    c.label = r.text(3);
    c.generated = r.integer(4) != 0;
    c.enabled = r.integer(5) != 0;
    c.created_at = r.integer(6);
    c.hash = r.text(7);
    return c;
}

constexpr std::string_view kSelect =
    "SELECT id, public_id, services, label, generated, enabled, created_at, hash FROM credentials ";

store::Change changed(int64_t account_id) {
    return {std::string(directory::kChannel), account_id, "credential"};
}

Result<std::vector<Credential>> credentials_of(Tx& tx, int64_t account_id) {
    SB_TRY_ASSIGN(auto rows,
                  tx.query(std::string(kSelect) + "WHERE account_id = ? ORDER BY created_at, id",
                           {account_id}));
    std::vector<Credential> out;
    for (auto& r : rows)
        out.push_back(from_row(r));
    return out;
}

Result<void> check_label(std::string_view label) {
    if (label.size() > 256) return fail(Errc::invalid_argument, "label longer than 256 characters");
    return {};
}

}  // namespace

Result<std::vector<std::string>> parse_services(std::string_view list) {
    std::vector<std::string> out;
    for (auto& s : split(list, ',')) {
        if (s.empty()) continue;
        if (iequals(s, kServiceEas)) {
            if (std::find(out.begin(), out.end(), kServiceEas) == out.end())
                out.emplace_back(kServiceEas);
            continue;
        }
        return fail(
            Errc::invalid_argument,
            fmt::format(
                "unknown or unsupported credential service '{}' (supported: EAS — ActiveSync "
                "and the LDAP address book)",
                s));
    }
    if (out.empty()) return fail(Errc::invalid_argument, "no service given (use: service EAS)");
    return out;
}

Result<std::pair<Credential, std::string>> Credentials::add(std::string_view account,
                                                            const NewCredential& nc) {
    SB_TRY(check_label(nc.label));
    if (nc.services.empty())
        return fail(Errc::invalid_argument, "no service given (use: service EAS)");
    std::string password = nc.password.value_or(crypto::random_password(16));
    if (password.empty()) return fail(Errc::invalid_argument, "the credential password is empty");
    if (password.size() > 1024)
        return fail(Errc::invalid_argument, "the credential password is longer than 1024 bytes");
    std::string hash = crypto::hash_password(password);
    SB_TRY_ASSIGN(auto out, dir_.db().write([&](Tx& tx) -> Result<Credential> {
        SB_TRY_ASSIGN(auto a, directory::DirectoryReader(tx).account(account));
        std::string pid;
        for (int attempt = 0;; ++attempt) {
            pid = crypto::random_id(5);
            SB_TRY_ASSIGN(
                auto n,
                tx.scalar("SELECT COUNT(*) FROM credentials WHERE account_id = ? AND public_id = ?",
                          {a.id, pid}));
            if (n == 0) break;
            if (attempt > 20) return fail(Errc::internal, "could not pick a free credential id");
        }
        SB_TRY_ASSIGN(
            auto rows,
            tx.query(
                "INSERT INTO credentials (account_id, public_id, services, label, hash, generated, "
                "enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?) RETURNING id, public_id, "
                "services, label, generated, enabled, created_at, hash",
                {a.id, pid, join(nc.services), nc.label, hash, int64_t{nc.password ? 0 : 1},
                 now_ms()}));
        tx.notify(changed(a.id));
        return from_row(rows.front());
    }));
    return std::pair{out, password};
}

Result<std::vector<Credential>> Credentials::list(std::string_view account) {
    return dir_.db().read([&](Tx& tx) -> Result<std::vector<Credential>> {
        SB_TRY_ASSIGN(auto a, directory::DirectoryReader(tx).account(account));
        return credentials_of(tx, a.id);
    });
}

Result<std::vector<Credential>> Credentials::list_by_id(int64_t account_id) {
    return dir_.db().read([&](Tx& tx) { return credentials_of(tx, account_id); });
}

Result<Credential> Credentials::update(std::string_view account, std::string_view public_id,
                                       const CredentialUpdate& u) {
    if (u.label) SB_TRY(check_label(*u.label));
    if (u.services && u.services->empty()) return fail(Errc::invalid_argument, "no service given");
    return dir_.db().write([&](Tx& tx) -> Result<Credential> {
        SB_TRY_ASSIGN(auto a, directory::DirectoryReader(tx).account(account));
        SB_TRY_ASSIGN(auto row,
                      tx.first(std::string(kSelect) + "WHERE account_id = ? AND public_id = ?",
                               {a.id, std::string(public_id)}));
        if (!row)
            return fail(Errc::not_found,
                        fmt::format("{} has no credential with id {}", a.address, public_id));
        Credential out = from_row(*row);
        if (u.label) out.label = *u.label;
        if (u.enabled) out.enabled = *u.enabled;
        if (u.services) out.services = *u.services;
        SB_TRY(tx.exec("UPDATE credentials SET label = ?, enabled = ?, services = ? WHERE id = ?",
                       {out.label, int64_t{out.enabled}, join(out.services), out.id}));
        tx.notify(changed(a.id));
        return out;
    });
}

Result<void> Credentials::remove(std::string_view account, std::string_view public_id) {
    return dir_.db().write([&](Tx& tx) -> Result<void> {
        SB_TRY_ASSIGN(auto a, directory::DirectoryReader(tx).account(account));
        SB_TRY_ASSIGN(auto n,
                      tx.exec("DELETE FROM credentials WHERE account_id = ? AND public_id = ?",
                              {a.id, std::string(public_id)}));
        if (n == 0)
            return fail(Errc::not_found,
                        fmt::format("{} has no credential with id {}", a.address, public_id));
        tx.notify(changed(a.id));
        return {};
    });
}

}  // namespace sb::auth
