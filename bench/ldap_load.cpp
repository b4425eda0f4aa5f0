// LDAP load generator for bench/ldap_bench.py: N connections (one thread each), each binds and
// then sends one search at a time with a term drawn from a list, reading every response until
// SearchResultDone. The same binary drives slapd and Switchboard, so both pay the same client
// cost. Prints one JSON line: ops/s, latency percentiles, entries per search, errors.
//
//   ldap_load --port P --bind DN --password PW --mode outlook|thunderbird|vlv --terms FILE
//             [--host 127.0.0.1] [--connections 8] [--seconds 10] [--warmup 2] [--size-limit 100]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ldap/ber/framer.hpp"
#include "ldap/ber/writer.hpp"
#include "ldap/protocol/controls.hpp"
#include "ldap/protocol/filter.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string host = "127.0.0.1";
    int port = 0;
    std::string bind_dn, password, mode = "outlook", terms_file, base;
    int connections = 8;
    double seconds = 10, warmup = 2;
    int size_limit = 100;
};

// Outlook's attribute list (as in its name-resolution request) and Thunderbird's.
const std::vector<std::string_view> kOutlookAttrs = {
    "display-name", "cn",         "commonName", "mail",
    "givenName",    "sn",         "surname",    "telephoneNumber",
    "title",        "department", "company",    "physicalDeliveryOfficeName",
    "objectClass"};
const std::vector<std::string_view> kThunderbirdAttrs = {
    "cn", "mail", "givenName", "sn", "displayName", "o", "title", "telephoneNumber", "mobile"};

std::string filter_for(const std::string& mode, const std::string& t) {
    if (mode == "outlook")  // Outlook's default name-resolution filter
        return "(&(mail=*)(|(mail=" + t + "*)(|(cn=" + t + "*)(|(sn=" + t + "*)(givenName=" + t +
               "*)))))";
    if (mode == "thunderbird")  // Thunderbird's autocomplete: contains
        return "(|(cn=*" + t + "*)(mail=*" + t + "*)(givenName=*" + t + "*)(sn=*" + t + "*))";
    return "(&(mail=*)(objectClass=*))";
}

std::string search_request(const Options& o, int32_t id, const std::string& term) {
    const std::string text = filter_for(o.mode, term);  // the filter's strings point into it
    auto filter = sb::ldapproto::parse_filter(text);
    if (!filter) {
        std::fprintf(stderr, "bad filter for term '%s'\n", term.c_str());
        std::exit(2);
    }
    std::string out;
    sb::ber::Writer w(out);
    auto m = w.begin(sb::ber::tag::kSequence);
    w.integer(id);
    auto s = w.begin(0x63);
    w.octet_string(o.base);
    w.enumerated(2);
    w.enumerated(0);
    w.integer(o.mode == "vlv" ? 0 : o.size_limit);
    w.integer(60);
    w.boolean(false);
    sb::ldapproto::encode_filter(w, *filter);
    auto attrs = w.begin(sb::ber::tag::kSequence);
    for (auto a : o.mode == "thunderbird" ? kThunderbirdAttrs : kOutlookAttrs)
        w.octet_string(a);
    w.end(attrs);
    w.end(s);
    if (o.mode == "vlv") {  // Outlook's browse: sorted by display name, first 50
        auto cs = w.begin(0xA0);
        auto sort = w.begin(sb::ber::tag::kSequence);
        w.octet_string(sb::ldapproto::oid::kSortRequest);
        w.boolean(true);
        std::string value;
        sb::ber::Writer vw(value);
        sb::ldapproto::encode_sort_request(vw,
                                           {{sb::ldapproto::SortKey{"displayName", "", false}}});
        w.octet_string(value);
        w.end(sort);
        auto vlv = w.begin(sb::ber::tag::kSequence);
        w.octet_string(sb::ldapproto::oid::kVlvRequest);
        w.boolean(true);
        value.clear();
        sb::ldapproto::VlvRequest v;
        v.before_count = 0;
        v.after_count = 49;
        v.offset = 1;
        v.content_count = 0;
        sb::ldapproto::encode_vlv_request(vw, v);
        w.octet_string(value);
        w.end(vlv);
        w.end(cs);
    }
    w.end(m);
    return out;
}

std::string bind_request(const Options& o) {
    std::string out;
    sb::ber::Writer w(out);
    auto m = w.begin(sb::ber::tag::kSequence);
    w.integer(1);
    auto b = w.begin(0x60);
    w.integer(3);
    w.octet_string(o.bind_dn);
    w.element(0x80, o.password);
    w.end(b);
    w.end(m);
    return out;
}

