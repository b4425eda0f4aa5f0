#include "core/tls_identity.hpp"

#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "test_support.hpp"

namespace sb::crypto {
namespace {

namespace fs = std::filesystem;

struct Command {
    int status = -1;
    std::string output;
};

// Runs a shell command (stderr folded into stdout) and returns its exit status and output.
Command run(const std::string& cmd) {
    Command r;
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return r;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        r.output.append(buf, n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

unsigned mode_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Dates {
    int days = -1, seconds = -1;
};

// notAfter - notBefore of a PEM certificate.
Dates validity(const std::string& path) {
    Dates d;
    FILE* f = std::fopen(path.c_str(), "r");
    if (!f) return d;
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (!cert) return d;
    ASN1_TIME_diff(&d.days, &d.seconds, X509_get0_notBefore(cert), X509_get0_notAfter(cert));
    X509_free(cert);
    return d;
}

const std::vector<std::string> kHosts = {"mail.example.com", "Autodiscover.Example.com",
                                         "192.0.2.10"};

class TlsIdentityTest : public ::testing::Test {
  protected:
    void SetUp() override { dir = sb::test::temp_dir("sb-tls-") + "/identity"; }
    std::string dir;
};

TEST_F(TlsIdentityTest, CreatesCaAndServerCertificate) {
    auto id = ensure_tls_identity(dir, kHosts);
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_TRUE(id->created);
    EXPECT_EQ(id->ca_cert_file, dir + "/ca.crt");
    EXPECT_EQ(id->cert_file, dir + "/server.crt");
    EXPECT_EQ(id->key_file, dir + "/server.key");

    EXPECT_EQ(mode_of(dir), 0700u);
    EXPECT_EQ(mode_of(dir + "/ca.key"), 0600u);
    EXPECT_EQ(mode_of(dir + "/server.key"), 0600u);
    EXPECT_EQ(mode_of(dir + "/ca.crt"), 0644u);
    EXPECT_EQ(mode_of(dir + "/server.crt"), 0644u);
    // No temporary files left behind.
    size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir))
        ++files;
    EXPECT_EQ(files, 4u);
    EXPECT_NE(read_file(id->key_file).find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
}

TEST_F(TlsIdentityTest, ChainVerifiesWithOpensslCli) {
    auto id = ensure_tls_identity(dir, kHosts);
    ASSERT_TRUE(id) << id.error().message;
    for (const char* host : {"mail.example.com", "autodiscover.example.com", "localhost"}) {
        auto r = run("openssl verify -x509_strict -purpose sslserver -CAfile " + id->ca_cert_file +
                     " -verify_hostname " + host + " " + id->cert_file);
        EXPECT_EQ(r.status, 0) << r.output;
        EXPECT_NE(r.output.find(": OK"), std::string::npos) << r.output;
    }
    for (const char* ip : {"127.0.0.1", "::1", "192.0.2.10"}) {
        auto r = run("openssl verify -x509_strict -purpose sslserver -CAfile " + id->ca_cert_file +
                     " -verify_ip " + ip + " " + id->cert_file);
        EXPECT_EQ(r.status, 0) << ip << ": " << r.output;
    }
    auto wrong = run("openssl verify -purpose sslserver -CAfile " + id->ca_cert_file +
                     " -verify_hostname other.example.com " + id->cert_file);
    EXPECT_NE(wrong.status, 0) << wrong.output;
}

TEST_F(TlsIdentityTest, ServerCertificateContents) {
    auto id = ensure_tls_identity(dir, kHosts);
    ASSERT_TRUE(id) << id.error().message;
    auto r = run("openssl x509 -noout -text -in " + id->cert_file);
    ASSERT_EQ(r.status, 0) << r.output;
    const std::string& t = r.output;
    for (const char* expected : {
             "CN = mail.example.com",
             "DNS:mail.example.com",
             "DNS:autodiscover.example.com",
             "DNS:localhost",
             "IP Address:127.0.0.1",
             "IP Address:0:0:0:0:0:0:0:1",
             "IP Address:192.0.2.10",
             "TLS Web Server Authentication",
             "Digital Signature",
             "CA:FALSE",
             "X509v3 Authority Key Identifier",
             "X509v3 Subject Key Identifier",
             "ecdsa-with-SHA256",
             "ASN1 OID: prime256v1",
             "Issuer: O = Switchboard, CN = Switchboard local CA ",
             "Version: 3 (0x2)",
         })
        EXPECT_NE(t.find(expected), std::string::npos) << expected << "\n" << t;
    EXPECT_EQ(t.find("DNS:192.0.2.10"), std::string::npos);

    std::smatch serial;
    ASSERT_TRUE(std::regex_search(t, serial, std::regex("Serial Number:\\s*\\n\\s*([0-9a-f:]+)")));
    EXPECT_GE(serial[1].str().size(), 15u * 3 - 1);  // at least 15 bytes printed (leading 0 drops)

    const Dates d = validity(id->cert_file);
    EXPECT_EQ(d.days, 825);
    EXPECT_EQ(d.seconds, 0);
}

TEST_F(TlsIdentityTest, CaCertificateContents) {
    auto id = ensure_tls_identity(dir, kHosts);
    ASSERT_TRUE(id) << id.error().message;
    auto r = run("openssl x509 -noout -text -in " + id->ca_cert_file);
    ASSERT_EQ(r.status, 0) << r.output;
    const std::string& t = r.output;
    for (const char* expected :
         {"CA:TRUE, pathlen:0", "Certificate Sign, CRL Sign", "X509v3 Subject Key Identifier",
          "ecdsa-with-SHA256", "ASN1 OID: prime256v1"})
        EXPECT_NE(t.find(expected), std::string::npos) << expected << "\n" << t;
    EXPECT_TRUE(std::regex_search(t, std::regex("Subject: O = Switchboard, CN = Switchboard local "
                                                "CA [A-Za-z]{5}\\n")))
        << t;
    const Dates d = validity(id->ca_cert_file);
    EXPECT_EQ(d.days, 3652);
}

TEST_F(TlsIdentityTest, ReusesExistingIdentity) {
    auto first = ensure_tls_identity(dir, kHosts);
    ASSERT_TRUE(first) << first.error().message;
    auto fp1 = certificate_fingerprint_sha256(first->cert_file);
    ASSERT_TRUE(fp1) << fp1.error().message;
    const std::string key1 = read_file(first->key_file);

    auto second = ensure_tls_identity(dir, kHosts);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_FALSE(second->created);
    EXPECT_EQ(*certificate_fingerprint_sha256(second->cert_file), *fp1);
    EXPECT_EQ(read_file(second->key_file), key1);

    // A subset of the names (in another case) is still covered.
    auto subset = ensure_tls_identity(dir, {"MAIL.example.com"});
    ASSERT_TRUE(subset);
    EXPECT_FALSE(subset->created);
}

TEST_F(TlsIdentityTest, ReissuesFromSameCaWhenNamesChange) {
    auto first = ensure_tls_identity(dir, kHosts);
    ASSERT_TRUE(first);
    const std::string ca1 = *certificate_fingerprint_sha256(first->ca_cert_file);
    const std::string fp1 = *certificate_fingerprint_sha256(first->cert_file);

    auto second = ensure_tls_identity(dir, {"mail.example.com", "eas.example.org"});
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_TRUE(second->created);
    EXPECT_NE(*certificate_fingerprint_sha256(second->cert_file), fp1);
    EXPECT_EQ(*certificate_fingerprint_sha256(second->ca_cert_file), ca1);
    auto r = run("openssl verify -CAfile " + second->ca_cert_file +
                 " -verify_hostname eas.example.org " + second->cert_file);
    EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(TlsIdentityTest, ReplacesBrokenOrMismatchedFiles) {
    auto first = ensure_tls_identity(dir, kHosts);
    ASSERT_TRUE(first);
    const std::string ca1 = *certificate_fingerprint_sha256(first->ca_cert_file);

    // Key that does not belong to the certificate.
    fs::copy_file(dir + "/ca.key", dir + "/server.key", fs::copy_options::overwrite_existing);
    auto r1 = ensure_tls_identity(dir, kHosts);
    ASSERT_TRUE(r1) << r1.error().message;
    EXPECT_TRUE(r1->created);

    // Garbage certificate.
    std::ofstream(dir + "/server.crt") << "not a certificate\n";
    auto r2 = ensure_tls_identity(dir, kHosts);
    ASSERT_TRUE(r2) << r2.error().message;
    EXPECT_TRUE(r2->created);

    // Missing key.
    fs::remove(dir + "/server.key");
    auto r3 = ensure_tls_identity(dir, kHosts);
    ASSERT_TRUE(r3) << r3.error().message;
    EXPECT_TRUE(r3->created);
    EXPECT_EQ(*certificate_fingerprint_sha256(r3->ca_cert_file), ca1);

    // Lost CA key: a new CA, and a server certificate that chains to it.
    fs::remove(dir + "/ca.key");
    fs::remove(dir + "/server.crt");
    auto r4 = ensure_tls_identity(dir, kHosts);
    ASSERT_TRUE(r4) << r4.error().message;
    EXPECT_NE(*certificate_fingerprint_sha256(r4->ca_cert_file), ca1);
    auto v = run("openssl verify -CAfile " + r4->ca_cert_file + " " + r4->cert_file);
    EXPECT_EQ(v.status, 0) << v.output;
}

TEST_F(TlsIdentityTest, ServerCertFromAnotherCaIsReissued) {
    ASSERT_TRUE(ensure_tls_identity(dir, kHosts));
    const std::string other = sb::test::temp_dir("sb-tls-other-") + "/id";
    ASSERT_TRUE(ensure_tls_identity(other, kHosts));
    fs::copy_file(other + "/ca.crt", dir + "/ca.crt", fs::copy_options::overwrite_existing);
    fs::copy_file(other + "/ca.key", dir + "/ca.key", fs::copy_options::overwrite_existing);
    auto r = ensure_tls_identity(dir, kHosts);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->created);
    auto v = run("openssl verify -CAfile " + r->ca_cert_file + " " + r->cert_file);
    EXPECT_EQ(v.status, 0) << v.output;
}

TEST_F(TlsIdentityTest, DefaultsToLocalhostWithoutHostnames) {
    auto id = ensure_tls_identity(dir, {});
    ASSERT_TRUE(id) << id.error().message;
    auto r = run("openssl x509 -noout -subject -ext subjectAltName -in " + id->cert_file);
    EXPECT_NE(r.output.find("CN = localhost"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("DNS:localhost"), std::string::npos) << r.output;
}

TEST_F(TlsIdentityTest, RejectsInvalidHostnames) {
    for (const char* bad : {"", "bad host", "a..b", "-x.example.com", "mail.exa_mple.com",
                            "m\xc3\xa4il.example.com", "[::1]", "*"}) {
        auto r = ensure_tls_identity(dir, {bad});
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, Errc::invalid_argument) << bad;
    }
    EXPECT_FALSE(fs::exists(dir));
    EXPECT_TRUE(ensure_tls_identity(dir, {"*.example.com", "mail.example.com."}));
}

TEST_F(TlsIdentityTest, ErrorsNameTheFile) {
    auto r = ensure_tls_identity("/proc/sb-no-such-dir/tls", kHosts);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::io_error);
    EXPECT_NE(r.error().message.find("/proc/sb-no-such-dir/tls"), std::string::npos)
        << r.error().message;

    auto missing = certificate_fingerprint_sha256(dir + "/nothing.crt");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("nothing.crt"), std::string::npos);
    EXPECT_NE(missing.error().message.find("No such file"), std::string::npos)
        << missing.error().message;

    fs::create_directories(dir);
    std::ofstream(dir + "/junk.crt")
        << "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    auto junk = certificate_fingerprint_sha256(dir + "/junk.crt");
    ASSERT_FALSE(junk);
    EXPECT_NE(junk.error().message.find("junk.crt"), std::string::npos) << junk.error().message;
}

TEST_F(TlsIdentityTest, FingerprintMatchesOpenssl) {
    auto id = ensure_tls_identity(dir, kHosts);
    ASSERT_TRUE(id);
    auto fp = certificate_fingerprint_sha256(id->cert_file);
    ASSERT_TRUE(fp) << fp.error().message;
    EXPECT_TRUE(std::regex_match(*fp, std::regex("([0-9A-F]{2}:){31}[0-9A-F]{2}"))) << *fp;
    auto r = run("openssl x509 -noout -fingerprint -sha256 -in " + id->cert_file);
    EXPECT_NE(r.output.find("Fingerprint=" + *fp), std::string::npos) << r.output << *fp;
}

}  // namespace
}  // namespace sb::crypto
