#include "dirsync/ldap_client.hpp"

#include <lber.h>
#include <ldap.h>
#include <sys/time.h>

#include <cstring>
#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/hex.hpp"
#include "dirsync/mapping.hpp"

namespace sb::dirsync {
namespace {

// LDAP result codes the messages below explain (RFC 4511 appendix A).
constexpr int kSizeLimitExceeded = 4;
constexpr int kTimeLimitExceeded = 3;
constexpr int kReferral = 10;
constexpr int kNoSuchObject = 32;
constexpr int kInvalidCredentials = 49;

struct LdapHandle {
    LDAP* ld = nullptr;
    ~LdapHandle() {
        if (ld) ldap_unbind_ext_s(ld, nullptr, nullptr);
    }
};

struct MessageGuard {
    LDAPMessage* m = nullptr;
    ~MessageGuard() {
        if (m) ldap_msgfree(m);
    }
};

struct ControlsGuard {
    LDAPControl** c = nullptr;
    ~ControlsGuard() {
        if (c) ldap_controls_free(c);
    }
};

struct BerGuard {
    BerElement* b = nullptr;
    int free_buffer = 1;  // 0 when the buffer belongs to an LDAPMessage
    ~BerGuard() {
        if (b) ber_free(b, free_buffer);
    }
};

timeval seconds(int s) {
    return timeval{s, 0};
}

std::string diagnostic(LDAP* ld) {
    char* msg = nullptr;
    ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg);
    std::string out = msg ? msg : "";
    if (msg) ldap_memfree(msg);
    return out;
}

int result_code(LDAP* ld) {
    int rc = LDAP_OTHER;
    ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &rc);
    return rc;
}

// "Invalid credentials (49): <server's text>" — the code and the server's own words.
std::string describe(int rc, std::string_view diag) {
    std::string out = fmt::format("{} ({})", ldap_err2string(rc), rc);
    std::string d(trim(diag));
    if (!d.empty() && d != "(unknown error code)") out += ": " + d;
    return out;
}

bool connection_problem(int rc) {
    return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT ||
           rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY || rc == LDAP_LOCAL_ERROR;
}

std::string tls_hint(const ConnectOptions& o) {
    if (o.transport == Transport::ldap) return "";
    return o.ignore_certificate_errors ? ""
                                       : "; if the certificate cannot be verified, give its CA "
                                         "with ca_file or set ignore_certificate_errors "
                                         "TRUE";
}

Result<void> set_option(LDAP* ld, int option, const void* value, std::string_view what) {
    if (ldap_set_option(ld, option, value) != LDAP_OPT_SUCCESS)
        return fail(Errc::internal, fmt::format("libldap refused the option {}", what));
    return {};
}

// Opens one server: options, TLS context, StartTLS when asked. No bind yet.
Result<void> open_handle(LdapHandle& h, const std::string& uri, const ConnectOptions& o) {
    int rc = ldap_initialize(&h.ld, uri.c_str());
    if (rc != LDAP_SUCCESS)
        return fail(Errc::invalid_argument,
                    fmt::format("{}: bad server address: {}", uri, ldap_err2string(rc)));
    const int version = LDAP_VERSION3;
    SB_TRY(set_option(h.ld, LDAP_OPT_PROTOCOL_VERSION, &version, "protocol version"));
    // Referrals are never chased: a referral could send the service account's password elsewhere.
    SB_TRY(set_option(h.ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF, "referrals"));
    timeval net = seconds(o.network_timeout_s), op = seconds(o.operation_timeout_s);
    SB_TRY(set_option(h.ld, LDAP_OPT_NETWORK_TIMEOUT, &net, "network timeout"));
    SB_TRY(set_option(h.ld, LDAP_OPT_TIMEOUT, &op, "timeout"));
    const int keepalive_idle = 60, keepalive_probes = 3, keepalive_interval = 10;
    (void)ldap_set_option(h.ld, LDAP_OPT_X_KEEPALIVE_IDLE, &keepalive_idle);
    (void)ldap_set_option(h.ld, LDAP_OPT_X_KEEPALIVE_PROBES, &keepalive_probes);
    (void)ldap_set_option(h.ld, LDAP_OPT_X_KEEPALIVE_INTERVAL, &keepalive_interval);
    if (o.transport != Transport::ldap) {
        const int require =
            o.ignore_certificate_errors ? LDAP_OPT_X_TLS_NEVER : LDAP_OPT_X_TLS_DEMAND;
        SB_TRY(set_option(h.ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require, "TLS certificate check"));
        if (!o.ca_file.empty())
            SB_TRY(set_option(h.ld, LDAP_OPT_X_TLS_CACERTFILE, o.ca_file.c_str(), "CA file"));
        const int min_protocol = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
        SB_TRY(set_option(h.ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &min_protocol, "TLS minimum version"));
        // The options above take effect only in a new TLS context of this handle.
        const int is_server = 0;
        if (ldap_set_option(h.ld, LDAP_OPT_X_TLS_NEWCTX, &is_server) != LDAP_OPT_SUCCESS)
            return fail(
                Errc::invalid_argument,
                fmt::format(
                    "{}: cannot set up TLS: {}{}", uri, diagnostic(h.ld),
                    o.ca_file.empty() ? "" : fmt::format(" (check ca_file {})", o.ca_file)));
    }
    if (o.transport == Transport::starttls) {
        rc = ldap_start_tls_s(h.ld, nullptr, nullptr);
        if (rc != LDAP_SUCCESS)
            return fail(Errc::unavailable,
                        fmt::format("{}: StartTLS failed: {}{}", uri,
                                    describe(rc, diagnostic(h.ld)), tls_hint(o)));
    }
    return {};
}

