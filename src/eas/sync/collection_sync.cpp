#include "eas/sync/collection_sync.hpp"

#include <charconv>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/strings.hpp"
#include "eas/service.hpp"
#include "eas/status_map.hpp"
#include "eas/sync/change_window.hpp"
#include "eas/sync/folders.hpp"
#include "eas/sync/sync_key.hpp"

namespace sb::eas {

namespace as = wbxml::cp::airsync;
namespace asb = wbxml::cp::airsyncbase;
using namespace sync_status;

namespace {

std::optional<int64_t> number(std::string_view s) {
    int64_t v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

// Contact ServerIds are "<collection>:<item id>" (unique in the mailbox, stable across moves
// only within a folder, as EAS wants).
std::string server_id(std::string_view collection, int64_t item) {
    return fmt::format("{}:{}", collection, item);
}

std::optional<int64_t> item_of(std::string_view collection, std::string_view sid) {
    auto colon = sid.find(':');
    if (colon == std::string_view::npos || sid.substr(0, colon) != collection) return std::nullopt;
    return number(sid.substr(colon + 1));
}

Result<BodyPreference> parse_body_preference(wbxml::Element e) {
    BodyPreference b;
    auto type = number(e.child_text(asb::Type));
    if (!type || *type < 1 || *type > 4)
        return fail(Errc::invalid_argument, "BodyPreference without a valid Type");
    b.type = static_cast<int>(*type);
    if (auto t = e.child_value(asb::TruncationSize)) {
        auto n = number(*t);
        if (!n || *n < 0) return fail(Errc::invalid_argument, "bad TruncationSize");
        b.truncation = *n;
    }
    if (auto a = e.child_value(asb::AllOrNone)) b.all_or_none = *a == "1";
    return b;
}

// Contacts of a folder changed after `since` (an interrupted request's Adds, crash recovery).
Result<std::vector<mailbox::Contact>> changed_since(ContactSource& source, int64_t account,
                                                    int64_t folder, int64_t since) {
    std::vector<int64_t> ids;
    for (int round = 0; round < 10'000; ++round) {
        SB_TRY_ASSIGN(auto batch, source.changes_since(account, folder, since, 1024));
        for (auto& c : batch.changes)
            if (c.present) ids.push_back(c.id);
        if (batch.complete_to >= batch.head) break;
        since = batch.complete_to;
    }
    SB_TRY_ASSIGN(auto got, source.get_many(account, ids));
    std::vector<mailbox::Contact> out;
    for (auto& c : got)
        if (c.folder_id == folder) out.push_back(std::move(c));
    return out;
}

Result<std::string> fragment_status(const CollectionRequest& req, int status, Version version) {
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(as::Collection);
    (void)version;
    enc.element(as::SyncKey, status == kInvalidKey ? std::string("0") : req.sync_key)
        .element(as::CollectionId, req.id)
        .element(as::Status, status)
        .end();
    if (auto r = enc.finish(); !r) return fail(Errc::internal, r.error().message);
    return body;
}

}  // namespace

Result<CollectionRequest> parse_collection(wbxml::Element e, size_t max_window) {
    CollectionRequest r;
    auto id = e.child_value(as::CollectionId);
    auto key = e.child_value(as::SyncKey);
    if (!id || id->empty() || id->size() > 64)
        return fail(Errc::invalid_argument, "Collection without CollectionId");
    if (!key) return fail(Errc::invalid_argument, "Collection without SyncKey");
    r.id = std::string(*id);
    r.sync_key = std::string(*key);
    if (auto g = e.child(as::GetChanges)) r.get_changes = !g.has_content() || g.value() != "0";
    if (auto w = e.child_value(as::WindowSize)) {
        auto n = number(*w);
        if (!n || *n < 0) return fail(Errc::invalid_argument, "bad WindowSize");
        // MS-ASCMD 2.2.3.199.2: 0 or above 512 means 512.
        r.window = (*n == 0 || static_cast<size_t>(*n) > max_window) ? max_window
                                                                     : static_cast<size_t>(*n);
    }
    if (auto o = e.child(as::Options)) {
        r.has_options = true;
        for (auto x : o.children()) {
            if (x.is(asb::BodyPreference)) {
                SB_TRY_ASSIGN(auto b, parse_body_preference(x));
                // Contacts keep plain text: the first preference for type 1 (or any) wins.
                if (!r.options.body || b.type == 1) r.options.body = b;
            } else if (x.is(as::Conflict)) {
                auto n = number(x.value());
                if (!n || (*n != 0 && *n != 1)) return fail(Errc::invalid_argument, "bad Conflict");
                r.options.conflict = static_cast<int>(*n);
            }
        }
    }
    if (auto s = e.child(as::Supported)) r.supported = supported_fields(s);
    r.commands = e.child(as::Commands);
    return r;
}

Result<CollectionResult> sync_collection(Context& c, const CollectionRequest& req,
                                         size_t& window_budget) {
    auto& svc = c.service;
    auto& store = svc.devices();
    const int64_t account = c.account.id;
    const std::string& device = c.device.device_id;
    CollectionResult result;

    auto folder_id = number(req.id);
    std::optional<mailbox::Folder> folder;
    if (folder_id) {
        SB_TRY_ASSIGN(folder, if_found(svc.mailbox().folder(account, *folder_id)));
    }
    if (!folder || folder->id == mailbox::folder_id::kRoot) {
        SB_TRY_ASSIGN(auto frag, fragment_status(req, kNotFound, c.version));
        result.fragment = std::move(frag);
        return result;
    }
    const bool contacts = folder->view == mailbox::View::contact;

    auto parsed = parse_sync_key(req.sync_key);
    SB_TRY_ASSIGN(auto stored, store.state(account, device, req.id));

    // Priming (SyncKey 0): a new generation, nothing held. A state still at its first key with
    // nothing held is what priming makes anyway: reuse it, so a racing second SyncKey 0 (iOS)
    // gets the same key.
    if (parsed && parsed->initial) {
        SyncState s;
        if (stored && stored->key == 1 && !stored->intent)
            s.generation = stored->generation;  // nothing was sent at key 1
        else
            s.generation = new_generation();
        s.collection = req.id;
        s.key = 1;
        // The download starts at the folder's first item; the feed at what the mailbox is now
        // (later changes are sent after the download, earlier ones are in it).
        SB_TRY_ASSIGN(auto head, svc.contacts().head(account));
        s.download_after = 0;
        s.feed_modseq = head;
        CollectionOptions o = stored ? stored->options : CollectionOptions{};
        if (req.has_options) {
            o.body = req.options.body;
            o.conflict = req.options.conflict;
        }
        if (req.window) o.window = *req.window;
        o.supported = req.supported;
        s.options = o;
        std::string body;
        wbxml::Encoder enc(body);
        enc.start(as::Collection);
        if (c.version == kV25) enc.element(as::Class, eas_class(folder->view));
        enc.element(as::SyncKey, SyncKey{s.generation, 1}.text())
            .element(as::CollectionId, req.id)
            .element(as::Status, kOk)
            .end();
        if (auto r = enc.finish(); !r) return fail(Errc::internal, r.error().message);
        HeldDelta nothing;
        nothing.clear = true;
        SB_TRY(store.put_state(account, device, s, nothing));
        result.fragment = std::move(body);
        return result;
    }

    if (!parsed || !stored) {
        SB_TRY_ASSIGN(auto frag, fragment_status(req, kInvalidKey, c.version));
        result.fragment = std::move(frag);
        return result;
    }
    SyncState state = std::move(*stored);
    const SyncKey& key = *parsed->key;
    if (key.generation == state.generation && key.counter == state.prev_key &&
        state.prev_key != 0 && !state.prev_reply.empty()) {
        // MS-ASCMD 3.1.5.3: the device did not get our last reply; it gets the same one again.
        spdlog::debug("eas: {} {} collection {}: replaying the reply to SyncKey {}",
                      c.account.address, device, req.id, req.sync_key);
        result.fragment = state.prev_reply;
        result.changes = true;
        return result;
    }
    if (key.generation != state.generation || key.counter != state.key) {
        SB_TRY_ASSIGN(auto frag, fragment_status(req, kInvalidKey, c.version));
        result.fragment = std::move(frag);
        return result;
    }

    CollectionOptions opts = state.options;
    if (req.has_options) {
        opts.body = req.options.body;
        opts.conflict = req.options.conflict;
    }
    if (req.window) opts.window = *req.window;
    if (req.supported) opts.supported = req.supported;
    size_t window = std::min(opts.window, window_budget);

    HeldItems held(store, account, device, req.id);
    auto& source = svc.contacts();

    // The device's commands.
    struct AddResponse {
        std::string client_id;
        std::string server_id;
        int status;
    };
    struct ItemResponse {
        wbxml::Tag op;
        std::string server_id;
        int status;
        std::optional<mailbox::Contact> contact;  // Fetch
    };
    std::vector<AddResponse> add_responses;
    std::vector<ItemResponse> item_responses;
    std::set<int64_t> adopted;

    bool has_adds = req.commands && req.commands.has_child(as::Add);
    std::optional<SyncIntent> recovering = state.intent;
    if (recovering && recovering->key != state.key) recovering.reset();
    if (has_adds && contacts && !recovering) {
        // The intent, stored before any Add reaches the mailbox (see the header).
        SB_TRY_ASSIGN(auto m, source.head(account));
        state.intent = SyncIntent{state.key, m};
        SB_TRY(store.put_state(account, device, state));
    }
    std::vector<mailbox::Contact> recent;  // contacts made since the intent (recovery only)
    if (has_adds && contacts && recovering) {
        SB_TRY_ASSIGN(auto r, changed_since(source, account, folder->id, recovering->modseq));
        recent = std::move(r);
        spdlog::info(
            "eas: {} {} collection {}: resuming an interrupted request ({} recent contacts)",
            c.account.address, device, req.id, recent.size());
    }
    // What the device holds of the items its commands (and a recovery) name, in one read.
    if (req.commands || !recent.empty()) {
        std::vector<int64_t> named;
        for (auto& r : recent)
            named.push_back(r.id);
        if (req.commands)
            for (auto cmd : req.commands.children())
                if (auto id = item_of(req.id, cmd.child_text(as::ServerId))) named.push_back(*id);
        SB_TRY(held.load(named));
    }

    if (req.commands) {
        for (auto cmd : req.commands.children()) {
            if (cmd.is(as::Add)) {
                std::string client_id(cmd.child_text(as::ClientId));
                if (client_id.empty() || client_id.size() > 64)
                    return fail(Errc::invalid_argument, "Add without a valid ClientId");
                if (!contacts) {
                    add_responses.push_back({client_id, "", kConversionError});
                    continue;
                }
                auto fields = read_contact(cmd.child(as::ApplicationData));
                auto valid = fields
                                 ? mailbox::validate_fields(*fields)
                                 : Result<mailbox::ContactFields>(tl::unexpected(fields.error()));
                if (!valid || valid->empty()) {
                    add_responses.push_back({client_id, "", kConversionError});
                    continue;
                }
                std::optional<mailbox::Contact> made;
                for (auto& r : recent) {
                    if (!held.version(r.id) && !adopted.count(r.id) && r.fields == *valid) {
                        made = r;
                        break;
                    }
                }
                if (made) {
                    adopted.insert(made->id);
                } else {
                    auto added = source.add(account, folder->id, *valid);
                    if (!added) {
                        add_responses.push_back(
                            {client_id, "", eas_status(Operation::item_write, added.error())});
                        continue;
                    }
                    made = std::move(*added);
                }
                held.set(made->id, made->modseq);
                add_responses.push_back({client_id, server_id(req.id, made->id), kOk});
            } else if (cmd.is(as::Change)) {
                std::string sid(cmd.child_text(as::ServerId));
                auto id = item_of(req.id, sid);
                std::optional<int64_t> had = id ? held.version(*id) : std::nullopt;
                if (!contacts || !had) {
                    item_responses.push_back({as::Change, sid, kNotFound, std::nullopt});
                    continue;
                }
                auto fields = read_contact(cmd.child(as::ApplicationData));
                if (!fields) {
                    item_responses.push_back({as::Change, sid, kConversionError, std::nullopt});
                    continue;
                }
                auto current = source.get(account, *id);
                if (!current || current->folder_id != folder->id) {
                    item_responses.push_back({as::Change, sid, kNotFound, std::nullopt});
                    continue;
                }
                // Both sides changed the item: the server's copy wins unless the device asked
                // otherwise (MS-ASCMD 2.2.3.34); the server's copy then goes out below.
                if (current->modseq != *had && opts.conflict == 1) continue;
                auto merged = merge_change(current->fields, *fields, opts.supported);
                auto updated = source.update(account, *id, merged);
                if (!updated) {
                    item_responses.push_back({as::Change, sid,
                                              eas_status(Operation::item_write, updated.error()),
                                              std::nullopt});
                    continue;
                }
                held.set(*id, updated->modseq);
            } else if (cmd.is(as::Delete)) {
                std::string sid(cmd.child_text(as::ServerId));
                auto id = item_of(req.id, sid);
                if (!contacts || !id || !held.version(*id)) continue;  // already gone
                SB_TRY(if_found(source.remove(account, *id)));
                held.set(*id, std::nullopt);
            } else if (cmd.is(as::Fetch)) {
                std::string sid(cmd.child_text(as::ServerId));
                auto id = item_of(req.id, sid);
                std::optional<mailbox::Contact> ct;
                if (contacts && id) {
                    auto got = source.get(account, *id);
                    if (got && got->folder_id == folder->id) ct = std::move(*got);
                }
                item_responses.push_back({as::Fetch, sid, ct ? kOk : kNotFound, std::move(ct)});
            } else {
                return fail(Errc::invalid_argument,
                            fmt::format("unexpected <{}> in Commands", cmd.name()));
            }
        }
    }

    // The server's changes, up to the window.
    std::vector<std::pair<Outgoing::Op, mailbox::Contact>> out_items;
    std::vector<int64_t> out_deletes;
    bool more = false;
    if (req.get_changes && contacts) {
        SB_TRY_ASSIGN(auto w, next_window(source, held, account, folder->id, state, window));
        more = w.more;
        std::vector<int64_t> wanted;
        for (auto& o : w.items)
            if (o.op != Outgoing::Op::remove) wanted.push_back(o.id);
        SB_TRY_ASSIGN(auto got, source.get_many(account, wanted));
        std::unordered_map<int64_t, mailbox::Contact*> by_id;
        for (auto& ct : got)
            by_id[ct.id] = &ct;
        for (auto& o : w.items) {
            if (o.op == Outgoing::Op::remove) {
                out_deletes.push_back(o.id);
                continue;
            }
            auto it = by_id.find(o.id);
            if (it == by_id.end() || it->second->folder_id != folder->id) {
                // Gone or moved since the window was planned: its change comes up in the feed.
                held.set(o.id, o.held_before);
                continue;
            }
            held.set(o.id, it->second->modseq);
            out_items.emplace_back(o.op, std::move(*it->second));
        }
        window_budget -= std::min(window_budget, out_items.size() + out_deletes.size());
    }

    // The reply.
    int64_t answered = state.key;
    state.key += 1;
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(as::Collection);
    if (c.version == kV25) enc.element(as::Class, eas_class(folder->view));
    enc.element(as::SyncKey, SyncKey{state.generation, state.key}.text())
        .element(as::CollectionId, req.id)
        .element(as::Status, kOk);
    if (more) enc.empty(as::MoreAvailable);
    if (!out_items.empty() || !out_deletes.empty()) {
        enc.start(as::Commands);
        for (int64_t id : out_deletes)
            enc.start(as::Delete).element(as::ServerId, server_id(req.id, id)).end();
        for (auto& [op, ct] : out_items) {
            enc.start(op == Outgoing::Op::add ? as::Add : as::Change)
                .element(as::ServerId, server_id(req.id, ct.id))
                .start(as::ApplicationData);
            write_contact(enc, ct.fields, c.version, opts.body);
            enc.end().end();
        }
        enc.end();
    }
    if (!add_responses.empty() || !item_responses.empty()) {
        enc.start(as::Responses);
        for (auto& r : item_responses) {
            if (r.op != as::Change) continue;
            enc.start(as::Change)
                .element(as::ServerId, r.server_id)
                .element(as::Status, r.status)
                .end();
        }
        for (auto& r : add_responses) {
            enc.start(as::Add).element(as::ClientId, r.client_id);
            if (!r.server_id.empty()) enc.element(as::ServerId, r.server_id);
            enc.element(as::Status, r.status).end();
        }
        for (auto& r : item_responses) {
            if (r.op != as::Fetch) continue;
            enc.start(as::Fetch).element(as::ServerId, r.server_id).element(as::Status, r.status);
            if (r.contact) {
                enc.start(as::ApplicationData);
                write_contact(enc, r.contact->fields, c.version, opts.body);
                enc.end();
            }
            enc.end();
        }
        enc.end();
    }
    enc.end();
    if (auto r = enc.finish(); !r) return fail(Errc::internal, r.error().message);

    state.prev_key = answered;
    state.prev_reply = body;
    state.intent.reset();
    state.options = opts;
    SB_TRY(store.put_state(account, device, state, held.delta()));
    result.changes = !out_items.empty() || !out_deletes.empty() || !add_responses.empty() ||
                     !item_responses.empty();
    result.fragment = std::move(body);
    (void)kProtocolError;
    return result;
}

Result<std::optional<size_t>> pending_changes(Service& svc, int64_t account,
                                              const std::string& device,
                                              std::string_view collection_id, size_t limit) {
    SB_TRY_ASSIGN(auto st, svc.devices().state(account, device, collection_id));
    if (!st) return std::optional<size_t>();
    auto id = number(collection_id);
    if (!id) return std::optional<size_t>();
    SB_TRY_ASSIGN(auto f, if_found(svc.mailbox().folder(account, *id)));
    if (!f) return std::optional<size_t>(1);  // gone: the device must learn it
    if (f->view != mailbox::View::contact) return std::optional<size_t>(0);
    HeldItems held(svc.devices(), account, device, std::string(collection_id));
    SB_TRY_ASSIGN(auto n, count_pending(svc.contacts(), held, account, *id, *st, limit));
    return std::optional<size_t>(n);
}

}  // namespace sb::eas
