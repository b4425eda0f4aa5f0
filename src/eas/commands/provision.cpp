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

Result<Reply> provision_status(int status) {
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(pv::Provision).element(pv::Status, status).end();
    return finish(enc, body);
}

// 14.1+: the device describes itself inside Provision (MS-ASPROV 2.2.2.52).
Result<void> record_device_information(Context& c, wbxml::Element root) {
    auto info = root.child(st::DeviceInformation);
    auto set = info ? info.child(st::Set) : wbxml::Element();
    if (!set) return {};
    return c.service.devices().set_info(c.account.id, c.device.device_id, read_device_info(set));
}

// MS-ASPROV 3.2.5.1.2.2: the device reports how the wipe went.
Result<Reply> acknowledge_wipe(Context& c, wbxml::Element ack) {
    int status = static_cast<int>(
        std::strtol(std::string(ack.child_text(pv::Status, "0")).c_str(), nullptr, 10));
    if (c.device.wipe == Wipe::none) return provision_status(kProtocolError);
    SB_TRY(c.service.devices().wipe_acknowledged(c.account.id, c.device.device_id, status));
    spdlog::warn("eas: {} device {} acknowledged the remote wipe with status {}", c.account.address,
                 c.device.device_id, status);
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(pv::Provision).element(pv::Status, status == 1 ? kOk : kProtocolError);
    if (status != 1) wipe_directive(enc, c.device, c.version);
    enc.end();
    return finish(enc, body);
}

// MS-ASPROV 3.2.5.1.2.1: a pending wipe answers any Provision with the directive.
Result<Reply> send_wipe(Context& c) {
    SB_TRY(c.service.devices().wipe_sent(c.account.id, c.device.device_id));
    spdlog::warn("eas: sending a {} remote wipe to {} device {}",
                 c.device.wipe == Wipe::full ? "full" : "account-only", c.account.address,
                 c.device.device_id);
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(pv::Provision).element(pv::Status, kOk);
    wipe_directive(enc, c.device, c.version);
    enc.end();
    return finish(enc, body);
}

// What the answer's Policy element says.
struct PolicyAnswer {
    int status = kOk;
    std::optional<uint32_t> key;     // the PolicyKey it carries
    bool with_document = false;      // phase 1: the policy itself
    bool not_provisionable = false;  // phase 2 refused: the whole Provision fails
};

// Phase 1: the policy and a temporary key.
Result<PolicyAnswer> offer_policy(Context& c) {
    uint32_t temp = new_policy_key();
    SB_TRY(c.service.devices().set_pending_policy_key(c.account.id, c.device.device_id, temp));
    return PolicyAnswer{kOk, temp, true, false};
}

// Phase 2: the device acknowledges the temporary key and says how far it applied the policy.
Result<PolicyAnswer> acknowledge_policy(Context& c, const Policy& policy, wbxml::Element policy_el,
                                        std::string_view key_text) {
    uint32_t key = static_cast<uint32_t>(std::strtoul(std::string(key_text).c_str(), nullptr, 10));
    int applied = static_cast<int>(
        std::strtol(std::string(policy_el.child_text(pv::Status, "1")).c_str(), nullptr, 10));
    if (key == 0 || key != c.device.pending_policy_key)
        return PolicyAnswer{kPolicyWrongKey, std::nullopt, false, false};
    // MS-ASPROV 2.2.2.54.2: 1 applied, 2 partly, 3 not at all, 4 by a third party.
    bool accepted = applied == 1 || (applied == 2 && policy.allow_partial) ||
                    ((applied == 3 || applied == 4) && policy.allow_non_provisionable);
    if (!accepted) return PolicyAnswer{kProtocolError, std::nullopt, false, true};
    uint32_t final_key = new_policy_key();
    SB_TRY(c.service.devices().set_policy_key(c.account.id, c.device.device_id, final_key,
                                              policy.hash));
    return PolicyAnswer{kOk, final_key, false, false};
}

Result<Reply> policy_reply(Context& c, std::string_view type, const PolicyAnswer& a,
                           const Policy& policy) {
    // 14.0+: a device that cannot be provisioned is told so (MS-ASCMD 2.2.2, 139).
    if (a.not_provisionable)
        return provision_status(c.version >= kV140 ? status::kDeviceNotFullyProvisionable
                                                   : kProtocolError);
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(pv::Provision).element(pv::Status, kOk).start(pv::Policies).start(pv::Policy);
    enc.element(pv::PolicyType, type).element(pv::Status, a.status);
    if (a.key) enc.element(pv::PolicyKey, std::to_string(*a.key));
    if (a.with_document) {
        enc.start(pv::Data);
        write_policy_doc(enc, policy, c.version);
        enc.end();
    }
    enc.end().end().end();
    return finish(enc, body);
}

}  // namespace

Result<Reply> run_provision(Context& c) {
    auto root = c.request.root();
    SB_TRY(record_device_information(c, root));
    auto ack = root.child(pv::RemoteWipe);
    if (!ack) ack = root.child(pv::AccountOnlyRemoteWipe);
    if (ack) return acknowledge_wipe(c, ack);
    if (c.device.wipe != Wipe::none) return send_wipe(c);

    auto policy_el = root.descend({pv::Policies, pv::Policy});
    if (!policy_el) return provision_status(kProtocolError);
    std::string type(policy_el.child_text(pv::PolicyType));
    SB_TRY_ASSIGN(auto settings, c.service.settings().get(c.account));
    const Policy& policy = settings->policy;
    PolicyAnswer answer;
    if (type != kPolicyType) {
        // 2.5's MS-WAP-Provisioning-XML is not offered (MS-ASPROV 2.2.2.42).
        answer.status = kPolicyUnknownType;
    } else if (!policy.enabled) {
        answer.status = kPolicyNone;
    } else if (auto key_text = policy_el.child_value(pv::PolicyKey)) {
        SB_TRY_ASSIGN(answer, acknowledge_policy(c, policy, policy_el, *key_text));
    } else {
        SB_TRY_ASSIGN(answer, offer_policy(c));
    }
    return policy_reply(c, type, answer, policy);
}

}  // namespace sb::eas
