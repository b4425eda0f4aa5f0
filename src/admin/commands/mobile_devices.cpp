// `switchboard mobile ...` for ActiveSync devices and their SyncStates, with the verbs and
// parameters of the original product's CLI (mandatory arguments positional, options as
// "name value" pairs): getDeviceList, getDeviceInfo, getAllDevices, doSuspendDeviceSync,
// doResumeDeviceSync, doRemoveDevice, doResetDevice, doResetAccount, doWipeDevice,
// doPurgeMobileState.
#include <fmt/format.h>

#include "admin/commands/common.hpp"
#include "admin/format.hpp"
#include "core/strings.hpp"
#include "directory/directory.hpp"
#include "eas/device_store.hpp"
#include "eas/service.hpp"
#include "eas/sync/sync_key.hpp"

namespace sb::admin {
namespace {

using eas::Device;

Result<eas::Service*> service(Services& s) {
    if (!s.eas) return fail(Errc::unavailable, "ActiveSync is not running in this server");
    return s.eas;
}

std::string wipe_state(const Device& d) {
    if (d.wipe == eas::Wipe::none) return "none";
    std::string kind = d.wipe == eas::Wipe::full ? "full wipe" : "account-only wipe";
    if (d.wipe_acknowledged_at)
        return fmt::format("{} {}", kind, d.wipe_ack_status == 1 ? "done" : "failed on the device");
    if (d.wipe_sent_at) return kind + " sent, not acknowledged yet";
    return kind + " pending (sent at the next connection)";
}

// JSON key for a DeviceInformation element: its leading capitals lowered as one word
// ("Model" → "model", "IMEI" → "imei", "OSLanguage" → "osLanguage").
std::string info_key(const std::string& name) {
    size_t caps = 0;
    while (caps < name.size() && std::isupper(static_cast<unsigned char>(name[caps])))
        ++caps;
    const size_t lower = caps == name.size() || caps <= 1 ? caps : caps - 1;
    std::string out = name;
    for (size_t i = 0; i < std::max<size_t>(lower, 1) && i < out.size(); ++i)
        out[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[i])));
    return out;
}

nlohmann::json device_json(const Device& d, const std::string& address) {
    nlohmann::json j = {{"accountEmail", address},
                        {"deviceId", d.device_id},
                        {"deviceType", d.device_type},
                        {"userAgent", d.user_agent},
                        {"protocolVersion", d.protocol_version},
                        {"firstSeen", d.first_seen},
                        {"lastSeen", d.last_seen},
                        {"lastCommandReceived", d.last_command},
                        {"status", d.suspended ? "suspended" : "active"},
                        {"provisioned", d.policy_key != 0},
                        {"wipe", wipe_state(d)}};
    for (auto& [k, v] : d.info)
        if (!k.empty()) j[info_key(k)] = v;
    if (d.wipe != eas::Wipe::none || d.wipe_acknowledged_at) {
        j["wipeRequested"] = d.wipe_requested_at;
        j["wipeSent"] = d.wipe_sent_at;
        j["wipeAcknowledged"] = d.wipe_acknowledged_at;
        j["wipeAcknowledgedStatus"] = d.wipe_ack_status;
    }
    return j;
}

std::string when(int64_t ms) {
    return ms ? utc_time_text(ms) : std::string("never");
}

void device_text(TextBlock& t, const Device& d, const std::string& address) {
    t.row("account", address).row("device_id", d.device_id).row("device_type", d.device_type);
    t.row("user_agent", d.user_agent).row("protocol_version", d.protocol_version);
    t.row("first_seen", when(d.first_seen)).row("last_seen", when(d.last_seen));
    t.row("last_command", d.last_command).row("status", d.suspended ? "suspended" : "active");
    t.row("provisioned", d.policy_key ? "yes" : "no");
    for (auto& [k, v] : d.info)
        t.row(to_lower(k), v);
    t.row("wipe", wipe_state(d));
    if (d.wipe_requested_at) t.row("wipe_requested", when(d.wipe_requested_at));
    if (d.wipe_sent_at) t.row("wipe_sent", when(d.wipe_sent_at));
    if (d.wipe_acknowledged_at) t.row("wipe_acknowledged", when(d.wipe_acknowledged_at));
}

