#include "dirsync/plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace sb::dirsync {
namespace {

using directory::AccountStatus;

RemoteUser user(std::string id, std::string address, std::string name = "", bool disabled = false) {
    RemoteUser u;
    u.external_id = std::move(id);
    u.address = std::move(address);
    u.dn = "uid=" + u.address.substr(0, u.address.find('@')) + ",ou=people,dc=example,dc=com";
    if (!name.empty()) u.attrs = {{"displayName", name}, {"cn", name}};
    u.display_name = name;
    u.disabled = disabled;
    return u;
}

LinkedAccount linked(int64_t id, std::string ext, std::string address, std::string name = "") {
    LinkedAccount l;
    l.account_id = id;
    l.external_id = std::move(ext);
    l.address = std::move(address);
    l.dn = "uid=" + l.address.substr(0, l.address.find('@')) + ",ou=people,dc=example,dc=com";
    if (!name.empty()) l.attrs = {{"displayName", name}, {"cn", name}};
    return l;
}

struct World {
    std::vector<LinkedAccount> links;
    std::unordered_map<std::string, AddressOwner> owners;
    PlanOptions options;

    World() {
        options.hosted_domains = {"example.com", "example.net"};
        options.managed_attrs = {"displayName", "cn", "title"};
        options.now_s = 1'000'000;
        options.domain = "example.com";
    }
    void link(LinkedAccount l) {
        owners[l.address] = AddressOwner{l.account_id, true, true, false, l.address};
        for (auto& a : l.aliases)
            owners[a] = AddressOwner{l.account_id, true, true, a == l.derived_alias, l.address};
        links.push_back(std::move(l));
    }
    Plan plan(const std::vector<RemoteUser>& remote) {
        OwnerLookup lookup = [this](const std::string& a) -> std::optional<AddressOwner> {
            auto it = owners.find(a);
            if (it == owners.end()) return std::nullopt;
            return it->second;
        };
        return make_plan(remote, links, lookup, options);
    }
};

// Ten linked users u0..u9 present in the directory, written from these very entries.
World ten_users(std::vector<RemoteUser>& remote) {
    World w;
    for (int i = 0; i < 10; ++i) {
        std::string a = "u" + std::to_string(i) + "@example.com";
        remote.push_back(user("id" + std::to_string(i), a, "User " + std::to_string(i)));
        auto l = linked(100 + i, "id" + std::to_string(i), a, "User " + std::to_string(i));
        l.fingerprint = user_fingerprint(remote.back(), {});
        w.link(l);
    }
    return w;
}

// The changes that touch the account itself (not only the link row's bookkeeping).
std::vector<AccountChange> content(const Plan& p) {
    std::vector<AccountChange> out;
    for (const auto& c : p.changes)
        if (c.content_changed) out.push_back(c);
    return out;
}

TEST(DirsyncPlan, CreatesNewUsersWithTheirAliases) {
    World w;
    auto u = user("id1", "jdoe@example.com", "John Doe");
    u.aliases = {"john.doe@example.com", "jd@other.org", "jd@example.net"};
    auto p = w.plan({u});
    ASSERT_EQ(p.creates.size(), 1u);
    EXPECT_EQ(p.created, 1);
    EXPECT_EQ(p.creates[0].aliases,
              (std::vector<std::string>{"john.doe@example.com", "jd@example.net"}))
        << "aliases of domains not on this server are left out";
    EXPECT_EQ(p.examples["created"], std::vector<std::string>{"jdoe@example.com"});
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_NE(p.warnings[0].find("jd@other.org"), std::string::npos);
}

TEST(DirsyncPlan, UnchangedUsersChangeNothing) {
    std::vector<RemoteUser> remote;
    World w = ten_users(remote);
    auto p = w.plan(remote);
    EXPECT_FALSE(p.changes_anything());
    EXPECT_EQ(p.unchanged, 10);
}

TEST(DirsyncPlan, UpdatesOnlyManagedAttributesThatDiffer) {
    World w;
    auto l = linked(1, "id1", "jdoe@example.com", "John Doe");
    l.attrs["title"] = "Engineer";
    w.link(l);
    auto u = user("id1", "jdoe@example.com", "John A. Doe");
    auto p = w.plan({u});
    ASSERT_EQ(p.changes.size(), 1u);
    const auto& ch = p.changes[0];
    ASSERT_EQ(ch.attrs.size(), 3u);
    EXPECT_EQ(ch.attrs[0].name, "displayName");
    EXPECT_EQ(ch.attrs[0].value, "John A. Doe");
    EXPECT_EQ(ch.attrs[2].name, "title");
    EXPECT_EQ(ch.attrs[2].value, "") << "a value gone from the directory is removed";
    EXPECT_EQ(p.updated, 1);
    EXPECT_FALSE(ch.rename_to);
}

TEST(DirsyncPlan, SameIdentityNewNameIsARenameNotANewAccount) {
    World w;
    w.link(linked(7, "uuid-7", "jdoe@example.com", "John Doe"));
    auto u = user("uuid-7", "john.doe@example.com", "John Doe");
    u.dn = "uid=john.doe,ou=staff,dc=example,dc=com";
    auto p = w.plan({u});
    EXPECT_TRUE(p.creates.empty());
    ASSERT_EQ(p.changes.size(), 1u);
    EXPECT_EQ(p.changes[0].account_id, 7);
    ASSERT_TRUE(p.changes[0].rename_to);
    EXPECT_EQ(*p.changes[0].rename_to, "john.doe@example.com");
    EXPECT_EQ(p.changes[0].dn, u.dn);
    EXPECT_TRUE(p.changes[0].relink) << "the link row follows the move";
    EXPECT_EQ(p.renamed, 1);
    EXPECT_EQ(p.deleted + p.marked_for_removal, 0);
}

TEST(DirsyncPlan, RenameOntoAnotherAccountIsAConflict) {
    World w;
    w.link(linked(7, "uuid-7", "jdoe@example.com"));
    w.owners["taken@example.com"] = AddressOwner{99, false, false, false, "taken@example.com"};
    auto p = w.plan({user("uuid-7", "taken@example.com")});
    ASSERT_EQ(p.conflicts.size(), 1u);
    EXPECT_NE(p.conflicts[0].find("belongs to another account"), std::string::npos);
    EXPECT_EQ(p.renamed, 0);
}

TEST(DirsyncPlan, DisabledUsersAreLockedAndUnlockedOnlyIfTheSyncLockedThem) {
    World w;
    w.link(linked(1, "a", "a@example.com"));
    auto locked_by_admin = linked(2, "b", "b@example.com");
    locked_by_admin.status = AccountStatus::locked;
    w.link(locked_by_admin);
    auto locked_by_sync = linked(3, "c", "c@example.com");
    locked_by_sync.status = AccountStatus::locked;
    locked_by_sync.sync_lock = std::string(kLockDisabled);
    w.link(locked_by_sync);
    auto p = w.plan({user("a", "a@example.com", "", true), user("b", "b@example.com"),
                     user("c", "c@example.com")});
    auto changes = content(p);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].account_id, 1);
    EXPECT_EQ(changes[0].status, AccountStatus::locked);
    EXPECT_EQ(changes[0].sync_lock, kLockDisabled);
    EXPECT_EQ(changes[1].account_id, 3);
    EXPECT_EQ(changes[1].status, AccountStatus::active);
    EXPECT_EQ(p.locked, 1);
    EXPECT_EQ(p.unlocked, 1);
}

