// The search engine against a hand-built view: scopes, isolation, attribute selection, limits,
// paged results, server-side sort and virtual list view.
#include <gtest/gtest.h>

#include <algorithm>

#include "fixture.hpp"
#include "ldap/addressbook/search.hpp"
#include "ldap/ber/reader.hpp"
#include "ldap_reply.hpp"

namespace sb::addressbook {
namespace {

using ldapproto::ResultCode;
using ldapproto::SearchScope;
using test::filter;

struct Run {
    test::Replies replies;
    std::string raw;
};

Run run(ViewPtr view, std::string_view base, SearchScope scope, std::string_view f,
        std::vector<std::string_view> attrs = {}, int32_t size_limit = 0,
        SearchControls controls = {}, SearchSettings settings = {},
        size_t budget = kDefaultPumpBudget) {
    ldapproto::SearchRequest req;
    req.base_object = base;
    req.scope = scope;
    req.filter = filter(f);
    req.attributes = std::move(attrs);
    req.size_limit = size_limit;
    SearchCursor c(std::move(view), req, 7, controls, settings);
    Run r;
    int rounds = 0;
    while (!c.pump(r.raw, budget))
        if (++rounds > 100000) {
            ADD_FAILURE() << "search does not end";
            break;
        }
    r.replies = test::parse_replies(r.raw);
    EXPECT_EQ(r.replies.bytes_used, r.raw.size());
    EXPECT_EQ(r.replies.results.size(), 1u);
    return r;
}

class SearchTest : public ::testing::Test {
  protected:
    test::Fixture fx{5};
};

TEST_F(SearchTest, SubtreeFromEmptyBaseIsEverythingTheUserMaySee) {
    auto r = run(fx.view, "", SearchScope::whole_subtree, "(objectClass=*)");
    EXPECT_EQ(r.replies.last().code, 0);
    // root + 3 containers + 3 own contacts + 5 GAL + 1 published
    EXPECT_EQ(r.replies.entries.size(), 13u);
    auto dns = r.replies.dns();
    EXPECT_EQ(dns[0], "o=switchboard");
    EXPECT_EQ(dns[1], "ou=/Contacts,o=switchboard");
    EXPECT_EQ(dns[2], "uid=257,ou=/Contacts,o=switchboard");
    EXPECT_NE(std::find(dns.begin(), dns.end(),
                        "uid=ada@example.com,ou=InternalGAL/example.com,o=switchboard"),
              dns.end());
    EXPECT_NE(std::find(dns.begin(), dns.end(), "uid=300,ou=Ada Lovelace/Partners,o=switchboard"),
              dns.end());
    std::set<std::string> unique(dns.begin(), dns.end());
    EXPECT_EQ(unique.size(), dns.size());  // every DN is unique
}

TEST_F(SearchTest, OutlookNameResolution) {
    auto r = run(fx.view, "", SearchScope::whole_subtree,
                 "(&(mail=*)(|(mail=jo*)(|(cn=jo*)(|(sn=jo*)(givenName=jo*)))))",
                 {"display-name", "cn", "commonName", "mail", "givenName", "sn", "surname",
                  "telephoneNumber", "title", "department", "company", "physicalDeliveryOfficeName",
                  "objectClass"},
                 100);
    EXPECT_EQ(r.replies.last().code, 0);
    ASSERT_EQ(r.replies.entries.size(), 2u);  // John Smith, Johanna Smithers (jo@)
    const auto& e = r.replies.entries[0];
    EXPECT_EQ(e.first("display-name"), "John Smith");
    EXPECT_EQ(e.first("cn"), "John Smith");
    EXPECT_EQ(e.get("commonName"), nullptr);  // one attribute, returned once, as first asked
    EXPECT_EQ(e.first("surname"), "");        // "sn" was asked first
    EXPECT_EQ(e.first("sn"), "Smith");
    EXPECT_EQ(e.first("physicalDeliveryOfficeName"), "InternalGAL/example.com");
    EXPECT_EQ(e.get("objectClass")->size(), 4u);
}

TEST_F(SearchTest, ThunderbirdInfix) {
    auto r = run(fx.view, "", SearchScope::whole_subtree,
                 "(|(cn=*mit*)(mail=*mit*)(givenName=*mit*)(sn=*mit*))", {}, 100);
    EXPECT_EQ(r.replies.entries.size(), 2u);  // Smith, Smithers
    auto r2 = run(fx.view, "", SearchScope::whole_subtree, "(|(cn=*lace*)(mail=*lace*))", {}, 100);
    ASSERT_EQ(r2.replies.entries.size(), 1u);  // Lovelace
    EXPECT_EQ(r2.replies.entries[0].first("ou"), "InternalGAL/example.com");
}

TEST_F(SearchTest, ScopesAndBases) {
    using K = SearchScope;
    auto count = [&](std::string_view base, K scope) {
        auto r = run(fx.view, base, scope, "(objectClass=*)");
        return std::make_pair(r.replies.last().code, r.replies.entries.size());
    };
    EXPECT_EQ(count("o=switchboard", K::base_object), std::make_pair(0, size_t{1}));
    EXPECT_EQ(count("O=Switchboard", K::single_level), std::make_pair(0, size_t{3}));
    EXPECT_EQ(count("o=switchboard", K::whole_subtree), std::make_pair(0, size_t{13}));
    EXPECT_EQ(count("o=switchboard", K::subordinate_subtree), std::make_pair(0, size_t{12}));
    EXPECT_EQ(count("", K::single_level), std::make_pair(0, size_t{1}));
    EXPECT_EQ(count("ou=InternalGAL/example.com,o=switchboard", K::base_object),
              std::make_pair(0, size_t{1}));
    EXPECT_EQ(count("ou=internalgal/EXAMPLE.com,o=switchboard", K::single_level),
              std::make_pair(0, size_t{5}));
    EXPECT_EQ(count("ou=InternalGAL/example.com,o=switchboard", K::whole_subtree),
              std::make_pair(0, size_t{6}));
    EXPECT_EQ(count("uid=ada@example.com,ou=InternalGAL/example.com,o=switchboard", K::base_object),
              std::make_pair(0, size_t{1}));
    EXPECT_EQ(
        count("uid=ada@example.com,ou=InternalGAL/example.com,o=switchboard", K::single_level),
        std::make_pair(0, size_t{0}));
    EXPECT_EQ(count("uid=258,ou=/Contacts,o=switchboard", K::whole_subtree),
              std::make_pair(0, size_t{1}));
}

TEST_F(SearchTest, UnknownBasesAreNoSuchObjectWithMatchedDn) {
    auto r =
        run(fx.view, "ou=/Private,o=switchboard", SearchScope::whole_subtree, "(objectClass=*)");
    EXPECT_EQ(r.replies.last().code, static_cast<int>(ResultCode::no_such_object));
    EXPECT_EQ(r.replies.last().matched_dn, "o=switchboard");
    EXPECT_TRUE(r.replies.entries.empty());
    auto r2 = run(fx.view, "uid=999,ou=/Contacts,o=switchboard", SearchScope::base_object,
                  "(objectClass=*)");
    EXPECT_EQ(r2.replies.last().code, static_cast<int>(ResultCode::no_such_object));
    EXPECT_EQ(r2.replies.last().matched_dn, "ou=/Contacts,o=switchboard");
    auto r3 = run(fx.view, "dc=example,dc=com", SearchScope::whole_subtree, "(objectClass=*)");
    EXPECT_EQ(r3.replies.last().code, static_cast<int>(ResultCode::no_such_object));
    auto r4 = run(fx.view, "cn=a,,o=switchboard", SearchScope::whole_subtree, "(objectClass=*)");
    EXPECT_EQ(r4.replies.last().code, static_cast<int>(ResultCode::invalid_dn_syntax));
}

TEST_F(SearchTest, AttributeSelection) {
    const std::string ada = "uid=ada@example.com,ou=InternalGAL/example.com,o=switchboard";
    auto none = run(fx.view, ada, SearchScope::base_object, "(objectClass=*)", {"1.1"});
    ASSERT_EQ(none.replies.entries.size(), 1u);
    EXPECT_TRUE(none.replies.entries[0].attrs.empty());
    auto ops = run(fx.view, ada, SearchScope::base_object, "(objectClass=*)", {"+"});
    EXPECT_EQ(ops.replies.entries[0].first("entryDN"), ada);
    EXPECT_EQ(ops.replies.entries[0].first("entryUUID"), "uuid-1");
    EXPECT_EQ(ops.replies.entries[0].get("cn"), nullptr);
    auto all =
        run(fx.view, ada, SearchScope::base_object, "(objectClass=*)", {"*", "modifyTimestamp"});
    EXPECT_EQ(all.replies.entries[0].first("cn"), "Ada Lovelace");
    EXPECT_NE(all.replies.entries[0].get("modifyTimestamp"), nullptr);
    EXPECT_EQ(all.replies.entries[0].get("entryDN"), nullptr);
    auto unknown = run(fx.view, ada, SearchScope::base_object, "(objectClass=*)",
                       {"userCertificate;binary", "mail"});
    ASSERT_EQ(unknown.replies.entries[0].attrs.size(), 1u);
    EXPECT_EQ(unknown.replies.entries[0].attrs[0].first, "mail");
}

TEST_F(SearchTest, TypesOnly) {
    ldapproto::SearchRequest req;
    req.base_object = "uid=ada@example.com,ou=InternalGAL/example.com,o=switchboard";
    req.scope = SearchScope::base_object;
    req.filter = filter("(objectClass=*)");
    req.types_only = true;
    req.attributes = {"cn", "mail"};
    SearchCursor c(fx.view, req, 3, {}, {});
    std::string out;
    while (!c.pump(out, 1024)) {
    }
    auto r = test::parse_replies(out);
    ASSERT_EQ(r.entries.size(), 1u);
    ASSERT_EQ(r.entries[0].attrs.size(), 2u);
    EXPECT_TRUE(r.entries[0].attrs[0].second.empty());
}

TEST_F(SearchTest, SizeLimitRules) {
    auto r = run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {}, 3);
    EXPECT_EQ(r.replies.entries.size(), 3u);
    EXPECT_EQ(r.replies.last().code, static_cast<int>(ResultCode::size_limit_exceeded));
    // Exactly as many as the limit: success.
    auto exact =
        run(fx.view, "ou=/Contacts,o=switchboard", SearchScope::single_level, "(mail=*)", {}, 3);
    EXPECT_EQ(exact.replies.entries.size(), 3u);
    EXPECT_EQ(exact.replies.last().code, 0);
    // macOS asks for one entry: success, not sizeLimitExceeded.
    auto one = run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {}, 1);
    EXPECT_EQ(one.replies.entries.size(), 1u);
    EXPECT_EQ(one.replies.last().code, 0);
    // The server's cap applies when the client asks for more or for no limit.
    SearchSettings capped;
    capped.max_size_limit = 2;
    auto cap = run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {}, 0, {}, capped);
    EXPECT_EQ(cap.replies.entries.size(), 2u);
    EXPECT_EQ(cap.replies.last().code, static_cast<int>(ResultCode::size_limit_exceeded));
}