Result<void> simple_bind(LdapHandle& h, const std::string& uri, const std::string& dn,
                         std::string_view password, const ConnectOptions& o) {
    berval cred{password.size(), const_cast<char*>(password.data())};
    int rc = ldap_sasl_bind_s(h.ld, dn.empty() ? nullptr : dn.c_str(), LDAP_SASL_SIMPLE, &cred,
                              nullptr, nullptr, nullptr);
    if (rc == LDAP_SUCCESS) return {};
    std::string diag = diagnostic(h.ld);
    if (rc == kInvalidCredentials)
        return fail(Errc::auth_failed, fmt::format("{}: the directory refused the bind as '{}': {}",
                                                   uri, dn, describe(rc, diag)));
    if (connection_problem(rc))
        return fail(Errc::unavailable,
                    fmt::format("{}: cannot connect: {}{}", uri, describe(rc, diag),
                                o.transport == Transport::ldaps ? tls_hint(o) : ""));
    return fail(Errc::auth_failed,
                fmt::format("{}: bind as '{}' failed: {}", uri, dn, describe(rc, diag)));
}

std::string entry_uuid_text(std::string_view raw) {
    if (raw.size() != 16) return std::string(raw);
    return uuid_text(raw);
}

Result<Entry> read_entry(LDAP* ld, LDAPMessage* msg) {
    Entry e;
    BerElement* ber = nullptr;
    berval dn{0, nullptr};
    if (ldap_get_dn_ber(ld, msg, &ber, &dn) != LDAP_SUCCESS)
        return fail(Errc::parse_error, "the directory sent an entry that cannot be decoded");
    BerGuard guard{ber, 0};
    e.dn.assign(dn.bv_val ? dn.bv_val : "", dn.bv_len);
    berval name{0, nullptr};
    berval* vals = nullptr;
    // ldap_get_attribute_ber reads in place, without copying each value twice.
    while (ldap_get_attribute_ber(ld, msg, ber, &name, &vals) == LDAP_SUCCESS) {
        if (!name.bv_val) break;
        std::vector<std::string> values;
        if (vals) {
            for (berval* v = vals; v->bv_val; ++v)
                values.emplace_back(v->bv_val, v->bv_len);
            ber_memfree(vals);
            vals = nullptr;
        }
        e.attrs.emplace_back(std::string(name.bv_val, name.bv_len), std::move(values));
    }
    return e;
}

struct SyncStateValue {
    SyncState state = SyncState::present;
    std::string uuid;
    std::string cookie;
};

