// LDIF reader and writer throughput on a 100k-person file like the admin import gets.
// Reads the file named by SB_LDIF_BENCH_FILE (e.g. the output of
// gen_people_ldif.py 100000 example.com); without it, builds a similar one in memory.
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include <benchmark/benchmark.h>

#include "directory/ldif/reader.hpp"
#include "directory/ldif/writer.hpp"

namespace {

using sb::ldif::Entry;

std::string synthetic_people(size_t n) {
    static const char* kFirst[] = {"James",         "Mary",         "Giulia",
                                   "J\xC3\xBCrgen", "S\xC3\xB8ren", "Wei"};
    static const char* kLast[] = {"Smith", "Rossi", "M\xC3\xBCller", "Tanaka", "O'Brien"};
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        std::string given = kFirst[i % 6], sn = kLast[i % 5], uid = "user" + std::to_string(i);
        Entry e{"uid=" + uid + ",ou=people,dc=example,dc=com", 0, {}};
        auto add = [&](const char* name, std::string value) {
            e.attributes.push_back({name, std::move(value)});
        };
        add("objectClass", "inetOrgPerson");
        add("uid", uid);
        add("cn", given + " " + sn);
        add("sn", sn);
        add("givenName", given);
        add("displayName", given + " " + sn);
        add("mail", uid + "@example.com");
        add("title", "Senior Engineer");
        add("telephoneNumber", "+39 02 1234567");
        add("mobile", "+39 333 7654321");
        add("l", i % 8 ? "Milano"
                       : "K\xC3\xB8"
                         "benhavn");
        add("postalCode", "20121");
        add("o", "Example Corp");
        add("ou", "Engineering");
        add("userPassword", "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g4ZmYxNjg4ZGY=");
        (void)sb::ldif::append_entry(out, e);
    }
    return out;
}

const std::string& people() {
    static const std::string text = [] {
        if (const char* path = std::getenv("SB_LDIF_BENCH_FILE")) {
            std::ifstream in(path, std::ios::binary);
            if (in) return std::string(std::istreambuf_iterator<char>(in), {});
        }
        return synthetic_people(100'000);
    }();
    return text;
}

void BM_LdifReadStreaming(benchmark::State& state) {
    const std::string& text = people();
    size_t entries = 0;
    for (auto _ : state) {
        sb::ldif::Reader reader(text);
        entries = 0;
        for (;;) {
            auto next = reader.next();
            if (!next) {
                state.SkipWithError(next.error().message.c_str());
                return;
            }
            if (!*next) break;
            benchmark::DoNotOptimize(**next);
            ++entries;
        }
    }
    state.counters["entries"] = static_cast<double>(entries);
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * entries));
}
BENCHMARK(BM_LdifReadStreaming)->Unit(benchmark::kMillisecond);

void BM_LdifParseAll(benchmark::State& state) {
    const std::string& text = people();
    for (auto _ : state) {
        auto entries = sb::ldif::parse_all(text);
        if (!entries) {
            state.SkipWithError(entries.error().message.c_str());
            return;
        }
        benchmark::DoNotOptimize(entries->data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_LdifParseAll)->Unit(benchmark::kMillisecond);

void BM_LdifWrite(benchmark::State& state) {
    auto entries = sb::ldif::parse_all(people());
    if (!entries) {
        state.SkipWithError(entries.error().message.c_str());
        return;
    }
    for (auto _ : state) {
        std::string out;
        for (const Entry& e : *entries)
            (void)sb::ldif::append_entry(out, e);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * entries->size()));
}
BENCHMARK(BM_LdifWrite)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
