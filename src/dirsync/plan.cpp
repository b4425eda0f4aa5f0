#include "dirsync/plan.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

namespace sb::dirsync {
namespace {

using directory::AccountStatus;
using directory::AttrChange;

std::string domain_of(const std::string& address) {
    return address.substr(address.rfind('@') + 1);
}

class Planner {
  public:
    Planner(std::vector<LinkedAccount>& linked, const OwnerLookup& owner, const PlanOptions& o,
            const AttrLoader& loader, size_t max)
        : linked_(linked), owner_(owner), o_(o), loader_(loader), max_(max) {
        for (size_t i = 0; i < linked.size(); ++i) {
            by_id_.emplace(linked[i].external_id, i);
            by_account_.emplace(linked[i].account_id, i);
        }
    }

    Plan run(const std::vector<RemoteUser>& remote) {
        // Deterministic order, so conflicts between two entries resolve the same way every run.
        std::vector<const RemoteUser*> users;
        users.reserve(remote.size());
        for (const auto& u : remote)
            users.push_back(&u);
        std::sort(users.begin(), users.end(), [](auto* a, auto* b) { return a->dn < b->dn; });

        std::unordered_set<std::string> remote_ids;
        for (auto* u : users)
            remote_ids.insert(u->external_id);
        remote_ids_ = &remote_ids;

        for (const auto& l : linked_)
            if (l.missing_since == 0) ++plan_.synced_before;

        // Primary addresses first: an address one user has as primary is not another's alias.
        std::vector<const RemoteUser*> winners;
        winners.reserve(users.size());
        for (auto* u : users)
            if (claim(u->address, *u)) winners.push_back(u);
        // Accounts written from the very same entry and untouched since need no comparing; the
        // others get their attributes loaded (all at once) and compared.
        struct Pending {
            const RemoteUser* user;
            size_t link;
            std::vector<std::string> aliases;
            std::string fingerprint;
        };
        std::vector<Pending> compare;
        for (auto* u : winners) {
            auto it = by_id_.find(u->external_id);
            if (it == by_id_.end()) {
                create(*u);
                continue;
            }
            const LinkedAccount& l = linked_[it->second];
            auto aliases = usable_aliases(*u, l.account_id);
            auto fp = user_fingerprint(*u, aliases);
            if (!l.touched && l.missing_since == 0 && l.dn == u->dn && !l.fingerprint.empty() &&
                l.fingerprint == fp) {
                ++plan_.unchanged;
                continue;
            }
            compare.push_back(Pending{u, it->second, std::move(aliases), std::move(fp)});
        }
        if (loader_ && !compare.empty()) {
            std::vector<size_t> which;
            which.reserve(compare.size());
            for (const auto& c : compare)
                which.push_back(c.link);
            loader_(which);
        }
        for (auto& c : compare)
            update(*c.user, linked_[c.link], false, false, &c.aliases, &c.fingerprint);
        removals(remote_ids);
        return std::move(plan_);
    }

  private:
    void example(const std::string& heading, std::string text) {
        auto& list = plan_.examples[heading];
        if (list.size() < max_) list.push_back(std::move(text));
    }

    void conflict(std::string text) {
        if (plan_.conflicts.size() < 1000) plan_.conflicts.push_back(std::move(text));
        ++conflict_count_;
    }

    // Two entries mapping to one address: the first (by DN) keeps it.
    bool claim(const std::string& address, const RemoteUser& u) {
        auto [it, fresh] = claimed_.emplace(address, u.dn);
        if (fresh) return true;
        conflict(fmt::format("{}: entries {} and {} both map to this address; {} is left alone",
                             address, it->second, u.dn, u.dn));
        return false;
    }

