#include "directory/reader.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

namespace sb::directory {
namespace {

using store::Row;

constexpr std::string_view kAccountColumns =
    "SELECT a.id, a.uuid, a.domain_id, d.name, a.address, a.status, a.auth_source, "
    "CASE WHEN a.password IS NULL OR a.password = '' THEN 0 ELSE 1 END, a.created_at, "
    "a.modified_at FROM accounts a JOIN domains d ON d.id = a.domain_id ";

// The same columns without the domain name, for bulk reads (which take names from a map).
constexpr std::string_view kBulkAccountColumns =
    "SELECT id, uuid, domain_id, '', address, status, auth_source, "
    "CASE WHEN password IS NULL OR password = '' THEN 0 ELSE 1 END, created_at, modified_at "
    "FROM accounts";

// Ids per IN (...) list of a bulk read.
constexpr size_t kIdBatch = 1000;

Account account_from(const Row& r) {
    Account a;
    a.id = r.integer(0);
    a.uuid = r.text(1);
    a.domain_id = r.integer(2);
    a.domain = r.text(3);
    a.address = r.text(4);
    a.status = parse_status(r.text(5));
    a.auth_source = r.text(6);
    a.has_password = r.integer(7) != 0;
    a.created_at = r.integer(8);
    a.modified_at = r.integer(9);
    return a;
}

bool looks_like_uuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

// "id1,id2,..." for the ids [from, from + kIdBatch): integers, safe to inline.
std::string id_list(std::span<const int64_t> ids, size_t from) {
    std::string s;
    for (size_t i = from; i < std::min(ids.size(), from + kIdBatch); ++i)
        s += fmt::format("{}{}", s.empty() ? "" : ",", ids[i]);
    return s;
}

std::string placeholders(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i)
        s += i ? ", ?" : "?";
    return s;
}

// One level above the account (a domain or a COS) per row of `id, uuid, name`.
std::map<int64_t, Level> levels_from(const store::Rows& rows) {
    std::map<int64_t, Level> out;
    for (const auto& r : rows)
        out.emplace(r.integer(0), Level{r.integer(0), r.text(1), r.text(2), {}});
    return out;
}

}  // namespace

Result<std::optional<Domain>> DirectoryReader::find_domain(std::string_view key) {
    SB_TRY_ASSIGN(
        auto rows,
        tx_.query("SELECT id, uuid, name, created_at FROM domains WHERE name = ? OR uuid = ?",
                  {to_lower(trim(key)), std::string(key)}));
    if (rows.empty()) return std::optional<Domain>{};
    auto& r = rows.front();
    return std::optional<Domain>{Domain{r.integer(0), r.text(1), r.text(2), r.integer(3)}};
}

Result<Domain> DirectoryReader::domain(std::string_view key) {
    SB_TRY_ASSIGN(auto d, find_domain(key));
    if (!d) return fail(Errc::not_found, fmt::format("no such domain: {}", key));
    return *d;
}

Result<std::vector<Domain>> DirectoryReader::domains() {
    SB_TRY_ASSIGN(auto rows,
                  tx_.query("SELECT id, uuid, name, created_at FROM domains ORDER BY name"));
    std::vector<Domain> out;
    for (auto& r : rows)
        out.push_back(Domain{r.integer(0), r.text(1), r.text(2), r.integer(3)});
    return out;
}

Result<std::optional<Cos>> DirectoryReader::find_cos(std::string_view key) {
    SB_TRY_ASSIGN(auto rows,
                  tx_.query("SELECT id, uuid, name, created_at FROM cos WHERE name = ? OR uuid = ?",
                            {std::string(key), std::string(key)}));
    if (rows.empty()) return std::optional<Cos>{};
    auto& r = rows.front();
    return std::optional<Cos>{Cos{r.integer(0), r.text(1), r.text(2), r.integer(3)}};
}

Result<Cos> DirectoryReader::cos(std::string_view key) {
    SB_TRY_ASSIGN(auto c, find_cos(key));
    if (!c) return fail(Errc::not_found, fmt::format("no such COS: {}", key));
    return *c;
}