TEST(DirsyncPlan, NewDisabledUserIsCreatedLocked) {
    World w;
    auto p = w.plan({user("x", "x@example.com", "", true)});
    ASSERT_EQ(p.creates.size(), 1u);
    EXPECT_TRUE(p.creates[0].user.disabled);
    EXPECT_EQ(p.locked, 1);
}

TEST(DirsyncPlan, RemovalLocksFirstThenDeletesAfterTheGracePeriod) {
    std::vector<RemoteUser> remote;
    World w = ten_users(remote);
    w.options.delete_out_of_scope = true;
    w.options.grace_s = 3600;
    remote.pop_back();  // u9 left the directory
    auto p = w.plan(remote);
    EXPECT_FALSE(p.threshold_exceeded) << p.threshold_message;
    ASSERT_EQ(p.changes.size(), 1u);
    EXPECT_EQ(p.changes[0].address, "u9@example.com");
    EXPECT_EQ(p.changes[0].status, AccountStatus::locked);
    EXPECT_EQ(p.changes[0].sync_lock, kLockRemoval);
    EXPECT_EQ(*p.changes[0].missing_since, w.options.now_s);
    EXPECT_TRUE(p.deletes.empty());
    EXPECT_EQ(p.marked_for_removal, 1);

    // Within the grace period nothing more happens; after it the account is deleted.
    w.links[9].missing_since = w.options.now_s;
    w.links[9].status = AccountStatus::locked;
    w.links[9].sync_lock = std::string(kLockRemoval);
    w.options.now_s += 1800;
    p = w.plan(remote);
    EXPECT_TRUE(p.deletes.empty());
    EXPECT_EQ(p.pending_removal, 1);
    w.options.now_s += 1800;
    p = w.plan(remote);
    ASSERT_EQ(p.deletes.size(), 1u);
    EXPECT_EQ(p.deletes[0].account_id, 109);
    EXPECT_EQ(p.deleted, 1);
}