TEST_F(SearchTest, TimeLimitStopsALongSearch) {
    test::Fixture big(20000);
    ldapproto::SearchRequest req;
    req.base_object = "";
    req.scope = SearchScope::whole_subtree;
    req.filter = filter("(title=nothing matches this)");  // not indexed: a full scan
    SearchSettings s;
    s.max_time_limit = 1;
    // Start "two seconds ago": the deadline has passed.
    SearchCursor c(big.view, req, 5, {}, s, Clock::now() - std::chrono::seconds(2));
    std::string out;
    while (!c.pump(out, 4096)) {
    }
    EXPECT_EQ(test::parse_replies(out).last().code,
              static_cast<int>(ResultCode::time_limit_exceeded));
}

// The client's own timeLimit counts when it is below the server's cap; the cap counts when the
// client asks for more or for no limit. A backdated start makes the clock deterministic.
TEST_F(SearchTest, ClientTimeLimitBelowTheCapIsHonoured) {
    test::Fixture big(20000);
    auto code = [&](int32_t client_limit, uint32_t cap, int seconds_ago) {
        ldapproto::SearchRequest req;
        req.base_object = "";
        req.scope = SearchScope::whole_subtree;
        req.filter = filter("(title=nothing matches this)");  // not indexed: a full scan
        req.time_limit = client_limit;
        SearchSettings s;
        s.max_time_limit = cap;
        SearchCursor c(big.view, req, 5, {}, s, Clock::now() - std::chrono::seconds(seconds_ago));
        std::string out;
        for (int rounds = 0; !c.pump(out, 4096); ++rounds)
            if (rounds > 100000) {
                ADD_FAILURE() << "search does not end";
                break;
            }
        return test::parse_replies(out).last().code;
    };
    const int exceeded = static_cast<int>(ResultCode::time_limit_exceeded);
    // Started 2 s ago: the client's 1 s is over although the server allows 60.
    EXPECT_EQ(code(1, 60, 2), exceeded);
    // The same search within the client's own limit, or without one, runs to the end.
    EXPECT_EQ(code(30, 60, 2), 0);
    EXPECT_EQ(code(0, 60, 2), 0);
    // A client limit above the cap does not lift the cap.
    EXPECT_EQ(code(120, 1, 2), exceeded);
}