Result<std::vector<Cos>> DirectoryReader::all_cos() {
    SB_TRY_ASSIGN(auto rows, tx_.query("SELECT id, uuid, name, created_at FROM cos ORDER BY name"));
    std::vector<Cos> out;
    for (auto& r : rows)
        out.push_back(Cos{r.integer(0), r.text(1), r.text(2), r.integer(3)});
    return out;
}

Result<std::optional<Account>> DirectoryReader::select_account(std::string_view where,
                                                               store::Value v) {
    SB_TRY_ASSIGN(auto rows,
                  tx_.query(std::string(kAccountColumns) + std::string(where), {std::move(v)}));
    if (rows.empty()) return std::optional<Account>{};
    Account a = account_from(rows.front());
    SB_TRY_ASSIGN(
        auto aliases,
        tx_.query("SELECT address FROM aliases WHERE account_id = ? ORDER BY address", {a.id}));
    for (auto& row : aliases)
        a.aliases.push_back(row.text(0));
    return std::optional<Account>{std::move(a)};
}

Result<std::optional<Account>> DirectoryReader::find_account(std::string_view key) {
    std::string k = to_lower(trim(key));
    if (k.find('@') != std::string::npos) {
        SB_TRY_ASSIGN(auto a, select_account("WHERE a.address = ?", k));
        if (a) return a;
        SB_TRY_ASSIGN(auto alias,
                      tx_.first("SELECT account_id FROM aliases WHERE address = ?", {k}));
        if (!alias) return std::optional<Account>{};
        return select_account("WHERE a.id = ?", alias->integer(0));
    }
    if (looks_like_uuid(k)) return select_account("WHERE a.uuid = ?", k);
    return std::optional<Account>{};
}

Result<Account> DirectoryReader::account(std::string_view key) {
    SB_TRY_ASSIGN(auto a, find_account(key));
    if (!a) return fail(Errc::not_found, fmt::format("no such account: {}", key));
    return std::move(*a);
}

Result<Account> DirectoryReader::account_by_id(int64_t id) {
    SB_TRY_ASSIGN(auto a, select_account("WHERE a.id = ?", id));
    if (!a) return fail(Errc::not_found, fmt::format("no such account id: {}", id));
    return std::move(*a);
}

Result<std::optional<int64_t>> DirectoryReader::alias_holder(const std::string& alias) {
    SB_TRY_ASSIGN(auto row, tx_.first("SELECT account_id FROM aliases WHERE address = ?", {alias}));
    if (!row) return std::optional<int64_t>{};
    return std::optional(row->integer(0));
}

Result<std::vector<Account>> DirectoryReader::accounts_by_address(
    std::optional<int64_t> domain_id) {
    const std::string sql =
        std::string(kAccountColumns) +
        (domain_id ? "WHERE a.domain_id = ? ORDER BY a.address" : "ORDER BY a.address");
    SB_TRY_ASSIGN(auto rows, domain_id ? tx_.query(sql, {*domain_id}) : tx_.query(sql));
    std::vector<Account> out;
    std::map<int64_t, size_t> index;
    for (auto& r : rows) {
        index[r.integer(0)] = out.size();
        out.push_back(account_from(r));
    }
    SB_TRY_ASSIGN(auto aliases,
                  tx_.query("SELECT account_id, address FROM aliases ORDER BY address"));
    for (auto& r : aliases)
        if (auto it = index.find(r.integer(0)); it != index.end())
            out[it->second].aliases.push_back(r.text(1));
    return out;
}

Result<int64_t> DirectoryReader::account_count() {
    return tx_.scalar("SELECT COUNT(*) FROM accounts");
}

Result<AttrMap> DirectoryReader::own_attrs(Scope scope, int64_t owner) {
    SB_TRY_ASSIGN(
        auto rows,
        tx_.query(
            "SELECT name, value FROM attrs WHERE scope = ? AND owner_id = ? ORDER BY name, seq",
            {std::string(scope_name(scope)), owner}));
    AttrMap m;
    for (auto& r : rows)
        m[r.text(0)].push_back(r.text(1));
    return m;
}

