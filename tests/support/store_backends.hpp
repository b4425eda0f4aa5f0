#pragma once
// Fixtures that run the same test on both store backends. Header-only on purpose: only test
// binaries that link the store include it (the test-support library itself does not).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "pg_cluster.hpp"
#include "store/database.hpp"
#include "test_support.hpp"

namespace sb::test {

inline const std::vector<std::string> kStoreBackends = {"sqlite", "postgresql"};

// The store.url / path of a fresh empty store of `backend`, or "" with `skip` set when the
// backend cannot run here (PostgreSQL binaries missing).
inline std::string fresh_store_location(const std::string& backend, std::string* skip) {
    if (backend == "sqlite") return temp_dir("sbstore") + "/t.db";
    PgCluster* cluster = PgCluster::shared(skip);
    return cluster ? cluster->create_database() : "";
}

inline store::OpenOptions store_options(const std::string& backend, const std::string& location) {
    store::OpenOptions o;
    o.backend = backend;
    (backend == "sqlite" ? o.path : o.url) = location;
    return o;
}

// Base for TEST_P fixtures parameterised by backend name: SetUp() makes a fresh store (or skips).
class StoreBackendTest : public testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        std::string skip;
        location_ = fresh_store_location(GetParam(), &skip);
        if (location_.empty()) GTEST_SKIP() << skip;
        db_ = open_node();
        ASSERT_TRUE(db_);
    }
    // Another handle on the same store: for PostgreSQL a second cluster node with its own pool
    // and change feed.
    std::unique_ptr<store::Database> open_node() {
        auto db = store::open(store_options(GetParam(), location_));
        EXPECT_TRUE(db) << db.error().message;
        return db ? std::move(*db) : nullptr;
    }
    bool postgres() const { return GetParam() == "postgresql"; }

    std::string location_;
    std::unique_ptr<store::Database> db_;
};

inline std::string backend_name(const testing::TestParamInfo<std::string>& info) {
    return info.param;
}

}  // namespace sb::test
