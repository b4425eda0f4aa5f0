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

// An encoder misuse is a bug of ours, whatever error the encoder reports.
Result<void> finish_fragment(wbxml::Encoder& enc) {
    if (auto r = enc.finish(); !r) return fail(Errc::internal, r.error().message);
    return {};
}

// A collection answered with a Status alone (an invalid key restarts at SyncKey 0).
Result<std::string> fragment_status(const CollectionRequest& req, int status) {
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(as::Collection)
        .element(as::SyncKey, status == kInvalidKey ? std::string("0") : req.sync_key)
        .element(as::CollectionId, req.id)
        .element(as::Status, status)
        .end();
    SB_TRY(finish_fragment(enc));
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

namespace {

// The options in force for this request: the remembered ones, with what the request sets.
CollectionOptions requested_options(CollectionOptions o, const CollectionRequest& req) {
    if (req.has_options) {
        o.body = req.options.body;
        o.conflict = req.options.conflict;
    }
    if (req.window) o.window = *req.window;
    return o;
}

// The folder a collection id names; nullopt when there is none (the root is none either).
Result<std::optional<mailbox::Folder>> resolve_folder(Context& c, std::string_view collection) {
    auto id = number(collection);
    if (!id || *id == mailbox::folder_id::kRoot) return std::optional<mailbox::Folder>();
    return if_found(c.service.mailbox().folder(c.account.id, *id));
}

Result<CollectionResult> status_result(const CollectionRequest& req, int status) {
    SB_TRY_ASSIGN(auto fragment, fragment_status(req, status));
    return CollectionResult{std::move(fragment), false};
}

// SyncKey 0: a new generation, nothing held. A state still at its first key with nothing held
// is what priming makes anyway: it is reused, so that a racing second SyncKey 0 (iOS) gets the
// same key.
Result<CollectionResult> prime(Context& c, const CollectionRequest& req,
                               const mailbox::Folder& folder,
                               const std::optional<SyncState>& stored) {
    SyncState s;
    const bool unused = stored && stored->key == 1 && !stored->intent;  // nothing sent at key 1
    s.generation = unused ? stored->generation : new_generation();
    s.collection = req.id;
    s.key = 1;
    // The download starts at the folder's first item; the feed at what the mailbox is now
    // (later changes are sent after the download, earlier ones are in it).
    SB_TRY_ASSIGN(auto head, c.service.contacts().head(c.account.id));
    s.download_after = 0;
    s.feed_modseq = head;
    s.options = requested_options(stored ? stored->options : CollectionOptions{}, req);
    s.options.supported = req.supported;
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(as::Collection);
    if (c.version == kV25) enc.element(as::Class, eas_class(folder.view));
    enc.element(as::SyncKey, SyncKey{s.generation, 1}.text())
        .element(as::CollectionId, req.id)
        .element(as::Status, kOk)
        .end();
    SB_TRY(finish_fragment(enc));
    HeldDelta nothing;
    nothing.clear = true;
    SB_TRY(c.service.devices().put_state(c.account.id, c.device.device_id, s, nothing));
    return CollectionResult{std::move(body), false};
}

// MS-ASCMD 3.1.5.3: a device that did not get the last reply sends its key again.
bool is_resent(const SyncState& s, const SyncKey& key) {
    return key.generation == s.generation && key.counter == s.prev_key && s.prev_key != 0 &&
           !s.prev_reply.empty();
}

bool is_current(const SyncState& s, const SyncKey& key) {
    return key.generation == s.generation && key.counter == s.key;
}

// An answer to one of the device's Add commands.
struct AddResponse {
    std::string client_id;
    std::string server_id;
    int status;
};

// An answer to a Change (only failures are answered) or a Fetch.
struct ItemResponse {
    wbxml::Tag op;
    std::string server_id;
    int status;
    std::optional<mailbox::Contact> contact;  // Fetch
};

// The server's changes that go out in this reply.
struct ServerChanges {
    std::vector<std::pair<Outgoing::Op, mailbox::Contact>> items;
    std::vector<int64_t> deletes;
    bool more = false;  // MoreAvailable
    size_t size() const { return items.size() + deletes.size(); }
};

// A Contact from a device's ApplicationData, if it is one the mailbox takes.
std::optional<mailbox::ContactFields> valid_contact(wbxml::Element application_data) {
    auto fields = read_contact(application_data);
    if (!fields) return std::nullopt;
    auto valid = mailbox::validate_fields(*fields);
    if (!valid || valid->empty()) return std::nullopt;
    return std::move(*valid);
}

// One collection of a Sync request whose SyncKey is the current one: the device's commands, the
// server's changes up to the window, the reply, and the next SyncState stored with it.
class CollectionSync {
  public:
    CollectionSync(Context& c, const CollectionRequest& req, mailbox::Folder folder,
                   SyncState state)
        : c_(c),
          req_(req),
          store_(c.service.devices()),
          source_(c.service.contacts()),
          account_(c.account.id),
          device_(c.device.device_id),
          folder_(std::move(folder)),
          contacts_(folder_.view == mailbox::View::contact),
          state_(std::move(state)),
          options_(requested_options(state_.options, req)),
          held_(store_, account_, device_, req.id) {
        if (req.supported) options_.supported = req.supported;
    }

    Result<CollectionResult> run(size_t& window_budget);

  private:
    Result<void> apply_client_commands();
    Result<void> prepare_for_adds();
    Result<void> load_held_named_items();
    Result<void> apply_add(wbxml::Element cmd);
    void apply_change(wbxml::Element cmd);
    Result<void> apply_delete(wbxml::Element cmd);
    void apply_fetch(wbxml::Element cmd);
    std::optional<mailbox::Contact> adopt_recent(const mailbox::ContactFields& fields);
    Result<ServerChanges> collect_server_changes(size_t window);
    Result<std::string> build_reply(const ServerChanges& changes);
    void write_server_changes(wbxml::Encoder& enc, const ServerChanges& changes);
    void write_responses(wbxml::Encoder& enc);

    Context& c_;
    const CollectionRequest& req_;
    DeviceStore& store_;
    ContactSource& source_;
    const int64_t account_;
    const std::string& device_;
    const mailbox::Folder folder_;
    const bool contacts_;
    SyncState state_;
    CollectionOptions options_;
    HeldItems held_;
    std::vector<AddResponse> adds_;
    std::vector<ItemResponse> items_;
    std::vector<mailbox::Contact> recent_;  // contacts made since the intent (recovery only)
    std::set<int64_t> adopted_;             // those of them matched to a resent Add
};

Result<CollectionResult> CollectionSync::run(size_t& window_budget) {
    const size_t window = std::min(options_.window, window_budget);
    SB_TRY(apply_client_commands());
    ServerChanges changes;
    if (req_.get_changes && contacts_) {
        SB_TRY_ASSIGN(changes, collect_server_changes(window));
        window_budget -= std::min(window_budget, changes.size());
    }
    const int64_t answered = state_.key;
    state_.key += 1;
    SB_TRY_ASSIGN(auto body, build_reply(changes));
    // The next state, stored before the reply goes out (see the header).
    state_.prev_key = answered;
    state_.prev_reply = body;
    state_.intent.reset();
    state_.options = options_;
    SB_TRY(store_.put_state(account_, device_, state_, held_.delta()));
    const bool answers = changes.size() > 0 || !adds_.empty() || !items_.empty();
    return CollectionResult{std::move(body), answers};
}

Result<void> CollectionSync::apply_client_commands() {
    SB_TRY(prepare_for_adds());
    SB_TRY(load_held_named_items());
    if (!req_.commands) return {};
    for (auto cmd : req_.commands.children()) {
        if (cmd.is(as::Add))
            SB_TRY(apply_add(cmd));
        else if (cmd.is(as::Change))
            apply_change(cmd);
        else if (cmd.is(as::Delete))
            SB_TRY(apply_delete(cmd));
        else if (cmd.is(as::Fetch))
            apply_fetch(cmd);
        else
            return fail(Errc::invalid_argument,
                        fmt::format("unexpected <{}> in Commands", cmd.name()));
    }
    return {};
}

// Before the first Add reaches the mailbox, the intent is stored (see the header). A request
// that finds its own intent resumes after a crash: the contacts made since are its Adds.
Result<void> CollectionSync::prepare_for_adds() {
    if (!contacts_ || !req_.commands || !req_.commands.has_child(as::Add)) return {};
    std::optional<SyncIntent> recovering = state_.intent;
    if (recovering && recovering->key != state_.key) recovering.reset();
    if (!recovering) {
        SB_TRY_ASSIGN(auto modseq, source_.head(account_));
        state_.intent = SyncIntent{state_.key, modseq};
        return store_.put_state(account_, device_, state_);
    }
    SB_TRY_ASSIGN(recent_, changed_since(source_, account_, folder_.id, recovering->modseq));
    spdlog::info("eas: {} {} collection {}: resuming an interrupted request ({} recent contacts)",
                 c_.account.address, device_, req_.id, recent_.size());
    return {};
}

// What the device holds of the items its commands (and a recovery) name, in one read.
Result<void> CollectionSync::load_held_named_items() {
    if (!req_.commands && recent_.empty()) return {};
    std::vector<int64_t> named;
    for (auto& r : recent_)
        named.push_back(r.id);
    if (req_.commands)
        for (auto cmd : req_.commands.children())
            if (auto id = item_of(req_.id, cmd.child_text(as::ServerId))) named.push_back(*id);
    return held_.load(named);
}

Result<void> CollectionSync::apply_add(wbxml::Element cmd) {
    std::string client_id(cmd.child_text(as::ClientId));
    if (client_id.empty() || client_id.size() > 64)
        return fail(Errc::invalid_argument, "Add without a valid ClientId");
    auto fields = contacts_ ? valid_contact(cmd.child(as::ApplicationData)) : std::nullopt;
    if (!fields) {
        adds_.push_back({client_id, "", kConversionError});
        return {};
    }
    std::optional<mailbox::Contact> made = adopt_recent(*fields);
    if (!made) {
        auto added = source_.add(account_, folder_.id, *fields);
        if (!added) {
            adds_.push_back({client_id, "", eas_status(Operation::item_write, added.error())});
            return {};
        }
        made = std::move(*added);
    }
    held_.set(made->id, made->modseq);
    adds_.push_back({client_id, server_id(req_.id, made->id), kOk});
    return {};
}

// A contact an interrupted run of this request already made for this Add, if any.
std::optional<mailbox::Contact> CollectionSync::adopt_recent(const mailbox::ContactFields& fields) {
    for (auto& r : recent_) {
        if (!held_.version(r.id) && !adopted_.count(r.id) && r.fields == fields) {
            adopted_.insert(r.id);
            return r;
        }
    }
    return std::nullopt;
}

void CollectionSync::apply_change(wbxml::Element cmd) {
    std::string sid(cmd.child_text(as::ServerId));
    auto id = item_of(req_.id, sid);
    std::optional<int64_t> had = id ? held_.version(*id) : std::nullopt;
    if (!contacts_ || !had) return items_.push_back({as::Change, sid, kNotFound, std::nullopt});
    auto fields = read_contact(cmd.child(as::ApplicationData));
    if (!fields) return items_.push_back({as::Change, sid, kConversionError, std::nullopt});
    auto current = source_.get(account_, *id);
    if (!current || current->folder_id != folder_.id)
        return items_.push_back({as::Change, sid, kNotFound, std::nullopt});
    // Both sides changed the item: the server's copy wins unless the device asked otherwise
    // (MS-ASCMD 2.2.3.34); the server's copy then goes out with the server's changes.
    if (current->modseq != *had && options_.conflict == 1) return;
    auto merged = merge_change(current->fields, *fields, options_.supported);
    auto updated = source_.update(account_, *id, merged);
    if (!updated) {
        int status = eas_status(Operation::item_write, updated.error());
        return items_.push_back({as::Change, sid, status, std::nullopt});
    }
    held_.set(*id, updated->modseq);
}

Result<void> CollectionSync::apply_delete(wbxml::Element cmd) {
    auto id = item_of(req_.id, cmd.child_text(as::ServerId));
    if (!contacts_ || !id || !held_.version(*id)) return {};  // already gone
    SB_TRY(if_found(source_.remove(account_, *id)));
    held_.set(*id, std::nullopt);
    return {};
}

void CollectionSync::apply_fetch(wbxml::Element cmd) {
    std::string sid(cmd.child_text(as::ServerId));
    auto id = item_of(req_.id, sid);
    std::optional<mailbox::Contact> contact;
    if (contacts_ && id) {
        auto got = source_.get(account_, *id);
        if (got && got->folder_id == folder_.id) contact = std::move(*got);
    }
    int status = contact ? kOk : kNotFound;
    items_.push_back({as::Fetch, sid, status, std::move(contact)});
}

Result<ServerChanges> CollectionSync::collect_server_changes(size_t window) {
    ServerChanges out;
    SB_TRY_ASSIGN(auto w, next_window(source_, held_, account_, folder_.id, state_, window));
    out.more = w.more;
    std::vector<int64_t> wanted;
    for (auto& o : w.items)
        if (o.op != Outgoing::Op::remove) wanted.push_back(o.id);
    SB_TRY_ASSIGN(auto got, source_.get_many(account_, wanted));
    std::unordered_map<int64_t, mailbox::Contact*> by_id;
    for (auto& ct : got)
        by_id[ct.id] = &ct;
    for (auto& o : w.items) {
        if (o.op == Outgoing::Op::remove) {
            out.deletes.push_back(o.id);
            continue;
        }
        auto it = by_id.find(o.id);
        if (it == by_id.end() || it->second->folder_id != folder_.id) {
            // Gone or moved since the window was planned: its change comes up in the feed.
            held_.set(o.id, o.held_before);
            continue;
        }
        held_.set(o.id, it->second->modseq);
        out.items.emplace_back(o.op, std::move(*it->second));
    }
    return out;
}

Result<std::string> CollectionSync::build_reply(const ServerChanges& changes) {
    std::string body;
    wbxml::Encoder enc(body);
    enc.start(as::Collection);
    if (c_.version == kV25) enc.element(as::Class, eas_class(folder_.view));
    enc.element(as::SyncKey, SyncKey{state_.generation, state_.key}.text())
        .element(as::CollectionId, req_.id)
        .element(as::Status, kOk);
    if (changes.more) enc.empty(as::MoreAvailable);
    write_server_changes(enc, changes);
    write_responses(enc);
    enc.end();
    SB_TRY(finish_fragment(enc));
    return body;
}

void CollectionSync::write_server_changes(wbxml::Encoder& enc, const ServerChanges& changes) {
    if (changes.size() == 0) return;
    enc.start(as::Commands);
    for (int64_t id : changes.deletes)
        enc.start(as::Delete).element(as::ServerId, server_id(req_.id, id)).end();
    for (auto& [op, ct] : changes.items) {
        enc.start(op == Outgoing::Op::add ? as::Add : as::Change)
            .element(as::ServerId, server_id(req_.id, ct.id))
            .start(as::ApplicationData);
        write_contact(enc, ct.fields, c_.version, options_.body);
        enc.end().end();
    }
    enc.end();
}

// The answers to the device's commands: failed Changes, then Adds, then Fetches.
void CollectionSync::write_responses(wbxml::Encoder& enc) {
    if (adds_.empty() && items_.empty()) return;
    enc.start(as::Responses);
    for (auto& r : items_) {
        if (r.op != as::Change) continue;
        enc.start(as::Change)
            .element(as::ServerId, r.server_id)
            .element(as::Status, r.status)
            .end();
    }
    for (auto& r : adds_) {
        enc.start(as::Add).element(as::ClientId, r.client_id);
        if (!r.server_id.empty()) enc.element(as::ServerId, r.server_id);
        enc.element(as::Status, r.status).end();
    }
    for (auto& r : items_) {
        if (r.op != as::Fetch) continue;
        enc.start(as::Fetch).element(as::ServerId, r.server_id).element(as::Status, r.status);
        if (r.contact) {
            enc.start(as::ApplicationData);
            write_contact(enc, r.contact->fields, c_.version, options_.body);
            enc.end();
        }
        enc.end();
    }
    enc.end();
}

}  // namespace

Result<CollectionResult> sync_collection(Context& c, const CollectionRequest& req,
                                         size_t& window_budget) {
    SB_TRY_ASSIGN(auto folder, resolve_folder(c, req.id));
    if (!folder) return status_result(req, kNotFound);
    SB_TRY_ASSIGN(auto stored, c.service.devices().state(c.account.id, c.device.device_id, req.id));
    auto parsed = parse_sync_key(req.sync_key);
    if (parsed && parsed->initial) return prime(c, req, *folder, stored);
    if (!parsed || !stored) return status_result(req, kInvalidKey);
    const SyncKey& key = *parsed->key;
    if (is_resent(*stored, key)) {
        spdlog::debug("eas: {} {} collection {}: replaying the reply to SyncKey {}",
                      c.account.address, c.device.device_id, req.id, req.sync_key);
        return CollectionResult{std::move(stored->prev_reply), true};
    }
    if (!is_current(*stored, key)) return status_result(req, kInvalidKey);
    CollectionSync sync(c, req, std::move(*folder), std::move(*stored));
    return sync.run(window_budget);
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
