#include "mail/push/dovecot_push.hpp"

#include <charconv>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "directory/directory.hpp"
#include "mail/push/mail_events.hpp"

namespace sb::mail {
namespace {

bool parse_u32(std::string_view s, uint32_t& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::vector<std::string> DovecotPush::answer(const std::vector<std::string>& r) {
    if (r.empty() || r[0] != "EVENT")
        return {"ERROR",
                fmt::format("unknown request '{}' (EVENT)", r.empty() ? "" : r[0].substr(0, 32))};
    if (r.size() != 7 && r.size() != 8)
        return {"ERROR", "EVENT takes kind, account, user, mailbox, uid, uid validity [, flags]"};
    auto kind = parse_kind(r[1]);
    if (!kind) return {"ERROR", kind.error().message};
    MailEvent e;
    e.kind = *kind;
    e.mailbox = r[4];
    if (!parse_u32(r[5], e.uid) || !parse_u32(r[6], e.uid_validity))
        return {"ERROR", "uid and uid validity must be unsigned 32-bit numbers"};
    if (e.mailbox.empty() || e.mailbox.size() > 1024)
        return {"ERROR", "the mailbox name must have 1 to 1024 bytes"};
    if (r.size() == 8)
        for (auto& f : split(r[7], ' '))
            if (!f.empty()) e.flags.push_back(f);

    // The uuid names the account even after a rename; the user name is the fallback.
    const std::string& key = r[2].empty() ? r[3] : r[2];
    auto account = directory_.account(to_lower(key));
    if (!account) {
        spdlog::info("mail push: {} event for '{}' in {} not published: {}", r[1], r[3], e.mailbox,
                     account.error().message);
        return {"FAIL", account.error().message};
    }
    e.account_id = account->id;
    e.account = account->address;
    spdlog::debug("mail push: {} in {} of {} (uid {}, uidvalidity {})", kind_name(e.kind),
                  e.mailbox, e.account, e.uid, e.uid_validity);
    events_.publish(std::move(e));
    return {"OK"};
}

}  // namespace sb::mail