Result<SettingLevels> DirectoryReader::setting_levels() {
    SB_TRY_ASSIGN(auto domain_rows, tx_.query("SELECT id, uuid, name FROM domains"));
    SB_TRY_ASSIGN(auto cos_rows, tx_.query("SELECT id, uuid, name FROM cos"));
    auto domains = levels_from(domain_rows);
    auto cos = levels_from(cos_rows);
    SettingLevels out;
    SB_TRY_ASSIGN(auto attrs, tx_.query("SELECT scope, owner_id, name, value FROM attrs WHERE "
                                        "scope IN ('cos', 'domain', 'global') "
                                        "ORDER BY scope, owner_id, name, seq"));
    for (const auto& r : attrs) {
        const std::string& scope = r.text(0);
        AttrMap* m = nullptr;
        if (scope == "global") {
            m = &out.global();
        } else {
            auto& levels = scope == "cos" ? cos : domains;
            auto it = levels.find(r.integer(1));
            if (it == levels.end()) continue;
            m = &it->second.attrs;
        }
        (*m)[r.text(2)].push_back(r.text(3));
    }
    for (auto& [id, d] : domains)
        out.add_domain(std::move(d));
    for (auto& [id, c] : cos)
        out.add_cos(std::move(c));
    std::vector<store::Value> names;
    for (const auto& def : all_attrs())
        if (def.type == AttrType::account_ref) names.emplace_back(std::string(def.name));
    if (names.empty()) return out;
    SB_TRY_ASSIGN(auto refs, tx_.query("SELECT a.uuid, a.id FROM attrs g JOIN accounts a ON "
                                       "a.uuid = g.value WHERE g.scope <> 'account' AND g.name "
                                       "IN (" +
                                           placeholders(names.size()) + ")",
                                       names));
    for (const auto& r : refs)
        out.add_account_ref(r.text(0), r.integer(1));
    return out;
}

Result<SettingLevels> DirectoryReader::levels_of(const Account& a, const AttrMap& own) {
    SettingLevels out;
    SB_TRY_ASSIGN(auto domain_attrs, own_attrs(Scope::domain, a.domain_id));
    const std::string key(cos_key(own, &domain_attrs));
    out.add_domain(Level{a.domain_id, {}, a.domain, std::move(domain_attrs)});
    SB_TRY_ASSIGN(out.global(), own_attrs(Scope::global, 0));
    // The COS the account names and the default one: SettingLevels::cos_of chooses.
    for (std::string_view name : {std::string_view(key), kDefaultCos}) {
        SB_TRY_ASSIGN(auto cos, find_cos(name));
        if (!cos) continue;
        SB_TRY_ASSIGN(auto cos_attrs, own_attrs(Scope::cos, cos->id));
        out.add_cos(Level{cos->id, cos->uuid, cos->name, std::move(cos_attrs)});
        if (name == kDefaultCos) break;
    }
    return out;
}

Result<std::vector<AccountAttrs>> DirectoryReader::accounts(
    std::optional<std::span<const int64_t>> ids, std::span<const std::string> attrs) {
    std::vector<AccountAttrs> out;
    std::unordered_map<int64_t, size_t> at;
    // `in`: "" for every account, else a list of ids.
    auto load = [&](const std::string& in) -> Result<void> {
        SB_TRY_ASSIGN(auto rows,
                      tx_.query(std::string(kBulkAccountColumns) +
                                (in.empty() ? "" : " WHERE id IN (" + in + ")") + " ORDER BY id"));
        out.reserve(out.size() + rows.size());
        at.reserve(out.size() + rows.size());
        for (auto& r : rows) {
            at[r.integer(0)] = out.size();
            out.push_back(AccountAttrs{account_from(r), {}});
        }
        SB_TRY_ASSIGN(auto aliases,
                      tx_.query("SELECT account_id, address FROM aliases" +
                                (in.empty() ? "" : " WHERE account_id IN (" + in + ")") +
                                " ORDER BY address"));
        for (auto& r : aliases)
            if (auto it = at.find(r.integer(0)); it != at.end())
                out[it->second].account.aliases.push_back(r.text(1));
        return {};
    };
    std::vector<int64_t> sorted;
    if (!ids) {
        SB_TRY(load(""));
    } else {
        sorted.assign(ids->begin(), ids->end());
        std::sort(sorted.begin(), sorted.end());
        for (size_t from = 0; from < sorted.size(); from += kIdBatch)
            SB_TRY(load(id_list(sorted, from)));
    }
    SB_TRY(name_domains(out));
    SB_TRY(scan_account_attrs(ids ? std::optional(std::span<const int64_t>(sorted)) : std::nullopt,
                              attrs, [&](int64_t owner, const store::Row& r) {
                                  if (auto it = at.find(owner); it != at.end())
                                      out[it->second].attrs[r.text(1)].push_back(r.text(2));
                              }));
    return out;
}