// RFC 4533 2.2: syncStateValue ::= SEQUENCE { state ENUMERATED, entryUUID syncUUID, cookie OPTIONAL
// }
Result<SyncStateValue> parse_sync_state(const LDAPControl* c) {
    BerGuard ber{ber_init(const_cast<berval*>(&c->ldctl_value))};
    if (!ber.b) return fail(Errc::internal, "out of memory");
    ber_int_t state = 0;
    berval uuid{0, nullptr};
    if (ber_scanf(ber.b, "{em", &state, &uuid) == LBER_ERROR)
        return fail(Errc::parse_error, "the directory sent a malformed Sync State control");
    SyncStateValue out;
    out.state = static_cast<SyncState>(state);
    out.uuid = entry_uuid_text(std::string_view(uuid.bv_val, uuid.bv_len));
    ber_len_t len = 0;
    if (ber_peek_tag(ber.b, &len) == LBER_OCTETSTRING) {
        berval cookie{0, nullptr};
        if (ber_scanf(ber.b, "m", &cookie) != LBER_ERROR)
            out.cookie.assign(cookie.bv_val, cookie.bv_len);
    }
    return out;
}

// RFC 4533 2.4: syncDoneValue ::= SEQUENCE { cookie OPTIONAL, refreshDeletes BOOLEAN DEFAULT FALSE
// }
void parse_sync_done(const LDAPControl* c, SyncResult& r) {
    BerGuard ber{ber_init(const_cast<berval*>(&c->ldctl_value))};
    if (!ber.b) return;
    ber_len_t len = 0;
    if (ber_scanf(ber.b, "{") == LBER_ERROR) return;
    ber_tag_t tag = ber_peek_tag(ber.b, &len);
    if (tag == LBER_OCTETSTRING) {
        berval cookie{0, nullptr};
        if (ber_scanf(ber.b, "m", &cookie) != LBER_ERROR)
            r.cookie.assign(cookie.bv_val, cookie.bv_len);
        tag = ber_peek_tag(ber.b, &len);
    }
    if (tag == LBER_BOOLEAN) {
        ber_int_t deletes = 0;
        if (ber_scanf(ber.b, "b", &deletes) != LBER_ERROR) r.refresh_deletes = deletes != 0;
    }
}

// RFC 4533 2.5: syncInfoValue; only the cookie matters here (deletions wait for a full run).
void parse_sync_info(const berval* data, SyncResult& r) {
    if (!data) return;
    BerGuard ber{ber_init(const_cast<berval*>(data))};
    if (!ber.b) return;
    ber_len_t len = 0;
    ber_tag_t tag = ber_peek_tag(ber.b, &len);
    berval cookie{0, nullptr};
    if (tag == (LBER_CLASS_CONTEXT | 0)) {  // newcookie [0]
        if (ber_scanf(ber.b, "m", &cookie) != LBER_ERROR)
            r.cookie.assign(cookie.bv_val, cookie.bv_len);
        return;
    }
    if (ber_scanf(ber.b, "{") == LBER_ERROR) return;
    if (ber_peek_tag(ber.b, &len) == LBER_OCTETSTRING &&
        ber_scanf(ber.b, "m", &cookie) != LBER_ERROR)
        r.cookie.assign(cookie.bv_val, cookie.bv_len);
}

const LDAPControl* find_control(LDAPControl** ctrls, const char* oid) {
    if (!ctrls) return nullptr;
    for (LDAPControl** c = ctrls; *c; ++c)
        if ((*c)->ldctl_oid && std::strcmp((*c)->ldctl_oid, oid) == 0) return *c;
    return nullptr;
}

int scope_of(SearchScope s) {
    switch (s) {
        case SearchScope::base:
            return LDAP_SCOPE_BASE;
        case SearchScope::one:
            return LDAP_SCOPE_ONELEVEL;
        case SearchScope::subtree:
            return LDAP_SCOPE_SUBTREE;
    }
    return LDAP_SCOPE_SUBTREE;
}

class LdapSource final : public Source {
  public:
    LdapSource(std::unique_ptr<LdapHandle> h, std::string uri, ConnectOptions o)
        : h_(std::move(h)), uri_(std::move(uri)), o_(std::move(o)) {}

    const std::string& server() const override { return uri_; }

