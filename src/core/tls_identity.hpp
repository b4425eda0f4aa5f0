#pragma once
// The server's own TLS certificate when the admin configured none: a private CA and a server
// certificate it signs, kept in a directory and reused across restarts. Clients trust the
// server by importing ca.crt once (or by accepting the fingerprint printed at startup).
#include <string>
#include <vector>

#include "core/error.hpp"

namespace sb::crypto {

struct TlsIdentity {
    std::string ca_cert_file;  // dir/ca.crt ("" when reusing a server cert whose CA file is gone)
    std::string cert_file;     // dir/server.crt (PEM)
    std::string key_file;      // dir/server.key (PEM, PKCS#8, mode 0600)
    bool created = false;      // true when a new server certificate was written
};

// Reuses dir/server.crt + dir/server.key when both load, belong together, are signed by
// dir/ca.crt (if present), cover every requested hostname and stay valid for 30 more days.
// Otherwise issues a new server certificate from dir/ca.crt + dir/ca.key (reused when they load,
// match and stay valid longer than a server certificate) or from a new CA.
//
// Keys are ECDSA P-256 with SHA-256 signatures (accepted by Outlook/Schannel on Windows 10/11,
// Thunderbird/NSS, iOS and Android, and cheap per handshake). CA: CN "Switchboard local CA <id>",
// CA:TRUE pathlen:0, keyCertSign+cRLSign, 10 years. Server: CN = first hostname, SAN DNS for
// every hostname plus "localhost", IP 127.0.0.1 and ::1 (a hostname that is an IP literal becomes
// an IP SAN), serverAuth, digitalSignature, 825 days (Apple's maximum). Serials are 127 random
// bits. Files are written atomically (temp + rename), keys 0600, certificates 0644; `dir` is
// created 0700 if missing. Errors name the file and the OpenSSL or system reason.
Result<TlsIdentity> ensure_tls_identity(const std::string& dir,
                                        const std::vector<std::string>& hostnames);

// SHA-256 fingerprint of the first certificate in a PEM file, as "AB:CD:...:EF".
Result<std::string> certificate_fingerprint_sha256(const std::string& cert_file);

}  // namespace sb::crypto
