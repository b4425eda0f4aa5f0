#pragma once
// A real SQLite directory with a domain and two accounts, the authenticator and credentials.
#include <gtest/gtest.h>

#include <memory>

#include "auth/authenticator.hpp"
#include "auth/credentials.hpp"
#include "core/password.hpp"
#include "directory/directory.hpp"
#include "store/database.hpp"
#include "test_support.hpp"

namespace sb::mail::test {

class DirectoryFixture : public testing::Test {
  protected:
    void SetUp() override {
        crypto::set_argon2_cost(1, 8192);
        db_ = store::open({"sqlite", sb::test::temp_dir("sbmail") + "/t.db", ""}).value();
        dir_ = std::make_unique<directory::Directory>(*db_);
        ASSERT_TRUE(dir_->ensure_defaults());
        ASSERT_TRUE(dir_->create_domain("example.com"));
        creds_ = std::make_unique<auth::Credentials>(*dir_);
        auth_ = std::make_unique<auth::Authenticator>(*dir_, *creds_);
        directory::NewAccount na;
        na.address = "john@example.com";
        na.password = "john-pw";
        na.aliases = {"j.doe@example.com"};
        john_ = dir_->create_account(na).value();
        na.address = "jane@example.com";
        na.password = "jane-pw";
        na.aliases = {};
        jane_ = dir_->create_account(na).value();
    }
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<directory::Directory> dir_;
    std::unique_ptr<auth::Credentials> creds_;
    std::unique_ptr<auth::Authenticator> auth_;
    directory::Account john_, jane_;
};

}  // namespace sb::mail::test
