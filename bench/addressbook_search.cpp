// In-process cost of the address-book search engine on a GAL of 100,000 people (no sockets):
// Outlook's prefix resolution and Thunderbird's infix autocomplete (sizeLimit 100, Outlook's
// attribute list, responses encoded), and the VLV first window sorted by displayName.
// Complements bench/ldap_bench.py, which measures the whole server against slapd.
//
// SB_PEOPLE_LDIF=FILE runs it on the people of an LDIF file instead (tools/gen_people_ldif.py
// makes the one ldap_bench.py uses), with search terms drawn from them as that benchmark does.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "directory/ldif/reader.hpp"

#include "ldap/addressbook/fold.hpp"
#include "ldap/addressbook/person.hpp"
#include "ldap/addressbook/search.hpp"

using namespace sb::addressbook;

namespace {

const char* kFirst[] = {"James",    "Mary",   "John",    "Patricia",  "Robert",      "Jennifer",
                        "Michael",  "Linda",  "William", "Elizabeth", "David",       "Barbara",
                        "Giulia",   "Marco",  "Luca",    "Francesca", "Søren",       "Zoë",
                        "François", "Jürgen", "Miyu",    "Wei",       "Jean-Pierre", "Åsa"};
const char* kLast[] = {"Smith",  "Johnson", "Williams", "Brown",    "Jones",   "Garcia",
                       "Miller", "Davis",   "Rossi",    "Russo",    "Ferrari", "Esposito",
                       "Müller", "Schmidt", "Dubois",   "Durand",   "Tanaka",  "Suzuki",
                       "Wang",   "Li",      "O'Brien",  "Sørensen", "Nielsen", "Hansen"};

// The first `n` bytes of `s`, shortened so no UTF-8 sequence is cut.
std::string utf8_prefix(const std::string& s, size_t n) {
    n = std::min(n, s.size());
    while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n);
}

struct World {
    ViewPtr view;
    std::vector<std::string> prefixes, infixes;

    explicit World(size_t n) {
        std::vector<EntryPtr> gal;
        if (const char* path = std::getenv("SB_PEOPLE_LDIF"))
            gal = read_people(path);
        else
            gal = make_people(n);
        auto ctx = std::make_shared<const NamingContext>(
            *NamingContext::make("o=switchboard", Attr::office));
        ViewBook vb;
        vb.label = "InternalGAL/example.com";
        vb.book = Book::build({BookId::Kind::gal, 1, 0}, std::move(gal));
        vb.container_dn = "ou=" + vb.label + ",o=switchboard";
        vb.label_key = fold(vb.label);
        vb.container = View::make_container(vb.label);
        view = std::make_shared<const View>(ctx, 1, "u@example.com", "", std::vector<ViewBook>{vb});
    }

    // The people of an LDIF file, mapped as importLdif maps them; terms as ldap_bench.py draws
    // them: 2-5 leading characters of a name or address, 3-4 characters from inside a name.
    std::vector<EntryPtr> read_people(const char* path) {
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        const std::string all = text.str();
        sb::ldif::Reader reader(all);
        std::vector<EntryPtr> gal;
        std::mt19937 rng(11);
        for (int64_t id = 1;; ++id) {
            auto e = reader.next();
            if (!e || !*e) break;
            const auto& entry = **e;
            auto mail = entry.first_value("mail");
            if (!mail) continue;
            AccountRecord a;
            a.id = id;
            a.address = std::string(*mail);
            for (auto [from, to] : {std::pair{"cn", "cn"},
                                    {"displayName", "displayName"},
                                    {"givenName", "givenName"},
                                    {"sn", "sn"},
                                    {"title", "title"},
                                    {"telephoneNumber", "telephoneNumber"},
                                    {"mobile", "mobile"},
                                    {"department", "ou"},
                                    {"l", "l"},
                                    {"st", "st"},
                                    {"postalCode", "postalCode"},
                                    {"c", "c"},
                                    {"o", "company"}})
                if (auto v = entry.first_value(from); v && !v->empty())
                    a.attrs[to] = {std::string(*v)};
            gal.push_back(entry_from_account(a));
            if (rng() % 25 == 0) {
                const std::string name[] = {a.attrs["givenName"].front(), a.attrs["sn"].front(),
                                            a.address};
                prefixes.push_back(utf8_prefix(name[rng() % 3], 2 + rng() % 4));
                const std::string& word = name[rng() % 2];
                if (word.size() >= 5) {
                    const size_t k = 3 + rng() % 2;
                    size_t from = 1 + rng() % (word.size() - k);
                    while (from < word.size() &&
                           (static_cast<unsigned char>(word[from]) & 0xC0) == 0x80)
                        ++from;  // not inside a UTF-8 sequence
                    if (auto t = utf8_prefix(word.substr(from), k); !t.empty())
                        infixes.push_back(t);
                }
            }
        }
        return gal;
    }