TEST(DirsyncPlan, AUserWhoComesBackIsUnlocked) {
    std::vector<RemoteUser> remote;
    World w = ten_users(remote);
    w.options.delete_out_of_scope = true;
    w.links[3].missing_since = w.options.now_s - 10;
    w.links[3].status = AccountStatus::locked;
    w.links[3].sync_lock = std::string(kLockRemoval);
    auto p = w.plan(remote);
    ASSERT_EQ(p.changes.size(), 1u);
    EXPECT_EQ(p.changes[0].status, AccountStatus::active);
    EXPECT_EQ(*p.changes[0].missing_since, 0);
    EXPECT_EQ(p.changes[0].sync_lock, "");
    EXPECT_EQ(p.returned, 1);
}

TEST(DirsyncPlan, ThresholdStopsLargeRemovals) {
    std::vector<RemoteUser> remote;
    World w = ten_users(remote);
    w.options.delete_out_of_scope = true;
    w.options.threshold_percent = 10;
    remote.resize(8);  // 2 of 10 = 20%
    auto p = w.plan(remote);
    EXPECT_TRUE(p.threshold_exceeded);
    EXPECT_NE(p.threshold_message.find("2 of the 10"), std::string::npos) << p.threshold_message;
    EXPECT_NE(p.threshold_message.find("force true"), std::string::npos);
    w.options.force = true;
    EXPECT_FALSE(w.plan(remote).threshold_exceeded);
    // An empty listing is 100%: never applied without force.
    w.options.force = false;
    EXPECT_TRUE(w.plan({}).threshold_exceeded);
}

TEST(DirsyncPlan, ThresholdArithmetic) {
    EXPECT_TRUE(within_threshold(0, 0, 10));
    EXPECT_TRUE(within_threshold(1, 10, 10));
    EXPECT_FALSE(within_threshold(2, 10, 10));
    EXPECT_TRUE(within_threshold(10, 100, 10));
    EXPECT_FALSE(within_threshold(11, 100, 10));
    EXPECT_FALSE(within_threshold(1, 5, 10));
    EXPECT_TRUE(within_threshold(5, 5, 100));
    EXPECT_FALSE(within_threshold(1, 1000, 0));
}

TEST(DirsyncPlan, IncompleteListingsRemoveNothing) {
    std::vector<RemoteUser> remote;
    World w = ten_users(remote);
    w.options.delete_out_of_scope = true;
    w.options.complete = false;
    auto p = w.plan({remote[0]});
    EXPECT_TRUE(p.changes.empty());
    EXPECT_TRUE(p.deletes.empty());
    EXPECT_NE(p.removals_skipped.find("incremental"), std::string::npos);
    w.options.complete = true;
    w.options.error_free = false;
    p = w.plan({remote[0]});
    EXPECT_TRUE(p.changes.empty());
    EXPECT_FALSE(p.threshold_exceeded);
    EXPECT_NE(p.removals_skipped.find("could not be read"), std::string::npos);
}