TEST_F(SearchTest, SmallBudgetsGiveTheSameBytes) {
    auto whole = run(fx.view, "", SearchScope::whole_subtree, "(objectClass=*)");
    for (size_t budget : {1u, 10u, 100u, 1000u}) {
        auto cut =
            run(fx.view, "", SearchScope::whole_subtree, "(objectClass=*)", {}, 0, {}, {}, budget);
        EXPECT_EQ(cut.raw, whole.raw) << budget;
    }
}

std::vector<std::string> page_through(ViewPtr view, std::string_view f, int32_t page_size,
                                      size_t* pages, SearchControls base = {}) {
    std::vector<std::string> dns;
    std::string cookie;
    *pages = 0;
    for (;;) {
        SearchControls c = base;
        c.paged = ldapproto::PagedResults{page_size, cookie};
        auto r = run(view, "", SearchScope::whole_subtree, f, {"cn"}, 0, c);
        ++*pages;
        EXPECT_EQ(r.replies.last().code, 0);
        for (auto& d : r.replies.dns())
            dns.push_back(d);
        auto ctl = r.replies.last().control(ldapproto::oid::kPagedResults);
        EXPECT_NE(ctl, nullptr);
        if (!ctl) break;
        auto pr = ldapproto::decode_paged_results(ctl->value);
        EXPECT_TRUE(pr);
        if (!pr || pr->cookie.empty()) break;
        cookie = std::string(pr->cookie);
        if (*pages > 1000) break;
    }
    return dns;
}

