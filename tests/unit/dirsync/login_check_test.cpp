#include "dirsync/login_check.hpp"

#include <gtest/gtest.h>

namespace sb::dirsync {
namespace {

constexpr int64_t kMinute = 60'000;

EntryAnswer answer(EntryState state, int64_t at) {
    return EntryAnswer{state, at, state == EntryState::present ? "uid=a" : "gone"};
}

TEST(DirsyncLoginCheck, APresentEntryCountsForTheInterval) {
    LoginChecks checks;
    const LoginCheckPolicy policy{5 * kMinute, 4 * 60 * kMinute};
    EXPECT_FALSE(checks.fresh(1, 1000, policy)) << "nothing known: ask the directory";
    checks.store(1, 7, answer(EntryState::present, 1000));
    ASSERT_TRUE(checks.fresh(1, 1000 + 5 * kMinute - 1, policy));
    EXPECT_EQ(checks.fresh(1, 1000, policy)->state, EntryState::present);
    EXPECT_FALSE(checks.fresh(1, 1000 + 5 * kMinute, policy)) << "old: ask again";
    EXPECT_FALSE(checks.fresh(1, 999, policy)) << "a clock that went back does not keep it";
    EXPECT_FALSE(checks.fresh(2, 1000, policy)) << "per account";
}

TEST(DirsyncLoginCheck, ARefusalIsAskedAgainWithinAMinute) {
    LoginChecks checks;
    const LoginCheckPolicy policy{5 * kMinute, 4 * 60 * kMinute};
    checks.store(1, 7, answer(EntryState::gone, 0));
    EXPECT_EQ(checks.fresh(1, kRefusalRecheckMs - 1, policy)->state, EntryState::gone);
    EXPECT_FALSE(checks.fresh(1, kRefusalRecheckMs, policy));
    ASSERT_TRUE(checks.latest(1)) << "the last answer stays for when the directory is away";
    EXPECT_EQ(checks.latest(1)->state, EntryState::gone);
    // An interval shorter than a minute applies to refusals too; 0 asks at every login.
    checks.store(1, 7, answer(EntryState::disabled, 0));
    EXPECT_FALSE(checks.fresh(1, 10'000, LoginCheckPolicy{10'000, 0}));
    checks.store(1, 7, answer(EntryState::present, 0));
    EXPECT_FALSE(checks.fresh(1, 0, LoginCheckPolicy{0, 0}));
}

TEST(DirsyncLoginCheck, ARunOrAConfigurationChangeForgetsTheDomain) {
    LoginChecks checks;
    const LoginCheckPolicy policy;
    checks.store(1, 7, answer(EntryState::gone, 0));
    checks.store(2, 8, answer(EntryState::present, 0));
    checks.forget_domain(7);
    EXPECT_FALSE(checks.latest(1));
    EXPECT_TRUE(checks.fresh(2, 0, policy));
    checks.forget(2);
    EXPECT_FALSE(checks.latest(2));
}

TEST(DirsyncLoginCheck, WithoutTheDirectoryTheLastPresenceCountsForTheGrace) {
    const LoginCheckPolicy policy{5 * kMinute, 60 * kMinute};
    const int64_t seen = 10 * 60 * kMinute;
    EXPECT_TRUE(offline_allowed(seen, seen + 60 * kMinute, policy));
    EXPECT_FALSE(offline_allowed(seen, seen + 60 * kMinute + 1, policy));
    EXPECT_FALSE(offline_allowed(0, seen, policy)) << "never seen: refused";
    EXPECT_FALSE(offline_allowed(seen, seen, LoginCheckPolicy{5 * kMinute, 0}))
        << "login_offline_grace 0: refused";
    EXPECT_FALSE(offline_allowed(seen, seen - 1, policy)) << "seen in the future: refused";
}

}  // namespace
}  // namespace sb::dirsync
