// FolderSync (MS-ASCMD 2.2.1.5): the folder hierarchy, as changes since the device's SyncKey.
#include <fmt/format.h>

#include "eas/commands/command_table.hpp"
#include "eas/commands/hierarchy.hpp"
#include "eas/service.hpp"
#include "eas/state_codec.hpp"
#include "eas/status_map.hpp"

namespace sb::eas {

namespace fh = wbxml::cp::folderhierarchy;

// MS-ASCMD 2.2.3.177.5: FolderSync's values are those of the other folder commands.
using namespace folder_status;

namespace {

Result<Reply> status_only(int status) {
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(fh::FolderSync).element(fh::Status, status).end();
    return finish(enc, body);
}

void write_folder(wbxml::Encoder& enc, wbxml::Tag op, const EasFolder& f) {
    enc.start(op)
        .element(fh::ServerId, std::to_string(f.id))
        .element(fh::ParentId, std::to_string(f.parent))
        .element(fh::DisplayName, f.name)
        .element(fh::Type, f.type)
        .end();
}

}  // namespace

Result<Reply> run_folder_sync(Context& c) {
    auto key_text = c.request.root().child_value(fh::SyncKey);
    if (!key_text) return status_only(kBadRequest);
    auto key = parse_sync_key(*key_text);
    if (!key) return status_only(kInvalidKey);
    SB_TRY_ASSIGN(auto folders, eas_folders(c.service.mailbox(), c.account.id));
    SB_TRY_ASSIGN(auto h, load_hierarchy(c));

    Hierarchy state;
    if (key->initial) {
        // A second FolderSync 0 right after the first (iOS) gets the same key: a state still at
        // its first key keeps its generation.
        if (h && h->state.key == 1)
            state.state = std::move(h->state);
        else
            state.state.generation = new_generation();
        state.state.collection = "";
        state.state.key = 0;  // advanced below
    } else {
        if (!h) return status_only(kInvalidKey);
        state = std::move(*h);
        const auto& k = *key->key;
        if (k.generation == state.state.generation && k.counter == state.state.prev_key &&
            state.state.prev_key != 0 && !state.state.prev_reply.empty()) {
            // The device lost our last answer: the same answer again (MS-ASCMD 3.1.5.3).
            Reply r;
            r.body = state.state.prev_reply;
            return r;
        }
        if (k.generation != state.state.generation || k.counter != state.state.key)
            return status_only(kInvalidKey);
    }

    std::vector<const EasFolder*> adds, updates;
    std::vector<int64_t> deletes;
    FolderSet now = folder_set(folders);
    for (auto& f : folders) {
        auto it = state.held.find(f.id);
        if (it == state.held.end())
            adds.push_back(&f);
        else if (it->second != folder_signature(f))
            updates.push_back(&f);
    }
    for (auto& [id, sig] : state.held)
        if (!now.count(id)) deletes.push_back(id);
    bool changes = key->initial || !adds.empty() || !updates.empty() || !deletes.empty();

    int64_t answered = state.state.key;
    if (changes) state.state.key += 1;
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(fh::FolderSync)
        .element(fh::Status, kOk)
        .element(fh::SyncKey, SyncKey{state.state.generation, state.state.key}.text())
        .start(fh::Changes)
        .element(fh::Count, adds.size() + updates.size() + deletes.size());
    for (auto* f : updates)
        write_folder(enc, fh::Update, *f);
    for (int64_t id : deletes)
        enc.start(fh::Delete).element(fh::ServerId, std::to_string(id)).end();
    for (auto* f : adds)
        write_folder(enc, fh::Add, *f);
    enc.end().end();
    auto reply = finish(enc, body);
    if (!reply || !changes) return reply;

    state.held = std::move(now);
    state.state.holdings = encode_folders(state.held);
    state.state.prev_key = key->initial ? 0 : answered;
    state.state.prev_reply = key->initial ? std::string() : reply->body;
    SB_TRY(c.service.devices().put_state(c.account.id, c.device.device_id, state.state));
    return reply;
}

}  // namespace sb::eas