TEST_F(SearchTest, PagedResultsReturnEverythingOnce) {
    test::Fixture big(5000);
    auto whole = run(big.view, "", SearchScope::whole_subtree, "(objectClass=*)", {"cn"}, 0, {},
                     SearchSettings{100000, 60});
    size_t pages = 0;
    auto paged = page_through(big.view, "(objectClass=*)", 500, &pages);
    EXPECT_EQ(paged, whole.replies.dns());
    EXPECT_EQ(pages, (whole.replies.entries.size() + 499) / 500);
}

TEST_F(SearchTest, PagedCookieOfAnotherSearchIsRefused) {
    SearchControls c;
    c.paged = ldapproto::PagedResults{2, ""};
    auto first = run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {}, 0, c);
    auto pr = ldapproto::decode_paged_results(
        first.replies.last().control(ldapproto::oid::kPagedResults)->value);
    ASSERT_TRUE(pr);
    ASSERT_FALSE(pr->cookie.empty());
    const std::string cookie(pr->cookie);  // the request's cookie is a view: keep it alive
    c.paged = ldapproto::PagedResults{2, cookie};
    auto other = run(fx.view, "", SearchScope::whole_subtree, "(cn=*)", {}, 0, c);
    EXPECT_EQ(other.replies.last().code, static_cast<int>(ResultCode::unwilling_to_perform));
    c.paged = ldapproto::PagedResults{2, "garbage"};
    auto garbage = run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {}, 0, c);
    EXPECT_EQ(garbage.replies.last().code, static_cast<int>(ResultCode::unwilling_to_perform));
}

SearchControls sort_by(std::string_view attr, bool reverse = false, std::string_view rule = "") {
    SearchControls c;
    c.sort = ldapproto::SortRequest{{ldapproto::SortKey{attr, rule, reverse}}};
    return c;
}

