// LDAP load generator for bench/ldap_bench.py, built on libldap as the clients of the reference
// measurement are: N connections (one thread each), each binds and then runs one synchronous
// search at a time (ldap_search_ext_s) with a term drawn from a list. The same binary drives
// slapd and Switchboard, so both pay the same client cost. Prints one JSON line: ops/s, latency
// percentiles, entries per search, result codes, and for CPU accounting the searches of the whole
// run (warm-up included) and the CPU time the load generator used.
//
//   ldap_load --uri ldap://HOST:PORT|ldaps://HOST:PORT [--starttls] [--read-ahead] [--ca FILE]
//             --bind DN --password PW --mode outlook|thunderbird|vlv --terms FILE
//             [--base DN] [--connections 4] [--seconds 10] [--warmup 2] [--size-limit 100]
#include <ldap.h>
#include <sys/resource.h>
#include <sys/time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string uri, ca_file, bind_dn, password, mode = "outlook", terms_file, base;
    bool starttls = false;
    bool read_ahead = false;
    int connections = 4;
    double seconds = 10, warmup = 2;
    int size_limit = 100;
};

// Outlook's attribute list (as in its name-resolution request) and Thunderbird's.
const char* kOutlookAttrs[] = {
    "display-name", "cn",         "commonName", "mail",
    "givenName",    "sn",         "surname",    "telephoneNumber",
    "title",        "department", "company",    "physicalDeliveryOfficeName",
    "objectClass",  nullptr};
const char* kThunderbirdAttrs[] = {"cn", "mail",  "givenName",       "sn",     "displayName",
                                   "o",  "title", "telephoneNumber", "mobile", nullptr};

std::string filter_for(const std::string& mode, const std::string& t) {
    if (mode == "outlook")  // Outlook's default name-resolution filter
        return "(&(mail=*)(|(mail=" + t + "*)(|(cn=" + t + "*)(|(sn=" + t + "*)(givenName=" + t +
               "*)))))";
    if (mode == "thunderbird")  // Thunderbird's autocomplete: contains
        return "(|(cn=*" + t + "*)(mail=*" + t + "*)(givenName=*" + t + "*)(sn=*" + t + "*))";
    return "(&(mail=*)(objectClass=*))";
}

[[noreturn]] void die(const char* what, LDAP* ld, int rc) {
    char* diag = nullptr;
    if (ld) ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
    std::fprintf(stderr, "%s: %s%s%s\n", what, ldap_err2string(rc), diag ? ": " : "",
                 diag ? diag : "");
    std::exit(2);
}

LDAP* connect(const Options& o) {
    LDAP* ld = nullptr;
    int rc = ldap_initialize(&ld, o.uri.c_str());
    if (rc != LDAP_SUCCESS) die("ldap_initialize", nullptr, rc);
    const int version = LDAP_VERSION3;
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    const int time_limit = 60;  // as Outlook sends
    ldap_set_option(ld, LDAP_OPT_TIMELIMIT, &time_limit);
    if (!o.ca_file.empty()) {
        ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, o.ca_file.c_str());
        const int demand = LDAP_OPT_X_TLS_DEMAND;
        ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
        const int server = 0;  // a new TLS context with the options above
        ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &server);
    }
    if (o.starttls && (rc = ldap_start_tls_s(ld, nullptr, nullptr)) != LDAP_SUCCESS)
        die("StartTLS", ld, rc);
    berval cred{static_cast<ber_len_t>(o.password.size()), const_cast<char*>(o.password.data())};
    rc =
        ldap_sasl_bind_s(ld, o.bind_dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) die("bind", ld, rc);
    if (o.read_ahead) {
        // Without TLS, libldap reads every message with a poll() and two read()s of its own
        // (about 3 system calls per entry); over TLS, OpenSSL's record buffer serves them. The
        // read-ahead layer liblber uses for UDP gives plain TCP the same buffered reads.
        Sockbuf* sb = nullptr;
        if (ldap_get_option(ld, LDAP_OPT_SOCKBUF, &sb) != LDAP_OPT_SUCCESS || !sb ||
            ber_sockbuf_add_io(sb, &ber_sockbuf_io_readahead, LBER_SBIOD_LEVEL_PROVIDER, nullptr) !=
                0)
            die("read-ahead", ld, LDAP_OTHER);
    }
    return ld;
}

struct ThreadResult {
    std::vector<double> latencies_ms;
    long entries = 0;
    long errors = 0;
    long all_ops = 0;  // warm-up included
    std::map<int, long> codes;
};