Result<std::optional<std::string>> device_option(const Call& c, size_t from) {
    // doResetDevice ACCOUNT DEVICE (the Carbonio CLI's positional form) or ACCOUNT device_id
    // DEVICE.
    if (c.size() == from + 1) return std::optional<std::string>(c[from]);
    SB_TRY_ASSIGN(auto o, c.options(from, {"device_id"}));
    if (auto it = o.find("device_id"); it != o.end()) return std::optional<std::string>(it->second);
    return std::optional<std::string>();
}

Result<Output> get_device_list(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto a, s.directory->account(c[0]));
    SB_TRY_ASSIGN(auto list, svc->devices().list(a.id));
    std::string text;
    nlohmann::json arr = nlohmann::json::array();
    for (auto& d : list) {
        text += d.device_id + "\n";
        arr.push_back(device_json(d, a.address));
    }
    return text_output(text, {{"account", a.address}, {"devices", arr}});
}

Result<Output> get_device_info(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto o, c.options(2, {"verbose"}));
    bool verbose = false;
    if (o.count("verbose")) {
        SB_TRY_ASSIGN(auto v, parse_bool("verbose", o.at("verbose")));
        verbose = v;
    }
    SB_TRY_ASSIGN(auto a, s.directory->account(c[0]));
    SB_TRY_ASSIGN(auto d, svc->devices().find(a.id, c[1]));
    if (!d) return fail(Errc::not_found, fmt::format("no device '{}' for {}", c[1], a.address));
    TextBlock t;
    device_text(t, *d, a.address);
    auto j = device_json(*d, a.address);
    if (verbose) {
        SB_TRY_ASSIGN(auto states, svc->devices().states(a.id, c[1]));
        nlohmann::json arr = nlohmann::json::array();
        t.heading("sync states");
        for (auto& st : states) {
            std::string key = eas::SyncKey{st.generation, st.key}.text();
            size_t items = st.held_items;
            std::string name =
                st.collection.empty() ? "folder hierarchy" : "collection " + st.collection;
            t.row(name,
                  fmt::format("SyncKey {}, {} {} on the device, updated {}", key, items,
                              st.collection.empty() ? "folders" : "items", when(st.modified_at)));
            arr.push_back({{"collection", st.collection},
                           {"syncKey", key},
                           {"items", items},
                           {"modified", st.modified_at}});
        }
        j["syncStates"] = arr;
    }
    return text_output(t.str(), j);
}

Result<Output> get_all_devices(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto o, c.options(0, {"verbose", "domains"}));
    bool verbose = false;
    if (o.count("verbose")) {
        SB_TRY_ASSIGN(auto v, parse_bool("verbose", o.at("verbose")));
        verbose = v;
    }
    std::vector<std::string> domains;
    if (o.count("domains"))
        for (auto& d : split(o.at("domains"), ','))
            if (!trim(d).empty()) domains.push_back(to_lower(trim(d)));
    SB_TRY_ASSIGN(auto all, svc->devices().all());
    std::map<int64_t, std::optional<directory::Account>> accounts;
    TextBlock t;
    nlohmann::json arr = nlohmann::json::array();
    for (auto& d : all) {
        auto& acc = accounts[d.account_id];
        if (!acc) {
            auto a = s.directory->account_by_id(d.account_id);
            if (!a) continue;
            acc = std::move(*a);
        }
        if (!domains.empty() &&
            std::find(domains.begin(), domains.end(), acc->domain) == domains.end())
            continue;
        arr.push_back(device_json(d, acc->address));
        if (verbose) {
            device_text(t, d, acc->address);
            t.blank();
        } else {
            t.row(acc->address, fmt::format("{}  {}  last seen {}", d.device_id, d.device_type,
                                            when(d.last_seen)));
        }
    }
    return text_output(t.str(), {{"devices", arr}});
}