TEST_F(SearchTest, ServerSideSortIsCaseInsensitiveAcrossBooks) {
    auto r = run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"}, 0, sort_by("cn"));
    EXPECT_EQ(r.replies.last().code, 0);
    std::vector<std::string> names;
    for (const auto& e : r.replies.entries)
        names.push_back(e.first("cn"));
    const std::vector<std::string> expected = {
        "Ada Lovelace", "Alan Turing",      "Charles Babbage", "Edsger Dijkstra", "Grace Hopper",
        "Hedy Lamarr",  "Johanna Smithers", "John Smith",      "Mary Somerville"};
    EXPECT_EQ(names, expected);
    auto ctl = r.replies.last().control(ldapproto::oid::kSortResponse);
    ASSERT_NE(ctl, nullptr);
    EXPECT_EQ(ldapproto::decode_sort_response(ctl->value)->result, ResultCode::success);
    auto rev = run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"}, 0,
                   sort_by("commonName", true));
    EXPECT_EQ(rev.replies.entries.front().first("cn"), "Mary Somerville");
    // A selective filter takes the other path; same order.
    auto few = run(fx.view, "", SearchScope::whole_subtree, "(cn=*a*)", {"cn"}, 0, sort_by("sn"));
    std::vector<std::string> sns;
    for (const auto& e : few.replies.entries)
        sns.push_back(e.first("cn"));
    EXPECT_TRUE(
        std::is_sorted(sns.begin(), sns.end(), [&](const std::string& a, const std::string& b) {
            return fold(a.substr(a.find(' ') + 1)) < fold(b.substr(b.find(' ') + 1));
        }));
}

TEST_F(SearchTest, SortOnUnknownAttribute) {
    auto soft =
        run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"}, 0, sort_by("nosuch"));
    EXPECT_EQ(soft.replies.last().code, 0);
    EXPECT_EQ(soft.replies.entries.size(), 9u);
    EXPECT_EQ(ldapproto::decode_sort_response(
                  soft.replies.last().control(ldapproto::oid::kSortResponse)->value)
                  ->result,
              ResultCode::no_such_attribute);
    auto hard_c = sort_by("nosuch");
    hard_c.sort_critical = true;
    auto hard = run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"}, 0, hard_c);
    EXPECT_EQ(hard.replies.last().code,
              static_cast<int>(ResultCode::unavailable_critical_extension));
    EXPECT_TRUE(hard.replies.entries.empty());
    auto rule = run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"}, 0,
                    sort_by("cn", false, "1.2.3"));
    EXPECT_EQ(ldapproto::decode_sort_response(
                  rule.replies.last().control(ldapproto::oid::kSortResponse)->value)
                  ->result,
              ResultCode::inappropriate_matching);
}

SearchControls vlv_offset(int32_t before, int32_t after, int32_t offset, int32_t count,
                          std::string_view attr = "cn") {
    SearchControls c = sort_by(attr);
    ldapproto::VlvRequest v;
    v.before_count = before;
    v.after_count = after;
    v.offset = offset;
    v.content_count = count;
    c.vlv = v;
    return c;
}

ldapproto::VlvResponse vlv_of(const Run& r) {
    auto ctl = r.replies.last().control(ldapproto::oid::kVlvResponse);
    EXPECT_NE(ctl, nullptr);
    if (!ctl) return {};
    return *ldapproto::decode_vlv_response(ctl->value);
}

TEST_F(SearchTest, VirtualListViewByOffset) {
    auto first =
        run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"}, 0, vlv_offset(0, 2, 1, 0));
    ASSERT_EQ(first.replies.entries.size(), 3u);
    EXPECT_EQ(first.replies.entries[0].first("cn"), "Ada Lovelace");
    EXPECT_EQ(vlv_of(first).target_position, 1);
    EXPECT_EQ(vlv_of(first).content_count, 9);
    auto mid =
        run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"}, 0, vlv_offset(1, 1, 5, 0));
    ASSERT_EQ(mid.replies.entries.size(), 3u);
    EXPECT_EQ(mid.replies.entries[1].first("cn"), "Grace Hopper");
    // The client's estimate scales the offset: 50 of 100 is the middle.
    auto scaled = run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"}, 0,
                      vlv_offset(0, 0, 50, 100));
    EXPECT_EQ(vlv_of(scaled).target_position, 5);
    auto last = run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"}, 0,
                    vlv_offset(2, 5, 100, 100));
    EXPECT_EQ(vlv_of(last).target_position, 9);
    EXPECT_EQ(last.replies.entries.size(), 3u);
    auto bad =
        run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"}, 0, vlv_offset(0, 2, 0, 0));
    EXPECT_EQ(bad.replies.last().code, static_cast<int>(ResultCode::offset_range_error));
}

