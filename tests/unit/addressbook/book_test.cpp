// Books: shards, lookups, incremental updates, and prepared sort orders that follow changes.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "fixture.hpp"
#include "ldap/addressbook/book.hpp"
#include "ldap/addressbook/matcher.hpp"

namespace sb::addressbook {
namespace {

std::map<int64_t, EntryPtr> people(size_t n, std::mt19937& rng) {
    static const char* names[] = {"Ada", "bob", "Carol", "dave", "Émile", "zoë", "Øyvind", "ann"};
    std::map<int64_t, EntryPtr> m;
    for (size_t i = 0; i < n; ++i) {
        const int64_t key = static_cast<int64_t>(i * 3 + 1);
        std::string first = names[rng() % 8];
        m[key] = test::person(key, first, "N" + std::to_string(rng() % 50),
                              first + std::to_string(key) + "@x.org");
    }
    return m;
}

std::vector<EntryPtr> values(const std::map<int64_t, EntryPtr>& m) {
    std::vector<EntryPtr> v;
    for (const auto& [k, e] : m)
        v.push_back(e);
    return v;
}

std::vector<int64_t> order_keys(const Book::SortOrder& o) {
    std::vector<int64_t> keys;
    for (size_t i = 0; i < o.entries.size(); ++i) {
        keys.push_back(o.entries[i]->key());
        EXPECT_EQ(o.masks[i], o.entries[i]->present_mask());
    }
    return keys;
}

TEST(Book, ShardsAndLookups) {
    std::mt19937 rng(1);
    auto all = people(5000, rng);
    auto book = Book::build({BookId::Kind::gal, 1, 0}, values(all));
    EXPECT_EQ(book->size(), 5000u);
    EXPECT_EQ(book->shards().size(), 3u);
    EXPECT_EQ(book->find_key(1)->key(), 1);
    EXPECT_EQ(book->find_key(2), nullptr);
    EXPECT_EQ(book->find_key(14998)->key(), 14998);
    const Entry* e = book->find_key(301);
    EXPECT_EQ(book->find_rdn(e->rdn_key()), e);
    EXPECT_EQ(book->find_rdn("nobody"), nullptr);
}

TEST(Book, IncrementalChangesMatchAFreshBuild) {
    std::mt19937 rng(2);
    auto all = people(9000, rng);
    BookPtr book = Book::build({BookId::Kind::gal, 1, 0}, values(all));
    (void)book->sorted_by(Attr::cn);  // prepared before the changes: carried along
    for (int round = 0; round < 20; ++round) {
        std::vector<int64_t> changed;
        for (int i = 0; i < 40; ++i) {
            const int64_t key = static_cast<int64_t>(rng() % 40000);
            switch (rng() % 3) {
                case 0:
                    all.erase(key);
                    break;  // delete (or nothing)
                default:
                    all[key] = test::person(key, "Chg" + std::to_string(rng() % 100), "S",
                                            "c" + std::to_string(key) + "@x");
            }
            changed.push_back(key);
        }
        std::sort(changed.begin(), changed.end());
        changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
        book = book->with_changes(all, changed);
        auto fresh = Book::build({BookId::Kind::gal, 1, 0}, values(all));
        ASSERT_EQ(book->size(), all.size());
        for (const auto& sh : book->shards())
            EXPECT_LE(sh->entries.size(), Book::kShardMax);
        std::vector<int64_t> a, b;
        for (const auto& sh : book->shards())
            for (const auto& e : sh->entries)
                a.push_back(e->key());
        for (const auto& [k, e] : all)
            b.push_back(k);
        ASSERT_EQ(a, b) << "round " << round;
        // The carried sort order equals a fresh sort.
        ASSERT_EQ(order_keys(book->sorted_by(Attr::cn)), order_keys(fresh->sorted_by(Attr::cn)))
            << round;
        // And the index still finds every entry by a substring of its name.
        const auto m = Matcher::compile(test::filter("(cn=Chg*)"));
        size_t found = 0;
        for (const auto& sh : book->shards()) {
            auto plan = m.plan(*sh);
            std::vector<bool> cand(sh->entries.size(), plan.all);
            for (auto l : plan.lists)
                for (auto i : l)
                    cand[i] = true;
            for (size_t i = 0; i < sh->entries.size(); ++i)
                if (sh->entries[i]->values(Attr::cn).front().rfind("Chg", 0) == 0) {
                    EXPECT_TRUE(cand[i]);
                    ++found;
                }
        }
        size_t expected = 0;
        for (const auto& [k, e] : all)
            expected += e->values(Attr::cn).front().rfind("Chg", 0) == 0;
        EXPECT_EQ(found, expected);
    }
}

TEST(Book, SortOrderPutsEntriesWithoutTheAttributeLast) {
    EntryBuilder a, b, c;
    a.key(1).rdn(Attr::uid, "1").add(Attr::cn, "zed");
    b.key(2).rdn(Attr::uid, "2");
    c.key(3).rdn(Attr::uid, "3").add(Attr::cn, "Alpha");
    auto book = Book::build({BookId::Kind::folder, 1, 7}, {a.build(), b.build(), c.build()});
    EXPECT_EQ(order_keys(book->sorted_by(Attr::cn)), (std::vector<int64_t>{3, 1, 2}));
    EXPECT_TRUE(book->sorted_by(Attr::title).entries.empty());  // not a prepared order
}

TEST(Matcher, PresenceMaskOnlyForPresenceFilters) {
    EXPECT_EQ(Matcher().presence_mask(), uint64_t{0});
    auto m = Matcher::compile(test::filter("(&(mail=*)(objectClass=*))"));
    ASSERT_TRUE(m.presence_mask());
    EXPECT_EQ(*m.presence_mask(),
              (uint64_t{1} << index(Attr::mail)) | (uint64_t{1} << index(Attr::object_class)));
    EXPECT_TRUE(Matcher::compile(test::filter("(cn=*)")).presence_mask());
    EXPECT_FALSE(
        Matcher::compile(test::filter("(ou=*)")).presence_mask());  // the label: view-dependent
    EXPECT_FALSE(Matcher::compile(test::filter("(title=*)")).presence_mask());
    EXPECT_FALSE(Matcher::compile(test::filter("(&(mail=*)(cn=a*))")).presence_mask());
    EXPECT_FALSE(Matcher::compile(test::filter("(|(mail=*)(cn=*))")).presence_mask());
    EXPECT_FALSE(Matcher::compile(test::filter("(nosuch=*)")).presence_mask());
}

}  // namespace
}  // namespace sb::addressbook
