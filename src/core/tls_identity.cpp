#include "core/tls_identity.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/hex.hpp"
#include "core/random.hpp"

namespace sb::crypto {

namespace {

template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T* p) const {
        Free(p);
    }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

constexpr long kHour = 3600;
constexpr long kDay = 24 * kHour;
constexpr int kCaValidityDays = 3652;     // 10 years including leap days
constexpr int kServerValidityDays = 825;  // Apple: TLS server certificates ≤ 825 days
constexpr long kBackdate = kHour;         // tolerate clients whose clock is slightly behind
constexpr long kRenewBefore = 30 * kDay;  // reissue a server certificate this close to expiry

// The OpenSSL error queue as one line (and clear it), e.g. "no start line".
std::string openssl_reason() {
    std::string reason;
    while (unsigned long e = ERR_get_error()) {
        // System errors (fopen and friends) carry errno as their reason code.
        const char* r =
            ERR_SYSTEM_ERROR(e) ? std::strerror(ERR_GET_REASON(e)) : ERR_reason_error_string(e);
        if (!reason.empty()) reason += "; ";
        reason += r ? r : fmt::format("error {:#x}", e);
    }
    return reason.empty() ? "unknown OpenSSL error" : reason;
}

tl::unexpected<Error> openssl_failure(Errc code, std::string_view what) {
    return fail(code, fmt::format("{}: {}", what, openssl_reason()));
}

tl::unexpected<Error> system_failure(std::string_view what, int err) {
    return fail(Errc::io_error, fmt::format("{}: {}", what, std::strerror(err)));
}

// ---- hostnames --------------------------------------------------------------------------------

struct SubjectNames {
    std::vector<std::string> dns;  // lowercase, unique
    std::vector<std::string> ip;   // 4 or 16 raw bytes, unique
};

std::optional<std::string> ip_bytes(const std::string& text) {
    unsigned char buf[16];
    if (inet_pton(AF_INET, text.c_str(), buf) == 1)
        return std::string(reinterpret_cast<char*>(buf), 4);
    if (inet_pton(AF_INET6, text.c_str(), buf) == 1)
        return std::string(reinterpret_cast<char*>(buf), 16);
    return std::nullopt;
}

// RFC 1123 2.1 host names (A-labels for IDNs); a leading "*." wildcard label is allowed.
bool valid_dns_name(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    if (name.substr(0, 2) == "*.") name.remove_prefix(2);
    size_t label = 0;
    for (size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == '.') {
            if (label == 0 || label > 63 || name[i - 1] == '-' || name[i - label] == '-')
                return false;
            label = 0;
            continue;
        }
        const char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
        ++label;
    }
    return true;
}

Result<SubjectNames> subject_names(const std::vector<std::string>& hostnames) {
    SubjectNames names;
    auto add_dns = [&](std::string n) {
        if (std::find(names.dns.begin(), names.dns.end(), n) == names.dns.end())
            names.dns.push_back(std::move(n));
    };
    auto add_ip = [&](std::string b) {
        if (std::find(names.ip.begin(), names.ip.end(), b) == names.ip.end())
            names.ip.push_back(std::move(b));
    };
    for (const auto& host : hostnames) {
        if (auto ip = ip_bytes(host)) {
            add_ip(*ip);
            continue;
        }
        std::string lower = host;
        for (auto& c : lower)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (!lower.empty() && lower.back() == '.') lower.pop_back();  // absolute form
        if (!valid_dns_name(lower))
            return fail(Errc::invalid_argument,
                        fmt::format("invalid TLS host name '{}' (use ASCII/punycode names or IP "
                                    "addresses)",
                                    host));
        add_dns(std::move(lower));
    }
    add_dns("localhost");
    add_ip(*ip_bytes("127.0.0.1"));
    add_ip(*ip_bytes("::1"));
    return names;
}

// ---- files ------------------------------------------------------------------------------------

std::string path_in(const std::string& dir, const char* name) {
    return (std::filesystem::path(dir) / name).string();
}