TEST(DirsyncPlan, UsersWhoLeftAreLockedAtOnceWhenRemovalsAreOff) {
    std::vector<RemoteUser> remote;
    World w = ten_users(remote);
    ASSERT_FALSE(w.options.delete_out_of_scope);
    remote.pop_back();  // u9 left the directory
    auto p = w.plan(remote);
    EXPECT_FALSE(p.threshold_exceeded) << p.threshold_message;
    ASSERT_EQ(p.changes.size(), 1u);
    const auto& ch = p.changes[0];
    EXPECT_EQ(ch.address, "u9@example.com");
    EXPECT_EQ(ch.status, AccountStatus::locked) << "locked: out of the GAL, no login by any path";
    EXPECT_EQ(ch.sync_lock, kLockGone);
    EXPECT_FALSE(ch.missing_since) << "no grace period runs: it is never deleted";
    EXPECT_TRUE(ch.content_changed);
    EXPECT_TRUE(p.deletes.empty());
    EXPECT_EQ(p.locked_gone, 1);
    EXPECT_EQ(p.marked_for_removal, 0);
    ASSERT_EQ(p.examples["locked (gone from the directory)"].size(), 1u);
    EXPECT_NE(p.examples["locked (gone from the directory)"][0].find(
                  "u9@example.com (not in the directory's user listing"),
              std::string::npos)
        << p.examples["locked (gone from the directory)"][0];
    ASSERT_EQ(p.lock_notes.size(), 1u);
    EXPECT_NE(p.lock_notes[0].find("delete_out_of_scope is off"), std::string::npos);

    // The next run: locked already, kept; nothing more happens, and it is no removal candidate.
    w.links[9].status = AccountStatus::locked;
    w.links[9].sync_lock = std::string(kLockGone);
    p = w.plan(remote);
    EXPECT_FALSE(p.changes_anything());
    EXPECT_EQ(p.out_of_scope_kept, 1);
    EXPECT_EQ(p.locked_gone, 0);
    EXPECT_EQ(p.synced_before, 9) << "a user who left is not in the threshold's base";
}

TEST(DirsyncPlan, LocksOfUsersWhoLeftAreBoundByTheThreshold) {
    std::vector<RemoteUser> remote;
    World w = ten_users(remote);
    remote.resize(5);  // half the directory gone: a filter mistake, most likely
    auto p = w.plan(remote);
    EXPECT_TRUE(p.threshold_exceeded);
    EXPECT_NE(p.threshold_message.find("would lock 5 of the 10"), std::string::npos)
        << p.threshold_message;
    w.options.force = true;
    p = w.plan(remote);
    EXPECT_FALSE(p.threshold_exceeded);
    EXPECT_EQ(p.locked_gone, 5);
}

TEST(DirsyncPlan, AUserOutsideTheGroupsIsLockedWithThatReason) {
    std::vector<RemoteUser> remote;
    World w = ten_users(remote);
    std::unordered_set<std::string> outside{"id9"};
    w.options.outside_groups = &outside;
    remote.pop_back();
    auto p = w.plan(remote);
    ASSERT_EQ(p.locked_gone, 1);
    EXPECT_EQ(p.examples["locked (gone from the directory)"],
              std::vector<std::string>{"u9@example.com (no longer a member of the synced groups)"});
}