TEST_F(SearchTest, VirtualListViewByValue) {
    SearchControls c = vlv_offset(1, 1, 1, 0);
    c.vlv->target = ldapproto::VlvRequest::Target::greater_than_or_equal;
    c.vlv->assertion_value = "GR";
    auto r = run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"}, 0, c);
    ASSERT_EQ(r.replies.entries.size(), 3u);
    EXPECT_EQ(r.replies.entries[0].first("cn"), "Edsger Dijkstra");
    EXPECT_EQ(r.replies.entries[1].first("cn"), "Grace Hopper");
    EXPECT_EQ(vlv_of(r).target_position, 5);
    c.vlv->assertion_value = "zzz";  // past the end: target = count + 1
    auto end = run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"}, 0, c);
    EXPECT_EQ(vlv_of(end).target_position, 10);
    ASSERT_EQ(end.replies.entries.size(), 1u);
    EXPECT_EQ(end.replies.entries[0].first("cn"), "Mary Somerville");
}

// Names whose case differs: byte order (upper case first) and the case-insensitive order the
// clients expect disagree for every sort attribute. Each attribute orders the four people
// differently, so a sort on the wrong attribute fails too. The people are known by their cn.
struct MixedCase {
    std::shared_ptr<const NamingContext> ctx;
    ViewPtr view;

    static EntryPtr account(int64_t key, const std::string& cn, const std::string& display,
                            const std::string& given, const std::string& sn,
                            const std::string& mail) {
        AccountRecord a;
        a.id = key;
        a.uuid = "uuid-" + std::to_string(key);
        a.address = mail;
        a.attrs["cn"] = {cn};
        a.attrs["displayName"] = {display};
        a.attrs["givenName"] = {given};
        a.attrs["sn"] = {sn};
        return entry_from_account(a);
    }

    MixedCase() {
        ctx = std::make_shared<const NamingContext>(
            *NamingContext::make("o=switchboard", Attr::office));
        std::vector<EntryPtr> gal = {
            account(1, "adam", "Dave x", "Bob", "charlie", "Bob.m@example.com"),
            account(2, "Bob", "charlie x", "adam", "Dave", "charlie.m@example.com"),
            account(3, "charlie", "Bob x", "Dave", "adam", "Dave.m@example.com"),
            account(4, "Dave", "adam x", "charlie", "Bob", "adam.m@example.com")};
        std::vector<ViewBook> books;
        books.push_back(test::view_book(*ctx, Book::build({BookId::Kind::gal, 1, 0}, gal),
                                        "InternalGAL/example.com"));
        view = std::make_shared<const View>(
            ctx, 1, "adam.m@example.com",
            "uid=adam.m@example.com,ou=InternalGAL/example.com,o=switchboard", std::move(books));
    }
};

std::vector<std::string> cns(const Run& r) {
    std::vector<std::string> out;
    for (const auto& e : r.replies.entries)
        out.push_back(e.first("cn"));
    return out;
}

TEST(SearchSortCase, DefaultOrderIgnoresCaseOnEverySortAttribute) {
    MixedCase mc;
    const std::vector<std::pair<std::string_view, std::vector<std::string>>> cases = {
        {"cn", {"adam", "Bob", "charlie", "Dave"}},
        {"displayName", {"Dave", "charlie", "Bob", "adam"}},  // adam x, Bob x, charlie x, Dave x
        {"givenName", {"Bob", "adam", "Dave", "charlie"}},
        {"sn", {"charlie", "Dave", "adam", "Bob"}},
        {"mail", {"Dave", "adam", "Bob", "charlie"}},
        {"surname", {"charlie", "Dave", "adam", "Bob"}},
    };
    // Prepared order (presence filter), full evaluation, and the general path (two keys).
    const char* filters[] = {"(mail=*)", "(|(mail=*)(cn=no such name))"};
    for (const auto& [attr, expected] : cases) {
        for (bool reverse : {false, true}) {
            auto want = expected;
            if (reverse) std::reverse(want.begin(), want.end());
            for (int path = 0; path < 3; ++path) {
                SearchControls c = sort_by(attr, reverse);
                if (path == 2) c.sort->keys.push_back(ldapproto::SortKey{"title", "", false});
                auto r = run(mc.view, "", SearchScope::whole_subtree, filters[path == 0 ? 0 : 1],
                             {"cn"}, 0, c);
                EXPECT_EQ(r.replies.last().code, 0);
                EXPECT_EQ(cns(r), want) << attr << (reverse ? " reverse" : "") << " path " << path;
            }
        }
    }
}

