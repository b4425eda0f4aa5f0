#include "dirsync/plan.hpp"

#include <algorithm>
#include <optional>
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
            if (l.missing_since == 0 && l.sync_lock != kLockGone) ++plan_.synced_before;

        // Primary addresses first: an address one user has as primary is not another's alias.
        std::vector<Todo> todos;
        todos.reserve(users.size());
        for (auto* u : users)
            if (claim(u->address, *u)) todos.push_back(decide(*u));
        claim_aliases(todos);

        // Accounts written from the very same entry and untouched since need no comparing; the
        // others get their attributes loaded (all at once) and compared.
        struct Pending {
            const RemoteUser* user;
            size_t link;
            Usable aliases;
            std::string fingerprint;
        };
        std::vector<Pending> compare;
        for (const auto& t : todos) {
            const RemoteUser& u = *t.user;
            switch (t.action) {
                case Action::conflict:
                    continue;
                case Action::create:
                    create(u);
                    continue;
                case Action::relink:
                    update(u, linked_[t.link], /*relink=*/true);
                    continue;
                case Action::adopt:
                    adopt(u, t.account_id);
                    continue;
                case Action::update:
                    break;
            }
            const LinkedAccount& l = linked_[t.link];
            auto aliases = usable_aliases(u, l.account_id);
            auto fp = user_fingerprint(u, aliases.aliases);
            if (!l.touched && l.missing_since == 0 && l.sync_lock != kLockGone && l.dn == u.dn &&
                !l.fingerprint.empty() && l.fingerprint == fp && aliases.takes.empty()) {
                ++plan_.unchanged;
                continue;
            }
            compare.push_back(Pending{&u, t.link, std::move(aliases), std::move(fp)});
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
        hand_over();
        removals(remote_ids);
        return std::move(plan_);
    }

  private:
    enum class Action { update, create, relink, adopt, conflict };
    struct Todo {
        const RemoteUser* user;
        Action action;
        size_t link = 0;         // update: the user's link; relink: the gone identity's
        int64_t account_id = 0;  // adopt
    };
    // The aliases a user gets: free ones or its own, and those moved from other accounts.
    struct Usable {
        std::vector<std::string> aliases;  // all of them, in the entry's order
        std::vector<AliasMove> takes;
    };

    void example(const std::string& heading, std::string text) {
        auto& list = plan_.examples[heading];
        if (list.size() < max_) list.push_back(std::move(text));
    }

    void conflict(std::string text) {
        if (plan_.conflicts.size() < 1000) plan_.conflicts.push_back(std::move(text));
        ++conflict_count_;
    }

    void lock_note(std::string text) {
        if (plan_.lock_notes.size() < 10000) plan_.lock_notes.push_back(std::move(text));
    }

    bool hosted(const std::string& address) const {
        return o_.hosted_domains.count(domain_of(address)) != 0;
    }

    // Two entries mapping to one address: the first (by DN) keeps it.
    bool claim(const std::string& address, const RemoteUser& u) {
        auto [it, fresh] = claimed_.emplace(address, u.dn);
        if (fresh) return true;
        conflict(fmt::format("{}: entries {} and {} both map to this address; {} is left alone",
                             address, it->second, u.dn, u.dn));
        return false;
    }

    // What happens to an entry whose primary address is its own in this run.
    Todo decide(const RemoteUser& u) {
        Todo t{&u, Action::create};
        if (auto it = by_id_.find(u.external_id); it != by_id_.end()) {
            t.action = Action::update;
            t.link = it->second;
            return t;
        }
        auto holder = owner_(u.address);
        if (!holder) return t;
        t.action = Action::conflict;
        if (auto l = by_account_.find(holder->account_id); l != by_account_.end()) {
            const LinkedAccount& old = linked_[l->second];
            // A new identity (a user deleted and created again, or a new person given the name
            // of one who left) with the address of an account linked to a gone identity.
            if (o_.complete && o_.error_free && !remote_ids_->count(old.external_id)) {
                if (o_.reuse_account_of_deleted_user) {
                    t.action = Action::relink;
                    t.link = l->second;
                    example("taken over by a new identity",
                            fmt::format("{} (entry {})", u.address, u.dn));
                    return t;
                }
                ++plan_.identity_conflicts;
                example("new identity refused", fmt::format("{} (entry {})", u.address, u.dn));
                conflict(fmt::format(
                    "{}: new directory entry {} (identity {}) maps to the account of entry {} "
                    "(identity {}), which is gone from the directory; the account, with its "
                    "mailbox, contacts and devices, is not handed to another identity. To hand it "
                    "over to the new entry: switchboard dirsync relink {}; to start fresh (the old "
                    "account is renamed and stays locked, the next full run creates a new one): "
                    "switchboard dirsync retire {}",
                    u.address, u.dn, u.external_id, old.dn, old.external_id, u.address, u.address));
                return t;
            }
            conflict(fmt::format("{}: entry {} maps to the account of another directory entry ({})",
                                 u.address, u.dn, old.dn));
            return t;
        }
        if (holder->linked) {
            // Incremental runs load only the accounts of changed entries.
            conflict(fmt::format(
                "{}: entry {} maps to the account of another directory entry; the next full run "
                "decides",
                u.address, u.dn));
            return t;
        }
        if (holder->directory_auth) {
            t.action = Action::adopt;
            t.account_id = holder->account_id;
            return t;
        }
        conflict(fmt::format(
            "{}: entry {} maps to an account that is not from the directory; to hand it to the "
            "directory: switchboard dirsync auth {} directory",
            u.address, u.dn, u.address));
        return t;
    }

    int64_t account_of(const Todo& t) const {
        switch (t.action) {
            case Action::update:
            case Action::relink:
                return linked_[t.link].account_id;
            case Action::adopt:
                return t.account_id;
            default:
                return 0;
        }
    }

    // Who gets which alias in this run. Addresses from the e-mail attributes come before names
    // derived from user names (a UPN is a login name, not an address); within each kind the
    // account that holds an address keeps it, and otherwise the first entry by DN gets it.
    void claim_aliases(const std::vector<Todo>& todos) {
        auto pass = [&](bool derived, bool holders) {
            for (const auto& t : todos) {
                if (t.action == Action::conflict) continue;
                const RemoteUser& u = *t.user;
                const int64_t self = account_of(t);
                if (holders && self == 0) continue;
                for (const auto& a : u.aliases) {
                    if ((a == u.derived_alias) != derived || !hosted(a) || claimed_.count(a))
                        continue;
                    if (holders) {
                        auto holder = owner_(a);
                        if (!holder || holder->account_id != self) continue;
                    }
                    claimed_.emplace(a, u.dn);
                    if (derived) derived_claims_.insert(a);
                }
            }
        };
        pass(false, true);
        pass(false, false);
        pass(true, true);
        pass(true, false);
        for (const auto& t : todos) {
            const RemoteUser& u = *t.user;
            if (t.action == Action::conflict || u.derived_alias.empty() || !hosted(u.derived_alias))
                continue;
            auto it = claimed_.find(u.derived_alias);
            if (it == claimed_.end() || it->second == u.dn) continue;
            if (derived_claims_.count(u.derived_alias))
                note_warning(fmt::format(
                    "{}: {}, made from its user name {}, is made from the user name of entry {} "
                    "too, which has it; not an alias of {}",
                    u.address, u.derived_alias, u.user_name, it->second, u.address));
            else
                note_warning(fmt::format(
                    "{}: {}, made from its user name {}, is an e-mail address of entry {}; the "
                    "address stays with that entry and is neither an alias nor a login name of {}",
                    u.address, u.derived_alias, u.user_name, it->second, u.address));
        }
    }

    // Aliases the user should have that can be given: hosted domain, claimed by this entry in
    // this run, free or its own, or an alias the sync gave another account that no entry of
    // this run gives it any more (moved).
    Usable usable_aliases(const RemoteUser& u, int64_t self) {
        Usable out;
        for (const auto& a : u.aliases) {
            if (!hosted(a)) {
                if (o_.hosted_domains.size() < 1000)
                    note_warning(fmt::format(
                        "{}: alias {} is not in a domain of this server; skipped", u.address, a));
                continue;
            }
            auto c = claimed_.find(a);
            if (c == claimed_.end() || c->second != u.dn) {
                if (a != u.derived_alias)  // already explained by claim_aliases
                    note_warning(fmt::format(
                        "{}: alias {} is the address of another directory user; skipped", u.address,
                        a));
                continue;
            }
            auto holder = owner_(a);
            if (!holder || holder->account_id == self) {
                out.aliases.push_back(a);
                continue;
            }
            if (auto from = movable(a, *holder)) {
                out.aliases.push_back(a);
                out.takes.push_back(AliasMove{a, holder->account_id, *from});
                continue;
            }
            note_warning(
                fmt::format("{}: alias {} belongs to another account; skipped", u.address, a));
        }
        return out;
    }

    // The holder's address when `alias` is an alias the sync gave it and may move: it is not its
    // primary, an admin did not add it, and no entry of this run gives it to the holder.
    std::optional<std::string> movable(const std::string& alias, const AddressOwner& holder) const {
        if (!holder.linked) return std::nullopt;
        if (auto it = by_account_.find(holder.account_id); it != by_account_.end()) {
            const LinkedAccount& l = linked_[it->second];
            if (alias == l.address ||
                std::find(l.synced_aliases.begin(), l.synced_aliases.end(), alias) ==
                    l.synced_aliases.end() ||
                std::find(l.aliases.begin(), l.aliases.end(), alias) == l.aliases.end())
                return std::nullopt;
            return l.address;
        }
        // Not loaded (an incremental run, the holder's entry did not change): only a name made
        // from its user name is known to give way to an e-mail address.
        if (holder.derived_alias) return holder.address;
        return std::nullopt;
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

    void note_moves(const std::vector<AliasMove>& takes, const std::string& to) {
        for (const auto& m : takes) {
            ++plan_.aliases_moved;
            example("aliases moved", fmt::format("{}: {} → {}", m.alias, m.from_address, to));
        }
    }

    void create(const RemoteUser& u) {
        AccountCreate c;
        c.user = u;
        auto usable = usable_aliases(u, 0);
        c.fingerprint = user_fingerprint(u, usable.aliases);
        c.aliases = std::move(usable.aliases);
        c.take_aliases = std::move(usable.takes);
        note_moves(c.take_aliases, u.address);
        ++plan_.created;
        example("created",
                u.disabled ? u.address + " (disabled in the directory: locked)" : u.address);
        if (u.disabled) {
            ++plan_.locked;
            lock_note(fmt::format("{}: created locked: disabled in the directory (entry {})",
                                  u.address, u.dn));
        }
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
                bool adopting = false, const Usable* known_aliases = nullptr,
                const std::string* known_fingerprint = nullptr) {
        AccountChange ch;
        ch.account_id = l.account_id;
        ch.address = l.address;
        ch.external_id = u.external_id;
        ch.dn = u.dn;
        ch.derived_alias = u.derived_alias;
        ch.relink = relink || l.dn != u.dn;
        if (relink) relinked_.insert(l.account_id);
        ch.sync_lock = l.sync_lock;
        ch.synced_aliases = l.synced_aliases;
        // What can be given as aliases depends on who holds the addresses now.
        const Usable usable = known_aliases ? *known_aliases : usable_aliases(u, l.account_id);
        ch.fingerprint =
            known_fingerprint ? *known_fingerprint : user_fingerprint(u, usable.aliases);
        if (u.address != l.address && !adopting) plan_rename(ch, u, l);
        ch.attrs = adopting ? attr_changes(u, {}) : attr_changes(u, l.attrs);
        plan_aliases(ch, usable, l);
        plan_status(ch, u, l);
        ch.content_changed = content_changed(ch);
        const bool link_changed =
            ch.relink || ch.sync_lock != l.sync_lock || ch.synced_aliases != l.synced_aliases ||
            ch.fingerprint != l.fingerprint || ch.derived_alias != l.derived_alias || l.touched;
        if (!ch.content_changed && !link_changed) {
            ++plan_.unchanged;
            return;
        }
        if (!ch.attrs.empty() || !ch.add_aliases.empty() || !ch.remove_aliases.empty() ||
            !ch.take_aliases.empty()) {
            ++plan_.updated;
            example("updated", fmt::format("{} ({})", l.address, what_changed(ch)));
        }
        plan_.changes.push_back(std::move(ch));
    }

    static bool content_changed(const AccountChange& ch) {
        return ch.rename_to || !ch.attrs.empty() || !ch.add_aliases.empty() ||
               !ch.remove_aliases.empty() || !ch.take_aliases.empty() || ch.status ||
               ch.missing_since;
    }

    // "displayName, +alias, -old": an updated account's example line.
    static std::string what_changed(const AccountChange& ch) {
        std::string what;
        for (const auto& a : ch.attrs)
            what += (what.empty() ? "" : ", ") + a.name;
        for (const auto& a : ch.add_aliases)
            what += (what.empty() ? "+" : ", +") + a;
        for (const auto& m : ch.take_aliases)
            what += (what.empty() ? "+" : ", +") + m.alias;
        for (const auto& a : ch.remove_aliases)
            what += (what.empty() ? "-" : ", -") + a;
        return what;
    }

    void plan_rename(AccountChange& ch, const RemoteUser& u, const LinkedAccount& l) {
        auto holder = owner_(u.address);
        if (holder && holder->account_id != l.account_id) {
            conflict(fmt::format(
                "{}: cannot rename {} (entry {}) to it: the address belongs to another account",
                u.address, l.address, u.dn));
            return;
        }
        ch.rename_to = u.address;
        ++plan_.renamed;
        example("renamed", fmt::format("{} → {}", l.address, u.address));
    }

    void plan_aliases(AccountChange& ch, const Usable& usable, const LinkedAccount& l) {
        const auto& aliases = usable.aliases;
        const std::string final_address = ch.rename_to.value_or(l.address);
        auto taken = [&](const std::string& a) {
            return std::any_of(usable.takes.begin(), usable.takes.end(),
                               [&](const AliasMove& m) { return m.alias == a; });
        };
        for (const auto& a : aliases)
            if (a != final_address && !taken(a) &&
                std::find(l.aliases.begin(), l.aliases.end(), a) == l.aliases.end())
                ch.add_aliases.push_back(a);
        for (const auto& m : usable.takes)
            if (m.alias != final_address) ch.take_aliases.push_back(m);
        note_moves(ch.take_aliases, final_address);
        // Only aliases the sync gave are taken back; an admin's own aliases stay.
        for (const auto& a : l.synced_aliases)
            if (std::find(aliases.begin(), aliases.end(), a) == aliases.end() &&
                std::find(l.aliases.begin(), l.aliases.end(), a) != l.aliases.end())
                ch.remove_aliases.push_back(a);
        std::vector<std::string> synced;
        for (const auto& a : aliases)
            if (a != final_address) synced.push_back(a);
        ch.synced_aliases = synced;
    }

    // Status: the directory's disabled flag, and the return of a user the sync locked because
    // it was gone.
    void plan_status(AccountChange& ch, const RemoteUser& u, const LinkedAccount& l) {
        const bool gone_before = l.missing_since != 0 || l.sync_lock == kLockGone;
        if (gone_before) {
            if (l.missing_since != 0) ch.missing_since = 0;
            ++plan_.returned;
            example("returned", l.address);
            if (l.sync_lock == kLockRemoval || l.sync_lock == kLockGone) {
                // Still locked if the entry came back disabled, now for that reason.
                ch.sync_lock = u.disabled ? std::string(kLockDisabled) : "";
                if (!u.disabled && l.status == AccountStatus::locked) {
                    ch.status = AccountStatus::active;
                    ++plan_.unlocked;
                    example("unlocked", l.address + " (back in the directory)");
                }
            }
        }
        const AccountStatus current = ch.status.value_or(l.status);
        if (u.disabled && current == AccountStatus::active) {
            ch.status = AccountStatus::locked;
            ch.sync_lock = std::string(kLockDisabled);
            ++plan_.locked;
            example("locked", l.address + " (disabled in the directory)");
            lock_note(
                fmt::format("{}: locked: disabled in the directory (entry {})", l.address, u.dn));
        } else if (!u.disabled && current == AccountStatus::locked &&
                   l.sync_lock == kLockDisabled) {
            ch.status = AccountStatus::active;
            ch.sync_lock = "";
            ++plan_.unlocked;
            example("unlocked", l.address);
        }
    }

    // An alias moved to another account in this run is moved by the taker's change, in one
    // transaction; the giving account's own change must not delete it first (mail to it would
    // have no owner between the two) and keeps it listed until it is gone.
    void hand_over() {
        std::unordered_map<int64_t, std::vector<std::string>> taken_from;
        for (const auto& c : plan_.creates)
            for (const auto& m : c.take_aliases)
                taken_from[m.from_account].push_back(m.alias);
        for (const auto& ch : plan_.changes)
            for (const auto& m : ch.take_aliases)
                taken_from[m.from_account].push_back(m.alias);
        if (taken_from.empty()) return;
        for (auto& ch : plan_.changes) {
            auto it = taken_from.find(ch.account_id);
            if (it == taken_from.end()) continue;
            for (const auto& a : it->second) {
                std::erase(ch.remove_aliases, a);
                if (std::find(ch.synced_aliases.begin(), ch.synced_aliases.end(), a) ==
                    ch.synced_aliases.end())
                    ch.synced_aliases.push_back(a);
                ch.handing_over.push_back(a);
            }
            ch.content_changed = content_changed(ch);
        }
    }

    std::string gone_reason(const LinkedAccount& l) const {
        if (o_.outside_groups && o_.outside_groups->count(l.external_id))
            return "no longer a member of the synced groups";
        return "not in the directory's user listing: deleted, or no longer matched by "
               "user_filter";
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
            const bool marked = o_.delete_out_of_scope ? remove_gone(*l) : lock_gone(*l);
            if (marked) ++newly_marked;
        }
        check_threshold(newly_marked);
    }

    // The change of a linked account whose entry is gone, before its lock or removal.
    static AccountChange gone_change(const LinkedAccount& l) {
        AccountChange ch;
        ch.account_id = l.account_id;
        ch.address = l.address;
        ch.external_id = l.external_id;
        ch.dn = l.dn;
        ch.synced_aliases = l.synced_aliases;
        ch.fingerprint = l.fingerprint;
        ch.derived_alias = l.derived_alias;
        ch.sync_lock = l.sync_lock;
        return ch;
    }

    // Gone from a complete listing with removals off: locked at once (out of the GAL and the
    // address book, no login by any path) and kept. Whether it is newly marked.
    bool lock_gone(const LinkedAccount& l) {
        if (l.missing_since != 0 || l.sync_lock == kLockGone || l.status != AccountStatus::active) {
            ++plan_.out_of_scope_kept;
            example("gone, kept locked", l.status == AccountStatus::active
                                             ? l.address + " (unlocked by an admin)"
                                             : l.address);
            return false;
        }
        const std::string reason = gone_reason(l);
        AccountChange ch = gone_change(l);
        ch.status = AccountStatus::locked;
        ch.sync_lock = std::string(kLockGone);
        ch.content_changed = true;
        ++plan_.locked_gone;
        example("locked (gone from the directory)", fmt::format("{} ({})", l.address, reason));
        lock_note(
            fmt::format("{}: locked: gone from the directory ({}; entry {}); kept, "
                        "delete_out_of_scope is off",
                        l.address, reason, l.dn));
        plan_.changes.push_back(std::move(ch));
        return true;
    }

    // Gone with removals on: locked for removal, deleted after the grace period. A lock for
    // being gone while removals were off becomes a removal now: the grace period starts with
    // it. Whether it is newly marked.
    bool remove_gone(const LinkedAccount& l) {
        if (l.missing_since == 0) {
            const std::string reason = gone_reason(l);
            AccountChange ch = gone_change(l);
            ch.missing_since = o_.now_s;
            if (l.status == AccountStatus::active || l.sync_lock == kLockGone) {
                ch.status = AccountStatus::locked;
                ch.sync_lock = std::string(kLockRemoval);
            }
            ch.content_changed = true;
            ++plan_.marked_for_removal;
            example("locked for removal", fmt::format("{} ({})", l.address, reason));
            lock_note(
                fmt::format("{}: locked for removal: gone from the directory ({}; entry {}); "
                            "deleted after delete_grace_period",
                            l.address, reason, l.dn));
            plan_.changes.push_back(std::move(ch));
            return true;
        }
        if (o_.now_s - l.missing_since >= o_.grace_s) {
            ++plan_.deleted;
            example("deleted", l.address);
            lock_note(fmt::format("{}: deleted: gone from the directory since {} s", l.address,
                                  o_.now_s - l.missing_since));
            plan_.deletes.push_back(AccountRemoval{l.account_id, l.address, l.dn});
        } else {
            ++plan_.pending_removal;
            example("waiting for deletion", fmt::format("{} ({} s left)", l.address,
                                                        o_.grace_s - (o_.now_s - l.missing_since)));
        }
        return false;
    }

    void check_threshold(int64_t newly_marked) {
        if (within_threshold(newly_marked, plan_.synced_before, o_.threshold_percent)) return;
        plan_.threshold_message = fmt::format(
            "this run would {} {} of the {} synced accounts of {} as gone from the directory "
            "({:.1f}%, more than delete_threshold {}%); "
            "nothing was changed. Check the filters and groups; if the {} right, run "
            "once with: "
            "switchboard dirsync run {} force true",
            o_.delete_out_of_scope ? "remove" : "lock", newly_marked, plan_.synced_before,
            o_.domain,
            plan_.synced_before ? 100.0 * static_cast<double>(newly_marked) /
                                      static_cast<double>(plan_.synced_before)
                                : 100.0,
            o_.threshold_percent, o_.delete_out_of_scope ? "removals are" : "locks are", o_.domain);
        plan_.threshold_exceeded = !o_.force;
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
    std::unordered_set<std::string> derived_claims_;  // claimed_ entries made from a user name
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
    if (!u.derived_alias.empty()) mix(u.derived_alias);
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
