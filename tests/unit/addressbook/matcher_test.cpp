// Filter evaluation (RFC 4511 4.5.1.7, three-valued) and the substring index: whatever the
// filter, the index's candidates contain every entry the filter matches.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "fixture.hpp"
#include "ldap/addressbook/matcher.hpp"

namespace sb::addressbook {
namespace {

using test::filter;

class MatcherTest : public ::testing::Test {
  protected:
    test::Fixture fx;
    const View& v = *fx.view;
    // Ada Lovelace in the GAL (book 1), Grace Hopper in /Contacts (book 0).
    Presented ada() const { return Presented::person(v, 1, v.books()[1].book->find_key(1)); }
    Presented grace() const { return Presented::person(v, 0, v.books()[0].book->find_key(257)); }
    Tri eval(std::string_view f, const Presented& p) const {
        return Matcher::compile(filter(f)).eval(p);
    }
};

TEST_F(MatcherTest, EqualityIsCaseAndSpaceInsensitive) {
    EXPECT_EQ(eval("(cn=ada lovelace)", ada()), Tri::true_);
    EXPECT_EQ(eval("(CN=  ADA   LOVELACE )", ada()), Tri::true_);
    EXPECT_EQ(eval("(commonName=Ada Lovelace)", ada()), Tri::true_);
    EXPECT_EQ(eval("(2.5.4.3=Ada Lovelace)", ada()), Tri::true_);
    EXPECT_EQ(eval("(cn=Ada)", ada()), Tri::false_);
    EXPECT_EQ(eval("(mail=ADA@EXAMPLE.COM)", ada()), Tri::true_);
}

TEST_F(MatcherTest, Substrings) {
    EXPECT_EQ(eval("(cn=ada*)", ada()), Tri::true_);
    EXPECT_EQ(eval("(cn=*love*)", ada()), Tri::true_);
    EXPECT_EQ(eval("(cn=*lace)", ada()), Tri::true_);
    EXPECT_EQ(eval("(cn=a*l*e)", ada()), Tri::true_);
    EXPECT_EQ(eval("(cn=a*e*l*e)", ada()), Tri::true_);
    EXPECT_EQ(eval("(cn=*lace*love*)", ada()), Tri::false_);  // order matters
    EXPECT_EQ(eval("(cn=ada*ada)", ada()), Tri::false_);      // no overlap of initial and final
    EXPECT_EQ(eval("(sn=LOVE*)", ada()), Tri::true_);
    EXPECT_EQ(eval("(telephoneNumber=*02 1000*)", ada()), Tri::true_);
    EXPECT_EQ(eval("(telephoneNumber=+39021000001)", ada()), Tri::true_);  // spaces do not count
}

TEST_F(MatcherTest, PresenceOrderingApprox) {
    EXPECT_EQ(eval("(mail=*)", ada()), Tri::true_);
    EXPECT_EQ(eval("(title=*)", ada()), Tri::true_);
    EXPECT_EQ(eval("(title=*)", grace()), Tri::false_);
    EXPECT_EQ(eval("(sn>=L)", ada()), Tri::true_);
    EXPECT_EQ(eval("(sn>=M)", ada()), Tri::false_);
    EXPECT_EQ(eval("(sn<=lovelace)", ada()), Tri::true_);
    EXPECT_EQ(eval("(cn~=ada-lovelace)", ada()), Tri::true_);
    EXPECT_EQ(eval("(objectClass>=a)", ada()), Tri::undefined);  // no ordering rule
}

TEST_F(MatcherTest, UnknownAttributesAreUndefinedNotErrors) {
    EXPECT_EQ(eval("(nosuch=x)", ada()), Tri::undefined);
    EXPECT_EQ(eval("(nosuch=*)", ada()), Tri::false_);  // present is never Undefined
    EXPECT_EQ(eval("(!(nosuch=x))", ada()), Tri::undefined);
    EXPECT_EQ(eval("(|(nosuch=x)(cn=ada*))", ada()), Tri::true_);
    EXPECT_EQ(eval("(|(nosuch=x)(cn=bob*))", ada()), Tri::undefined);
    EXPECT_EQ(eval("(&(nosuch=x)(cn=bob*))", ada()), Tri::false_);
    EXPECT_EQ(eval("(&(nosuch=x)(cn=ada*))", ada()), Tri::undefined);
    EXPECT_EQ(eval("(userCertificate;binary=x)", ada()), Tri::undefined);
}

TEST_F(MatcherTest, AbsoluteTrueFalseAndNot) {
    EXPECT_EQ(eval("(&)", ada()), Tri::true_);
    EXPECT_EQ(eval("(|)", ada()), Tri::false_);
    EXPECT_EQ(eval("(!(cn=bob*))", ada()), Tri::true_);
    EXPECT_EQ(eval("(!(cn=ada*))", ada()), Tri::false_);
}

TEST_F(MatcherTest, ObjectClassesOfPersonsContainersAndRoot) {
    EXPECT_EQ(eval("(objectClass=inetOrgPerson)", ada()), Tri::true_);
    EXPECT_EQ(eval("(objectclass=PERSON)", grace()), Tri::true_);
    EXPECT_EQ(eval("(objectClass=apple-user)", ada()), Tri::false_);
    const std::string_view macos =
        "(&(|(objectClass=inetOrgPerson)(objectClass=person)(objectClass=apple-user))(|(givenName="
        "Ad*)(sn=Ad*)(cn=Ad*)))";
    EXPECT_EQ(eval(macos, ada()), Tri::true_);
    EXPECT_EQ(eval("(objectClass=organizationalUnit)", Presented::container(v, 1)), Tri::true_);
    EXPECT_EQ(eval("(objectClass=organization)", Presented::root(v)), Tri::true_);
    EXPECT_EQ(eval("(mail=*)", Presented::container(v, 1)), Tri::false_);
}

TEST_F(MatcherTest, LabelInOuAndLabelAttribute) {
    EXPECT_EQ(eval("(ou=InternalGAL/example.com)", ada()), Tri::true_);
    EXPECT_EQ(eval("(physicalDeliveryOfficeName=internalgal/example.com)", ada()), Tri::true_);
    EXPECT_EQ(eval("(ou=/Contacts)", grace()), Tri::true_);
    EXPECT_EQ(eval("(ou=/Contacts)", ada()), Tri::false_);
    EXPECT_EQ(eval("(ou=/Contacts)", Presented::container(v, 0)), Tri::true_);
}

TEST_F(MatcherTest, ExtensibleMatch) {
    EXPECT_EQ(eval("(cn:caseIgnoreMatch:=ADA LOVELACE)", ada()), Tri::true_);
    EXPECT_EQ(eval("(cn:caseExactMatch:=Ada Lovelace)", ada()), Tri::true_);
    EXPECT_EQ(eval("(cn:caseExactMatch:=ada lovelace)", ada()), Tri::false_);
    EXPECT_EQ(eval("(cn:1.2.3.4:=x)", ada()), Tri::undefined);
    EXPECT_EQ(eval("(:caseIgnoreMatch:=lovelace)", ada()), Tri::true_);  // sn, any attribute
    EXPECT_EQ(eval("(ou:dn:=InternalGAL/example.com)", ada()), Tri::true_);
    EXPECT_EQ(eval("(o:dn:=switchboard)", ada()), Tri::true_);
    EXPECT_EQ(eval("(o:=switchboard)", ada()), Tri::false_);
}

// Random names over a small alphabet (with multi-byte letters) make substrings collide often.
std::string random_name(std::mt19937& rng, size_t max_len) {
    static const std::vector<std::string> letters = {"a", "b", "c", "n", "o", " ", "ø",
                                                     "É", "ß", "-", "A", "N", "x"};
    std::uniform_int_distribution<size_t> len(0, max_len), pick(0, letters.size() - 1);
    std::string s;
    for (size_t i = len(rng); i > 0; --i)
        s += letters[pick(rng)];
    return s;
}

std::string random_item(std::mt19937& rng) {
    static const std::vector<std::string> attrs = {"cn",          "sn",    "givenName", "mail",
                                                   "displayName", "title", "nosuch"};
    std::uniform_int_distribution<size_t> pick(0, attrs.size() - 1), kind(0, 5);
    auto esc = [](std::string v) {
        std::string o;
        for (char c : v)
            o += (c == '*' || c == '(' || c == ')' || c == '\\') ? std::string("\\2a")
                                                                 : std::string(1, c);
        return o;
    };
    const std::string a = attrs[pick(rng)];
    // Substring components must not be empty (RFC 4515); "x" keeps them so.
    auto part = [&](size_t n) { return "x" + esc(random_name(rng, n)); };
    switch (kind(rng)) {
        case 0:
            return "(" + a + "=" + esc(random_name(rng, 6)) + ")";
        case 1:
            return "(" + a + "=" + esc(random_name(rng, 3)) + "*)";
        case 2:
            return "(" + a + "=*" + part(3) + "*)";
        case 3:
            return "(" + a + "=*" + part(2) + ")";
        case 4:
            return "(" + a + "=" + esc(random_name(rng, 2)) + "*" + part(2) + "*" +
                   esc(random_name(rng, 2)) + ")";
        default:
            return "(" + a + "=*)";
    }
}

std::string random_filter(std::mt19937& rng, int depth) {
    std::uniform_int_distribution<int> kind(0, depth > 0 ? 4 : 0);
    switch (kind(rng)) {
        case 1:
        case 2: {
            std::string s = kind(rng) % 2 ? "(&" : "(|";
            std::uniform_int_distribution<int> n(0, 3);
            for (int i = n(rng); i > 0; --i)
                s += random_filter(rng, depth - 1);
            return s + ")";
        }
        case 3:
            return "(!" + random_filter(rng, depth - 1) + ")";
        default:
            return random_item(rng);
    }
}

TEST(MatcherProperty, IndexCandidatesContainEveryMatch) {
    std::mt19937 rng(12345);
    auto ctx = std::make_shared<const NamingContext>(*NamingContext::make("o=x", Attr::office));
    std::vector<EntryPtr> entries;
    for (int i = 0; i < 600; ++i) {
        EntryBuilder b;
        b.key(i).rdn(Attr::uid, std::to_string(i));
        b.add(Attr::cn, random_name(rng, 8)).add(Attr::sn, random_name(rng, 5));
        b.add(Attr::given_name, random_name(rng, 5)).add(Attr::mail, random_name(rng, 7) + "@x");
        if (i % 3 == 0) b.add(Attr::title, random_name(rng, 4));
        entries.push_back(b.build());
    }
    // Small shards: build() cuts at kShardTarget, so use several books to get several shards.
    std::vector<ViewBook> books;
    for (int part = 0; part < 3; ++part) {
        std::vector<EntryPtr> slice(entries.begin() + part * 200,
                                    entries.begin() + (part + 1) * 200);
        books.push_back(test::view_book(*ctx, Book::build({BookId::Kind::folder, 1, part}, slice),
                                        "/b" + std::to_string(part)));
    }
    View view(ctx, 1, "u@x", "", std::move(books));
    size_t matched_total = 0;
    for (int round = 0; round < 400; ++round) {
        const std::string text = random_filter(rng, 3);
        auto f = ldapproto::parse_filter(text);
        ASSERT_TRUE(f) << text;
        const Matcher m = Matcher::compile(*f);
        for (size_t b = 0; b < view.books().size(); ++b)
            for (const auto& sh : view.books()[b].book->shards()) {
                const auto plan = m.plan(*sh);
                std::set<size_t> candidates;
                for (auto list : plan.lists)
                    candidates.insert(list.begin(), list.end());
                for (size_t i = 0; i < sh->entries.size(); ++i) {
                    if (!m.matches(Presented::person(view, b, sh->entries[i].get()))) continue;
                    ++matched_total;
                    ASSERT_TRUE(plan.all || candidates.count(i))
                        << "filter " << text << " matches entry " << sh->entries[i]->key()
                        << " which the index did not offer";
                }
            }
    }
    EXPECT_GT(matched_total, 1000u);  // the random filters do match things
}

TEST(GramIndex, PostingsAreAscendingAndPrefixAnchored) {
    GramIndex idx;
    idx.build({{"ada"}, {"bada"}, {"ad"}, {}});
    std::vector<Gram> q;
    GramIndex::query_grams("ad", true, q);
    ASSERT_EQ(q.size(), 2u);  // anchored "ad", plain "ad"
    auto anchored = idx.postings(q[0]);
    ASSERT_EQ(anchored.size(), 2u);
    EXPECT_EQ(anchored[0], 0);
    EXPECT_EQ(anchored[1], 2);
    auto plain = idx.postings(q[1]);
    EXPECT_EQ(plain.size(), 3u);
    q.clear();
    GramIndex::query_grams("zzz", false, q);
    EXPECT_TRUE(idx.postings(q[0]).empty());
}

}  // namespace
}  // namespace sb::addressbook