Result<std::optional<AddressHolder>> DirectoryReader::holder_of(const std::string& address) {
    SB_TRY_ASSIGN(auto row, tx_.first("SELECT id, address, auth_source FROM accounts WHERE "
                                      "address = ? OR id = (SELECT account_id FROM aliases WHERE "
                                      "address = ?)",
                                      {address, address}));
    if (!row) return std::optional<AddressHolder>{};
    return std::optional(AddressHolder{row->integer(0), row->text(1), row->text(2)});
}

Result<std::vector<std::pair<std::string, AddressHolder>>> DirectoryReader::address_holders() {
    SB_TRY_ASSIGN(auto rows, tx_.query("SELECT id, address, auth_source FROM accounts"));
    SB_TRY_ASSIGN(auto aliases, tx_.query("SELECT address, account_id FROM aliases"));
    std::vector<std::pair<std::string, AddressHolder>> out;
    out.reserve(rows.size() + aliases.size());
    std::unordered_map<int64_t, size_t> at;
    at.reserve(rows.size());
    for (auto& r : rows) {
        at.emplace(r.integer(0), out.size());
        out.emplace_back(r.text(1), AddressHolder{r.integer(0), r.text(1), r.text(2)});
    }
    const size_t accounts = out.size();
    for (auto& r : aliases)
        if (auto it = at.find(r.integer(1)); it != at.end() && it->second < accounts)
            out.emplace_back(r.text(0), out[it->second].second);
    return out;
}

Result<void> DirectoryReader::name_domains(std::vector<AccountAttrs>& accounts) {
    SB_TRY_ASSIGN(auto rows, tx_.query("SELECT id, name FROM domains"));
    std::unordered_map<int64_t, std::string> names;
    for (auto& r : rows)
        names.emplace(r.integer(0), r.text(1));
    for (auto& a : accounts)
        if (auto it = names.find(a.account.domain_id); it != names.end())
            a.account.domain = it->second;
    return {};
}

Result<std::unordered_map<int64_t, AttrMap>> DirectoryReader::account_attrs(
    std::span<const int64_t> ids, std::span<const std::string> attrs) {
    std::unordered_map<int64_t, AttrMap> out;
    if (ids.empty()) return out;
    SB_TRY(scan_account_attrs(ids, attrs, [&](int64_t owner, const store::Row& r) {
        out[owner][r.text(1)].push_back(r.text(2));
    }));
    return out;
}

Result<void> DirectoryReader::scan_account_attrs(std::optional<std::span<const int64_t>> ids,
                                                 std::span<const std::string> attrs,
                                                 const AttrRowSink& add) {
    if (attrs.empty()) return {};
    const std::string sql =
        "SELECT owner_id, name, value FROM attrs WHERE scope = 'account' AND "
        "name IN (" +
        placeholders(attrs.size()) + ")";
    const std::vector<store::Value> params(attrs.begin(), attrs.end());
    auto scan = [&](const std::string& in) -> Result<void> {
        SB_TRY_ASSIGN(auto rows,
                      tx_.query(sql + (in.empty() ? "" : " AND owner_id IN (" + in + ")") +
                                    " ORDER BY owner_id, name, seq",
                                params));
        for (const auto& r : rows)
            add(r.integer(0), r);
        return {};
    };
    if (!ids) return scan("");
    for (size_t from = 0; from < ids->size(); from += kIdBatch)
        SB_TRY(scan(id_list(*ids, from)));
    return {};
}

}  // namespace sb::directory