TEST(DirsyncPlan, AUserBackInScopeIsUnlockedOnlyIfTheSyncLockedIt) {
    std::vector<RemoteUser> remote;
    World w = ten_users(remote);
    // u1: locked by the sync as gone; u2: locked by an admin while gone (sync_lock ""); u3:
    // locked by the sync as gone, back but disabled.
    for (int i : {1, 2, 3})
        w.links[i].status = AccountStatus::locked;
    w.links[1].sync_lock = std::string(kLockGone);
    w.links[3].sync_lock = std::string(kLockGone);
    remote[3].disabled = true;
    w.links[3].fingerprint = user_fingerprint(remote[3], {});
    auto p = w.plan(remote);
    auto changes = content(p);
    ASSERT_EQ(changes.size(), 1u) << "the fingerprint is unchanged, still u1 is compared";
    EXPECT_EQ(changes[0].account_id, 101);
    EXPECT_EQ(changes[0].status, AccountStatus::active);
    EXPECT_EQ(changes[0].sync_lock, "");
    EXPECT_EQ(p.unlocked, 1);
    EXPECT_EQ(p.returned, 2);
    for (const auto& c : p.changes)
        if (c.account_id == 103) {
            EXPECT_FALSE(c.status) << "stays locked";
            EXPECT_EQ(c.sync_lock, kLockDisabled) << "now because it is disabled";
        }
}

TEST(DirsyncPlan, TurningRemovalsOnStartsTheGracePeriodOfUsersWhoLeft) {
    std::vector<RemoteUser> remote;
    World w = ten_users(remote);
    w.links[9].status = AccountStatus::locked;
    w.links[9].sync_lock = std::string(kLockGone);
    remote.pop_back();
    w.options.delete_out_of_scope = true;
    auto p = w.plan(remote);
    ASSERT_EQ(p.changes.size(), 1u);
    EXPECT_EQ(p.changes[0].sync_lock, kLockRemoval);
    EXPECT_EQ(*p.changes[0].missing_since, w.options.now_s);
    EXPECT_TRUE(p.deletes.empty());
    EXPECT_EQ(p.marked_for_removal, 1);
}

TEST(DirsyncPlan, LocalAccountWithTheSameNameIsAConflictUnlessSwitchedToDirectoryLogin) {
    World w;
    w.owners["admin@example.com"] = AddressOwner{5, false, false, false, "admin@example.com"};
    auto p = w.plan({user("id-a", "admin@example.com")});
    EXPECT_TRUE(p.creates.empty());
    ASSERT_EQ(p.conflicts.size(), 1u);
    EXPECT_NE(p.conflicts[0].find("dirsync auth admin@example.com directory"), std::string::npos)
        << p.conflicts[0];

    w.owners["admin@example.com"].directory_auth = true;
    p = w.plan({user("id-a", "admin@example.com", "Admin")});
    EXPECT_EQ(p.adopted, 1);
    ASSERT_EQ(p.changes.size(), 1u);
    EXPECT_TRUE(p.changes[0].relink);
    EXPECT_EQ(p.changes[0].account_id, 5);
    EXPECT_EQ(p.changes[0].external_id, "id-a");
}

TEST(DirsyncPlan, ANewIdentityDoesNotTakeTheAccountOfAGoneOne) {
    World w;
    auto old = linked(4, "old-uuid", "jdoe@example.com");
    old.aliases = {"john@example.com"};
    old.synced_aliases = {"john@example.com"};
    w.link(old);
    auto fresh = user("new-uuid", "jdoe@example.com");
    fresh.dn = "uid=jdoe,ou=new,dc=example,dc=com";
    fresh.aliases = {"john@example.com"};
    auto p = w.plan({fresh});
    EXPECT_TRUE(p.creates.empty()) << "the address is still the old account's";
    EXPECT_EQ(p.identity_conflicts, 1);
    ASSERT_EQ(p.conflicts.size(), 1u);
    const std::string& c = p.conflicts[0];
    EXPECT_NE(c.find("new-uuid"), std::string::npos) << c;
    EXPECT_NE(c.find("old-uuid"), std::string::npos) << c;
    EXPECT_NE(c.find("switchboard dirsync relink jdoe@example.com"), std::string::npos) << c;
    EXPECT_NE(c.find("switchboard dirsync retire jdoe@example.com"), std::string::npos) << c;
    // The old account is not handed over: it is locked, as gone from the directory.
    ASSERT_EQ(p.changes.size(), 1u);
    EXPECT_EQ(p.changes[0].account_id, 4);
    EXPECT_EQ(p.changes[0].external_id, "old-uuid");
    EXPECT_FALSE(p.changes[0].relink);
    EXPECT_EQ(p.changes[0].status, AccountStatus::locked);
    EXPECT_EQ(p.changes[0].sync_lock, kLockGone);
    EXPECT_TRUE(p.changes[0].remove_aliases.empty()) << "nobody takes its aliases";

    // The old behaviour, when a domain asks for it.
    w.options.reuse_account_of_deleted_user = true;
    p = w.plan({fresh});
    EXPECT_TRUE(p.creates.empty());
    ASSERT_EQ(p.changes.size(), 1u);
    EXPECT_EQ(p.changes[0].account_id, 4);
    EXPECT_EQ(p.changes[0].external_id, "new-uuid");
    EXPECT_TRUE(p.changes[0].relink);
    EXPECT_FALSE(p.changes[0].status);
    EXPECT_EQ(p.identity_conflicts, 0);
    EXPECT_EQ(p.deleted + p.marked_for_removal + p.locked_gone, 0);
    // In an incremental run the old identity may still exist: conflict, not relink.
    w.options.complete = false;
    p = w.plan({fresh});
    EXPECT_TRUE(p.changes.empty());
    EXPECT_EQ(p.conflicts.size(), 1u);
}