Result<Output> suspend(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto a, s.directory->account(c[0]));
    SB_TRY(svc->devices().set_suspended(a.id, std::string_view(c[1]), true));
    return text_output(fmt::format("sync suspended for device {} of {}\n", c[1], a.address),
                       {{"account", a.address}, {"suspended", {c[1]}}});
}

Result<Output> resume(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto device, device_option(c, 1));
    SB_TRY_ASSIGN(auto a, s.directory->account(c[0]));
    std::optional<std::string_view> which;
    if (device) which = *device;
    SB_TRY_ASSIGN(auto n, svc->devices().set_suspended(a.id, which, false));
    return text_output(fmt::format("sync resumed for {} device(s) of {}\n", n, a.address),
                       {{"account", a.address}, {"resumed", n}});
}

Result<Output> remove_device(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto a, s.directory->account(c[0]));
    SB_TRY_ASSIGN(auto found, svc->devices().remove(a.id, c[1]));
    if (!found) return fail(Errc::not_found, fmt::format("no device '{}' for {}", c[1], a.address));
    return text_output(
        fmt::format("device {} of {} removed with its sync state\n", c[1], a.address),
        {{"account", a.address}, {"removed", c[1]}});
}

Result<Output> reset_device(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto device, device_option(c, 1));
    SB_TRY_ASSIGN(auto a, s.directory->account(c[0]));
    std::optional<std::string_view> which;
    if (device) which = *device;
    SB_TRY_ASSIGN(auto n, svc->devices().reset(a.id, which));
    return text_output(
        fmt::format("sync state reset for {} device(s) of {}: they start over at their next sync\n",
                    n, a.address),
        {{"account", a.address}, {"reset", n}});
}

Result<Output> reset_account(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto a, s.directory->account(c[0]));
    SB_TRY_ASSIGN(auto n, svc->devices().reset(a.id, std::nullopt));
    return text_output(fmt::format("sync state reset for all {} device(s) of {}\n", n, a.address),
                       {{"account", a.address}, {"reset", n}});
}

Result<Output> wipe(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto o, c.options(2, {"confirm", "account_only"}));
    bool confirm = false, account_only = false;
    if (o.count("confirm")) {
        SB_TRY_ASSIGN(auto v, parse_bool("confirm", o.at("confirm")));
        confirm = v;
    }
    if (o.count("account_only")) {
        SB_TRY_ASSIGN(auto v, parse_bool("account_only", o.at("account_only")));
        account_only = v;
    }
    if (!confirm)
        return fail(Errc::invalid_argument,
                    "a remote wipe erases the device (or, with account_only true, the account's "
                    "data on it); "
                    "repeat the command with: confirm true");
    SB_TRY_ASSIGN(auto a, s.directory->account(c[0]));
    SB_TRY_ASSIGN(auto d, svc->devices().find(a.id, c[1]));
    if (!d) return fail(Errc::not_found, fmt::format("no device '{}' for {}", c[1], a.address));
    if (account_only && d->protocol_version != "16.1")
        return fail(Errc::invalid_argument,
                    fmt::format("device {} uses ActiveSync {}: an account-only wipe needs 16.1",
                                c[1], d->protocol_version));
    SB_TRY(svc->devices().request_wipe(a.id, c[1],
                                       account_only ? eas::Wipe::account_only : eas::Wipe::full));
    return text_output(
        fmt::format(
            "{} requested for device {} of {}; it is sent at the device's next connection\n",
            account_only ? "account-only wipe" : "remote wipe", c[1], a.address),
        {{"account", a.address}, {"device", c[1]}, {"wipe", account_only ? "account" : "full"}});
}