class Conn {
  public:
    explicit Conn(const Options& o) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(o.port));
        ::inet_pton(AF_INET, o.host.c_str(), &a.sin_addr);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            std::perror("connect");
            std::exit(2);
        }
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~Conn() { ::close(fd_); }

    void send_all(const std::string& s) {
        size_t off = 0;
        while (off < s.size()) {
            ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
            if (n <= 0) {
                std::perror("send");
                std::exit(2);
            }
            off += static_cast<size_t>(n);
        }
    }

    // Reads messages until one with protocolOp `done_tag`; returns (result code, entries).
    std::pair<int, int> read_until(uint8_t done_tag) {
        int entries = 0;
        for (;;) {
            while (start_ < used_) {
                auto f = sb::ber::frame(std::string_view(buf_.data() + start_, used_ - start_),
                                        1u << 30);
                if (!f) {
                    std::fprintf(stderr, "bad response framing\n");
                    std::exit(2);
                }
                if (!f->complete) break;
                const char* msg = buf_.data() + start_;
                start_ += f->size;
                // SEQUENCE header, INTEGER id, then the protocolOp tag.
                size_t p = (static_cast<uint8_t>(msg[1]) & 0x80) ? 2 + (msg[1] & 0x7F) : 2;
                p += 2 + static_cast<uint8_t>(msg[p + 1]);
                const auto op = static_cast<uint8_t>(msg[p]);
                if (op == 0x64) ++entries;
                if (op == done_tag) {
                    size_t q = p + 1;
                    q += (static_cast<uint8_t>(msg[q]) & 0x80) ? 1 + (msg[q] & 0x7F) : 1;
                    const int code = static_cast<uint8_t>(msg[q + 2]);  // ENUMERATED, one octet
                    return {code, entries};
                }
            }
            if (start_ > 0) {
                std::memmove(buf_.data(), buf_.data() + start_, used_ - start_);
                used_ -= start_;
                start_ = 0;
            }
            if (buf_.size() - used_ < 65536) buf_.resize(used_ + 262144);
            ssize_t n = ::recv(fd_, buf_.data() + used_, buf_.size() - used_, 0);
            if (n <= 0) {
                std::fprintf(stderr, "connection closed by the server\n");
                std::exit(2);
            }
            used_ += static_cast<size_t>(n);
        }
    }

  private:
    int fd_ = -1;
    std::vector<char> buf_ = std::vector<char>(262144);
    size_t start_ = 0, used_ = 0;
};

struct ThreadResult {
    std::vector<double> latencies_ms;
    long entries = 0;
    long errors = 0;
    std::map<int, long> codes;
};

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--host")
            o.host = v;
        else if (k == "--port")
            o.port = std::atoi(v.c_str());
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
    std::vector<std::string> terms;
    if (!o.terms_file.empty()) {
        std::ifstream in(o.terms_file);
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) terms.push_back(line);
    }
    if (terms.empty()) terms.push_back("");
    // Requests are encoded once; message ids alternate so consecutive ones differ.
    std::vector<std::string> requests;
    for (const auto& t : terms)
        requests.push_back(search_request(o, 2, t));

    std::atomic<bool> measuring{false}, stop{false};
    std::vector<ThreadResult> results(static_cast<size_t>(o.connections));
    std::vector<std::thread> threads;
    for (int c = 0; c < o.connections; ++c) {
        threads.emplace_back([&, c] {
            Conn conn(o);
            conn.send_all(bind_request(o));
            auto [code, ignored] = conn.read_until(0x61);
            if (code != 0) {
                std::fprintf(stderr, "bind failed with result code %d\n", code);
                std::exit(2);
            }
            std::mt19937 rng(static_cast<unsigned>(1234 + c));
            std::uniform_int_distribution<size_t> pick(0, requests.size() - 1);
            auto& r = results[static_cast<size_t>(c)];
            while (!stop) {
                const auto& req = requests[pick(rng)];
                const auto t0 = Clock::now();
                conn.send_all(req);
                auto [rc, entries] = conn.read_until(0x65);
                const double ms =
                    std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                if (!measuring) continue;
                r.latencies_ms.push_back(ms);
                r.entries += entries;
                r.codes[rc]++;
                if (rc != 0 && rc != 4) ++r.errors;  // success or sizeLimitExceeded
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup));
    measuring = true;
    const auto t0 = Clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
    measuring = false;
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    stop = true;
    for (auto& t : threads)
        t.join();

    std::vector<double> all;
    long entries = 0, errors = 0;
    std::map<int, long> codes;
    for (auto& r : results) {
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
        "%.1f, "
        "\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, \"entries_per_op\": %.1f, "
        "\"errors\": %ld, "
        "\"result_codes\": {%s}}\n",
        o.mode.c_str(), o.connections, all.size(), elapsed,
        static_cast<double>(all.size()) / elapsed, pct(0.50), pct(0.99),
        all.empty() ? 0.0 : all.back(),
        all.empty() ? 0.0 : static_cast<double>(entries) / static_cast<double>(all.size()), errors,
        code_json.c_str());
    return 0;
}