// John Doe's user name jdoe@ is also an e-mail address (proxyAddresses smtp:) of Jane Doe.
struct UpnClash {
    RemoteUser john, jane;
    UpnClash(bool john_first) {
        john = user("john-id", "john.doe@example.com");
        john.dn = john_first ? "cn=a john" : "cn=z john";
        john.user_name = "jdoe@corp.local";
        john.derived_alias = "jdoe@example.com";
        john.aliases = {"jdoe@example.com", "johnny@example.com"};
        jane = user("jane-id", "jane.doe@example.com");
        jane.dn = "cn=m jane";
        jane.user_name = "jane@corp.local";
        jane.derived_alias = "jane@example.com";
        jane.aliases = {"jane@example.com", "jdoe@example.com"};
    }
};

TEST(DirsyncPlan, AnEmailAddressBeatsAnotherUsersUserNameWhateverTheOrder) {
    for (bool john_first : {true, false}) {
        SCOPED_TRACE(john_first ? "john's entry first" : "jane's entry first");
        UpnClash x(john_first);
        World w;
        auto p = w.plan({x.john, x.jane});
        ASSERT_EQ(p.creates.size(), 2u);
        for (const auto& c : p.creates) {
            if (c.user.external_id == "john-id")
                EXPECT_EQ(c.aliases, std::vector<std::string>{"johnny@example.com"});
            else
                EXPECT_EQ(c.aliases,
                          (std::vector<std::string>{"jane@example.com", "jdoe@example.com"}));
        }
        bool explained = false;
        for (const auto& wn : p.warnings)
            if (wn.find("john.doe@example.com: jdoe@example.com, made from its user name "
                        "jdoe@corp.local, is an e-mail address of entry cn=m jane") !=
                std::string::npos)
                explained = true;
        EXPECT_TRUE(explained) << ::testing::PrintToString(p.warnings);
    }
}