Result<Output> purge(Services& s, const Call& c) {
    SB_TRY_ASSIGN(auto svc, service(s));
    SB_TRY_ASSIGN(auto o, c.options(0, {"retention-period"}));
    int64_t days = 90;
    if (o.count("retention-period")) {
        char* end = nullptr;
        days = std::strtoll(o.at("retention-period").c_str(), &end, 10);
        if (*end || days < 0 || days > 36500)
            return fail(Errc::invalid_argument, "retention-period is a number of days (0-36500)");
    }
    SB_TRY_ASSIGN(auto n, svc->devices().purge(now_ms() - days * 86'400'000));
    return text_output(
        fmt::format("removed {} device(s) not seen for {} days, with their sync states\n", n, days),
        {{"removedDevices", n}, {"retentionDays", days}});
}

// Not in the original CLI: how many requests (Ping, Sync with Wait) this node holds open.
Result<Output> get_parked(Services& s, const Call&) {
    SB_TRY_ASSIGN(auto svc, service(s));
    size_t n = svc->hub().size();
    return text_output(fmt::format("{} parked request(s) (Ping, Sync with Wait) on this node\n", n),
                       {{"parked", n}});
}

}  // namespace

void register_mobile_provisioning(CommandTable& t);

namespace {

// What devices there are.
void add_device_list_verbs(CommandTable& t) {
    t.add({"mobile",
           "getDeviceList",
           "",
           "ACCOUNT",
           "list the ActiveSync devices of an account",
           1,
           {},
           get_device_list});
    t.add({"mobile",
           "getDeviceInfo",
           "",
           "ACCOUNT DEVICE_ID [verbose true]",
           "show one device (verbose: its sync states)",
           2,
           {},
           get_device_info});
    t.add({"mobile",
           "getAllDevices",
           "",
           "[verbose true] [domains D1,D2]",
           "list every device",
           0,
           {},
           get_all_devices});
}

// What an admin does to a device.
void add_device_control_verbs(CommandTable& t) {
    t.add({"mobile",
           "doSuspendDeviceSync",
           "",
           "ACCOUNT DEVICE_ID",
           "stop a device from syncing (it gets HTTP 403)",
           2,
           {},
           suspend});
    t.add({"mobile",
           "doResumeDeviceSync",
           "",
           "ACCOUNT [device_id DEVICE_ID]",
           "let a suspended device (default: all of the account's) sync again",
           1,
           {},
           resume});
    t.add({"mobile",
           "doRemoveDevice",
           "",
           "ACCOUNT DEVICE_ID",
           "forget a device and its sync state",
           2,
           {},
           remove_device});
    t.add({"mobile",
           "doResetDevice",
           "",
           "ACCOUNT [device_id DEVICE_ID | DEVICE_ID]",
           "drop a device's sync state (default: every device of the account): full resync",
           1,
           {},
           reset_device});
    t.add({"mobile",
           "doResetAccount",
           "",
           "ACCOUNT",
           "drop the sync state of every device of an account",
           1,
           {},
           reset_account});
    t.add({"mobile",
           "doWipeDevice",
           "",
           "ACCOUNT DEVICE_ID confirm true [account_only true]",
           "remote wipe at the next connection (account_only: EAS 16.1 account-only wipe)",
           2,
           {},
           wipe});
    t.add({"mobile",
           "doPurgeMobileState",
           "",
           "[retention-period DAYS]",
           "remove devices not seen for DAYS (default 90) with their sync states",
           0,
           {},
           purge});
}

// This node's open requests.
void add_node_verbs(CommandTable& t) {
    t.add({"mobile",
           "getParkedRequests",
           "",
           "",
           "count the Pings and waiting Syncs held open on this node",
           0,
           {},
           get_parked});
}

}  // namespace

void register_mobile(CommandTable& t) {
    add_device_list_verbs(t);
    add_device_control_verbs(t);
    add_node_verbs(t);
    register_mobile_provisioning(t);
}

}  // namespace sb::admin