    Result<RootDse> root_dse() override {
        SearchRequest req;
        req.base = "";
        req.scope = SearchScope::base;
        req.filter = "(objectClass=*)";
        req.attributes = {"namingContexts",        "defaultNamingContext", "supportedControl",
                          "supportedCapabilities", "vendorName",           "vendorVersion"};
        req.page_size = 0;
        RootDse dse;
        bool found = false;
        auto r = search(req, [&](Entry&& e) -> Result<void> {
            found = true;
            auto all = [&](std::string_view a) {
                return e.values(a) ? *e.values(a) : std::vector<std::string>{};
            };
            dse.naming_contexts = all("namingContexts");
            dse.default_naming_context = e.first("defaultNamingContext");
            dse.supported_controls = all("supportedControl");
            dse.supported_capabilities = all("supportedCapabilities");
            dse.vendor = e.first("vendorName");
            if (auto v = e.first("vendorVersion"); !v.empty())
                dse.vendor += (dse.vendor.empty() ? "" : " ") + v;
            return {};
        });
        if (!r)
            return fail(r.error().code, fmt::format("reading the rootDSE: {}", r.error().message));
        if (!found)
            return fail(Errc::unavailable, fmt::format("{}: the rootDSE cannot be read", uri_));
        dse.active_directory =
            std::find(dse.supported_capabilities.begin(), dse.supported_capabilities.end(),
                      kAdCapability) != dse.supported_capabilities.end();
        return dse;
    }

    Result<SearchStats> search(const SearchRequest& req, const EntryFn& on_entry) override {
        SearchStats stats;
        berval cookie{0, nullptr};
        std::string cookie_data;
        for (;;) {
            LDAPControl* page = nullptr;
            if (req.page_size > 0) {
                berval c{cookie_data.size(), cookie_data.data()};
                int rc = ldap_create_page_control(h_->ld, req.page_size,
                                                  cookie_data.empty() ? nullptr : &c, 0, &page);
                if (rc != LDAP_SUCCESS)
                    return fail(Errc::internal, "cannot create the paged-results control");
            }
            LDAPControl* server_controls[2] = {page, nullptr};
            auto done = run_search(req, page ? server_controls : nullptr, on_entry, stats);
            if (page) ldap_control_free(page);
            if (!done) return tl::unexpected(done.error());
            ++stats.pages;
            cookie_data = *done;
            if (cookie_data.empty()) break;
        }
        (void)cookie;
        return stats;
    }

    Result<Entry> read(const std::string& dn, const std::vector<std::string>& attributes) override {
        SearchRequest req;
        req.base = dn;
        req.scope = SearchScope::base;
        req.filter = "(objectClass=*)";
        req.attributes = attributes;
        req.page_size = 0;
        std::optional<Entry> found;
        auto r = search(req, [&](Entry&& e) -> Result<void> {
            found = std::move(e);
            return {};
        });
        if (!r) return tl::unexpected(r.error());
        if (!found) return fail(Errc::not_found, fmt::format("{}: no entry {}", uri_, dn));
        return std::move(*found);
    }

    Result<SyncResult> sync_refresh(const SearchRequest& req, std::string_view cookie,
                                    const SyncEntryFn& on_entry) override {
        // RFC 4533 2.2: syncRequestValue ::= SEQUENCE { mode ENUMERATED, cookie OPTIONAL,
        // reloadHint BOOLEAN }
        BerGuard ber{ber_alloc_t(LBER_USE_DER)};
        if (!ber.b) return fail(Errc::internal, "out of memory");
        int rc = ber_printf(ber.b, "{e", static_cast<ber_int_t>(LDAP_SYNC_REFRESH_ONLY));
        if (rc != -1 && !cookie.empty()) {
            berval c{cookie.size(), const_cast<char*>(cookie.data())};
            rc = ber_printf(ber.b, "O", &c);
        }
        if (rc != -1) rc = ber_printf(ber.b, "N}");
        berval value{0, nullptr};
        if (rc == -1 || ber_flatten2(ber.b, &value, 0) == -1)
            return fail(Errc::internal, "cannot encode the sync request");
        LDAPControl* sync = nullptr;
        if (ldap_control_create(LDAP_CONTROL_SYNC, 1, &value, 1, &sync) != LDAP_SUCCESS)
            return fail(Errc::internal, "cannot create the sync request control");
        LDAPControl* controls[2] = {sync, nullptr};
        SyncResult result;
        auto r = run_sync(req, controls, on_entry, result);
        ldap_control_free(sync);
        if (!r) return tl::unexpected(r.error());
        return result;
    }

