// GetItemEstimate (MS-ASCMD 2.2.1.9): how many changes a Sync of each collection would bring.
#include "eas/commands/command_table.hpp"
#include "eas/service.hpp"
#include "eas/sync/collection_sync.hpp"
#include "eas/sync/sync_key.hpp"

namespace sb::eas {

namespace ge = wbxml::cp::getitemestimate;
namespace as = wbxml::cp::airsync;

namespace {

// MS-ASCMD 2.2.3.177.7
constexpr int kOk = 1, kInvalidCollection = 2, kNotPrimed = 3, kInvalidKey = 4;

}  // namespace

Result<Reply> run_get_item_estimate(Context& c) {
    auto cols = c.request.root().child(ge::Collections);
    if (!cols) return fail(Errc::invalid_argument, "GetItemEstimate without Collections");
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(ge::GetItemEstimate);
    size_t n = 0;
    for (auto col : cols.children(ge::Collection)) {
        if (++n > c.service.options().max_collections)
            return fail(Errc::invalid_argument, "too many collections");
        std::string id(col.child_text(ge::CollectionId));
        // 14.0+ put the SyncKey in the AirSync page, 12.x in GetItemEstimate's own page.
        auto key = col.child_value(as::SyncKey);
        int status = kOk;
        size_t estimate = 0;
        SB_TRY_ASSIGN(auto st, c.service.devices().state(c.account.id, c.device.device_id, id));
        if (id.empty()) {
            status = kInvalidCollection;
        } else if (key && *key == "0") {
            status = kNotPrimed;
        } else if (!st) {
            status = kNotPrimed;
        } else if (key && *key != SyncKey{st->generation, st->key}.text()) {
            status = kInvalidKey;
        } else {
            SB_TRY_ASSIGN(auto p, pending_changes(c.service, c.account.id, c.device.device_id, id));
            estimate = p.value_or(0);
        }
        enc.start(ge::Response)
            .element(ge::Status, status)
            .start(ge::Collection)
            .element(ge::CollectionId, id);
        if (status == kOk) enc.element(ge::Estimate, estimate);
        enc.end().end();
    }
    enc.end();
    return finish(enc, body);
}

}  // namespace sb::eas
