#include "ldap/addressbook/address_book.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/strings.hpp"
#include "directory/directory.hpp"
#include "ldap/addressbook/fold.hpp"
#include "mailbox/mailbox.hpp"

namespace sb::addressbook {

namespace {
constexpr size_t kLoadBatch = 500;  // ids per IN (...) query
using Clock = std::chrono::steady_clock;
}  // namespace

AddressBook::AddressBook(store::Database& db, directory::Directory& directory,
                         mailbox::Mailbox& mailbox, AddressBookOptions options)
    : db_(db),
      directory_(directory),
      mailbox_(mailbox),
      options_(std::move(options)),
      publications_(db, directory, mailbox) {}

AddressBook::~AddressBook() {
    stop();
}

Result<void> AddressBook::start() {
    const AttrInfo* label = find_attr(options_.label_attribute);
    if (!label || label->operational || label->indexed || label->id == Attr::object_class ||
        label->id == Attr::uid || label->id == Attr::ou)
        return fail(
            Errc::invalid_argument,
            fmt::format(
                "ldap.label_attribute '{}' must be a person attribute other than the names, mail, "
                "uid and ou (e.g. physicalDeliveryOfficeName, description, company)",
                options_.label_attribute));
    if (options_.gal_label.empty() || options_.gal_label.find('/') != std::string::npos)
        return fail(Errc::invalid_argument, "ldap.gal_label must be a non-empty name without '/'");
    auto ctx = NamingContext::make(options_.naming_context, label->id);
    if (!ctx)
        return fail(ctx.error().code, fmt::format("ldap.naming_context: {}", ctx.error().message));
    context_ = std::make_shared<const NamingContext>(std::move(*ctx));

    // Subscribe before loading: a change committed during the load is applied after it.
    subscription_ =
        db_.subscribe([this](const std::vector<store::Change>& changes) { on_changes(changes); });
    const auto t0 = Clock::now();
    SB_TRY(reload_all_accounts());
    SB_TRY(reload_publications());
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    auto st = stats();
    spdlog::info(
        "ldap: address book loaded in {} ms: {} domains, {} GAL entries, {} published books", ms,
        st.domains, st.gal_entries, st.publications);
    started_ = true;
    updater_ = std::thread([this] { run_updater(); });
    return {};
}

void AddressBook::stop() {
    subscription_.reset();
    {
        std::lock_guard lock(queue_mutex_);
        stopping_ = true;
    }
    queue_cv_.notify_all();
    processed_cv_.notify_all();
    if (updater_.joinable()) updater_.join();
}

uint64_t AddressBook::generation() const {
    std::lock_guard lock(mutex_);
    return generation_;
}

void AddressBook::on_changes(const std::vector<store::Change>& changes) {
    Pending p;
    for (const auto& c : changes) {
        if (c.channel == directory::kChannel) {
            if (c.subject == 0)
                p.settings = true;
            else
                p.accounts.insert(c.subject);
        } else if (c.channel == mailbox::kChannel) {
            p.mailboxes.insert(c.subject);
        } else if (c.channel == kChannel) {
            p.publications = true;
        }
    }
    if (!p.empty()) request(std::move(p));
}

uint64_t AddressBook::request(Pending p) {
    uint64_t seq;
    {
        std::lock_guard lock(queue_mutex_);
        pending_.accounts.merge(p.accounts);
        pending_.settings |= p.settings;
        pending_.mailboxes.merge(p.mailboxes);
        pending_.publications |= p.publications;
        pending_.loads.merge(p.loads);
        seq = ++enqueued_;
    }
    queue_cv_.notify_one();
    return seq;
}

bool AddressBook::wait_processed(uint64_t seq, std::chrono::milliseconds timeout) {
    std::unique_lock lock(queue_mutex_);
    return processed_cv_.wait_for(lock, timeout, [&] { return processed_ >= seq || stopping_; }) &&
           !stopping_;
}

bool AddressBook::sync(std::chrono::milliseconds timeout) {
    uint64_t seq;
    {
        std::lock_guard lock(queue_mutex_);
        seq = enqueued_;
    }
    return wait_processed(seq, timeout);
}

void AddressBook::run_updater() {
    auto last_eviction = Clock::now();
    for (;;) {
        Pending work;
        uint64_t seq = 0;
        {
            std::unique_lock lock(queue_mutex_);
            queue_cv_.wait_for(lock, std::chrono::seconds(60),
                               [&] { return stopping_ || !pending_.empty(); });
            if (stopping_) return;
            if (!pending_.empty() && pending_.loads.empty()) {
                // Let a burst of commits arrive, then apply them together; a view someone waits
                // for (a bind) ends the pause.
                queue_cv_.wait_for(lock, options_.debounce,
                                   [&] { return stopping_ || !pending_.loads.empty(); });
                if (stopping_) return;
            }
            work = std::move(pending_);
            pending_ = Pending{};
            seq = enqueued_;
        }
        if (!work.empty()) {
            const auto t0 = Clock::now();
            auto r = apply(std::move(work));
            if (!r)
                spdlog::error(
                    "ldap: address book update failed (will retry with the next change): {}",
                    r.error().message);
            const auto ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
            if (ms > 200) spdlog::info("ldap: address book update took {} ms", ms);
        }
        if (Clock::now() - last_eviction > std::chrono::minutes(1)) {
            evict_idle();
            last_eviction = Clock::now();
        }
        {
            std::lock_guard lock(queue_mutex_);
            processed_ = std::max(processed_, seq);
        }
        processed_cv_.notify_all();
    }
}

Result<void> AddressBook::apply(Pending p) {
    std::set<int64_t> gal_domains;  // domains whose GAL contacts must be read again
    const auto gal_accounts_before = settings_.gal_accounts;
    if (p.settings) {
        SB_TRY(reload_settings(p.accounts));
        for (const auto& [domain, account] : settings_.gal_accounts)
            if (auto it = gal_accounts_before.find(domain);
                it == gal_accounts_before.end() || it->second != account)
                gal_domains.insert(domain);
        for (const auto& [domain, account] : gal_accounts_before)
            if (!settings_.gal_accounts.count(domain)) gal_domains.insert(domain);
    }
    for (const auto& [domain, account] : settings_.gal_accounts)
        if (p.mailboxes.count(account) || p.accounts.count(account)) gal_domains.insert(domain);
    if (p.accounts.size() > options_.full_reload_threshold) {
        SB_TRY(reload_all_accounts());  // GAL contacts included
        gal_domains.clear();
    } else if (!p.accounts.empty()) {
        SB_TRY(reload_accounts(p.accounts));
    }
    for (int64_t domain : gal_domains)
        SB_TRY(refresh_gal_contacts(domain));
    if (p.publications) SB_TRY(reload_publications());
    for (int64_t id : p.mailboxes) {
        bool loaded;
        {
            std::lock_guard lock(mutex_);
            loaded = mailboxes_.count(id) > 0;
        }
        if (loaded) SB_TRY(reload_mailbox(id, false));
    }
    for (int64_t id : p.loads) {
        bool loaded;
        {
            std::lock_guard lock(mutex_);
            loaded = mailboxes_.count(id) > 0;
        }
        if (!loaded) {
            auto r = reload_mailbox(id, false);
            if (!r && r.error().code != Errc::not_found) return r;
        }
    }
    std::lock_guard lock(mutex_);
    ++generation_;
    return {};
}

Result<void> AddressBook::reload_settings(std::set<int64_t>& membership_changed) {
    SB_TRY_ASSIGN(auto s, load_settings(directory_));
    settings_ = std::move(s);
    std::lock_guard lock(mutex_);
    // New domains get an (empty) GAL; removed ones lose theirs.
    for (const auto& [id, name] : settings_.domain_names)
        if (!gals_.count(id))
            gals_[id] = Gal{name, Book::build(BookId{BookId::Kind::gal, id, 0}, {})};
    for (auto it = gals_.begin(); it != gals_.end();)
        if (!settings_.domain_names.count(it->first)) {
            gal_entries_.erase(it->first);
            gal_contact_keys_.erase(it->first);
            it = gals_.erase(it);
        } else {
            ++it;
        }
    // Inherited zimbraHideInGal may have changed for anyone: recheck membership.
    for (const auto& [id, m] : accounts_) {
        AccountRecord r;
        r.id = id;
        r.domain_id = m.domain_id;
        r.status = m.status;
        r.attrs = m.inherit;
        const bool in = m.status == directory::AccountStatus::active && !settings_.hidden_in_gal(r);
        if (in != m.in_gal) membership_changed.insert(id);
    }
    return {};
}

Result<void> AddressBook::reload_all_accounts() {
    SB_TRY_ASSIGN(auto s, load_settings(directory_));
    settings_ = std::move(s);
    SB_TRY_ASSIGN(auto all, load_accounts(directory_));
    std::unordered_map<int64_t, AccountMeta> metas;
    std::map<int64_t, std::map<int64_t, EntryPtr>> entries;
    for (const auto& [id, name] : settings_.domain_names)
        entries[id];
    for (const auto& a : all) {
        AccountMeta m;
        m.uuid = a.uuid;
        m.domain_id = a.domain_id;
        m.address = a.address;
        m.display_name = display_name_of(a);
        m.status = a.status;
        for (auto name : {"zimbraHideInGal", "zimbraCOSId"})
            if (auto it = a.attrs.find(name); it != a.attrs.end()) m.inherit[name] = it->second;
        m.in_gal = a.status == directory::AccountStatus::active && !settings_.hidden_in_gal(a);
        if (m.in_gal) entries[a.domain_id][a.id] = entry_from_account(a);
        metas[a.id] = std::move(m);
    }
    std::map<int64_t, std::vector<int64_t>> contact_keys;
    for (const auto& [domain, account] : settings_.gal_accounts) {
        if (!entries.count(domain)) continue;
        SB_TRY_ASSIGN(auto contacts, load_gal_contacts(domain));
        for (auto& e : contacts) {
            contact_keys[domain].push_back(e->key());
            entries[domain][e->key()] = std::move(e);
        }
    }
    std::map<int64_t, Gal> gals;
    for (auto& [domain_id, es] : entries) {
        std::vector<EntryPtr> list;
        list.reserve(es.size());
        for (const auto& [k, e] : es)
            list.push_back(e);
        auto name = settings_.domain_names.find(domain_id);
        gals[domain_id] =
            Gal{name == settings_.domain_names.end() ? std::string() : name->second,
                Book::build(BookId{BookId::Kind::gal, domain_id, 0}, std::move(list))};
    }
    gal_entries_ = std::move(entries);
    gal_contact_keys_ = std::move(contact_keys);
    std::lock_guard lock(mutex_);
    accounts_ = std::move(metas);
    gals_ = std::move(gals);
    ++generation_;
    return {};
}

Result<std::vector<EntryPtr>> AddressBook::load_gal_contacts(int64_t domain_id) {
    std::vector<EntryPtr> fresh;
    if (auto g = settings_.gal_accounts.find(domain_id); g != settings_.gal_accounts.end()) {
        // Contacts of the account's contact folders (not those in Trash); an account without a
        // mailbox yet, or deleted since, has none.
        auto folders = mailbox_.folders(g->second);
        if (!folders && folders.error().code != Errc::not_found)
            return tl::unexpected(folders.error());
        std::set<int64_t> contact_folders;
        if (folders)
            for (const auto& f : *folders)
                if (f.view == mailbox::View::contact) contact_folders.insert(f.id);
        if (!contact_folders.empty()) {
            SB_TRY_ASSIGN(auto contacts, mailbox_.contacts(g->second));
            for (const auto& c : contacts)
                if (contact_folders.count(c.folder_id))
                    fresh.push_back(entry_from_contact(c, -c.id));
        }
    }
    return fresh;
}

BookPtr AddressBook::next_gal_book(int64_t domain_id, const BookPtr& current,
                                   std::vector<int64_t>& changed) {
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    const auto& entries = gal_entries_[domain_id];
    if (current) return current->with_changes(entries, changed);
    std::vector<EntryPtr> all;
    for (const auto& [k, e] : entries)
        all.push_back(e);
    return Book::build(BookId{BookId::Kind::gal, domain_id, 0}, std::move(all));
}

Result<void> AddressBook::refresh_gal_contacts(int64_t domain_id) {
    if (!settings_.domain_names.count(domain_id)) return {};
    SB_TRY_ASSIGN(auto fresh, load_gal_contacts(domain_id));
    auto& entries = gal_entries_[domain_id];
    auto& keys = gal_contact_keys_[domain_id];
    std::vector<int64_t> changed = keys;
    for (int64_t k : keys)
        entries.erase(k);
    keys.clear();
    for (auto& e : fresh) {
        keys.push_back(e->key());
        changed.push_back(e->key());
        entries[e->key()] = std::move(e);
    }
    if (changed.empty()) return {};
    BookPtr book;
    {
        std::lock_guard lock(mutex_);
        if (auto it = gals_.find(domain_id); it != gals_.end()) book = it->second.book;
    }
    book = next_gal_book(domain_id, book, changed);
    std::lock_guard lock(mutex_);
    gals_[domain_id] = Gal{settings_.domain_names.at(domain_id), book};
    ++generation_;
    return {};
}

Result<void> AddressBook::reload_accounts(const std::set<int64_t>& ids) {
    std::vector<int64_t> list(ids.begin(), ids.end());
    std::vector<AccountRecord> records;
    for (size_t i = 0; i < list.size(); i += kLoadBatch) {
        const size_t n = std::min(kLoadBatch, list.size() - i);
        SB_TRY_ASSIGN(auto part,
                      load_accounts(directory_, std::span<const int64_t>(list.data() + i, n)));
        for (auto& r : part)
            records.push_back(std::move(r));
    }
    std::map<int64_t, AccountRecord*> found;
    for (auto& r : records)
        found[r.id] = &r;
    std::map<int64_t, std::vector<int64_t>> changed;  // domain → keys
    std::unordered_map<int64_t, std::optional<AccountMeta>> metas;
    for (int64_t id : list) {
        std::optional<int64_t> old_domain;
        {
            std::lock_guard lock(mutex_);
            if (auto it = accounts_.find(id); it != accounts_.end())
                old_domain = it->second.domain_id;
        }
        auto it = found.find(id);
        if (old_domain) {
            gal_entries_[*old_domain].erase(id);
            changed[*old_domain].push_back(id);
        }
        if (it == found.end()) {  // deleted
            metas[id] = std::nullopt;
            continue;
        }
        const AccountRecord& a = *it->second;
        AccountMeta m;
        m.uuid = a.uuid;
        m.domain_id = a.domain_id;
        m.address = a.address;
        m.display_name = display_name_of(a);
        m.status = a.status;
        for (auto name : {"zimbraHideInGal", "zimbraCOSId"})
            if (auto at = a.attrs.find(name); at != a.attrs.end()) m.inherit[name] = at->second;
        m.in_gal = a.status == directory::AccountStatus::active && !settings_.hidden_in_gal(a);
        if (m.in_gal) gal_entries_[a.domain_id][a.id] = entry_from_account(a);
        changed[a.domain_id].push_back(id);
        metas[id] = std::move(m);
    }
    std::map<int64_t, BookPtr> books;
    {
        std::lock_guard lock(mutex_);
        for (auto& [domain_id, keys] : changed) {
            auto g = gals_.find(domain_id);
            if (g != gals_.end()) books[domain_id] = g->second.book;
        }
    }
    for (auto& [domain_id, keys] : changed)
        books[domain_id] = next_gal_book(domain_id, books[domain_id], keys);
    std::lock_guard lock(mutex_);
    for (auto& [id, m] : metas) {
        if (m)
            accounts_[id] = std::move(*m);
        else {
            accounts_.erase(id);
            mailboxes_.erase(id);
            views_.erase(id);
        }
    }
    for (auto& [domain_id, book] : books) {
        auto name = settings_.domain_names.find(domain_id);
        gals_[domain_id] =
            Gal{name == settings_.domain_names.end() ? std::string() : name->second, book};
    }
    return {};
}

Result<void> AddressBook::reload_mailbox(int64_t account_id, bool pin) {
    SB_TRY_ASSIGN(auto content, load_mailbox(mailbox_, account_id));
    LoadedMailbox lm;
    lm.folders = std::move(content.folders);
    for (auto& [folder, entries] : content.entries)
        lm.books[folder] =
            Book::build(BookId{BookId::Kind::folder, account_id, folder}, std::move(entries));
    lm.last_used_ms = now_ms();
    std::lock_guard lock(mutex_);
    if (auto old = mailboxes_.find(account_id); old != mailboxes_.end()) {
        lm.pinned = old->second.pinned;
        lm.last_used_ms = std::max(lm.last_used_ms, old->second.last_used_ms);
    }
    lm.pinned |= pin;
    mailboxes_[account_id] = std::move(lm);
    return {};
}

Result<void> AddressBook::reload_publications() {
    SB_TRY_ASSIGN(auto list, publications_.list());
    std::set<int64_t> owners;
    for (const auto& p : list)
        if (!p.owner.empty()) owners.insert(p.owner_id);
    for (int64_t owner : owners) {
        bool loaded;
        {
            std::lock_guard lock(mutex_);
            loaded = mailboxes_.count(owner) > 0;
        }
        if (!loaded) {
            auto r = reload_mailbox(owner, true);
            if (!r && r.error().code != Errc::not_found) return r;
        }
    }
    std::lock_guard lock(mutex_);
    for (auto& [id, lm] : mailboxes_)
        lm.pinned = owners.count(id) > 0;
    publication_list_ = std::move(list);
    ++generation_;
    return {};
}

void AddressBook::evict_idle() {
    const int64_t cutoff =
        now_ms() -
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.mailbox_idle).count();
    std::lock_guard lock(mutex_);
    for (auto it = mailboxes_.begin(); it != mailboxes_.end();) {
        if (!it->second.pinned && it->second.last_used_ms < cutoff) {
            views_.erase(it->first);
            it = mailboxes_.erase(it);
        } else {
            ++it;
        }
    }
}

