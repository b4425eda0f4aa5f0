#include "dirsync/listing.hpp"

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "core/digest.hpp"
#include "dirsync/filter_text.hpp"

namespace sb::dirsync {
namespace {

// Values per member search: "(|F(v1)...F(v50))" keeps each filter small for any server.
constexpr size_t kMemberBatch = 50;
// A group needing more range requests than this is treated as a broken answer, not looped on.
constexpr int64_t kMaxRangeRequests = 100000;

struct GroupRecord {
    std::string dn;
    std::string key;  // dn_key(dn)
    std::string external_id;
    std::string name;
    std::string description;
    std::vector<std::string> values;  // the members attribute, every range
};

void note(std::vector<std::string>& list, int64_t& count, int64_t max, std::string message) {
    ++count;
    if (static_cast<int64_t>(list.size()) < max) list.push_back(std::move(message));
}

// A user entry from a search: mapped, or an error that stops the run or is counted (skip).
Result<void> take_user(Entry&& e, const ListingOptions& o, std::vector<RemoteUser>& users,
                       std::vector<std::string>& errors, int64_t& error_count,
                       std::string& max_time) {
    if (o.cancel && o.cancel->load())
        return fail(Errc::unavailable,
                    "the server is shutting down; the run was stopped and nothing was changed");
    auto u = map_user(e, o.mapping);
    if (!u) {
        if (o.config.on_entry_error == EntryErrorPolicy::stop)
            return fail(
                Errc::invalid_argument,
                fmt::format("{} (fix the entry, or set on_entry_error skip to sync the other users "
                            "without removals)",
                            u.error().message));
        note(errors, error_count, o.max_examples, u.error().message);
        return {};
    }
    max_time = later_time(max_time, u->modify_timestamp);
    users.push_back(std::move(*u));
    return {};
}

SearchRequest user_search(const ListingOptions& o, std::string filter) {
    SearchRequest req;
    req.base = o.base;
    req.scope = SearchScope::subtree;
    req.filter = std::move(filter);
    req.attributes = user_attributes(o.mapping, timestamp_attribute(o.active_directory));
    req.page_size = o.config.page_size;
    return req;
}

// Reads the ranges after the first of a ranged members attribute (MS-ADTS 3.1.1.3.1.3.3).
Result<void> read_remaining_ranges(Source& source, GroupRecord& g, const ValueRange& first,
                                   int64_t& range_reads) {
    std::optional<uint64_t> high = first.high;
    for (int64_t guard = 0; high; ++guard) {
        if (guard >= kMaxRangeRequests)
            return fail(Errc::limit_exceeded,
                        fmt::format("group {}: more than {} range requests for {}", g.dn,
                                    kMaxRangeRequests, first.attribute));
        const uint64_t low = *high + 1;
        auto e = source.read(g.dn, {range_request(first.attribute, low)});
        ++range_reads;
        if (!e)
            return fail(e.error().code, fmt::format("group {}: reading {} from value {}: {}", g.dn,
                                                    first.attribute, low, e.error().message));
        bool found = false;
        for (auto& [desc, vs] : e->attrs) {
            auto r = parse_range(desc);
            if (!r || !iequals(r->attribute, first.attribute)) continue;
            if (r->low != low)
                return fail(Errc::parse_error,
                            fmt::format("group {}: asked for {} from value {}, got {}", g.dn,
                                        first.attribute, low, desc));
            found = true;
            for (auto& v : vs)
                g.values.push_back(std::move(v));
            high = r->high;
        }
        if (!found)
            return fail(
                Errc::parse_error,
                fmt::format("group {}: range retrieval of {} from value {} returned nothing", g.dn,
                            first.attribute, low));
    }
    return {};
}

Result<std::vector<GroupRecord>> read_groups(Source& source, const ListingOptions& o,
                                             Listing& stats) {
    const auto& c = o.config;
    SearchRequest req;
    req.base = o.base;
    req.filter = c.group_filter;
    req.attributes = {o.mapping.id_attribute, c.group_name_attribute, c.group_members_attribute};
    if (!c.group_description_attribute.empty())
        req.attributes.push_back(c.group_description_attribute);
    req.page_size = c.page_size;
    std::vector<GroupRecord> groups;
    std::vector<std::pair<size_t, ValueRange>> ranged;  // groups whose members continue in ranges
    auto r = source.search(req, [&](Entry&& e) -> Result<void> {
        GroupRecord g;
        g.dn = e.dn;
        g.key = dn_key(e.dn);
        std::string id = e.first(o.mapping.id_attribute);
        g.external_id = id.empty()                               ? g.key
                        : o.mapping.binary_id && id.size() == 16 ? guid_text(id)
                                                                 : id;
        g.name = std::string(trim(e.first(c.group_name_attribute)));
        if (!c.group_description_attribute.empty())
            g.description = e.first(c.group_description_attribute);
        for (auto& [desc, vs] : e.attrs) {
            if (iequals(desc, c.group_members_attribute)) {
                for (auto& v : vs)
                    g.values.push_back(std::move(v));
            } else if (auto range = parse_range(desc);
                       range && iequals(range->attribute, c.group_members_attribute)) {
                for (auto& v : vs)
                    g.values.push_back(std::move(v));
                if (range->high) ranged.emplace_back(groups.size(), *range);
            }
        }
        groups.push_back(std::move(g));
        return {};
    });
    if (!r)
        return fail(r.error().code,
                    fmt::format("listing groups ({}): {}", c.group_filter, r.error().message));
    stats.pages += r->pages;
    stats.references += r->references;
    for (auto& [index, range] : ranged)
        SB_TRY(read_remaining_ranges(source, groups[index], range, stats.range_reads));
    return groups;
}

std::string fingerprint(const std::vector<GroupRecord>& groups) {
    std::vector<std::string> parts;
    parts.reserve(groups.size());
    for (const auto& g : groups) {
        std::vector<std::string> members;
        members.reserve(g.values.size());
        for (const auto& v : g.values)
            members.push_back(dn_key(v));
        std::sort(members.begin(), members.end());
        std::string part = g.key;
        for (auto& m : members)
            part += "\n" + m;
        parts.push_back(std::move(part));
    }
    std::sort(parts.begin(), parts.end());
    std::string all;
    for (auto& p : parts)
        all += p + "\n\n";
    return to_hex(crypto::sha256(all));
}

// DNs (as keys) of the entries a member search filter finds for a group's plain member names.
Result<std::vector<std::string>> resolve_names(Source& source, const ListingOptions& o,
                                               const GroupRecord& g, Listing& stats) {
    std::vector<std::string> dns;
    std::vector<std::string> values = g.values;
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    for (size_t i = 0; i < values.size(); i += kMemberBatch) {
        std::string filter;
        size_t end = std::min(values.size(), i + kMemberBatch);
        for (size_t j = i; j < end; ++j)
            filter += substitute_member(o.config.member_search_filter, values[j]);
        if (end - i > 1) filter = "(|" + filter + ")";
        SearchRequest req;
        req.base = o.base;
        req.filter = filter;
        req.attributes = {"1.1"};
        req.page_size = o.config.page_size;
        auto r = source.search(req, [&](Entry&& e) -> Result<void> {
            dns.push_back(dn_key(e.dn));
            return {};
        });
        ++stats.member_searches;
        if (!r)
            return fail(
                r.error().code,
                fmt::format("resolving the members of group {} with member_search_filter: {}", g.dn,
                            r.error().message));
        stats.pages += r->pages;
    }
    return dns;
}

// Users of the user filter that are members of the group, directly or through nested groups,
// with Active Directory's in-chain matching rule (one search a group, no walking).
Result<std::vector<std::string>> in_chain_members(Source& source, const ListingOptions& o,
                                                  const GroupRecord& g, Listing& stats) {
    std::vector<std::string> dns;
    SearchRequest req;
    req.base = o.base;
    req.filter = fmt::format("(&{}(memberOf:{}:={}))", o.config.user_filter, kInChainRule,
                             escape_filter_value(g.dn));
    req.attributes = {"1.1"};
    req.page_size = o.config.page_size;
    auto r = source.search(req, [&](Entry&& e) -> Result<void> {
        dns.push_back(dn_key(e.dn));
        return {};
    });
    ++stats.member_searches;
    if (!r)
        return fail(r.error().code, fmt::format("members of group {} (in-chain search): {}", g.dn,
                                                r.error().message));
    stats.pages += r->pages;
    return dns;
}

bool group_named(const GroupRecord& g, const std::string& wanted) {
    return iequals(g.name, wanted) || g.key == dn_key(wanted);
}

// One identity, one user: a duplicate would make two accounts fight over one link.
Result<void> drop_duplicate_identities(std::vector<RemoteUser>& all, const ListingOptions& o,
                                       Listing& out) {
    std::unordered_map<std::string, size_t> seen;
    std::vector<RemoteUser> unique;
    unique.reserve(all.size());
    for (auto& u : all) {
        auto [it, fresh] = seen.emplace(u.external_id, unique.size());
        if (!fresh) {
            std::string msg =
                fmt::format("entries {} and {} have the same {} {}", unique[it->second].dn, u.dn,
                            o.mapping.id_attribute, u.external_id);
            if (o.config.on_entry_error == EntryErrorPolicy::stop)
                return fail(Errc::invalid_argument, msg);
            note(out.entry_errors, out.entry_error_count, o.max_examples, msg);
            continue;
        }
        unique.push_back(std::move(u));
    }
    all = std::move(unique);
    return {};
}

// Every user of the user filter, once.
Result<std::vector<RemoteUser>> list_users(Source& source, const ListingOptions& o, Listing& out) {
    const auto& c = o.config;
    std::vector<RemoteUser> all;
    auto users = source.search(user_search(o, c.user_filter), [&](Entry&& e) -> Result<void> {
        return take_user(std::move(e), o, all, out.entry_errors, out.entry_error_count,
                         out.max_timestamp);
    });
    if (!users)
        return fail(users.error().code,
                    fmt::format("listing users ({}): {}", c.user_filter, users.error().message));
    out.users_listed = users->entries;
    out.pages += users->pages;
    out.references += users->references;
    SB_TRY(drop_duplicate_identities(all, o, out));
    return all;
}

// The direct members of every group, as indexes of users and of other groups.
struct Membership {
    std::vector<std::vector<size_t>> users, groups;
};

Result<Membership> direct_members(Source& source, const ListingOptions& o,
                                  const std::vector<GroupRecord>& groups,
                                  const std::unordered_map<std::string, size_t>& user_by_dn,
                                  Listing& out) {
    std::unordered_map<std::string, size_t> group_by_dn;
    for (size_t i = 0; i < groups.size(); ++i)
        group_by_dn.emplace(groups[i].key, i);
    Membership m{std::vector<std::vector<size_t>>(groups.size()),
                 std::vector<std::vector<size_t>>(groups.size())};
    for (size_t gi = 0; gi < groups.size(); ++gi) {
        const auto& g = groups[gi];
        std::vector<std::string> keys;
        if (o.config.member_search_filter.empty()) {
            keys.reserve(g.values.size());
            for (const auto& v : g.values)
                keys.push_back(dn_key(v));
        } else if (!g.values.empty()) {
            SB_TRY_ASSIGN(keys, resolve_names(source, o, g, out));
        }
        for (const auto& k : keys) {
            if (auto u = user_by_dn.find(k); u != user_by_dn.end())
                m.users[gi].push_back(u->second);
            else if (auto sub = group_by_dn.find(k); sub != group_by_dn.end() && sub->second != gi)
                m.groups[gi].push_back(sub->second);
        }
    }
    return m;
}

// Which groups the key `groups` names; each name must match one.
Result<std::vector<bool>> selected_groups(const std::vector<GroupRecord>& groups,
                                          const ListingOptions& o) {
    const auto& c = o.config;
    std::vector<bool> selected(groups.size(), false);
    for (const auto& wanted : c.groups) {
        bool found = false;
        for (size_t gi = 0; gi < groups.size(); ++gi)
            if (group_named(groups[gi], wanted)) selected[gi] = found = true;
        if (!found)
            return fail(Errc::not_found, fmt::format("group '{}' (in key groups) is not among the "
                                                     "groups of group_filter {} under {}; "
                                                     "nothing was changed",
                                                     wanted, c.group_filter, o.base));
    }
    return selected;
}

// Members of the selected groups, and with nested_groups of the groups in them: walked
// breadth-first, `visited` ending cycles (A in B, B in A).
void mark_members(const std::vector<bool>& selected, const Membership& m, bool nested,
                  std::vector<bool>& in_scope) {
    std::vector<bool> visited(selected.size(), false);
    std::deque<size_t> queue;
    for (size_t gi = 0; gi < selected.size(); ++gi)
        if (selected[gi]) queue.push_back(gi), visited[gi] = true;
    while (!queue.empty()) {
        size_t gi = queue.front();
        queue.pop_front();
        for (size_t ui : m.users[gi])
            in_scope[ui] = true;
        if (!nested) continue;
        for (size_t sub : m.groups[gi])
            if (!visited[sub]) visited[sub] = true, queue.push_back(sub);
    }
}

// Which of the `users` are in scope: all without `groups`, else the selected groups' members.
Result<std::vector<bool>> users_in_scope(Source& source, const ListingOptions& o,
                                         const std::vector<GroupRecord>& groups,
                                         const std::vector<bool>& selected, const Membership& m,
                                         size_t users,
                                         const std::unordered_map<std::string, size_t>& user_by_dn,
                                         Listing& out) {
    const auto& c = o.config;
    std::vector<bool> in_scope(users, c.groups.empty());
    if (c.groups.empty()) return in_scope;
    if (!o.active_directory || !c.nested_groups) {
        mark_members(selected, m, c.nested_groups, in_scope);
        return in_scope;
    }
    for (size_t gi = 0; gi < groups.size(); ++gi) {
        if (!selected[gi]) continue;
        SB_TRY_ASSIGN(auto dns, in_chain_members(source, o, groups[gi], out));
        for (const auto& k : dns)
            if (auto u = user_by_dn.find(k); u != user_by_dn.end()) in_scope[u->second] = true;
    }
    return in_scope;
}

RemoteGroup remote_group(const GroupRecord& g, bool selected, const std::vector<size_t>& members,
                         const std::vector<RemoteUser>& all) {
    RemoteGroup rg;
    rg.external_id = g.external_id;
    rg.dn = g.dn;
    rg.name = g.name;
    rg.description = g.description;
    rg.member_values = static_cast<int64_t>(g.values.size());
    rg.selected = selected;
    for (size_t ui : members)
        rg.member_dns.push_back(all[ui].dn);
    return rg;
}

}  // namespace

std::string_view timestamp_attribute(bool active_directory) {
    return active_directory ? "whenChanged" : "modifyTimestamp";
}

std::string later_time(const std::string& a, const std::string& b) {
    auto ta = parse_generalized_time(a), tb = parse_generalized_time(b);
    if (!tb) return a;
    if (!ta) return b;
    return *tb > *ta ? b : a;
}

Result<Listing> list_directory(Source& source, const ListingOptions& o) {
    Listing out;
    SB_TRY_ASSIGN(auto all, list_users(source, o, out));
    if (o.config.group_filter.empty()) {
        out.users = std::move(all);
        return out;
    }
    SB_TRY_ASSIGN(auto groups, read_groups(source, o, out));
    out.membership_fingerprint = fingerprint(groups);
    std::unordered_map<std::string, size_t> user_by_dn;
    for (size_t i = 0; i < all.size(); ++i)
        user_by_dn.emplace(dn_key(all[i].dn), i);
    SB_TRY_ASSIGN(auto members, direct_members(source, o, groups, user_by_dn, out));
    SB_TRY_ASSIGN(auto selected, selected_groups(groups, o));
    SB_TRY_ASSIGN(auto in_scope, users_in_scope(source, o, groups, selected, members, all.size(),
                                                user_by_dn, out));
    for (size_t gi = 0; gi < groups.size(); ++gi)
        out.groups.push_back(remote_group(groups[gi], selected[gi], members.users[gi], all));
    for (size_t i = 0; i < all.size(); ++i) {
        if (in_scope[i])
            out.users.push_back(std::move(all[i]));
        else
            out.outside_groups.push_back(std::move(all[i].external_id));
    }
    return out;
}

Result<Changes> list_changes_sync(Source& source, const ListingOptions& o,
                                  const std::string& cookie) {
    Changes out;
    out.cookie = cookie;
    auto req = user_search(o, o.config.user_filter);
    req.page_size = 0;
    auto r = source.sync_refresh(req, cookie,
                                 [&](SyncState state, std::string_view, Entry&& e) -> Result<void> {
                                     if (state == SyncState::del) {
                                         ++out.deleted;
                                         return {};
                                     }
                                     if (state == SyncState::present) return {};
                                     return take_user(std::move(e), o, out.users, out.entry_errors,
                                                      out.entry_error_count, out.max_timestamp);
                                 });
    if (!r)
        return fail(r.error().code,
                    fmt::format("content synchronisation (RFC 4533): {}", r.error().message));
    if (!r->cookie.empty()) out.cookie = r->cookie;
    return out;
}

Result<Changes> list_changes_since(Source& source, const ListingOptions& o,
                                   const std::string& since) {
    Changes out;
    auto attr = timestamp_attribute(o.active_directory);
    auto req = user_search(o, fmt::format("(&{}({}>={}))", o.config.user_filter, attr, since));
    auto r = source.search(req, [&](Entry&& e) -> Result<void> {
        return take_user(std::move(e), o, out.users, out.entry_errors, out.entry_error_count,
                         out.max_timestamp);
    });
    if (!r)
        return fail(r.error().code,
                    fmt::format("listing users changed since {}: {}", since, r.error().message));
    out.pages = r->pages;
    return out;
}

Result<std::string> current_sync_cookie(Source& source, const ListingOptions& o) {
    SearchRequest req;
    req.base = o.base;
    // Matches nothing: only the cookie of the current state comes back.
    req.filter = fmt::format("(&{}(!(objectClass=*)))", o.config.user_filter);
    req.attributes = {"1.1"};
    req.page_size = 0;
    SB_TRY_ASSIGN(auto r, source.sync_refresh(
                              req, "", [](SyncState, std::string_view, Entry&&) -> Result<void> {
                                  return {};
                              }));
    return r.cookie;
}

Result<std::string> membership_fingerprint(Source& source, const ListingOptions& o) {
    Listing stats;
    SB_TRY_ASSIGN(auto groups, read_groups(source, o, stats));
    return fingerprint(groups);
}

}  // namespace sb::dirsync