TEST(DirsyncPlan, AUserNameGivenEarlierMovesToTheRealOwnerInOneChange) {
    for (bool jane_is_new : {true, false}) {
        SCOPED_TRACE(jane_is_new ? "jane is new" : "jane had an account");
        UpnClash x(true);
        World w;
        // An earlier run gave John his user name as an alias.
        auto john = linked(1, "john-id", "john.doe@example.com");
        john.dn = x.john.dn;
        john.aliases = john.synced_aliases = {"jdoe@example.com", "johnny@example.com"};
        john.derived_alias = "jdoe@example.com";
        w.link(john);
        if (!jane_is_new) {
            auto jane = linked(2, "jane-id", "jane.doe@example.com");
            jane.dn = x.jane.dn;
            jane.aliases = jane.synced_aliases = {"jane@example.com"};
            w.link(jane);
        }
        auto p = w.plan({x.john, x.jane});
        std::vector<AliasMove> takes;
        if (jane_is_new) {
            ASSERT_EQ(p.creates.size(), 1u);
            takes = p.creates[0].take_aliases;
            EXPECT_EQ(p.creates[0].aliases,
                      (std::vector<std::string>{"jane@example.com", "jdoe@example.com"}));
        } else {
            for (const auto& ch : p.changes)
                if (ch.account_id == 2) {
                    takes = ch.take_aliases;
                    EXPECT_TRUE(ch.add_aliases.empty()) << "moved, not added";
                }
        }
        ASSERT_EQ(takes.size(), 1u);
        EXPECT_EQ(takes[0].alias, "jdoe@example.com");
        EXPECT_EQ(takes[0].from_account, 1);
        EXPECT_EQ(p.aliases_moved, 1);
        // John's own change does not delete it first (mail to it would find no owner in between)
        // and keeps it listed until Jane's change has moved it.
        bool seen = false;
        for (const auto& ch : p.changes)
            if (ch.account_id == 1) {
                seen = true;
                EXPECT_TRUE(ch.remove_aliases.empty());
                EXPECT_EQ(ch.handing_over, std::vector<std::string>{"jdoe@example.com"});
            }
        EXPECT_TRUE(seen);
    }
}

TEST(DirsyncPlan, IncrementalRunsMoveOnlyNamesMadeFromUserNames) {
    UpnClash x(true);
    World w;
    w.options.complete = false;
    // John's entry did not change: his account is not loaded, the store says who holds what.
    w.owners["jdoe@example.com"] =
        AddressOwner{1, true, true, /*derived_alias=*/true, "john.doe@example.com"};
    w.owners["shared@example.com"] =
        AddressOwner{1, true, true, /*derived_alias=*/false, "john.doe@example.com"};
    x.jane.aliases.push_back("shared@example.com");
    auto p = w.plan({x.jane});
    ASSERT_EQ(p.creates.size(), 1u);
    ASSERT_EQ(p.creates[0].take_aliases.size(), 1u);
    EXPECT_EQ(p.creates[0].take_aliases[0].alias, "jdoe@example.com");
    EXPECT_EQ(p.creates[0].take_aliases[0].from_address, "john.doe@example.com");
    EXPECT_EQ(
        std::count(p.creates[0].aliases.begin(), p.creates[0].aliases.end(), "shared@example.com"),
        0)
        << "an address John has from his e-mail attributes stays his";
}

TEST(DirsyncPlan, AnEmailAddressStaysWithTheAccountThatHasIt) {
    // Two entries list the same e-mail address: the account that has it keeps it, whatever the
    // order of the entries.
    World w;
    auto holder = linked(1, "b-id", "b@example.com");
    holder.dn = "cn=b";
    holder.aliases = holder.synced_aliases = {"sales@example.com"};
    w.link(holder);
    auto a = user("a-id", "a@example.com");
    a.dn = "cn=a";
    a.aliases = {"sales@example.com"};
    auto b = user("b-id", "b@example.com");
    b.dn = "cn=b";
    b.aliases = {"sales@example.com"};
    auto p = w.plan({a, b});
    ASSERT_EQ(p.creates.size(), 1u);
    EXPECT_TRUE(p.creates[0].aliases.empty());
    EXPECT_TRUE(p.creates[0].take_aliases.empty());
    for (const auto& ch : p.changes)
        EXPECT_TRUE(ch.remove_aliases.empty());
}

TEST(DirsyncPlan, TwoEntriesForOneAddressTheFirstWins) {
    World w;
    auto a = user("1", "x@example.com");
    a.dn = "uid=a,dc=example,dc=com";
    auto b = user("2", "x@example.com");
    b.dn = "uid=b,dc=example,dc=com";
    auto p = w.plan({b, a});
    ASSERT_EQ(p.creates.size(), 1u);
    EXPECT_EQ(p.creates[0].user.dn, "uid=a,dc=example,dc=com");
    EXPECT_EQ(p.conflicts.size(), 1u);
}