    std::vector<EntryPtr> make_people(size_t n) {
        std::mt19937 rng(7);
        auto pick = [&](auto& arr) { return std::string(arr[rng() % std::size(arr)]); };
        std::vector<EntryPtr> gal;
        for (size_t i = 0; i < n; ++i) {
            AccountRecord a;
            a.id = static_cast<int64_t>(i + 1);
            const std::string g = pick(kFirst), s = pick(kLast);
            a.address = fold(g) + "." + fold(s) + std::to_string(i) + "@example.com";
            a.attrs["givenName"] = {g};
            a.attrs["sn"] = {s};
            a.attrs["displayName"] = {g + " " + s};
            a.attrs["title"] = {"Engineer"};
            a.attrs["telephoneNumber"] = {"+39 02 " + std::to_string(1000000 + i)};
            gal.push_back(entry_from_account(a));
            if (i % 25 == 0) {
                prefixes.push_back(utf8_prefix(g, 2 + rng() % 4));
                if (s.size() >= 5) infixes.push_back(utf8_prefix(s.substr(1), 3));
            }
        }
        return gal;
    }
};

const World& world() {
    static const World w(100000);
    return w;
}

const std::vector<std::string_view> kOutlookAttrs = {
    "display-name", "cn",         "commonName", "mail",
    "givenName",    "sn",         "surname",    "telephoneNumber",
    "title",        "department", "company",    "physicalDeliveryOfficeName",
    "objectClass"};

void run(benchmark::State& state, const std::vector<std::string>& terms,
         std::string (*make)(const std::string&), SearchControls controls = {}) {
    const auto& w = world();
    std::vector<sb::ldapproto::Filter> filters;
    std::vector<std::string> texts;
    texts.reserve(terms.size());
    for (const auto& t : terms) {
        texts.push_back(make(t));
        auto f = sb::ldapproto::parse_filter(texts.back());
        if (!f) {
            state.SkipWithError(("bad filter " + texts.back()).c_str());
            return;
        }
        filters.push_back(std::move(*f));
    }
    std::string out;
    size_t i = 0, entries = 0;
    for (auto _ : state) {
        sb::ldapproto::SearchRequest req;
        req.scope = sb::ldapproto::SearchScope::whole_subtree;
        req.size_limit = 100;
        req.filter = filters[i++ % filters.size()];
        req.attributes = kOutlookAttrs;
        SearchCursor c(w.view, req, 2, controls, {});
        out.clear();
        while (!c.pump(out, 1 << 20)) {
        }
        entries += c.entries_sent();
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["entries/op"] =
        benchmark::Counter(static_cast<double>(entries) / state.iterations());
}

std::string outlook(const std::string& t) {
    return "(&(mail=*)(|(mail=" + t + "*)(|(cn=" + t + "*)(|(sn=" + t + "*)(givenName=" + t +
           "*)))))";
}
std::string thunderbird(const std::string& t) {
    return "(|(cn=*" + t + "*)(mail=*" + t + "*)(givenName=*" + t + "*)(sn=*" + t + "*))";
}
std::string browse(const std::string&) {
    return "(&(mail=*)(objectClass=*))";
}

void BM_OutlookPrefix(benchmark::State& state) {
    run(state, world().prefixes, outlook);
}
void BM_ThunderbirdInfix(benchmark::State& state) {
    run(state, world().infixes, thunderbird);
}
void BM_VlvFirstWindow(benchmark::State& state) {
    SearchControls c;
    c.sort = sb::ldapproto::SortRequest{{sb::ldapproto::SortKey{"displayName", "", false}}};
    sb::ldapproto::VlvRequest v;
    v.after_count = 49;
    v.offset = 1;
    c.vlv = v;
    run(state, {""}, browse, c);
}
BENCHMARK(BM_OutlookPrefix)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ThunderbirdInfix)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_VlvFirstWindow)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
