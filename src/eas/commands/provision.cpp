// Provision (MS-ASPROV 3.2.5.1): the two-phase PolicyKey handshake and remote wipe.
//   phase 1: the device asks for the policy → the policy document and a temporary PolicyKey
//   phase 2: the device acknowledges that key → the final PolicyKey, which it then sends with
//            every request (X-MS-PolicyKey or the base64 query)
//   wipe:    a pending doWipeDevice answers any Provision with RemoteWipe (AccountOnlyRemoteWipe
//            for 16.1); the device's acknowledgement is recorded (getDeviceInfo shows it)
#include <spdlog/spdlog.h>

#include "core/random.hpp"
#include "eas/commands/command_table.hpp"
#include "eas/provision/policy.hpp"
#include "eas/service.hpp"
#include "eas/sync/device_info.hpp"

namespace sb::eas {

namespace pv = wbxml::cp::provision;
namespace st = wbxml::cp::settings;

namespace {

// MS-ASPROV 2.2.2.54.1 (Provision) and 2.2.2.54.2 (Policy)
constexpr int kOk = 1;
constexpr int kProtocolError = 2;
constexpr int kPolicyNone = 2;
constexpr int kPolicyUnknownType = 3;
constexpr int kPolicyWrongKey = 5;

uint32_t new_policy_key() {
    for (;;) {
        auto b = crypto::random_bytes(4);
        uint32_t k = 0;
        for (int i = 0; i < 4; ++i)
            k |= static_cast<uint32_t>(static_cast<unsigned char>(b[i])) << (8 * i);
        // Keys are sent as decimal; 0 means "none" and values above 2^31 upset some clients.
        k &= 0x7FFFFFFF;
        if (k != 0) return k;
    }
}

void wipe_directive(wbxml::Encoder& enc, const Device& d, Version v) {
    if (d.wipe == Wipe::account_only && v >= kV161)
        enc.empty(pv::AccountOnlyRemoteWipe);
    else
        enc.empty(pv::RemoteWipe);
}

}  // namespace

Result<Reply> run_provision(Context& c) {
    auto root = c.request.root();
    auto& devices = c.service.devices();
    const int64_t account = c.account.id;
    const std::string& device = c.device.device_id;

    // 14.1+: the device describes itself inside Provision (MS-ASPROV 2.2.2.52).
    if (auto info = root.child(st::DeviceInformation)) {
        if (auto set = info.child(st::Set))
            SB_TRY(devices.set_info(account, device, read_device_info(set)));
    }

    std::string body;
    wbxml::Encoder enc(body);

    // A wipe acknowledgement (MS-ASPROV 3.2.5.1.2.2).
    auto ack = root.child(pv::RemoteWipe);
    if (!ack) ack = root.child(pv::AccountOnlyRemoteWipe);
    if (ack) {
        int status = static_cast<int>(
            std::strtol(std::string(ack.child_text(pv::Status, "0")).c_str(), nullptr, 10));
        if (c.device.wipe == Wipe::none) {
            enc.start(pv::Provision).element(pv::Status, kProtocolError).end();
            return finish(enc, body);
        }
        SB_TRY(devices.wipe_acknowledged(account, device, status));
        spdlog::warn("eas: {} device {} acknowledged the remote wipe with status {}",
                     c.account.address, device, status);
        enc.start(pv::Provision).element(pv::Status, status == 1 ? kOk : kProtocolError);
        if (status != 1) wipe_directive(enc, c.device, c.version);
        enc.end();
        return finish(enc, body);
    }
    if (c.device.wipe != Wipe::none) {
        // MS-ASPROV 3.2.5.1.2.1: the directive, whatever the request asked.
        SB_TRY(devices.wipe_sent(account, device));
        spdlog::warn("eas: sending a {} remote wipe to {} device {}",
                     c.device.wipe == Wipe::full ? "full" : "account-only", c.account.address,
                     device);
        enc.start(pv::Provision).element(pv::Status, kOk);
        wipe_directive(enc, c.device, c.version);
        enc.end();
        return finish(enc, body);
    }

    auto policy_el = root.descend({pv::Policies, pv::Policy});
    if (!policy_el) {
        enc.start(pv::Provision).element(pv::Status, kProtocolError).end();
        return finish(enc, body);
    }
    std::string type(policy_el.child_text(pv::PolicyType));
    SB_TRY_ASSIGN(auto settings, c.service.settings().get(c.account));
    const Policy* policy = &settings->policy;

    enc.start(pv::Provision).element(pv::Status, kOk).start(pv::Policies).start(pv::Policy);
    enc.element(pv::PolicyType, type);
    if (type != kPolicyType) {
        // 2.5's MS-WAP-Provisioning-XML is not offered (MS-ASPROV 2.2.2.42).
        enc.element(pv::Status, kPolicyUnknownType);
    } else if (!policy->enabled) {
        enc.element(pv::Status, kPolicyNone);
    } else if (auto key_text = policy_el.child_value(pv::PolicyKey)) {
        // Phase 2: the device acknowledges the temporary key.
        uint32_t key =
            static_cast<uint32_t>(std::strtoul(std::string(*key_text).c_str(), nullptr, 10));
        int applied = static_cast<int>(
            std::strtol(std::string(policy_el.child_text(pv::Status, "1")).c_str(), nullptr, 10));
        if (key == 0 || key != c.device.pending_policy_key) {
            enc.element(pv::Status, kPolicyWrongKey);
        } else {
            // MS-ASPROV 2.2.2.54.2: 1 applied, 2 partly, 3 not at all, 4 by a third party.
            bool accepted = applied == 1 || (applied == 2 && policy->allow_partial) ||
                            ((applied == 3 || applied == 4) && policy->allow_non_provisionable);
            if (!accepted) {
                // 14.0+: tell the device it cannot be provisioned (MS-ASCMD 2.2.2, 139).
                (void)enc.finish();
                body.clear();
                wbxml::Encoder refuse(body);
                refuse.start(pv::Provision)
                    .element(pv::Status, c.version >= kV140 ? status::kDeviceNotFullyProvisionable
                                                            : kProtocolError)
                    .end();
                return finish(refuse, body);
            }
            uint32_t final_key = new_policy_key();
            SB_TRY(devices.set_policy_key(account, device, final_key, policy->hash));
            enc.element(pv::Status, kOk).element(pv::PolicyKey, std::to_string(final_key));
        }
    } else {
        // Phase 1: the policy and a temporary key.
        uint32_t temp = new_policy_key();
        SB_TRY(devices.set_pending_policy_key(account, device, temp));
        enc.element(pv::Status, kOk).element(pv::PolicyKey, std::to_string(temp));
        enc.start(pv::Data);
        write_policy_doc(enc, *policy, c.version);
        enc.end();
    }
    enc.end().end().end();
    return finish(enc, body);
}

}  // namespace sb::eas
