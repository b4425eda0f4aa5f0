// The listing logic against a scripted directory: each search filter has its prepared answer,
// so paging, range retrieval, member resolution and nesting are checked without a server.
#include "dirsync/listing.hpp"
#include "dirsync/filter_text.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace sb::dirsync {
namespace {

class ScriptedSource final : public Source {
  public:
    std::map<std::string, std::vector<Entry>> answers;           // filter → entries
    std::map<std::pair<std::string, std::string>, Entry> reads;  // (dn, attribute) → entry
    std::set<std::string> failing;                               // filters that fail mid-way
    std::vector<std::string> searched;
    std::string uri = "ldap://scripted:389";

    const std::string& server() const override { return uri; }
    Result<RootDse> root_dse() override { return RootDse{}; }

    Result<SearchStats> search(const SearchRequest& req, const EntryFn& on_entry) override {
        searched.push_back(req.filter);
        SearchStats stats;
        auto it = answers.find(req.filter);
        if (it == answers.end()) return stats;
        int64_t in_page = 0;
        stats.pages = 1;
        for (const auto& e : it->second) {
            if (failing.count(req.filter) && stats.entries == 1)
                return fail(Errc::unavailable, "connection lost while searching");
            SB_TRY(on_entry(Entry(e)));
            ++stats.entries;
            if (req.page_size && ++in_page == req.page_size) ++stats.pages, in_page = 0;
        }
        return stats;
    }
    Result<Entry> read(const std::string& dn, const std::vector<std::string>& attributes) override {
        auto it = reads.find({dn, attributes.empty() ? "" : attributes.front()});
        if (it == reads.end()) return fail(Errc::not_found, "no entry " + dn);
        return it->second;
    }
    Result<SyncResult> sync_refresh(const SearchRequest&, std::string_view,
                                    const SyncEntryFn&) override {
        return fail(Errc::unavailable, "not scripted");
    }
};

Entry person(const std::string& uid) {
    return Entry{"uid=" + uid + ",ou=people,dc=example,dc=com",
                 {{"entryUUID", {"uuid-" + uid}}, {"uid", {uid}}, {"cn", {uid}}}};
}

Entry group(const std::string& cn, std::vector<std::string> members,
            const std::string& attr = "member") {
    return Entry{"cn=" + cn + ",ou=groups,dc=example,dc=com",
                 {{"entryUUID", {"g-" + cn}}, {"cn", {cn}}, {attr, std::move(members)}}};
}

std::string dn(const std::string& uid) {
    return "uid=" + uid + ",ou=people,dc=example,dc=com";
}
std::string gdn(const std::string& cn) {
    return "cn=" + cn + ",ou=groups,dc=example,dc=com";
}

ListingOptions options(Settings s = {}) {
    s.emplace("user_filter", "(objectClass=person)");
    ListingOptions o;
    o.config = *parse_config(s);
    o.mapping = mapping_for(o.config, "example.com", false);
    o.base = "dc=example,dc=com";
    return o;
}

std::set<std::string> addresses(const Listing& l) {
    std::set<std::string> out;
    for (auto& u : l.users)
        out.insert(u.address);
    return out;
}

TEST(DirsyncListing, WithoutGroupsEveryUserIsInScope) {
    ScriptedSource src;
    src.answers["(objectClass=person)"] = {person("a"), person("b"), person("c")};
    auto l = list_directory(src, options());
    ASSERT_TRUE(l) << l.error().message;
    EXPECT_EQ(l->users_listed, 3);
    EXPECT_EQ(addresses(*l),
              (std::set<std::string>{"a@example.com", "b@example.com", "c@example.com"}));
}

TEST(DirsyncListing, AFailureInTheMiddleFailsTheWholeListing) {
    ScriptedSource src;
    src.answers["(objectClass=person)"] = {person("a"), person("b"), person("c")};
    src.failing.insert("(objectClass=person)");
    auto l = list_directory(src, options());
    ASSERT_FALSE(l);
    EXPECT_NE(l.error().message.find("connection lost"), std::string::npos);
    EXPECT_EQ(l.error().code, Errc::unavailable);
}

TEST(DirsyncListing, AnEntryWithoutTheUserNameStopsOrIsSkipped) {
    ScriptedSource src;
    Entry broken{"cn=printer,ou=people,dc=example,dc=com",
                 {{"entryUUID", {"p"}}, {"cn", {"printer"}}}};
    src.answers["(objectClass=person)"] = {person("a"), broken};
    auto stop = list_directory(src, options());
    ASSERT_FALSE(stop);
    EXPECT_NE(stop.error().message.find("cn=printer,ou=people,dc=example,dc=com: has no uid"),
              std::string::npos)
        << stop.error().message;
    auto skip = list_directory(src, options({{"on_entry_error", "skip"}}));
    ASSERT_TRUE(skip) << skip.error().message;
    EXPECT_EQ(skip->users.size(), 1u);
    EXPECT_EQ(skip->entry_error_count, 1);
}

TEST(DirsyncListing, DuplicateIdentitiesAreErrors) {
    ScriptedSource src;
    Entry twin = person("b");
    twin.attrs[0].second = {"uuid-a"};
    src.answers["(objectClass=person)"] = {person("a"), twin};
    auto l = list_directory(src, options());
    ASSERT_FALSE(l);
    EXPECT_NE(l.error().message.find("same entryUUID"), std::string::npos);
}

TEST(DirsyncListing, NestedGroupsWithDnMembersAndACycle) {
    ScriptedSource src;
    src.answers["(objectClass=person)"] = {person("a"), person("b"), person("c"), person("d")};
    src.answers["(objectClass=groupOfNames)"] = {
        group("Staff", {dn("a"), gdn("Sales")}),
        group("Sales",
              {dn("B"), gdn("Staff"), gdn("Europe")}),  // DN case differs; cycle back to Staff
        group("Europe", {dn("c"), "uid=ghost,ou=people,dc=example,dc=com"}),
        group("Other", {dn("d")}),
    };
    auto o = options({{"group_filter", "(objectClass=groupOfNames)"}, {"groups", "Staff"}});
    auto l = list_directory(src, o);
    ASSERT_TRUE(l) << l.error().message;
    EXPECT_EQ(addresses(*l),
              (std::set<std::string>{"a@example.com", "b@example.com", "c@example.com"}));
    EXPECT_EQ(l->groups.size(), 4u);
    EXPECT_TRUE(l->groups[0].selected);
    EXPECT_FALSE(l->membership_fingerprint.empty());

    o.config.nested_groups = false;
    l = list_directory(src, o);
    ASSERT_TRUE(l);
    EXPECT_EQ(addresses(*l), std::set<std::string>{"a@example.com"});
}

TEST(DirsyncListing, GroupsMayBeNamedByDn) {
    ScriptedSource src;
    src.answers["(objectClass=person)"] = {person("a"), person("d")};
    src.answers["(objectClass=groupOfNames)"] = {group("Staff", {dn("a")}),
                                                 group("Other", {dn("d")})};
    auto l = list_directory(src, options({{"group_filter", "(objectClass=groupOfNames)"},
                                          {"groups", "CN=Other, OU=Groups, DC=example, DC=com"}}));
    ASSERT_TRUE(l) << l.error().message;
    EXPECT_EQ(addresses(*l), std::set<std::string>{"d@example.com"});
}

TEST(DirsyncListing, AnUnknownGroupNameFailsInsteadOfEmptyingTheScope) {
    ScriptedSource src;
    src.answers["(objectClass=person)"] = {person("a")};
    src.answers["(objectClass=groupOfNames)"] = {group("Staff", {dn("a")})};
    auto l = list_directory(src, options({{"group_filter", "(objectClass=groupOfNames)"},
                                          {"groups", "MailStore Users"}}));
    ASSERT_FALSE(l);
    EXPECT_NE(l.error().message.find("group 'MailStore Users'"), std::string::npos)
        << l.error().message;
}

TEST(DirsyncListing, MemberUidNamesResolveThroughTheMemberSearchFilter) {
    ScriptedSource src;
    src.answers["(objectClass=posixAccount)"] = {person("a"), person("b"), person("c")};
    src.answers["(objectClass=posixGroup)"] = {group("staff", {"a", "admins"}, "memberUid"),
                                               group("admins", {"b"}, "memberUid"),
                                               group("x", {"c"}, "memberUid")};
    // Batched: the values of one group in one OR filter, sorted.
    const std::string f =
        "(|(&(objectClass=posixAccount)(uid={member}))(&(objectClass=posixGroup)(cn={member})))";
    auto sub = [&](const std::string& v) { return substitute_member(f, v); };
    src.answers["(|" + sub("a") + sub("admins") + ")"] = {person("a"), Entry{gdn("admins"), {}}};
    src.answers[sub("b")] = {person("b")};
    src.answers[sub("c")] = {person("c")};
    Settings s = *preset("openldap");
    s["groups"] = "staff";
    auto o = options(s);
    auto l = list_directory(src, o);
    ASSERT_TRUE(l) << l.error().message;
    EXPECT_EQ(addresses(*l), (std::set<std::string>{"a@example.com", "b@example.com"}));
    EXPECT_EQ(l->member_searches, 3);
}

TEST(DirsyncListing, ActiveDirectoryRangeRetrievalReadsEveryRange) {
    ScriptedSource src;
    std::vector<Entry> people;
    for (int i = 0; i < 7; ++i)
        people.push_back(person("u" + std::to_string(i)));
    src.answers["(objectClass=person)"] = people;
    Entry big{gdn("Big"),
              {{"entryUUID", {"g-big"}},
               {"cn", {"Big"}},
               {"member", {}},
               {"member;range=0-2", {dn("u0"), dn("u1"), dn("u2")}}}};
    src.answers["(objectClass=group)"] = {big};
    src.reads[{gdn("Big"), "member;range=3-*"}] =
        Entry{gdn("Big"), {{"member;range=3-5", {dn("u3"), dn("u4"), dn("u5")}}}};
    src.reads[{gdn("Big"), "member;range=6-*"}] =
        Entry{gdn("Big"), {{"member;range=6-*", {dn("u6")}}}};
    auto o = options({{"group_filter", "(objectClass=group)"}, {"groups", "Big"}});
    auto l = list_directory(src, o);
    ASSERT_TRUE(l) << l.error().message;
    EXPECT_EQ(l->users.size(), 7u);
    EXPECT_EQ(l->range_reads, 2);
    EXPECT_EQ(l->groups[0].member_values, 7);
}

TEST(DirsyncListing, AMissingRangeFailsTheListing) {
    ScriptedSource src;
    src.answers["(objectClass=person)"] = {person("u0")};
    src.answers["(objectClass=group)"] = {Entry{
        gdn("Big"), {{"entryUUID", {"g"}}, {"cn", {"Big"}}, {"member;range=0-0", {dn("u0")}}}}};
    auto l =
        list_directory(src, options({{"group_filter", "(objectClass=group)"}, {"groups", "Big"}}));
    ASSERT_FALSE(l);
    EXPECT_NE(l.error().message.find("member"), std::string::npos) << l.error().message;
}

TEST(DirsyncListing, ActiveDirectoryUsesTheInChainRuleForNestedGroups) {
    ScriptedSource src;
    src.answers["(objectClass=person)"] = {person("a"), person("b"), person("c")};
    src.answers["(objectClass=group)"] = {group("Staff", {gdn("Sales")}),
                                          group("Sales", {dn("b")})};
    src.answers["(&(objectClass=person)(memberOf:1.2.840.113556.1.4.1941:=" + gdn("Staff") + "))"] =
        {Entry{dn("b"), {}}, Entry{dn("c"), {}}};
    auto o = options({{"group_filter", "(objectClass=group)"}, {"groups", "Staff"}});
    o.active_directory = true;
    auto l = list_directory(src, o);
    ASSERT_TRUE(l) << l.error().message;
    EXPECT_EQ(addresses(*l), (std::set<std::string>{"b@example.com", "c@example.com"}));
    EXPECT_EQ(l->member_searches, 1);
}

TEST(DirsyncListing, FingerprintFollowsMembership) {
    ScriptedSource src;
    src.answers["(objectClass=person)"] = {person("a"), person("b")};
    src.answers["(objectClass=groupOfNames)"] = {group("Staff", {dn("a")})};
    auto o = options({{"group_filter", "(objectClass=groupOfNames)"}});
    auto before = membership_fingerprint(src, o);
    ASSERT_TRUE(before);
    EXPECT_EQ(*before, list_directory(src, o)->membership_fingerprint);
    src.answers["(objectClass=groupOfNames)"] = {group("Staff", {dn("a"), dn("b")})};
    auto after = membership_fingerprint(src, o);
    ASSERT_TRUE(after);
    EXPECT_NE(*before, *after);
}

TEST(DirsyncListing, LaterTime) {
    EXPECT_EQ(later_time("", "20240101000000Z"), "20240101000000Z");
    EXPECT_EQ(later_time("20240102000000Z", "20240101000000Z"), "20240102000000Z");
    EXPECT_EQ(later_time("20240101000000Z", "garbage"), "20240101000000Z");
}

}  // namespace
}  // namespace sb::dirsync
