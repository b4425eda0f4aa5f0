// Fuzzes the command layer: a WBXML request body is decoded with the server's limits and, when its
// top element is a command's (Sync, FolderSync, FolderCreate/Update/Delete, GetItemEstimate, Ping,
// Provision, Settings), run by that command's handler for one device, as the pipeline would after
// authentication. Contacts live in a small in-memory source; devices, SyncStates and folders in a
// SQLite store in a temporary folder, kept across inputs (the state the commands build on).
// The protocol version comes from the input's length, so every version's paths are reached.
// SyncKeys carry a random generation no input can guess: the inline strings "@H@", "@K@" and
// "@P@" in a body are replaced by the device's current hierarchy key, the current key of the
// Contacts collection (7) and its previous one (a replay), so seeds reach past priming.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "auth/authenticator.hpp"
#include "auth/credentials.hpp"
#include "directory/directory.hpp"
#include "eas/commands/command_table.hpp"
#include "eas/service.hpp"
#include "eas/sync/sync_key.hpp"
#include "mailbox/mailbox.hpp"
#include "store/migrations.hpp"

namespace {

using namespace sb;
using namespace sb::eas;

// At most kMaxContacts contacts (and as many tombstones), so that a long run does not slow down
// by growing folders.
class SmallContacts final : public ContactSource {
  public:
    static constexpr size_t kMaxContacts = 64;
    std::map<int64_t, mailbox::Contact> items;
    std::map<int64_t, std::pair<int64_t, int64_t>> gone;  // id → (folder, modseq)
    int64_t modseq_ = 1, next_id = 300;

    void bury(int64_t id) {
        if (gone.size() >= kMaxContacts) gone.erase(gone.begin());
        gone[id] = {items.at(id).folder_id, ++modseq_};
        items.erase(id);
    }

    Result<int64_t> head(int64_t) override { return modseq_; }
    Result<std::vector<ItemVersion>> items_after(int64_t, int64_t folder, int64_t after,
                                                 size_t limit) override {
        std::vector<ItemVersion> out;
        for (auto it = items.upper_bound(after); it != items.end() && out.size() < limit; ++it)
            if (it->second.folder_id == folder) out.push_back({it->first, it->second.modseq});
        return out;
    }
    Result<size_t> count_after(int64_t, int64_t folder, int64_t after, size_t limit) override {
        size_t n = 0;
        for (auto it = items.upper_bound(after); it != items.end() && n < limit; ++it)
            n += it->second.folder_id == folder;
        return n;
    }
    Result<ChangeBatch> changes_since(int64_t, int64_t folder, int64_t since,
                                      size_t limit) override {
        ChangeBatch b;
        b.head = b.complete_to = modseq_;
        for (auto& [id, c] : items)
            if (c.modseq > since) b.changes.push_back({id, c.modseq, c.folder_id == folder});
        for (auto& [id, g] : gone)
            if (g.second > since) b.changes.push_back({id, g.second, false});
        std::sort(b.changes.begin(), b.changes.end(),
                  [](auto& x, auto& y) { return x.version < y.version; });
        if (b.changes.size() > limit) {
            b.changes.resize(limit);
            b.complete_to = b.changes.back().version;
        }
        return b;
    }
    Result<mailbox::Contact> get(int64_t, int64_t id) override {
        auto it = items.find(id);
        if (it == items.end()) return fail(Errc::not_found, "no such contact");
        return it->second;
    }
    Result<std::vector<mailbox::Contact>> get_many(int64_t,
                                                   const std::vector<int64_t>& ids) override {
        std::vector<mailbox::Contact> out;
        for (int64_t id : std::set<int64_t>(ids.begin(), ids.end()))
            if (auto it = items.find(id); it != items.end()) out.push_back(it->second);
        return out;
    }
    Result<mailbox::Contact> add(int64_t, int64_t folder,
                                 const mailbox::ContactFields& f) override {
        if (items.size() >= kMaxContacts) bury(items.begin()->first);
        auto valid = mailbox::validate_fields(f);
        if (!valid) return tl::unexpected(valid.error());
        mailbox::Contact c;
        c.id = next_id++;
        c.folder_id = folder;
        c.fields = *valid;
        c.modseq = ++modseq_;
        return items[c.id] = c;
    }
    Result<mailbox::Contact> update(int64_t, int64_t id, const mailbox::ContactFields& f) override {
        auto it = items.find(id);
        if (it == items.end()) return fail(Errc::not_found, "no such contact");
        auto valid = mailbox::validate_fields(f);
        if (!valid) return tl::unexpected(valid.error());
        it->second.fields = *valid;
        it->second.modseq = ++modseq_;
        return it->second;
    }
    Result<void> remove(int64_t, int64_t id) override {
        if (!items.count(id)) return fail(Errc::not_found, "no such contact");
        bury(id);
        return {};
    }
};

struct World {
    std::string dir;
    std::unique_ptr<store::Database> db;
    std::unique_ptr<directory::Directory> directory;
    std::unique_ptr<auth::Credentials> credentials;
    std::unique_ptr<auth::Authenticator> authenticator;
    std::unique_ptr<mailbox::Mailbox> mailbox;
    std::unique_ptr<Service> service;
    directory::Account account;

