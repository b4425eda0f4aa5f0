// SQLite store under mixed load: N threads run read transactions (a page of 100 rows by index)
// while one thread commits small durable writes, for one second per case. Reports reads and
// writes per second and the 99th percentile of a read's time: the read path decides whether
// readers wait for the writer's commits.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include <unistd.h>

#include "store/database.hpp"

using namespace sb;

namespace {

constexpr int64_t kRows = 20'000;

std::filesystem::path work_dir() {
    static const auto dir =
        std::filesystem::temp_directory_path() / ("sb_bench_store_" + std::to_string(::getpid()));
    return dir;
}

std::unique_ptr<store::Database> open_db() {
    const auto dir = work_dir();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::atexit([] { std::filesystem::remove_all(work_dir()); });
    auto db = store::open({"sqlite", (dir / "bench.db").string(), ""}).value();
    (void)db->write([](store::Tx& tx) -> Result<void> {
        SB_TRY(
            tx.script("CREATE TABLE bench_people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                      "mail TEXT NOT NULL)"));
        for (int64_t i = 0; i < kRows; ++i)
            SB_TRY(tx.exec(
                "INSERT INTO bench_people (id, name, mail) VALUES (?, ?, ?)",
                {i, "Person " + std::to_string(i), "person" + std::to_string(i) + "@example.com"}));
        return {};
    });
    return db;
}

Result<size_t> read_page(store::Database& db, int64_t from) {
    return db.read([&](store::Tx& tx) -> Result<size_t> {
        SB_TRY_ASSIGN(auto rows,
                      tx.query("SELECT id, name, mail FROM bench_people WHERE id >= ? ORDER BY id "
                               "LIMIT 100",
                               {from}));
        return rows.size();
    });
}

Result<void> write_one(store::Database& db, int64_t n) {
    return db.write([&](store::Tx& tx) -> Result<void> {
        SB_TRY(tx.exec("UPDATE bench_people SET name = ? WHERE id = ?",
                       {"Renamed " + std::to_string(n), n % kRows}));
        return {};
    });
}

void BM_ReadersWithOneWriter(benchmark::State& state) {
    static auto db = open_db();
    const int readers = static_cast<int>(state.range(0));
    const bool writer = state.range(1) != 0;
    for (auto _ : state) {
        std::atomic<bool> stop{false};
        std::atomic<int64_t> reads{0}, writes{0}, failures{0};
        std::vector<std::thread> threads;
        if (writer)
            threads.emplace_back([&] {
                for (int64_t n = 0; !stop.load(); ++n) {
                    if (write_one(*db, n))
                        ++writes;
                    else
                        ++failures;
                }
            });
        std::vector<std::vector<double>> read_us(readers);
        for (int r = 0; r < readers; ++r)
            threads.emplace_back([&, r] {
                for (int64_t n = r * 7919; !stop.load(); n += 101) {
                    const auto t0 = std::chrono::steady_clock::now();
                    if (read_page(*db, n % (kRows - 100)))
                        ++reads;
                    else
                        ++failures;
                    read_us[r].push_back(std::chrono::duration<double, std::micro>(
                                             std::chrono::steady_clock::now() - t0)
                                             .count());
                }
            });
        std::this_thread::sleep_for(std::chrono::seconds(1));
        stop = true;
        for (auto& t : threads)
            t.join();
        state.counters["reads/s"] = static_cast<double>(reads.load());
        state.counters["writes/s"] = static_cast<double>(writes.load());
        state.counters["failures"] = static_cast<double>(failures.load());
        std::vector<double> all;
        for (auto& v : read_us)
            all.insert(all.end(), v.begin(), v.end());
        std::sort(all.begin(), all.end());
        state.counters["read_p99_us"] = all.empty() ? 0.0 : all[all.size() * 99 / 100];
    }
}

BENCHMARK(BM_ReadersWithOneWriter)
    ->ArgNames({"readers", "writer"})
    ->Args({1, 0})
    ->Args({4, 0})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Args({4, 1})
    ->Args({8, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