  private:
    std::vector<char*> attribute_list(const SearchRequest& req, std::vector<std::string>& storage) {
        storage = req.attributes;
        std::vector<char*> attrs;
        for (auto& a : storage)
            attrs.push_back(a.data());
        attrs.push_back(nullptr);
        return attrs;
    }

    Result<int> start(const SearchRequest& req, LDAPControl** controls) {
        std::vector<std::string> storage;
        auto attrs = attribute_list(req, storage);
        timeval limit = seconds(o_.operation_timeout_s);
        int msgid = 0;
        int rc = ldap_search_ext(h_->ld, req.base.c_str(), scope_of(req.scope), req.filter.c_str(),
                                 req.attributes.empty() ? nullptr : attrs.data(), 0, controls,
                                 nullptr, &limit, LDAP_NO_LIMIT, &msgid);
        if (rc == LDAP_FILTER_ERROR)
            return fail(Errc::invalid_argument,
                        fmt::format("{}: bad search filter {}", uri_, req.filter));
        if (rc != LDAP_SUCCESS)
            return fail(connection_problem(rc) ? Errc::unavailable : Errc::internal,
                        fmt::format("{}: cannot send the search: {}", uri_,
                                    describe(rc, diagnostic(h_->ld))));
        return msgid;
    }

    // Waits for the next message of a search; a silent server is an error after the timeout.
    Result<LDAPMessage*> next(int msgid, const SearchRequest& req) {
        timeval wait = seconds(o_.operation_timeout_s);
        LDAPMessage* msg = nullptr;
        int type = ldap_result(h_->ld, msgid, LDAP_MSG_ONE, &wait, &msg);
        if (type == 0) {
            ldap_abandon_ext(h_->ld, msgid, nullptr, nullptr);
            return fail(Errc::unavailable,
                        fmt::format("{}: no answer within {} s (search_timeout) while searching {} "
                                    "for {}",
                                    uri_, o_.operation_timeout_s, req.base, req.filter));
        }
        if (type == -1) {
            int rc = result_code(h_->ld);
            return fail(Errc::unavailable,
                        fmt::format("{}: connection lost while searching {}: {}", uri_, req.base,
                                    describe(rc, diagnostic(h_->ld))));
        }
        return msg;
    }

    // The final result of a search: success, or an error saying what the server said.
    Result<void> check_done(LDAPMessage* msg, const SearchRequest& req, LDAPControl*** controls) {
        int err = LDAP_SUCCESS;
        char* matched = nullptr;
        char* diag = nullptr;
        char** referrals = nullptr;
        int rc = ldap_parse_result(h_->ld, msg, &err, &matched, &diag, &referrals, controls, 0);
        std::string diag_text = diag ? diag : "";
        if (matched) ldap_memfree(matched);
        if (diag) ldap_memfree(diag);
        std::string referral_text = referrals && referrals[0] ? referrals[0] : "";
        if (referrals) ldap_memvfree(reinterpret_cast<void**>(referrals));
        if (rc != LDAP_SUCCESS)
            return fail(Errc::parse_error, fmt::format("{}: malformed search result", uri_));
        if (err == LDAP_SUCCESS) return {};
        std::string what = describe(err, diag_text);
        switch (err) {
            case kSizeLimitExceeded:
                return fail(
                    Errc::limit_exceeded,
                    fmt::format("{}: the directory stopped the search of {} at its size limit: {}",
                                uri_, req.base, what));
            case kTimeLimitExceeded:
                return fail(Errc::limit_exceeded,
                            fmt::format("{}: the search of {} took longer than allowed: {}", uri_,
                                        req.base, what));
            case kReferral:
                return fail(Errc::unavailable,
                            fmt::format("{}: the directory refers the search of {} to {} "
                                        "(referrals are not followed; "
                                        "point server or base_dn at the right server)",
                                        uri_, req.base, referral_text));
            case kNoSuchObject:
                return fail(Errc::not_found,
                            fmt::format("{}: base DN {} does not exist: {}", uri_, req.base, what));
            case LDAP_FILTER_ERROR:
            case LDAP_INAPPROPRIATE_MATCHING:
            case LDAP_PROTOCOL_ERROR:
            case LDAP_UNAVAILABLE_CRITICAL_EXTENSION:
                return fail(Errc::invalid_argument,
                            fmt::format("{}: the directory rejected the search {} under {}: {}",
                                        uri_, req.filter, req.base, what));
            default:
                return fail(connection_problem(err) ? Errc::unavailable : Errc::invalid_argument,
                            fmt::format("{}: search of {} failed: {}", uri_, req.base, what));
        }
    }