    World() {
        dir =
            (std::filesystem::temp_directory_path() / ("sb-fuzz-eas-" + std::to_string(::getpid())))
                .string();
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        db = store::open({"sqlite", dir + "/fuzz.db", ""}).value();
        if (!store::migrate(*db, migrations())) std::abort();
        directory = std::make_unique<directory::Directory>(*db);
        if (!directory->ensure_defaults() || !directory->create_domain("fuzz.example"))
            std::abort();
        directory::NewAccount na;
        na.address = "fuzz@fuzz.example";
        account = directory->create_account(na).value();
        credentials = std::make_unique<auth::Credentials>(*directory);
        authenticator = std::make_unique<auth::Authenticator>(*directory, *credentials);
        mailbox = std::make_unique<mailbox::Mailbox>(*db);
        Options o;
        o.min_heartbeat = 1;
        service = std::make_unique<Service>(*db, *directory, *authenticator, *mailbox, o,
                                            std::make_unique<SmallContacts>());
        if (!service->devices().touch(account.id, "FuzzDev", "iPhone", "Apple-iPhone", "14.1",
                                      "Sync"))
            std::abort();
    }
    ~World() {
        service.reset();
        mailbox.reset();
        db.reset();
        std::filesystem::remove_all(dir);
    }
};

World& world() {
    static World w;
    return w;
}

std::string key_of(World& w, std::string_view collection, bool previous) {
    auto st = w.service->devices().state(w.account.id, "FuzzDev", collection);
    if (!st || !*st) return "0";
    return SyncKey{(*st)->generation, previous ? (*st)->prev_key : (*st)->key}.text();
}

void replace_all(std::string& s, std::string_view what, const std::string& with) {
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size()))
        s.replace(at, what.size(), with);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto& w = world();
    std::string body(reinterpret_cast<const char*>(data), size);
    if (body.find('@') != std::string::npos) {
        replace_all(body, "@H@", key_of(w, "", false));
        replace_all(body, "@K@", key_of(w, "7", false));
        replace_all(body, "@P@", key_of(w, "7", true));
    }
    Options limits;  // the server's request-body limits
    auto doc = wbxml::decode(body, limits.wbxml);
    if (!doc || !doc->root()) return 0;
    const CommandSpec* spec = nullptr;
    for (auto& s : command_table())
        if (doc->root().is(s.root)) spec = &s;
    if (!spec) return 0;
    auto device = w.service->devices().find(w.account.id, "FuzzDev");
    if (!device || !*device) std::abort();
    Query query;
    query.device_id = "FuzzDev";
    query.device_type = "iPhone";
    query.command = spec->command;
    Version version = kSupportedVersions[size % std::size(kSupportedVersions)];
    Context c{*w.service, w.account, **device, query, version, *doc};
    auto reply = spec->run(c);
    if (!reply) {
        // Only malformed requests (HTTP 400) may fail; a store or internal error is a bug here.
        auto code = reply.error().code;
        if (code != Errc::invalid_argument && code != Errc::parse_error &&
            code != Errc::limit_exceeded)
            __builtin_trap();
        return 0;
    }
    if (reply->wait) {
        (void)reply->wait->changed();
        auto r = reply->wait->answer(Wake::heartbeat);
        (void)r;
    }
    if (!reply->body.empty() && !wbxml::decode(reply->body))
        __builtin_trap();  // replies must decode
    return 0;
}
