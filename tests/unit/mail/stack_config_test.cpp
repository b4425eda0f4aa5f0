// The generated configurations are checked by Dovecot's and Postfix's own parsers (doveconf,
// postconf), which refuse unknown settings and broken syntax.
#include "mail/setup/stack_config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/tls_identity.hpp"
#include "mail/setup/lua_scripts.hpp"
#include "mail/setup/master_secret.hpp"
#include "test_support.hpp"

using namespace sb;
using namespace sb::mail;
namespace fs = std::filesystem;

namespace {

Wiring wiring() {
    Wiring w;
    w.auth = "/run/switchboard/dovecot-auth.sock";
    w.events = "127.0.0.1:7026";
    w.socketmap = "127.0.0.1:7025";
    w.lmtp = "127.0.0.1:24";
    w.submission = "127.0.0.1:587";
    return w;
}

void write_all(const std::string& dir, const std::vector<GeneratedFile>& files) {
    for (const auto& f : files) {
        fs::path p = fs::path(dir) / f.name;
        fs::create_directories(p.parent_path());
        std::ofstream(p) << f.content;
        ::chmod(p.c_str(), static_cast<mode_t>(f.mode));
    }
}

// Runs a command; returns its exit status and output.
std::pair<int, std::string> run(const std::string& command) {
    std::string out;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p) return {-1, "popen failed"};
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

const GeneratedFile& named(const std::vector<GeneratedFile>& files, const std::string& name) {
    for (const auto& f : files)
        if (f.name == name) return f;
    throw std::runtime_error("no generated file " + name);
}

}  // namespace

TEST(StackConfig, PrivateDovecotIsAcceptedByDoveconf) {
    const std::string dir = sb::test::temp_dir("sbstack");
    auto tls = crypto::ensure_tls_identity(dir + "/tls", {"localhost"});
    ASSERT_TRUE(tls) << tls.error().message;
    PrivateStack p;
    p.dir = dir;
    p.imap = "127.0.0.1:10143";
    p.pop3 = "127.0.0.1:10110";
    p.smtp = "127.0.0.1:10025";
    p.sasl_port = "10012";
    p.cert_file = tls->cert_file;
    p.key_file = tls->key_file;
    auto files = private_dovecot(wiring(), p);
    write_all(dir, files);
    auto [rc, out] = run("doveconf -n -c " + dir + "/dovecot/dovecot.conf");
    ASSERT_EQ(rc, 0) << out;
    // The snippet an admin installs is what the private instance runs.
    EXPECT_NE(out.find("args = file=" + dir + "/dovecot/switchboard-auth.lua blocking=yes"),
              std::string::npos)
        << out;
    EXPECT_NE(
        out.find("mail_plugins = \" mail_lua notify push_notification push_notification_lua\""),
        std::string::npos)
        << out;
    EXPECT_NE(out.find("auth_master_user_separator = *"), std::string::npos);
    EXPECT_NE(out.find("port = 10143"), std::string::npos);
    EXPECT_NE(out.find("port = 10012"), std::string::npos);
    // A private instance never touches the system's Postfix queue.
    EXPECT_EQ(out.find("/var/spool/postfix"), std::string::npos) << out;
    const auto& conf = named(files, "dovecot/dovecot.conf").content;
    EXPECT_NE(conf.find("!include " + dir + "/dovecot/conf.d/90-switchboard.conf"),
              std::string::npos);
    EXPECT_NE(named(files, "dovecot/switchboard-auth.lua")
                  .content.find("local ENDPOINT = \"/run/switchboard/dovecot-auth.sock\""),
              std::string::npos);
    EXPECT_NE(named(files, "dovecot/switchboard-push.lua")
                  .content.find("local ENDPOINT = \"127.0.0.1:7026\""),
              std::string::npos);
}

TEST(StackConfig, PrivatePostfixIsAcceptedByPostconf) {
    const std::string dir = sb::test::temp_dir("sbstack");
    PrivateStack p;
    p.dir = dir;
    p.imap = "127.0.0.1:10143";
    p.smtp = "127.0.0.1:10025";
    p.sasl_port = "10012";
    p.cert_file = dir + "/server.crt";
    p.key_file = dir + "/server.key";
    auto files = private_postfix(wiring(), p);
    write_all(dir, files);
    // postconf reports unknown parameters and malformed master.cf entries as warnings.
    auto [rc, out] = run("postconf -c " + dir + "/postfix -n");
    ASSERT_EQ(rc, 0) << out;
    EXPECT_EQ(out.find("warning"), std::string::npos) << out;
    EXPECT_NE(out.find("virtual_alias_maps = socketmap:inet:127.0.0.1:7025:aliases"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("smtpd_sender_login_maps = socketmap:inet:127.0.0.1:7025:senders"),
              std::string::npos);
    EXPECT_NE(out.find("smtpd_sasl_path = inet:127.0.0.1:10012"), std::string::npos);
    EXPECT_NE(out.find("virtual_transport = lmtp:inet:127.0.0.1:24"), std::string::npos);
    auto [mrc, mout] = run("postconf -c " + dir + "/postfix -M");
    ASSERT_EQ(mrc, 0) << mout;
    EXPECT_EQ(mout.find("warning"), std::string::npos) << mout;
    // postconf -M prints each service on one line (columns realigned).
    EXPECT_NE(mout.find("127.0.0.1:587 inet"), std::string::npos) << mout;
    EXPECT_NE(mout.find("-o smtpd_sender_restrictions=reject_sender_login_mismatch"),
              std::string::npos)
        << mout;
    EXPECT_NE(mout.find("127.0.0.1:10025 inet"), std::string::npos) << mout;
}

TEST(StackConfig, SnippetsForAnExistingInstallation) {
    auto d = dovecot_snippet(wiring());
    ASSERT_EQ(d.size(), 4u);
    const auto& conf = named(d, "conf.d/90-switchboard.conf").content;
    EXPECT_NE(conf.find("args = file=/etc/dovecot/switchboard-auth.lua blocking=yes"),
              std::string::npos);
    EXPECT_NE(named(d, "conf.d/91-switchboard-postfix-sasl.conf")
                  .content.find("unix_listener /var/spool/postfix/private/auth"),
              std::string::npos);
    auto p = postfix_snippet(wiring());
    EXPECT_NE(named(p, "main.cf").content.find("smtpd_sasl_path = private/auth"),
              std::string::npos);
    EXPECT_NE(named(p, "master.cf").content.find("reject_sender_login_mismatch"),
              std::string::npos);
}

TEST(StackConfig, LuaEndpointsAreQuoted) {
    auto lua = dovecot_auth_lua("/tmp/a \"b\\c.sock");
    EXPECT_NE(lua.find("local ENDPOINT = \"/tmp/a \\\"b\\\\c.sock\""), std::string::npos);
}

TEST(MasterSecret, CreatedOnceWithMode0600AndReused) {
    const std::string path = sb::test::temp_dir("sbsecret") + "/mail-master.secret";
    auto first = ensure_master_secret(path);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_GE(first->size(), 32u);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto again = ensure_master_secret(path);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *first);
    // A secret others can read is refused rather than used.
    ::chmod(path.c_str(), 0644);
    auto exposed = ensure_master_secret(path);
    ASSERT_FALSE(exposed);
    EXPECT_EQ(exposed.error().code, Errc::permission_denied);
}
