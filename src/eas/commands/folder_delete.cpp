// FolderDelete (MS-ASCMD 2.2.1.4): delete a folder (and everything in it) from the device.
#include "eas/commands/command_table.hpp"
#include "eas/commands/hierarchy.hpp"
#include "eas/service.hpp"
#include "eas/status_map.hpp"

namespace sb::eas {

namespace fh = wbxml::cp::folderhierarchy;

using namespace folder_status;

namespace {

Result<Reply> status_only(int status) {
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(fh::FolderDelete).element(fh::Status, status).end();
    return finish(enc, body);
}

}  // namespace

Result<Reply> run_folder_delete(Context& c) {
    auto root = c.request.root();
    auto key = root.child_value(fh::SyncKey);
    auto id_text = root.child_value(fh::ServerId);
    if (!key || !id_text) return status_only(kBadRequest);
    SB_TRY_ASSIGN(auto h, load_hierarchy(c));
    if (!h || !is_current(*h, *key)) return status_only(kInvalidKey);
    auto id = folder_id_of(*id_text);
    if (!id || !h->held.count(*id)) return status_only(kNotFound);
    if (*id < mailbox::folder_id::kFirstUserItem) return status_only(kSystemFolder);
    if (auto r = c.service.mailbox().delete_folder(c.account.id, *id); !r)
        return status_only(eas_status(Operation::folder_delete, r.error()));
    // The subfolders went with it: the device drops them too.
    SB_TRY_ASSIGN(auto folders, eas_folders(c.service.mailbox(), c.account.id));
    FolderSet now = folder_set(folders);
    for (auto it = h->held.begin(); it != h->held.end();)
        it = now.count(it->first) ? std::next(it) : h->held.erase(it);
    SB_TRY(c.service.devices().drop_state(c.account.id, c.device.device_id, std::to_string(*id)));
    SB_TRY(advance(c, *h));
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(fh::FolderDelete).element(fh::Status, kOk).element(fh::SyncKey, h->key_text()).end();
    return finish(enc, body);
}

}  // namespace sb::eas