bool file_exists(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

Result<void> ensure_dir(const std::string& dir) {
    std::error_code ec;
    const auto parent = std::filesystem::path(dir).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return system_failure(fmt::format("cannot create directory {}", dir), errno);
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return fail(Errc::io_error, fmt::format("{} is not a directory", dir));
    return {};
}

// Writes `path` via a temporary file in the same directory and rename(2), so a crash leaves
// either the old or the new file, never a torn one.
Result<void> write_file_atomic(const std::string& path, std::string_view content, mode_t mode) {
    std::string tmp = path + ".tmp-XXXXXX";
    const int fd = ::mkstemp(tmp.data());  // created 0600: a key is never readable by others
    if (fd < 0) return system_failure(fmt::format("cannot create {}", tmp), errno);
    auto fail_with = [&](std::string_view what) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        return system_failure(fmt::format("cannot {} {}", what, path), err);
    };
    if (::fchmod(fd, mode) != 0) return fail_with("set the mode of");
    size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail_with("write");
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) return fail_with("sync");
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return system_failure(fmt::format("cannot write {}", path), err);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return system_failure(fmt::format("cannot rename {} to {}", tmp, path), err);
    }
    return {};
}

void sync_dir(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

// ---- PEM --------------------------------------------------------------------------------------

Result<X509Ptr> load_cert(const std::string& path) {
    ERR_clear_error();
    BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) return openssl_failure(Errc::io_error, fmt::format("cannot open {}", path));
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert)
        return openssl_failure(Errc::parse_error, fmt::format("cannot read certificate {}", path));
    return cert;
}

Result<KeyPtr> load_key(const std::string& path) {
    ERR_clear_error();
    BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) return openssl_failure(Errc::io_error, fmt::format("cannot open {}", path));
    // An empty passphrase instead of a terminal prompt: an encrypted key fails to load.
    KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>("")));
    if (!key)
        return openssl_failure(Errc::parse_error, fmt::format("cannot read private key {}", path));
    return key;
}

Result<std::string> to_pem(const std::function<int(BIO*)>& write, std::string_view what) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1)
        return openssl_failure(Errc::internal, fmt::format("cannot encode {}", what));
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(size));
}

Result<std::string> cert_pem(X509* cert) {
    return to_pem([cert](BIO* b) { return PEM_write_bio_X509(b, cert); }, "certificate");
}

Result<std::string> key_pem(EVP_PKEY* key) {
    return to_pem(
        [key](BIO* b) {
            return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
        },
        "private key");
}

// ---- certificate checks -----------------------------------------------------------------------

// True when the certificate is still valid `margin` seconds from now.
bool valid_for(X509* cert, long margin) {
    time_t later = std::time(nullptr) + margin;
    return X509_cmp_time(X509_get0_notAfter(cert), &later) > 0;
}

bool covers(X509* cert, const SubjectNames& names) {
    GeneralNamesPtr sans(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    if (!sans) return false;
    std::vector<std::string> dns, ip;
    for (int i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans.get(), i);
        if (gn->type == GEN_DNS) {
            std::string s(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                          static_cast<size_t>(ASN1_STRING_length(gn->d.dNSName)));
            for (auto& c : s)
                if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            dns.push_back(std::move(s));
        } else if (gn->type == GEN_IPADD) {
            ip.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.iPAddress)),
                            static_cast<size_t>(ASN1_STRING_length(gn->d.iPAddress)));
        }
    }
    for (const auto& n : names.dns)
        if (std::find(dns.begin(), dns.end(), n) == dns.end()) return false;
    for (const auto& n : names.ip)
        if (std::find(ip.begin(), ip.end(), n) == ip.end()) return false;
    return true;
}

struct Issuer {
    X509Ptr cert;
    KeyPtr key;
};

// The existing CA if it loads, matches its key, is a CA, and outlives a new server certificate.
std::optional<Issuer> existing_ca(const std::string& cert_file, const std::string& key_file) {
    if (!file_exists(cert_file) || !file_exists(key_file)) return std::nullopt;
    auto cert = load_cert(cert_file);
    auto key = load_key(key_file);
    ERR_clear_error();
    if (!cert || !key || X509_check_private_key(cert->get(), key->get()) != 1 ||
        X509_check_ca(cert->get()) == 0 ||
        !valid_for(cert->get(), kServerValidityDays * kDay + kRenewBefore)) {
        ERR_clear_error();
        return std::nullopt;
    }
    return Issuer{std::move(*cert), std::move(*key)};
}