double cpu_ms(const rusage& u) {
    return (static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
            static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        if (k == "--starttls") {
            o.starttls = true;
            continue;
        }
        if (k == "--read-ahead") {
            o.read_ahead = true;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "option %s needs a value\n", k.c_str());
            return 2;
        }
        std::string v = argv[++i];
        if (k == "--uri")
            o.uri = v;
        else if (k == "--ca")
            o.ca_file = v;
        else if (k == "--bind")
            o.bind_dn = v;
        else if (k == "--password")
            o.password = v;
        else if (k == "--mode")
            o.mode = v;
        else if (k == "--terms")
            o.terms_file = v;
        else if (k == "--base")
            o.base = v;
        else if (k == "--connections")
            o.connections = std::atoi(v.c_str());
        else if (k == "--seconds")
            o.seconds = std::atof(v.c_str());
        else if (k == "--warmup")
            o.warmup = std::atof(v.c_str());
        else if (k == "--size-limit")
            o.size_limit = std::atoi(v.c_str());
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            return 2;
        }
    }
    if (o.uri.empty() || o.connections < 1) {
        std::fprintf(stderr,
                     "usage: ldap_load --uri URI --bind DN --password PW --mode MODE ...\n");
        return 2;
    }
    std::vector<std::string> terms;
    if (!o.terms_file.empty()) {
        std::ifstream in(o.terms_file);
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) terms.push_back(line);
    }
    if (terms.empty()) terms.push_back("");
    std::vector<std::string> filters;
    for (const auto& t : terms)
        filters.push_back(filter_for(o.mode, t));
    char** attrs = const_cast<char**>(o.mode == "thunderbird" ? kThunderbirdAttrs : kOutlookAttrs);

    std::atomic<bool> measuring{false}, stop{false};
    std::atomic<int> ready{0};
    std::vector<ThreadResult> results(static_cast<size_t>(o.connections));
    std::vector<std::thread> threads;
    for (int c = 0; c < o.connections; ++c) {
        threads.emplace_back([&, c] {
            LDAP* ld = connect(o);
            LDAPControl* controls[3] = {nullptr, nullptr, nullptr};
            if (o.mode == "vlv") {  // Outlook's browse: sorted by display name, first 50
                LDAPSortKey** keys = nullptr;
                char key_spec[] = "displayName";
                int rc = ldap_create_sort_keylist(&keys, key_spec);
                if (rc == LDAP_SUCCESS) rc = ldap_create_sort_control(ld, keys, 1, &controls[0]);
                ldap_free_sort_keylist(keys);
                if (rc != LDAP_SUCCESS) die("sort control", ld, rc);
                LDAPVLVInfo vlv{};
                vlv.ldvlv_version = 1;
                vlv.ldvlv_before_count = 0;
                vlv.ldvlv_after_count = 49;
                vlv.ldvlv_offset = 1;
                vlv.ldvlv_count = 0;
                rc = ldap_create_vlv_control(ld, &vlv, &controls[1]);
                if (rc != LDAP_SUCCESS) die("VLV control", ld, rc);
            }
            ++ready;
            std::mt19937 rng(static_cast<unsigned>(1234 + c));
            std::uniform_int_distribution<size_t> pick(0, filters.size() - 1);
            const int size_limit = o.mode == "vlv" ? 0 : o.size_limit;
            auto& r = results[static_cast<size_t>(c)];
            while (!stop) {
                const auto& filter = filters[pick(rng)];
                LDAPMessage* res = nullptr;
                const auto t0 = Clock::now();
                const int rc = ldap_search_ext_s(
                    ld, o.base.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(), attrs, 0,
                    controls[0] ? controls : nullptr, nullptr, nullptr, size_limit, &res);
                const int entries = res ? ldap_count_entries(ld, res) : 0;
                const double ms =
                    std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                if (res) ldap_msgfree(res);
                if (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR) die("search", ld, rc);
                ++r.all_ops;
                if (!measuring) continue;
                r.latencies_ms.push_back(ms);
                r.entries += entries;
                r.codes[rc]++;
                if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) ++r.errors;
            }
            for (LDAPControl* ctl : controls)
                if (ctl) ldap_control_free(ctl);
            ldap_unbind_ext_s(ld, nullptr, nullptr);
        });
    }
    // Connections and TLS handshakes are not part of the measurement.
    for (int i = 0; i < 6000 && ready < o.connections; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup));
    measuring = true;
    const auto t0 = Clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
    measuring = false;
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    stop = true;
    for (auto& t : threads)
        t.join();

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::vector<double> all;
    long entries = 0, errors = 0, all_ops = 0;
    std::map<int, long> codes;
    for (auto& r : results) {
        all_ops += r.all_ops;
        all.insert(all.end(), r.latencies_ms.begin(), r.latencies_ms.end());
        entries += r.entries;
        errors += r.errors;
        for (auto [k, v] : r.codes)
            codes[k] += v;
    }
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) {
        if (all.empty()) return 0.0;
        return all[std::min(all.size() - 1,
                            static_cast<size_t>(p * static_cast<double>(all.size())))];
    };
    std::string code_json;
    for (auto [k, v] : codes)
        code_json += (code_json.empty() ? "" : ", ") + std::string("\"") + std::to_string(k) +
                     "\": " + std::to_string(v);
    std::printf(
        "{\"mode\": \"%s\", \"connections\": %d, \"ops\": %zu, \"seconds\": %.3f, \"ops_per_s\": "
        "%.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, \"entries_per_op\": %.1f, "
        "\"errors\": %ld, \"result_codes\": {%s}, \"all_ops\": %ld, \"client_cpu_ms\": %.1f}\n",
        o.mode.c_str(), o.connections, all.size(), elapsed,
        static_cast<double>(all.size()) / elapsed, pct(0.50), pct(0.99),
        all.empty() ? 0.0 : all.back(),
        all.empty() ? 0.0 : static_cast<double>(entries) / static_cast<double>(all.size()), errors,
        code_json.c_str(), all_ops, cpu_ms(usage));
    return 0;
}