// By value, the assertion is compared without case too: "bob", "BOB" and "Bob" find the same
// entry. In a reverse order the target is the first entry at or after the value in that order
// (the first whose name is <= the value).
TEST(SearchSortCase, VirtualListViewByValueIgnoresCase) {
    MixedCase mc;
    struct Case {
        std::string_view value;
        bool reverse;
        int32_t target;
        std::string name;  // the entry at the target, "" past the end
    };
    const Case cases[] = {
        {"a", false, 1, "adam"},
        {"A", false, 1, "adam"},
        {"bob", false, 2, "Bob"},
        {"BOB", false, 2, "Bob"},
        {"Bob", false, 2, "Bob"},
        {"c", false, 3, "charlie"},
        {"C", false, 3, "charlie"},
        {"DAVE", false, 4, "Dave"},
        {"z", false, 5, ""},
        {"Z", false, 5, ""},
        // Reverse order: Dave, charlie, Bob, adam.
        {"z", true, 1, "Dave"},
        {"DAVE", true, 1, "Dave"},
        {"dave", true, 1, "Dave"},
        {"C", true, 3, "Bob"},
        {"CHARLIE", true, 2, "charlie"},
        {"bob", true, 3, "Bob"},
        {"BOB", true, 3, "Bob"},
        {"ADAM", true, 4, "adam"},
        {"A", true, 5, ""},
    };
    for (const auto& k : cases) {
        SearchControls c = sort_by("cn", k.reverse);
        ldapproto::VlvRequest v;
        v.before_count = 0;
        v.after_count = 0;
        v.target = ldapproto::VlvRequest::Target::greater_than_or_equal;
        v.assertion_value = k.value;
        c.vlv = v;
        for (const char* f : {"(mail=*)", "(|(mail=*)(cn=no such name))"}) {
            auto r = run(mc.view, "", SearchScope::whole_subtree, f, {"cn"}, 0, c);
            EXPECT_EQ(r.replies.last().code, 0);
            EXPECT_EQ(vlv_of(r).target_position, k.target) << k.value << " reverse " << k.reverse;
            EXPECT_EQ(vlv_of(r).content_count, 4);
            EXPECT_EQ(cns(r), k.name.empty() ? std::vector<std::string>{}
                                             : std::vector<std::string>{k.name})
                << k.value << " reverse " << k.reverse << " " << f;
        }
    }
}

TEST_F(SearchTest, VirtualListViewNeedsSort) {
    SearchControls c;
    c.vlv = ldapproto::VlvRequest{};
    c.vlv->offset = 1;
    auto r = run(fx.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"}, 0, c);
    EXPECT_EQ(r.replies.last().code, static_cast<int>(ResultCode::sort_control_missing));
    EXPECT_EQ(vlv_of(r).result, ResultCode::sort_control_missing);
}

TEST_F(SearchTest, VirtualListViewFirstWindowOverManyEntries) {
    test::Fixture big(20000);
    auto r = run(big.view, "", SearchScope::whole_subtree, "(&(mail=*)(objectClass=person))",
                 {"cn", "mail"}, 0, vlv_offset(0, 49, 1, 0, "displayName"));
    EXPECT_EQ(r.replies.last().code, 0);
    EXPECT_EQ(r.replies.entries.size(), 50u);
    EXPECT_EQ(vlv_of(r).content_count, 20004);
    EXPECT_EQ(r.replies.entries[0].first("cn"), "Ada Lovelace");
}

TEST_F(SearchTest, SortedPaging) {
    test::Fixture big(3000);
    size_t pages = 0;
    auto dns = page_through(big.view, "(mail=*)", 700, &pages, sort_by("mail"));
    EXPECT_EQ(dns.size(), 3004u);
    EXPECT_EQ(pages, 5u);
    auto whole = run(big.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"}, 0,
                     sort_by("mail"), SearchSettings{100000, 60});
    EXPECT_EQ(dns, whole.replies.dns());
}

}  // namespace
}  // namespace sb::addressbook