    // Aliases the user should have that can be given: hosted domain, not another account's.
    std::vector<std::string> usable_aliases(const RemoteUser& u, int64_t self) {
        std::vector<std::string> out;
        for (const auto& a : u.aliases) {
            if (!o_.hosted_domains.count(domain_of(a))) {
                if (o_.hosted_domains.size() < 1000)
                    note_warning(fmt::format(
                        "{}: alias {} is not in a domain of this server; skipped", u.address, a));
                continue;
            }
            auto holder = owner_(a);
            if (holder && holder->account_id != self) {
                note_warning(
                    fmt::format("{}: alias {} belongs to another account; skipped", u.address, a));
                continue;
            }
            if (claimed_.count(a) && claimed_[a] != u.dn) {
                note_warning(
                    fmt::format("{}: alias {} is the address of another directory user; skipped",
                                u.address, a));
                continue;
            }
            claimed_.emplace(a, u.dn);
            out.push_back(a);
        }
        return out;
    }

    void note_warning(std::string w) {
        if (plan_.warnings.size() < 200) plan_.warnings.push_back(std::move(w));
    }

    std::vector<AttrChange> attr_changes(const RemoteUser& u,
                                         const std::map<std::string, std::string, ILess>& have) {
        // Names are canonical on both sides; a linear scan of a dozen pairs beats building maps
        // for each of 100k users.
        std::vector<AttrChange> out;
        static const std::string empty;
        for (const auto& name : o_.managed_attrs) {
            const std::string* wv = &empty;
            for (const auto& [k, v] : u.attrs)
                if (k == name) {
                    wv = &v;
                    break;
                }
            auto h = have.find(name);
            const std::string& hv = h == have.end() ? empty : h->second;
            if (*wv != hv) out.push_back(AttrChange{AttrChange::Op::set, name, *wv});
        }
        return out;
    }

    void create(const RemoteUser& u) {
        auto holder = owner_(u.address);
        if (holder) {
            if (auto l = by_account_.find(holder->account_id); l != by_account_.end()) {
                const LinkedAccount& old = linked_[l->second];
                // A user deleted and created again in the directory (new identity, same name):
                // the account, and its mailbox, follow the new entry once the old one is gone.
                if (o_.complete && o_.error_free && !remote_ids_->count(old.external_id)) {
                    update(u, old, /*relink=*/true);
                    return;
                }
                conflict(
                    fmt::format("{}: entry {} maps to the account of another directory entry ({})",
                                u.address, u.dn, old.dn));
                return;
            }
            if (holder->directory_auth && !holder->linked) {
                adopt(u, holder->account_id);
                return;
            }
            conflict(fmt::format(
                "{}: entry {} maps to an account that is not from the directory; to hand it to the "
                "directory: switchboard dirsync auth {} directory",
                u.address, u.dn, u.address));
            return;
        }
        AccountCreate c;
        c.user = u;
        c.aliases = usable_aliases(u, 0);
        c.fingerprint = user_fingerprint(u, c.aliases);
        ++plan_.created;
        example("created",
                u.disabled ? u.address + " (disabled in the directory: locked)" : u.address);
        if (u.disabled) ++plan_.locked;
        plan_.creates.push_back(std::move(c));
    }

    // A local account an admin switched to directory login: linked now, attributes follow.
    void adopt(const RemoteUser& u, int64_t account_id) {
        LinkedAccount pseudo;
        pseudo.account_id = account_id;
        pseudo.address = u.address;
        pseudo.external_id = u.external_id;
        pseudo.dn = u.dn;
        ++plan_.adopted;
        example("adopted", u.address);
        update(u, pseudo, /*relink=*/true, /*adopting=*/true);
    }