TEST(DirsyncPlan, APrimaryAddressBeatsAnotherUsersAlias) {
    World w;
    auto a = user("1", "a@example.com");
    a.dn = "uid=a";
    a.aliases = {"sales@example.com"};
    auto b = user("2", "sales@example.com");
    b.dn = "uid=b";
    auto p = w.plan({a, b});
    ASSERT_EQ(p.creates.size(), 2u);
    EXPECT_TRUE(p.creates[0].aliases.empty());
}

TEST(DirsyncPlan, OnlyAliasesTheSyncGaveAreTakenBack) {
    World w;
    auto l = linked(1, "id", "a@example.com");
    l.aliases = {"old@example.com", "admins-own@example.com"};
    l.synced_aliases = {"old@example.com"};
    w.link(l);
    auto u = user("id", "a@example.com");
    u.aliases = {"new@example.com"};
    auto p = w.plan({u});
    ASSERT_EQ(p.changes.size(), 1u);
    EXPECT_EQ(p.changes[0].add_aliases, std::vector<std::string>{"new@example.com"});
    EXPECT_EQ(p.changes[0].remove_aliases, std::vector<std::string>{"old@example.com"});
    EXPECT_EQ(p.changes[0].synced_aliases, std::vector<std::string>{"new@example.com"});
}

TEST(DirsyncPlan, AccountsWrittenFromTheSameEntryAreNotCompared) {
    World w;
    auto u = user("id", "a@example.com", "Ann");
    auto l = linked(1, "id", "a@example.com");  // attributes not loaded
    l.fingerprint = user_fingerprint(u, {});
    w.link(l);
    std::vector<size_t> loaded;
    OwnerLookup lookup = [&](const std::string& a) -> std::optional<AddressOwner> {
        auto it = w.owners.find(a);
        if (it == w.owners.end()) return std::nullopt;
        return it->second;
    };
    AttrLoader loader = [&](const std::vector<size_t>& which) {
        loaded = which;
        for (size_t i : which)
            w.links[i].attrs = {{"displayName", "Ann"}, {"cn", "Ann"}};
    };
    auto p = make_plan({u}, w.links, lookup, w.options, loader);
    EXPECT_EQ(p.unchanged, 1);
    EXPECT_TRUE(loaded.empty()) << "nothing loaded for an account in sync";

    // Someone changed the account since the last write: compared, and found equal.
    w.links[0].touched = true;
    p = make_plan({u}, w.links, lookup, w.options, loader);
    EXPECT_EQ(loaded, std::vector<size_t>{0});
    ASSERT_EQ(p.changes.size(), 1u) << "only the link is refreshed";
    EXPECT_TRUE(p.changes[0].attrs.empty());
    EXPECT_FALSE(p.changes[0].content_changed);
    EXPECT_EQ(p.updated, 0);

    // The entry changed: a new fingerprint, so compared and updated.
    w.links[0].touched = false;
    w.links[0].attrs.clear();
    loaded.clear();
    auto changed = user("id", "a@example.com", "Ann Smith");
    p = make_plan({changed}, w.links, lookup, w.options, loader);
    EXPECT_EQ(loaded, std::vector<size_t>{0});
    ASSERT_EQ(p.changes.size(), 1u);
    EXPECT_EQ(p.changes[0].fingerprint, user_fingerprint(changed, {}));
    EXPECT_EQ(p.updated, 1);
}

TEST(DirsyncPlan, FingerprintCoversWhatTheSyncWrites) {
    auto u = user("id", "a@example.com", "Ann");
    const auto base = user_fingerprint(u, {});
    EXPECT_EQ(user_fingerprint(u, {}), base);
    auto v = u;
    v.dn = "uid=a,ou=moved,dc=example,dc=com";
    EXPECT_NE(user_fingerprint(v, {}), base);
    v = u;
    v.disabled = true;
    EXPECT_NE(user_fingerprint(v, {}), base);
    v = u;
    v.attrs.push_back({"title", "Boss"});
    EXPECT_NE(user_fingerprint(v, {}), base);
    EXPECT_NE(user_fingerprint(u, {"x@example.com"}), base);
}

}  // namespace
}  // namespace sb::dirsync