Result<ViewPtr> AddressBook::view(int64_t account_id) {
    bool read_from_store = false;
    for (int attempt = 0; attempt < 3; ++attempt) {
        Pending p;
        {
            std::lock_guard lock(mutex_);
            auto me = accounts_.find(account_id);
            if (me == accounts_.end()) {
                // The snapshot may be behind the directory (a bulk import being applied, a
                // change from another node not yet notified): only the store says "no such
                // account".
                if (read_from_store)
                    return fail(Errc::not_found, fmt::format("no account with id {}", account_id));
                read_from_store = true;
                p.accounts.insert(account_id);
                p.settings = true;  // its domain may be as new as the account
            } else if (me->second.status != directory::AccountStatus::active) {
                // A connection bound before the account was locked or closed (by an admin, or by
                // the directory sync when its user left) reads nothing more. The snapshot may be
                // behind an unlock: the store decides.
                if (read_from_store)
                    return fail(Errc::permission_denied,
                                fmt::format("{} is {}", me->second.address,
                                            directory::status_name(me->second.status)));
                read_from_store = true;
                p.accounts.insert(account_id);
            } else if (auto mb = mailboxes_.find(account_id); mb != mailboxes_.end()) {
                mb->second.last_used_ms = now_ms();
                auto cached = views_.find(account_id);
                if (cached != views_.end() && cached->second.first == generation_)
                    return cached->second.second;
                ViewPtr v = build_view(account_id, me->second);
                views_[account_id] = {generation_, v};
                return v;
            }
        }
        // The updater reads accounts and loads mailboxes, in order with the changes it applies
        // (everything committed before this request included).
        p.loads.insert(account_id);
        if (!wait_processed(request(std::move(p)), std::chrono::seconds(30)))
            return fail(Errc::unavailable, "the address book did not load in time");
    }
    return fail(Errc::unavailable,
                fmt::format("the contact folders of account {} could not be loaded", account_id));
}