    void update(const RemoteUser& u, const LinkedAccount& l, bool relink = false,
                bool adopting = false, const std::vector<std::string>* known_aliases = nullptr,
                const std::string* known_fingerprint = nullptr) {
        AccountChange ch;
        ch.account_id = l.account_id;
        ch.address = l.address;
        ch.external_id = u.external_id;
        ch.dn = u.dn;
        ch.relink = relink || l.dn != u.dn;
        if (relink) relinked_.insert(l.account_id);
        ch.sync_lock = l.sync_lock;
        ch.synced_aliases = l.synced_aliases;
        // What can be given as aliases depends on who holds the addresses now.
        const auto aliases = known_aliases ? *known_aliases : usable_aliases(u, l.account_id);
        ch.fingerprint = known_fingerprint ? *known_fingerprint : user_fingerprint(u, aliases);

        if (u.address != l.address && !adopting) {
            auto holder = owner_(u.address);
            if (holder && holder->account_id != l.account_id) {
                conflict(fmt::format(
                    "{}: cannot rename {} (entry {}) to it: the address belongs to another account",
                    u.address, l.address, u.dn));
            } else {
                ch.rename_to = u.address;
                ++plan_.renamed;
                example("renamed", fmt::format("{} → {}", l.address, u.address));
            }
        }
        if (!adopting)
            ch.attrs = attr_changes(u, l.attrs);
        else
            ch.attrs = attr_changes(u, {});

        const std::string final_address = ch.rename_to.value_or(l.address);
        for (const auto& a : aliases)
            if (a != final_address &&
                std::find(l.aliases.begin(), l.aliases.end(), a) == l.aliases.end())
                ch.add_aliases.push_back(a);
        // Only aliases the sync gave are taken back; an admin's own aliases stay.
        for (const auto& a : l.synced_aliases)
            if (std::find(aliases.begin(), aliases.end(), a) == aliases.end() &&
                std::find(l.aliases.begin(), l.aliases.end(), a) != l.aliases.end())
                ch.remove_aliases.push_back(a);
        std::vector<std::string> synced;
        for (const auto& a : aliases)
            if (a != final_address) synced.push_back(a);
        ch.synced_aliases = synced;

        // Status: the directory's disabled flag, and the return of a user marked for removal.
        if (l.missing_since != 0) {
            ch.missing_since = 0;
            ++plan_.returned;
            example("returned", l.address);
            if (l.sync_lock == kLockRemoval) {
                ch.sync_lock = "";
                if (!u.disabled) {
                    ch.status = AccountStatus::active;
                    ++plan_.unlocked;
                    example("unlocked", l.address);
                }
            }
        }
        const AccountStatus current = ch.status.value_or(l.status);
        if (u.disabled && current == AccountStatus::active) {
            ch.status = AccountStatus::locked;
            ch.sync_lock = std::string(kLockDisabled);
            ++plan_.locked;
            example("locked", l.address + " (disabled in the directory)");
        } else if (u.disabled && ch.sync_lock == kLockRemoval) {
            ch.sync_lock = std::string(kLockDisabled);
        } else if (!u.disabled && current == AccountStatus::locked &&
                   l.sync_lock == kLockDisabled) {
            ch.status = AccountStatus::active;
            ch.sync_lock = "";
            ++plan_.unlocked;
            example("unlocked", l.address);
        }

        ch.content_changed = ch.rename_to || !ch.attrs.empty() || !ch.add_aliases.empty() ||
                             !ch.remove_aliases.empty() || ch.status || ch.missing_since;
        const bool link_changed = ch.relink || ch.sync_lock != l.sync_lock ||
                                  ch.synced_aliases != l.synced_aliases ||
                                  ch.fingerprint != l.fingerprint || l.touched;
        if (!ch.content_changed && !link_changed) {
            ++plan_.unchanged;
            return;
        }
        if (!ch.attrs.empty() || !ch.add_aliases.empty() || !ch.remove_aliases.empty()) {
            ++plan_.updated;
            std::string what;
            for (const auto& a : ch.attrs)
                what += (what.empty() ? "" : ", ") + a.name;
            for (const auto& a : ch.add_aliases)
                what += (what.empty() ? "+" : ", +") + a;
            for (const auto& a : ch.remove_aliases)
                what += (what.empty() ? "-" : ", -") + a;
            example("updated", fmt::format("{} ({})", l.address, what));
        }
        plan_.changes.push_back(std::move(ch));
    }

