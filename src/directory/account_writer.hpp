#pragma once
// Account changes inside a transaction the caller owns, with the directory's checks (free
// addresses, hosted domains, attribute schema) and its "directory" change notifications. The
// Directory's own methods are made of these steps; the directory sync applies its plans with
// them in the sync's transactions. Steps that only add to an account's change (attributes,
// aliases, status) leave the modification time and the notification to touch().
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "directory/reader.hpp"

namespace sb::directory {

inline constexpr std::string_view kChannel = "directory";

class AccountWriter : public DirectoryReader {
  public:
    explicit AccountWriter(store::Tx& tx) : DirectoryReader(tx) {}

    // already_exists unless `address` is free (neither an account's nor an alias).
    Result<void> require_free(const std::string& address);
    // Creates an account with its attributes and aliases and returns its id.
    Result<int64_t> create(const NewAccount& account);
    // Validates and applies changes at one scope; a status change updates the account row.
    Result<void> apply_attrs(Scope scope, int64_t owner, const std::vector<AttrChange>& changes);
    // `address` is normalized; an alias of the account with that address goes away.
    Result<void> rename(int64_t id, const std::string& address);
    Result<void> remove(int64_t id);
    // `alias` is normalized.
    Result<void> add_alias(int64_t id, const std::string& alias);
    // Whether the account had the alias.
    Result<bool> remove_alias(int64_t id, const std::string& alias);
    // Gives an alias of `from` to `to` (never to nobody in between); `from` is touched.
    Result<void> move_alias(const std::string& alias, int64_t from, int64_t to);
    Result<void> set_status(int64_t id, AccountStatus status);
    // "local" or "directory" (the directory sync checks the passwords).
    Result<void> set_auth_source(int64_t id, std::string_view source);
    Result<void> set_password_hash(int64_t id, const std::string& hash);
    // The account changed now: its modification time, and a notification with `detail`.
    Result<void> touch(int64_t id, std::string detail);
    void notify(int64_t account_id, std::string detail);

  private:
    Result<void> apply_attrs(Scope scope, int64_t owner, const std::vector<AttrChange>& changes,
                             bool fresh);
    Result<std::string> stored_value(const AttrDef& def, const AttrChange& change);
    // The id of the domain of a new account's address (looked up once per writer).
    Result<int64_t> new_address_domain(const std::string& address);
    Result<std::optional<int64_t>> domain_id_of(const std::string& address);
    Result<void> insert_alias(int64_t id, const std::string& alias, int64_t domain_id);

    std::map<std::string, int64_t> domain_ids_;
    std::map<std::string, std::string> cos_uuids_;  // COS uuids by name or uuid
};

}  // namespace sb::directory