bool reusable_server_cert(const std::string& cert_file, const std::string& key_file,
                          const std::string& ca_file, const SubjectNames& names) {
    if (!file_exists(cert_file) || !file_exists(key_file)) return false;
    auto cert = load_cert(cert_file);
    auto key = load_key(key_file);
    bool ok = cert && key && X509_check_private_key(cert->get(), key->get()) == 1 &&
              valid_for(cert->get(), kRenewBefore) && covers(cert->get(), names);
    if (ok && file_exists(ca_file)) {
        // A crash between writing a new CA and the server certificate must not leave a pair
        // that clients trusting ca.crt reject.
        auto ca = load_cert(ca_file);
        ok = ca && X509_verify(cert->get(), X509_get0_pubkey(ca->get())) == 1;
    }
    ERR_clear_error();
    return ok;
}

// ---- issuing ----------------------------------------------------------------------------------

Result<KeyPtr> new_key() {
    ERR_clear_error();
    KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) return openssl_failure(Errc::internal, "cannot generate an EC P-256 key");
    return key;
}

bool set_random_serial(X509* cert) {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
    bytes[0] &= 0x7F;  // DER INTEGER stays positive (RFC 5280 4.1.2.2)
    BnPtr bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
    return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
    ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool add_subject_alt_names(X509* cert, const SubjectNames& names) {
    GeneralNamesPtr gens(sk_GENERAL_NAME_new_null());
    if (!gens) return false;
    auto push = [&](int type, ASN1_STRING* value) {
        GENERAL_NAME* gn = GENERAL_NAME_new();
        if (!gn) {
            ASN1_STRING_free(value);
            return false;
        }
        GENERAL_NAME_set0_value(gn, type, value);
        if (sk_GENERAL_NAME_push(gens.get(), gn) == 0) {
            GENERAL_NAME_free(gn);
            return false;
        }
        return true;
    };
    for (const auto& n : names.dns) {
        ASN1_IA5STRING* s = ASN1_IA5STRING_new();
        if (!s || ASN1_STRING_set(s, n.data(), static_cast<int>(n.size())) != 1 ||
            !push(GEN_DNS, s))
            return false;
    }
    for (const auto& n : names.ip) {
        ASN1_OCTET_STRING* s = ASN1_OCTET_STRING_new();
        if (!s ||
            ASN1_OCTET_STRING_set(s, reinterpret_cast<const unsigned char*>(n.data()),
                                  static_cast<int>(n.size())) != 1 ||
            !push(GEN_IPADD, s))
            return false;
    }
    // Not critical: the subject carries a CN (RFC 5280 4.2.1.6).
    return X509_add1_ext_i2d(cert, NID_subject_alt_name, gens.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

struct CertSpec {
    std::string common_name;
    int validity_days = 0;
    bool is_ca = false;
    const SubjectNames* names = nullptr;  // server certificates only
};

// Builds and signs a certificate for `key`; `issuer` null means self-signed.
Result<X509Ptr> issue(const CertSpec& spec, EVP_PKEY* key, const Issuer* issuer) {
    ERR_clear_error();
    X509Ptr cert(X509_new());
    NamePtr subject(X509_NAME_new());
    auto broken = [&] {
        return openssl_failure(Errc::internal,
                               fmt::format("cannot build certificate '{}'", spec.common_name));
    };
    if (!cert || !subject) return broken();
    if (X509_set_version(cert.get(), X509_VERSION_3) != 1 || !set_random_serial(cert.get()) ||
        !X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdate) ||
        !X509_time_adj_ex(X509_getm_notAfter(cert.get()), spec.validity_days, -kBackdate, nullptr))
        return broken();
    if (X509_NAME_add_entry_by_txt(subject.get(), "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>("Switchboard"), -1, -1,
                                   0) != 1 ||
        X509_NAME_add_entry_by_txt(subject.get(), "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),
                                   -1, -1, 0) != 1 ||
        X509_set_subject_name(cert.get(), subject.get()) != 1 ||
        X509_set_issuer_name(
            cert.get(), issuer ? X509_get_subject_name(issuer->cert.get()) : subject.get()) != 1 ||
        X509_set_pubkey(cert.get(), key) != 1)
        return broken();

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer->cert.get() : cert.get(), cert.get(), nullptr, nullptr, 0);
    bool ok = true;
    if (spec.is_ca) {
        // RFC 5280 4.2.1.9 / 4.2.1.3; pathlen:0 so the CA can only sign end-entity certificates.
        ok = add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
             add_ext(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign") &&
             add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash") &&
             add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
    } else {
        // EC keys sign the handshake; keyEncipherment applies to RSA key transport only.
        ok = add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature") &&
             add_ext(cert.get(), &ctx, NID_ext_key_usage, "serverAuth") &&
             add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash") &&
             add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always") &&
             add_subject_alt_names(cert.get(), *spec.names);
    }
    if (!ok) return broken();
    if (X509_sign(cert.get(), issuer ? issuer->key.get() : key, EVP_sha256()) <= 0)
        return openssl_failure(Errc::internal,
                               fmt::format("cannot sign certificate '{}'", spec.common_name));
    return cert;
}

Result<Issuer> new_ca() {
    SB_TRY_ASSIGN(auto key, new_key());
    CertSpec spec{"Switchboard local CA " + random_id(), kCaValidityDays, true, nullptr};
    SB_TRY_ASSIGN(auto cert, issue(spec, key.get(), nullptr));
    return Issuer{std::move(cert), std::move(key)};
}

Result<void> write_pair(X509* cert, EVP_PKEY* key, const std::string& cert_file,
                        const std::string& key_file) {
    SB_TRY_ASSIGN(auto kp, key_pem(key));
    SB_TRY_ASSIGN(auto cp, cert_pem(cert));
    // Key first: a certificate on disk always has its key beside it.
    SB_TRY(write_file_atomic(key_file, kp, 0600));
    SB_TRY(write_file_atomic(cert_file, cp, 0644));
    return {};
}

}  // namespace

Result<TlsIdentity> ensure_tls_identity(const std::string& dir,
                                        const std::vector<std::string>& hostnames) {
    SB_TRY_ASSIGN(auto names, subject_names(hostnames));
    SB_TRY(ensure_dir(dir));

    TlsIdentity id;
    const std::string ca_key_file = path_in(dir, "ca.key");
    id.ca_cert_file = path_in(dir, "ca.crt");
    id.cert_file = path_in(dir, "server.crt");
    id.key_file = path_in(dir, "server.key");

    if (reusable_server_cert(id.cert_file, id.key_file, id.ca_cert_file, names)) {
        if (!file_exists(id.ca_cert_file)) id.ca_cert_file.clear();
        return id;
    }

    std::optional<Issuer> ca = existing_ca(id.ca_cert_file, ca_key_file);
    if (!ca) {
        SB_TRY_ASSIGN(auto fresh, new_ca());
        SB_TRY(write_pair(fresh.cert.get(), fresh.key.get(), id.ca_cert_file, ca_key_file));
        ca = std::move(fresh);
    }

    SB_TRY_ASSIGN(auto key, new_key());
    // CN is at most 64 characters (RFC 5280 ub-common-name); the SAN carries the names anyway.
    std::string cn = hostnames.empty() ? "localhost" : hostnames.front();
    if (cn.size() > 64) cn = "Switchboard server";
    CertSpec spec{cn, kServerValidityDays, false, &names};
    SB_TRY_ASSIGN(auto cert, issue(spec, key.get(), &*ca));
    SB_TRY(write_pair(cert.get(), key.get(), id.cert_file, id.key_file));
    sync_dir(dir);
    id.created = true;
    return id;
}

Result<std::string> certificate_fingerprint_sha256(const std::string& cert_file) {
    SB_TRY_ASSIGN(auto cert, load_cert(cert_file));
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert.get(), EVP_sha256(), md, &len) != 1)
        return openssl_failure(Errc::internal,
                               fmt::format("cannot hash certificate {}", cert_file));
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        if (i) out.push_back(':');
        append_hex(out, md[i], HexCase::upper);
    }
    return out;
}

}  // namespace sb::crypto
