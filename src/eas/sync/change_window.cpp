#include "eas/sync/change_window.hpp"

#include <algorithm>

namespace sb::eas {

namespace {

// Feed entries read in one request at most beyond what it sends: changes of other folders cost a
// look each, and a request stays short however many of them there are.
size_t scan_budget(size_t window) {
    return std::max<size_t>(1024, 8 * window);
}

// What a feed entry means for a device: nothing, or the change to send.
std::optional<Outgoing::Op> feed_op(const ItemChange& c, std::optional<int64_t> held) {
    if (!c.present) {
        if (held) return Outgoing::Op::remove;
        return std::nullopt;
    }
    if (!held) return Outgoing::Op::add;
    if (*held != c.version) return Outgoing::Op::change;
    return std::nullopt;
}

}  // namespace

Result<void> HeldItems::load(const std::vector<int64_t>& ids) {
    std::vector<int64_t> missing;
    for (int64_t id : ids)
        if (!read_.count(id) && !delta_.items.count(id)) missing.push_back(id);
    if (missing.empty()) return {};
    std::sort(missing.begin(), missing.end());
    missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
    std::map<int64_t, int64_t> found;
    if (!delta_.clear) {
        SB_TRY_ASSIGN(auto r, store_.held(account_, device_, collection_, missing));
        found = std::move(r);
    }
    for (int64_t id : missing) {
        auto it = found.find(id);
        read_[id] = it == found.end() ? std::nullopt : std::optional<int64_t>(it->second);
    }
    return {};
}

std::optional<int64_t> HeldItems::version(int64_t id) const {
    if (auto d = delta_.items.find(id); d != delta_.items.end()) return d->second;
    if (auto r = read_.find(id); r != read_.end()) return r->second;
    return std::nullopt;  // cannot happen after load(); "not held" is the safe answer
}

void HeldItems::set(int64_t id, std::optional<int64_t> version) {
    delta_.items[id] = version;
}

void HeldItems::clear() {
    read_.clear();
    delta_.items.clear();
    delta_.clear = true;
}

Result<Window> next_window(ItemSource& source, HeldItems& held, int64_t account, int64_t folder,
                           SyncState& state, size_t size) {
    Window w;
    size_t budget = scan_budget(size);
    auto send = [&](Outgoing::Op op, int64_t id, int64_t version) {
        auto before = held.version(id);
        held.set(id, op == Outgoing::Op::remove ? std::nullopt : std::optional<int64_t>(version));
        w.items.push_back({op, id, version, before});
    };

    // The initial download: the folder in id order.
    while (state.download_after != SyncState::kDownloaded) {
        size_t room = size - w.items.size();
        if (room == 0 || budget == 0) {
            w.more = true;
            return w;
        }
        size_t want = std::min(room, budget) + 1;  // one more tells whether the folder goes on
        SB_TRY_ASSIGN(auto page, source.items_after(account, folder, state.download_after, want));
        std::vector<int64_t> ids;
        for (auto& v : page)
            ids.push_back(v.id);
        SB_TRY(held.load(ids));
        for (auto& v : page) {
            if (w.items.size() == size) {
                w.more = true;
                return w;
            }
            budget -= std::min<size_t>(budget, 1);
            auto h = held.version(v.id);
            // Held already at this version: the device added it itself in this request.
            if (h != v.version) send(h ? Outgoing::Op::change : Outgoing::Op::add, v.id, v.version);
            state.download_after = v.id;
        }
        if (page.size() < want) state.download_after = SyncState::kDownloaded;
    }

    // The change feed: every change after the position, in version order.
    for (;;) {
        size_t room = size - w.items.size();
        if (budget == 0) {
            w.more = true;
            return w;
        }
        size_t want = std::min(budget, std::max<size_t>(2 * room, 64));
        SB_TRY_ASSIGN(auto batch, source.changes_since(account, folder, state.feed_modseq, want));
        std::vector<int64_t> ids;
        for (auto& c : batch.changes)
            ids.push_back(c.id);
        SB_TRY(held.load(ids));
        for (auto& c : batch.changes) {
            auto op = feed_op(c, held.version(c.id));
            if (op && w.items.size() == size) {
                w.more = true;
                return w;
            }
            if (op) send(*op, c.id, c.version);
            state.feed_modseq = c.version;
        }
        budget -= want;
        state.feed_modseq = std::max(state.feed_modseq, batch.complete_to);
        if (batch.complete_to >= batch.head) return w;
    }
}

Result<size_t> count_pending(ItemSource& source, HeldItems& held, int64_t account, int64_t folder,
                             const SyncState& state, size_t limit) {
    if (state.download_after != SyncState::kDownloaded) {
        // The rest of the download (the feed follows it; an item the device added itself may be
        // counted: this is an estimate, and a Ping is answered one Sync early at worst).
        SB_TRY_ASSIGN(auto n, source.count_after(account, folder, state.download_after, limit));
        if (n > 0) return n;
    }
    size_t count = 0, budget = scan_budget(limit);
    int64_t since = state.feed_modseq;
    for (;;) {
        // Not looked through to the end: say there is something, so the device syncs (and each
        // Sync moves the feed on).
        if (budget == 0) return std::max<size_t>(count, 1);
        size_t want = std::min<size_t>(budget, 1024);
        SB_TRY_ASSIGN(auto batch, source.changes_since(account, folder, since, want));
        std::vector<int64_t> ids;
        for (auto& c : batch.changes)
            ids.push_back(c.id);
        SB_TRY(held.load(ids));
        for (auto& c : batch.changes)
            if (feed_op(c, held.version(c.id)) && ++count == limit) return count;
        budget -= want;
        if (batch.complete_to >= batch.head) break;
        since = batch.complete_to;
    }
    return count;
}

}  // namespace sb::eas