    void removals(const std::unordered_set<std::string>& remote_ids) {
        if (!o_.complete) {
            plan_.removals_skipped =
                "incremental run: users that left are found by the next full run";
            return;
        }
        if (!o_.error_free) {
            plan_.removals_skipped =
                "some entries could not be read (see the errors): nothing is removed in this run";
            return;
        }
        std::vector<const LinkedAccount*> gone;
        for (const auto& l : linked_)
            if (!remote_ids.count(l.external_id) && !relinked(l.account_id)) gone.push_back(&l);
        std::sort(gone.begin(), gone.end(),
                  [](auto* a, auto* b) { return a->address < b->address; });
        int64_t newly_marked = 0;
        for (auto* l : gone) {
            if (!o_.delete_out_of_scope) {
                ++plan_.out_of_scope_kept;
                example("out of scope (kept: delete_out_of_scope is off)", l->address);
                continue;
            }
            if (l->missing_since == 0) {
                ++newly_marked;
                AccountChange ch;
                ch.account_id = l->account_id;
                ch.address = l->address;
                ch.external_id = l->external_id;
                ch.dn = l->dn;
                ch.synced_aliases = l->synced_aliases;
                ch.fingerprint = l->fingerprint;
                ch.missing_since = o_.now_s;
                ch.sync_lock = l->sync_lock;
                if (l->status == AccountStatus::active) {
                    ch.status = AccountStatus::locked;
                    ch.sync_lock = std::string(kLockRemoval);
                }
                ch.content_changed = true;
                ++plan_.marked_for_removal;
                example("locked for removal", l->address);
                plan_.changes.push_back(std::move(ch));
            } else if (o_.now_s - l->missing_since >= o_.grace_s) {
                ++plan_.deleted;
                example("deleted", l->address);
                plan_.deletes.push_back(AccountRemoval{l->account_id, l->address, l->dn});
            } else {
                ++plan_.pending_removal;
                example("waiting for deletion",
                        fmt::format("{} ({} s left)", l->address,
                                    o_.grace_s - (o_.now_s - l->missing_since)));
            }
        }
        if (!within_threshold(newly_marked, plan_.synced_before, o_.threshold_percent)) {
            plan_.threshold_message = fmt::format(
                "this run would remove {} of the {} synced accounts of {} ({:.1f}%, more than "
                "delete_threshold {}%); "
                "nothing was changed. Check the filters and groups; if the removals are right, run "
                "once with: "
                "switchboard dirsync run {} force true",
                newly_marked, plan_.synced_before, o_.domain,
                plan_.synced_before ? 100.0 * static_cast<double>(newly_marked) /
                                          static_cast<double>(plan_.synced_before)
                                    : 100.0,
                o_.threshold_percent, o_.domain);
            plan_.threshold_exceeded = !o_.force;
        }
    }

    bool relinked(int64_t account_id) const { return relinked_.count(account_id) != 0; }

    std::vector<LinkedAccount>& linked_;
    const OwnerLookup& owner_;
    const PlanOptions& o_;
    const AttrLoader& loader_;
    size_t max_;
    Plan plan_;
    int64_t conflict_count_ = 0;
    std::unordered_map<std::string, size_t> by_id_;
    std::unordered_map<int64_t, size_t> by_account_;
    std::unordered_set<int64_t> relinked_;  // accounts that follow a new directory identity
    std::unordered_map<std::string, std::string> claimed_;  // address → DN of the entry holding it
    const std::unordered_set<std::string>* remote_ids_ = nullptr;
};

}  // namespace

std::string user_fingerprint(const RemoteUser& u, const std::vector<std::string>& aliases) {
    // FNV-1a 64 over the fields with separators: a change detector, not a security measure.
    uint64_t h = 1469598103934665603ull;
    auto mix = [&](std::string_view s) {
        for (unsigned char c : s) {
            h ^= c;
            h *= 1099511628211ull;
        }
        h ^= 0xff;
        h *= 1099511628211ull;
    };
    mix(u.dn);
    mix(u.address);
    for (const auto& a : aliases)
        mix(a);
    mix("|");
    for (const auto& [k, v] : u.attrs) {
        mix(k);
        mix(v);
    }
    mix(u.disabled ? "disabled" : "enabled");
    return fmt::format("{:016x}", h);
}

bool within_threshold(int64_t removals, int64_t base, int percent) {
    if (removals <= 0) return true;
    if (base <= 0) return false;
    return removals * 100 <= static_cast<int64_t>(percent) * base;
}

Plan make_plan(const std::vector<RemoteUser>& remote, std::vector<LinkedAccount>& linked,
               const OwnerLookup& owner, const PlanOptions& options, const AttrLoader& load_attrs,
               size_t max_examples) {
    return Planner(linked, owner, options, load_attrs, max_examples).run(remote);
}

}  // namespace sb::dirsync
