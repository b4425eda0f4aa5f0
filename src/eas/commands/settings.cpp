// Settings (MS-ASCMD 2.2.1.18): device information in, user information out.
#include "eas/commands/command_table.hpp"
#include "eas/service.hpp"
#include "eas/sync/device_info.hpp"

namespace sb::eas {

namespace st = wbxml::cp::settings;

namespace {
// MS-ASCMD 2.2.3.177.15
constexpr int kOk = 1, kProtocolError = 2;
}  // namespace

Result<Reply> run_settings(Context& c) {
    auto root = c.request.root();
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(st::Settings).element(st::Status, kOk);
    for (auto e : root.children()) {
        if (e.is(st::DeviceInformation)) {
            int status = kOk;
            if (auto set = e.child(st::Set)) {
                SB_TRY(c.service.devices().set_info(c.account.id, c.device.device_id,
                                                    read_device_info(set)));
            } else {
                status = kProtocolError;
            }
            enc.start(st::DeviceInformation).element(st::Status, status).end();
        } else if (e.is(st::UserInformation)) {
            enc.start(st::UserInformation).element(st::Status, kOk).start(st::Get);
            if (c.version >= kV141) {
                // MS-ASCMD 2.2.3.3: 14.1 groups the addresses per account.
                enc.start(st::Accounts).start(st::Account).start(st::EmailAddresses);
                enc.element(st::PrimarySmtpAddress, c.account.address);
                for (auto& a : c.account.aliases)
                    enc.element(st::SmtpAddress, a);
                enc.end().end().end();
            } else {
                enc.start(st::EmailAddresses).element(st::SmtpAddress, c.account.address);
                for (auto& a : c.account.aliases)
                    enc.element(st::SmtpAddress, a);
                enc.end();
            }
            enc.end().end();
        } else if (e.is(st::Oof)) {
            // Out-of-office lives with mail; until then: off, and a Set is refused.
            if (e.has_child(st::Get))
                enc.start(st::Oof)
                    .element(st::Status, kOk)
                    .start(st::Get)
                    .element(st::OofState, 0)
                    .end()
                    .end();
            else
                enc.start(st::Oof).element(st::Status, kProtocolError).end();
        } else if (e.is(st::DevicePassword)) {
            enc.start(st::DevicePassword).element(st::Status, kOk).end();
        } else if (e.is(st::RightsManagementInformation)) {
            enc.start(st::RightsManagementInformation)
                .element(st::Status, kOk)
                .start(st::Get)
                .end()
                .end();
        }
    }
    enc.end();
    return finish(enc, body);
}

}  // namespace sb::eas