ViewPtr AddressBook::build_view(int64_t account_id, const AccountMeta& me) {
    std::vector<ViewBook> books;
    std::set<std::string> labels;
    auto add = [&](BookPtr book, std::string label, std::string_view owner_address) {
        if (!book) return;
        std::string key = fold(label);
        if (labels.count(key)) {  // two published books with the same owner name and folder
            label = fmt::format("{} ({})", label, owner_address);
            key = fold(label);
            if (labels.count(key)) return;
        }
        labels.insert(key);
        ViewBook vb;
        vb.book = std::move(book);
        vb.container_dn = fmt::format("ou={},{}", escape_dn_value(label), context_->dn);
        vb.label_key = std::move(key);
        vb.container = View::make_container(label);
        vb.label = std::move(label);
        books.push_back(std::move(vb));
    };
    const LoadedMailbox& own = mailboxes_.at(account_id);
    for (const auto& f : own.folders)
        if (auto b = own.books.find(f.id); b != own.books.end()) add(b->second, f.path, me.address);
    std::string domain;
    if (auto g = gals_.find(me.domain_id); g != gals_.end()) {
        domain = g->second.domain;
        add(g->second.book, fmt::format("{}/{}", options_.gal_label, domain), me.address);
    }
    std::set<std::pair<int64_t, int64_t>> seen;
    for (const auto& p : publication_list_) {
        if (p.scope == PublishScope::domain && p.domain_id != me.domain_id) continue;
        if (p.owner_id == account_id || p.owner.empty()) continue;
        auto owner = accounts_.find(p.owner_id);
        auto mb = mailboxes_.find(p.owner_id);
        if (owner == accounts_.end() || owner->second.uuid != p.owner_uuid ||
            mb == mailboxes_.end())
            continue;
        for (const auto& f : mb->second.folders) {
            if (p.folder_id != 0 && f.id != p.folder_id) continue;
            if (!seen.insert({p.owner_id, f.id}).second) continue;
            auto b = mb->second.books.find(f.id);
            if (b == mb->second.books.end()) continue;
            add(b->second,
                fmt::format("{}/{}", owner->second.display_name,
                            std::string_view(f.path).substr(1)),
                owner->second.address);
        }
    }
    return std::make_shared<const View>(
        context_, account_id, me.address,
        gal_entry_dn(*context_, options_.gal_label, domain, me.address), std::move(books));
}

AddressBookStats AddressBook::stats() const {
    std::lock_guard lock(mutex_);
    AddressBookStats s;
    s.domains = gals_.size();
    for (const auto& [id, g] : gals_) {
        s.gal_entries += g.book ? g.book->size() : 0;
        s.memory_bytes += g.book ? g.book->memory_size() : 0;
    }
    s.mailboxes = mailboxes_.size();
    for (const auto& [id, m] : mailboxes_)
        for (const auto& [f, b] : m.books)
            s.memory_bytes += b->memory_size();
    s.publications = publication_list_.size();
    s.generation = generation_;
    return s;
}

}  // namespace sb::addressbook
