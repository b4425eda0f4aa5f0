// FolderCreate (MS-ASCMD 2.2.1.3): a folder made on the device.
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
    enc.start(fh::FolderCreate).element(fh::Status, status).end();
    return finish(enc, body);
}

}  // namespace

Result<Reply> run_folder_create(Context& c) {
    auto root = c.request.root();
    auto key = root.child_value(fh::SyncKey);
    auto parent_text = root.child_value(fh::ParentId);
    auto name = root.child_value(fh::DisplayName);
    auto type_text = root.child_value(fh::Type);
    if (!key || !parent_text || !name || !type_text || name->empty() || name->size() > 256)
        return status_only(kBadRequest);
    auto type = folder_id_of(*type_text);
    auto view = type ? view_for_type(static_cast<int>(*type)) : std::nullopt;
    if (!view) return status_only(kBadRequest);
    SB_TRY_ASSIGN(auto h, load_hierarchy(c));
    if (!h || !is_current(*h, *key)) return status_only(kInvalidKey);
    int64_t parent = mailbox::folder_id::kRoot;
    if (*parent_text != "0") {
        auto p = folder_id_of(*parent_text);
        if (!p || !h->held.count(*p)) return status_only(kParentNotFound);
        parent = *p;
    }
    auto f = c.service.mailbox().create_folder_in(c.account.id, parent, *name, *view);
    if (!f) return status_only(eas_status(Operation::folder_create, f.error()));
    EasFolder e{f->id, parent == mailbox::folder_id::kRoot ? 0 : parent, f->name, eas_type(*f),
                f->view};
    h->held[f->id] = folder_signature(e);
    SB_TRY(advance(c, *h));
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(fh::FolderCreate)
        .element(fh::Status, kOk)
        .element(fh::SyncKey, h->key_text())
        .element(fh::ServerId, std::to_string(f->id))
        .end();
    return finish(enc, body);
}

}  // namespace sb::eas