    // One page: entries go to on_entry; returns the next page's cookie ("" = last page).
    Result<std::string> run_search(const SearchRequest& req, LDAPControl** controls,
                                   const EntryFn& on_entry, SearchStats& stats) {
        SB_TRY_ASSIGN(auto msgid, start(req, controls));
        for (;;) {
            SB_TRY_ASSIGN(auto msg, next(msgid, req));
            MessageGuard guard{msg};
            int type = ldap_msgtype(msg);
            if (type == LDAP_RES_SEARCH_ENTRY) {
                SB_TRY_ASSIGN(auto e, read_entry(h_->ld, msg));
                ++stats.entries;
                if (auto r = on_entry(std::move(e)); !r) {
                    ldap_abandon_ext(h_->ld, msgid, nullptr, nullptr);
                    return tl::unexpected(r.error());
                }
                continue;
            }
            if (type == LDAP_RES_SEARCH_REFERENCE) {
                ++stats.references;
                continue;
            }
            if (type != LDAP_RES_SEARCH_RESULT) continue;
            ControlsGuard ctrls;
            SB_TRY(check_done(msg, req, &ctrls.c));
            const LDAPControl* page = find_control(ctrls.c, LDAP_CONTROL_PAGEDRESULTS);
            if (!page) return std::string();
            ber_int_t estimate = 0;
            berval cookie{0, nullptr};
            if (ldap_parse_pageresponse_control(h_->ld, const_cast<LDAPControl*>(page), &estimate,
                                                &cookie) != LDAP_SUCCESS)
                return fail(Errc::parse_error,
                            fmt::format("{}: malformed paged-results control", uri_));
            std::string next_cookie(cookie.bv_val ? cookie.bv_val : "", cookie.bv_len);
            if (cookie.bv_val) ber_memfree(cookie.bv_val);
            return next_cookie;
        }
    }

    Result<void> run_sync(const SearchRequest& req, LDAPControl** controls,
                          const SyncEntryFn& on_entry, SyncResult& result) {
        SB_TRY_ASSIGN(auto msgid, start(req, controls));
        for (;;) {
            SB_TRY_ASSIGN(auto msg, next(msgid, req));
            MessageGuard guard{msg};
            int type = ldap_msgtype(msg);
            if (type == LDAP_RES_SEARCH_ENTRY) {
                ControlsGuard ctrls;
                ldap_get_entry_controls(h_->ld, msg, &ctrls.c);
                const LDAPControl* st = find_control(ctrls.c, LDAP_CONTROL_SYNC_STATE);
                if (!st)
                    return fail(Errc::parse_error,
                                fmt::format("{}: sync entry without a Sync State control", uri_));
                SB_TRY_ASSIGN(auto state, parse_sync_state(st));
                if (!state.cookie.empty()) result.cookie = state.cookie;
                SB_TRY_ASSIGN(auto e, read_entry(h_->ld, msg));
                ++result.entries;
                if (auto r = on_entry(state.state, state.uuid, std::move(e)); !r) {
                    ldap_abandon_ext(h_->ld, msgid, nullptr, nullptr);
                    return tl::unexpected(r.error());
                }
                continue;
            }
            if (type == LDAP_RES_INTERMEDIATE) {
                char* oid = nullptr;
                berval* data = nullptr;
                if (ldap_parse_intermediate(h_->ld, msg, &oid, &data, nullptr, 0) == LDAP_SUCCESS) {
                    if (oid && std::strcmp(oid, LDAP_SYNC_INFO) == 0) parse_sync_info(data, result);
                }
                if (oid) ldap_memfree(oid);
                if (data) ber_bvfree(data);
                continue;
            }
            if (type != LDAP_RES_SEARCH_RESULT) continue;
            ControlsGuard ctrls;
            SB_TRY(check_done(msg, req, &ctrls.c));
            if (const LDAPControl* d = find_control(ctrls.c, LDAP_CONTROL_SYNC_DONE))
                parse_sync_done(d, result);
            return {};
        }
    }

