// FolderUpdate (MS-ASCMD 2.2.1.6): rename or move a folder from the device.
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
    enc.start(fh::FolderUpdate).element(fh::Status, status).end();
    return finish(enc, body);
}

}  // namespace

Result<Reply> run_folder_update(Context& c) {
    auto root = c.request.root();
    auto key = root.child_value(fh::SyncKey);
    auto id_text = root.child_value(fh::ServerId);
    auto parent_text = root.child_value(fh::ParentId);
    auto name = root.child_value(fh::DisplayName);
    if (!key || !id_text || !parent_text || !name || name->empty() || name->size() > 256)
        return status_only(kBadRequest);
    SB_TRY_ASSIGN(auto h, load_hierarchy(c));
    if (!h || !is_current(*h, *key)) return status_only(kInvalidKey);
    auto id = folder_id_of(*id_text);
    if (!id || !h->held.count(*id)) return status_only(kNotFound);
    if (*id < mailbox::folder_id::kFirstUserItem) return status_only(kSystemFolder);
    int64_t parent = mailbox::folder_id::kRoot;
    if (*parent_text != "0") {
        auto p = folder_id_of(*parent_text);
        if (!p || !h->held.count(*p)) return status_only(kParentNotFound);
        parent = *p;
    }
    auto f = c.service.mailbox().rename_folder(c.account.id, *id, *name, parent);
    if (!f) return status_only(eas_status(Operation::folder_update, f.error()));
    EasFolder e{f->id, parent == mailbox::folder_id::kRoot ? 0 : parent, f->name, eas_type(*f),
                f->view};
    h->held[f->id] = folder_signature(e);
    SB_TRY(advance(c, *h));
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(fh::FolderUpdate).element(fh::Status, kOk).element(fh::SyncKey, h->key_text()).end();
    return finish(enc, body);
}

}  // namespace sb::eas
