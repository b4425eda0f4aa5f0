#pragma once
// The address book service: every domain's GAL, the contact folders of the users who connect and
// of the owners of published books, all in memory and indexed; and the per-user View built from
// them. A background updater follows the store's change feed ("directory", "mailbox", "ldap"
// channels) and publishes new book snapshots, so a committed change is visible to the next
// search within a fraction of a second, without a restart.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "ldap/addressbook/loader.hpp"
#include "ldap/addressbook/publications.hpp"
#include "ldap/addressbook/view.hpp"

namespace sb::addressbook {

struct AddressBookOptions {
    std::string naming_context = "o=switchboard";
    std::string gal_label = "InternalGAL";  // GAL containers are "<gal_label>/<domain>"
    std::string label_attribute = "physicalDeliveryOfficeName";
    std::chrono::milliseconds debounce{20};  // changes arriving together are applied together
    std::chrono::minutes mailbox_idle{30};   // a connecting user's folders stay loaded this long
    size_t full_reload_threshold = 2000;     // more changed accounts than this: reload all
};

struct AddressBookStats {
    size_t domains = 0;
    size_t gal_entries = 0;
    size_t mailboxes = 0;
    size_t publications = 0;
    uint64_t generation = 0;
    size_t memory_bytes = 0;
};

class AddressBook {
  public:
    AddressBook(store::Database& db, directory::Directory& directory, mailbox::Mailbox& mailbox,
                AddressBookOptions options = {});
    ~AddressBook();
    AddressBook(const AddressBook&) = delete;
    AddressBook& operator=(const AddressBook&) = delete;

    // Checks the options, loads the GALs and published books, and starts following changes.
    Result<void> start();
    void stop();

    // What account `account_id` sees (its own folders are loaded on first use). An account the
    // snapshot does not hold yet (just created, bulk changes still being applied) is read from
    // the store by the updater, waiting for it at most 30 s: not_found only when the store has
    // no such account, unavailable when the wait ran out.
    Result<ViewPtr> view(int64_t account_id);
    // A counter that moves whenever any view may have changed.
    uint64_t generation() const;
    const NamingContext& context() const { return *context_; }
    const AddressBookOptions& options() const { return options_; }
    Publications& publications() { return publications_; }

    // Waits until every change committed before the call is applied; false on timeout.
    bool sync(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    AddressBookStats stats() const;

  private:
    struct AccountMeta {
        std::string uuid;
        int64_t domain_id = 0;
        std::string address;
        std::string display_name;
        bool in_gal = false;
        directory::AccountStatus status = directory::AccountStatus::active;
        directory::AttrMap inherit;  // zimbraHideInGal / zimbraCOSId of the account itself
    };
    struct Gal {
        std::string domain;
        BookPtr book;
    };
    struct LoadedMailbox {
        std::vector<mailbox::Folder> folders;
        std::map<int64_t, BookPtr> books;
        int64_t last_used_ms = 0;
        bool pinned = false;  // owner of a published book
    };
    struct Pending {
        std::set<int64_t> accounts;
        bool settings = false;
        std::set<int64_t> mailboxes;
        bool publications = false;
        std::set<int64_t> loads;
        bool empty() const {
            return accounts.empty() && !settings && mailboxes.empty() && !publications &&
                   loads.empty();
        }
    };

    void on_changes(const std::vector<store::Change>& changes);
    void run_updater();
    Result<void> apply(Pending p);
    Result<void> reload_all_accounts();
    Result<void> reload_accounts(const std::set<int64_t>& ids);
    Result<void> reload_settings(std::set<int64_t>& membership_changed);
    Result<void> reload_mailbox(int64_t account_id, bool pin);
    // Puts the contacts of the domain's GAL account (settings_.gal_accounts) into its GAL book.
    Result<void> refresh_gal_contacts(int64_t domain_id);
    Result<std::vector<EntryPtr>> load_gal_contacts(int64_t domain_id);
    // The domain's GAL book after the entries with keys `changed` (sorted and deduplicated here)
    // took their values from gal_entries_: an update of `current`, or a new book without one.
    BookPtr next_gal_book(int64_t domain_id, const BookPtr& current, std::vector<int64_t>& changed);
    Result<void> reload_publications();
    void evict_idle();
    uint64_t request(Pending p);
    bool wait_processed(uint64_t seq, std::chrono::milliseconds timeout);
    ViewPtr build_view(int64_t account_id, const AccountMeta& me);

    store::Database& db_;
    directory::Directory& directory_;
    mailbox::Mailbox& mailbox_;
    AddressBookOptions options_;
    Publications publications_;
    std::shared_ptr<const NamingContext> context_;

    // Updater-only state.
    DirectorySettings settings_;
    // domain → key → entry: accounts by id, GAL contacts by negated contact id.
    std::map<int64_t, std::map<int64_t, EntryPtr>> gal_entries_;
    std::map<int64_t, std::vector<int64_t>> gal_contact_keys_;  // domain → keys of GAL contacts

    // Shared state (mutex_).
    mutable std::mutex mutex_;
    std::unordered_map<int64_t, AccountMeta> accounts_;
    std::map<int64_t, Gal> gals_;
    std::unordered_map<int64_t, LoadedMailbox> mailboxes_;
    std::vector<Publication> publication_list_;
    uint64_t generation_ = 1;
    std::unordered_map<int64_t, std::pair<uint64_t, ViewPtr>> views_;

    // Change queue (queue_mutex_).
    std::mutex queue_mutex_;
    std::condition_variable queue_cv_, processed_cv_;
    Pending pending_;
    uint64_t enqueued_ = 0, processed_ = 0;
    bool stopping_ = false;
    bool started_ = false;
    std::thread updater_;
    store::Subscription subscription_;
};

}  // namespace sb::addressbook