    std::unique_ptr<LdapHandle> h_;
    std::string uri_;
    ConnectOptions o_;
};

Result<void> check_ca_file(const ConnectOptions& o) {
    if (o.transport == Transport::ldap || o.ca_file.empty()) return {};
    std::error_code ec;
    if (!std::filesystem::is_regular_file(o.ca_file, ec))
        return fail(Errc::invalid_argument,
                    fmt::format("ca_file {} does not exist or is not a file", o.ca_file));
    return {};
}

}  // namespace

ConnectOptions connect_options(const SyncConfig& c, int operation_timeout_s) {
    ConnectOptions o;
    o.servers = c.servers;
    o.transport = c.transport;
    o.ignore_certificate_errors = c.ignore_certificate_errors;
    o.ca_file = c.ca_file;
    o.bind_dn = c.bind_dn;
    o.bind_password = c.bind_password;
    o.network_timeout_s = std::min(c.network_timeout_s, operation_timeout_s);
    o.operation_timeout_s = operation_timeout_s;
    return o;
}

std::string server_uri(std::string_view server, Transport transport) {
    std::string s(server);
    if (s.rfind("ldap://", 0) == 0 || s.rfind("ldaps://", 0) == 0 || s.rfind("LDAP://", 0) == 0 ||
        s.rfind("LDAPS://", 0) == 0) {
        if (!s.empty() && s.back() == '/') s.pop_back();
        return s;
    }
    const bool tls = transport == Transport::ldaps;
    bool has_port = false;
    if (!s.empty() && s.front() == '[')
        has_port = s.find("]:") != std::string::npos;
    else
        has_port = s.find(':') != std::string::npos && s.find(':') == s.rfind(':');
    return fmt::format("{}://{}{}", tls ? "ldaps" : "ldap", s,
                       has_port ? ""
                       : tls    ? ":636"
                                : ":389");
}

Result<std::unique_ptr<Source>> connect(const ConnectOptions& o) {
    if (o.servers.empty())
        return fail(Errc::invalid_argument, "no directory server configured (key server)");
    SB_TRY(check_ca_file(o));
    if (!o.bind_dn.empty() && o.bind_password.empty())
        return fail(
            Errc::invalid_argument,
            fmt::format(
                "bind_dn {} has an empty bind_password: refused (it would be an anonymous bind)",
                o.bind_dn));
    std::string failures;
    for (const auto& server : o.servers) {
        const std::string uri = server_uri(server, o.transport);
        auto h = std::make_unique<LdapHandle>();
        auto opened = open_handle(*h, uri, o);
        if (opened) opened = simple_bind(*h, uri, o.bind_dn, o.bind_password, o);
        if (opened) {
            spdlog::debug("dirsync: connected to {} as {}", uri,
                          o.bind_dn.empty() ? "anonymous" : o.bind_dn);
            return std::unique_ptr<Source>(std::make_unique<LdapSource>(std::move(h), uri, o));
        }
        if (opened.error().code == Errc::auth_failed ||
            opened.error().code == Errc::invalid_argument)
            return tl::unexpected(opened.error());
        failures += (failures.empty() ? "" : "; ") + opened.error().message;
    }
    return fail(Errc::unavailable, fmt::format("no directory server answered: {}", failures));
}

Result<bool> check_password(const ConnectOptions& o, const std::string& dn,
                            std::string_view password) {
    if (password.empty()) return false;
    if (dn.empty()) return false;
    SB_TRY(check_ca_file(o));
    std::string failures;
    for (const auto& server : o.servers) {
        const std::string uri = server_uri(server, o.transport);
        LdapHandle h;
        auto opened = open_handle(h, uri, o);
        if (opened) {
            auto bound = simple_bind(h, uri, dn, password, o);
            if (bound) return true;
            if (bound.error().code == Errc::auth_failed) {
                spdlog::debug("dirsync: {}", bound.error().message);
                return false;
            }
            opened = tl::unexpected(bound.error());
        }
        if (opened.error().code == Errc::invalid_argument) return tl::unexpected(opened.error());
        failures += (failures.empty() ? "" : "; ") + opened.error().message;
    }
    return fail(Errc::unavailable, fmt::format("no directory server answered: {}", failures));
}

}  // namespace sb::dirsync
