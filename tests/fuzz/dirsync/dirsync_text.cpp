// Fuzz target for the text the directory sync reads from admins and from company directories:
// the first byte picks the parser, the rest is its input.
//   0: RFC 4515 filter (normalize_filter), checking the canonical form is a fixed point and that
//      a member substituted into it keeps it a filter
//   1: AD range description (parse_range)
//   2: e-mail values, one a line (parse_email_values)
//   3: GeneralizedTime
//   4: DN key
//   5: configuration changes "key\tvalue" lines (apply_changes, parse_config)
//   6: a user entry "attr: value" lines mapped with the AD and OpenLDAP presets (map_user)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "dirsync/config.hpp"
#include "dirsync/filter_text.hpp"
#include "dirsync/mapping.hpp"

namespace {

std::vector<std::string> lines(std::string_view s) {
    std::vector<std::string> out;
    size_t from = 0;
    while (from <= s.size()) {
        size_t nl = s.find('\n', from);
        if (nl == std::string_view::npos) nl = s.size();
        out.emplace_back(s.substr(from, nl - from));
        from = nl + 1;
    }
    return out;
}

void check(bool ok) {
    if (!ok) std::abort();
}

void fuzz_filter(std::string_view in) {
    auto f = sb::dirsync::normalize_filter(in);
    if (!f) return;
    auto again = sb::dirsync::normalize_filter(*f);
    check(again && *again == *f);
    // Any member value, substituted, leaves a well-formed filter.
    auto sub = sb::dirsync::substitute_member(*f, in.substr(0, in.size() / 2));
    check(sb::dirsync::normalize_filter(sub).has_value());
}

void fuzz_range(std::string_view in) {
    auto r = sb::dirsync::parse_range(in);
    if (r && r->high) check(*r->high >= r->low);
}

void fuzz_emails(std::string_view in) {
    auto v = sb::dirsync::parse_email_values(lines(in));
    if (v.primary) check(!v.primary->empty() || in.find(':') != std::string_view::npos);
}

void fuzz_time(std::string_view in) {
    auto t = sb::dirsync::parse_generalized_time(in);
    if (t && *t >= 0 && *t < 253402300800) {
        auto back =
            sb::dirsync::parse_generalized_time(sb::dirsync::format_generalized_time(*t, false));
        check(back && *back == *t);
    }
}

void fuzz_config(std::string_view in) {
    std::vector<sb::dirsync::SettingChange> changes;
    for (const auto& l : lines(in)) {
        auto tab = l.find('\t');
        if (tab == std::string::npos) continue;
        sb::dirsync::SettingChange c;
        std::string key = l.substr(0, tab);
        if (!key.empty() && (key[0] == '+' || key[0] == '-')) {
            c.op = key[0] == '+' ? sb::dirsync::SettingChange::Op::add
                                 : sb::dirsync::SettingChange::Op::remove;
            key = key.substr(1);
        }
        c.key = key;
        c.value = l.substr(tab + 1);
        changes.push_back(std::move(c));
    }
    sb::dirsync::Settings s;
    if (sb::dirsync::apply_changes(s, changes)) {
        // What was accepted parses, and shows without the secret.
        check(sb::dirsync::parse_config(s).has_value());
        for (const auto& def : sb::dirsync::all_keys())
            (void)sb::dirsync::shown_value(s, def);
    }
}

void fuzz_entry(std::string_view in) {
    sb::dirsync::Entry e;
    e.dn = "cn=fuzz,dc=example,dc=com";
    for (const auto& l : lines(in)) {
        auto colon = l.find(": ");
        if (colon == std::string::npos) continue;
        std::string name = l.substr(0, colon);
        std::string value = l.substr(colon + 2);
        bool found = false;
        for (auto& [n, vs] : e.attrs)
            if (n == name) vs.push_back(value), found = true;
        if (!found) e.attrs.push_back({name, {value}});
    }
    for (const char* p : {"active-directory", "openldap"}) {
        auto cfg = sb::dirsync::parse_config(*sb::dirsync::preset(p));
        auto m = sb::dirsync::mapping_for(*cfg, "example.com", p[0] == 'a');
        auto u = sb::dirsync::map_user(e, m);
        if (u) {
            check(u->address.find('@') != std::string::npos);
            for (const auto& a : u->aliases)
                check(a != u->address);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0 || size > 65536) return 0;
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 7) {
        case 0:
            fuzz_filter(in);
            break;
        case 1:
            fuzz_range(in);
            break;
        case 2:
            fuzz_emails(in);
            break;
        case 3:
            fuzz_time(in);
            break;
        case 4:
            (void)sb::dirsync::dn_key(in);
            break;
        case 5:
            fuzz_config(in);
            break;
        case 6:
            fuzz_entry(in);
            break;
    }
    return 0;
}
