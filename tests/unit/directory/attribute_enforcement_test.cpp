// Every attribute the directory accepts is either read by some code or refused with the reason:
// a setting that is stored but ignored would tell an admin that something is in force when it
// is not.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/password.hpp"
#include "directory/directory.hpp"
#include "test_support.hpp"

using namespace sb;
using namespace sb::directory;
using Op = AttrChange::Op;

namespace {

namespace fs = std::filesystem;

// The text of every source file that could read an attribute (the schema file itself excluded).
std::string code_outside_schema() {
    const char* root = std::getenv("SB_SOURCE_DIR");
    EXPECT_TRUE(root) << "SB_SOURCE_DIR names the source tree";
    std::string all;
    for (const char* dir : {"src", "app"}) {
        for (const auto& e : fs::recursive_directory_iterator(fs::path(root) / dir)) {
            if (!e.is_regular_file()) continue;
            auto ext = e.path().extension();
            if (ext != ".cpp" && ext != ".hpp" && ext != ".inc") continue;
            if (e.path().filename() == "attributes.cpp" &&
                e.path().parent_path().filename() == "directory")
                continue;
            std::ifstream in(e.path());
            std::stringstream ss;
            ss << in.rdbuf();
            all += ss.str();
            all += '\n';
        }
    }
    return all;
}

// Data kept for the admin and shown by `prov ga`, with no behaviour to enforce.
const std::set<std::string_view> kInformational = {
    "zimbraNotes",  // the admin's free-text notes on an account
};

bool read_by_code(const AttrDef& def, const std::string& code) {
    // A string literal in C++ or in SQL.
    auto quoted = [&](std::string_view s) {
        return code.find("\"" + std::string(s) + "\"") != std::string::npos ||
               code.find("'" + std::string(s) + "'") != std::string::npos;
    };
    if (def.storage == AttrStorage::status) return true;  // the accounts' status column
    if (quoted(def.name) || (!def.alias.empty() && quoted(def.alias))) return true;
    // Mobile policies are read by their name after the common prefix (the Provision table).
    constexpr std::string_view kPolicy = "zimbraMobilePolicy";
    if (def.name.starts_with(kPolicy) && quoted(def.name.substr(kPolicy.size()))) return true;
    return false;
}

class AttributeEnforcementTest : public testing::Test {
  protected:
    void SetUp() override {
        crypto::set_argon2_cost(1, 8192);
        db_ = store::open({"sqlite", sb::test::temp_dir("sbattr") + "/t.db", ""}).value();
        dir_ = std::make_unique<Directory>(*db_);
        ASSERT_TRUE(dir_->ensure_defaults());
        ASSERT_TRUE(dir_->create_domain("example.com"));
        NewAccount na;
        na.address = "john@example.com";
        na.password = "pw-john";
        ASSERT_TRUE(dir_->create_account(na));
    }
    // A value the attribute's type accepts, so only the enforcement rule can refuse it.
    static std::string valid_value(const AttrDef& def) {
        switch (def.type) {
            case AttrType::boolean:
                return "TRUE";
            case AttrType::integer:
                return std::to_string(def.min < def.max ? def.max : 1);
            case AttrType::enumeration:
                return std::string(def.choices.substr(0, def.choices.find('|')));
            case AttrType::cos_ref:
                return "default";
            case AttrType::account_ref:
                return "john@example.com";
            case AttrType::string:
                return "x";
        }
        return "x";
    }
    Result<void> set_at(Scope scope, std::vector<AttrChange> ch) {
        switch (scope) {
            case Scope::global:
                return dir_->set_global(ch);
            case Scope::domain:
                return dir_->modify_domain("example.com", ch);
            case Scope::cos:
                return dir_->modify_cos("default", ch);
            case Scope::account:
                return dir_->modify_account("john@example.com", ch);
        }
        return {};
    }
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<Directory> dir_;
};

}  // namespace

TEST_F(AttributeEnforcementTest, EveryAttributeIsReadByCodeOrRefused) {
    const std::string code = code_outside_schema();
    ASSERT_GT(code.size(), 100000u) << "the source tree was not found";
    int enforced = 0, pending = 0;
    for (const auto& def : all_attrs()) {
        SCOPED_TRACE(std::string(def.name));
        if (def.storage == AttrStorage::identity) continue;  // derived, read-only
        if (attr_enforced(def)) {
            ++enforced;
            EXPECT_TRUE(read_by_code(def, code) || kInformational.count(def.name))
                << def.name << " can be set but no code reads it: read it, or mark it pending "
                << "with what is missing";
            EXPECT_FALSE(kInformational.count(def.name) && read_by_code(def, code))
                << def.name << " is read by code now: take it off the informational list";
            continue;
        }
        ++pending;
        EXPECT_TRUE(def.builtin.empty() && def.cos_default.empty())
            << "a default would look like a setting in force";
        for (Scope scope : {Scope::global, Scope::domain, Scope::cos, Scope::account}) {
            if (!attr_allowed_at(def, scope)) continue;
            for (Op op : {Op::set, Op::add}) {
                if (op == Op::add && !def.multi) continue;
                auto r = set_at(scope, {{op, std::string(def.name), valid_value(def)}});
                ASSERT_FALSE(r) << "set at " << scope_name(scope);
                EXPECT_EQ(r.error().code, Errc::invalid_argument);
                EXPECT_NE(r.error().message.find("not enforced yet"), std::string::npos)
                    << r.error().message;
                EXPECT_NE(r.error().message.find(std::string(def.pending)), std::string::npos)
                    << "the message names what is missing: " << r.error().message;
            }
            // Clearing a value stays possible (a database of an earlier version may hold one).
            EXPECT_TRUE(set_at(scope, {{Op::set, std::string(def.name), ""}}));
        }
        auto g = dir_->global(def.name);
        ASSERT_TRUE(g);
        EXPECT_TRUE(g->values.empty());
    }
    // The walk really covered both kinds.
    EXPECT_GT(enforced, 50);
    EXPECT_GE(pending, 8);
}

TEST_F(AttributeEnforcementTest, PendingValuesAreNotInheritedByAccounts) {
    auto a = dir_->account("john@example.com").value();
    for (const auto& def : all_attrs()) {
        if (attr_enforced(def) || !attr_allowed_at(def, Scope::account)) continue;
        SCOPED_TRACE(std::string(def.name));
        auto ev = dir_->effective(a, def.name);
        ASSERT_TRUE(ev);
        EXPECT_TRUE(ev->values.empty()) << "shown as if in force: " << ev->values.front();
    }
}