namespace sb::addressbook {
namespace {

// The prepared-order path (presence masks, or full evaluation) and the general path (two sort
// keys force it) give the same windows, ascending and descending, by offset and by value.
TEST(SearchPaths, FastAndGeneralSortsAgree) {
    test::Fixture big(3000);
    for (bool reverse : {false, true}) {
        for (bool by_value : {false, true}) {
            std::vector<std::vector<std::string>> results;
            for (int path = 0; path < 3; ++path) {
                SearchControls c;
                c.sort = ldapproto::SortRequest{{ldapproto::SortKey{"cn", "", reverse}}};
                if (path == 2) c.sort->keys.push_back(ldapproto::SortKey{"sn", "", false});
                ldapproto::VlvRequest v;
                v.before_count = 3;
                v.after_count = 5;
                if (by_value) {
                    v.target = ldapproto::VlvRequest::Target::greater_than_or_equal;
                    v.assertion_value = "person2";
                } else {
                    v.offset = 1500;
                }
                c.vlv = v;
                const char* filter = path == 0 ? "(mail=*)" : "(|(mail=*)(cn=no such name))";
                auto r = run(big.view, "", SearchScope::whole_subtree, filter, {"cn"}, 0, c);
                EXPECT_EQ(r.replies.last().code, 0);
                auto vlv = vlv_of(r);
                std::vector<std::string> dns = r.replies.dns();
                dns.push_back("target " + std::to_string(vlv.target_position) + " of " +
                              std::to_string(vlv.content_count));
                results.push_back(dns);
            }
            EXPECT_EQ(results[0], results[1]) << reverse << by_value;
            EXPECT_EQ(results[0], results[2]) << reverse << by_value;
            EXPECT_EQ(results[0].size(), 10u);
        }
    }
}

TEST(SearchBrowse, WindowsOverALargeBookAgreeWithTheSortedList) {
    // A GAL of 300 beside two small books: the browse filter takes the path that reads the
    // GAL's kept run and places the small books' entries into it.
    test::Fixture big(300);
    const auto all = run(big.view, "", SearchScope::whole_subtree, "(mail=*)", {"cn"});
    std::vector<std::string> expected;
    for (const auto& e : all.replies.entries)
        if (!e.first("cn").empty()) expected.push_back(e.first("cn"));
    std::sort(expected.begin(), expected.end(),
              [](const std::string& a, const std::string& b) { return fold(a) < fold(b); });
    ASSERT_EQ(expected.size(), 304u);
    for (std::string_view f : {"(&(mail=*)(objectClass=*))", "(|(mail=*)(sn=*))"}) {
        for (bool reverse : {false, true}) {
            SCOPED_TRACE(std::string(f) + (reverse ? " reversed" : ""));
            auto want = expected;
            if (reverse) std::reverse(want.begin(), want.end());
            EXPECT_EQ(cns(run(big.view, "", SearchScope::whole_subtree, f, {"cn"}, 0,
                              sort_by("cn", reverse))),
                      want);
            for (int32_t offset : {1, 2, 150, 303, 304}) {
                SearchControls c = vlv_offset(1, 2, offset, 0);
                c.sort->keys[0].reverse = reverse;
                const auto window = run(big.view, "", SearchScope::whole_subtree, f, {"cn"}, 0, c);
                const size_t from = static_cast<size_t>(std::max(0, offset - 2));
                const size_t to = std::min<size_t>(want.size(), static_cast<size_t>(offset + 2));
                EXPECT_EQ(cns(window),
                          std::vector<std::string>(want.begin() + from, want.begin() + to))
                    << "offset " << offset;
                EXPECT_EQ(vlv_of(window).content_count, 304);
            }
        }
    }
}

TEST(SearchBrowse, ABookKeepsItsPresenceRunsUntilItChanges) {
    test::Fixture fx(50);
    const Book& gal = *fx.view->books()[1].book;
    const uint64_t mail = uint64_t{1} << index(Attr::mail);
    auto first = gal.presence_run(Attr::cn, mail);
    EXPECT_EQ(first->size(), 50u);
    EXPECT_EQ(gal.presence_run(Attr::cn, mail), first);  // kept, not rebuilt
    EXPECT_NE(gal.presence_run(Attr::sn, mail), first);
    // A changed book is a new snapshot with its own runs: an entry without mail leaves them.
    std::map<int64_t, EntryPtr> entries;
    for (const auto& sh : gal.shards())
        for (const auto& e : sh->entries)
            entries[e->key()] = e;
    EntryBuilder b;
    b.key(7).rdn(Attr::uid, "nomail").add(Attr::cn, "No Mail");
    entries[7] = b.build();
    const std::vector<int64_t> changed = {7};
    auto next = gal.with_changes(entries, changed);
    EXPECT_EQ(next->presence_run(Attr::cn, mail)->size(), 49u);
    EXPECT_EQ(gal.presence_run(Attr::cn, mail)->size(), 50u);
}

}  // namespace
}  // namespace sb::addressbook
