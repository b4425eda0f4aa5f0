#pragma once
// What one user may see: the naming context entry, one container per book (their own contact
// folders, their domain's GAL, the books published to them) and the entries of those books.
// A View is immutable and built per user by the AddressBook; every DN a client sends resolves
// against it, so nothing outside it can be named, whatever the base, scope or filter.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ldap/addressbook/book.hpp"
#include "ldap/addressbook/dn.hpp"
#include "ldap/addressbook/entry.hpp"

namespace sb::addressbook {

struct ViewBook {
    BookPtr book;
    std::string label;         // "/Contacts", "InternalGAL/example.com", "Ada Lovelace/Partners"
    std::string container_dn;  // "ou=/Contacts,o=switchboard"
    std::string label_key;     // folded label
    EntryPtr container;        // the ou entry
};

// The fixed part of every view: the naming context and the attribute carrying the label.
struct NamingContext {
    std::string dn;         // "o=switchboard"
    std::vector<Rdn> rdns;  // parsed
    EntryPtr entry;         // the naming context entry itself
    Attr label_attr = Attr::office;

    // Error when `dn` is not a valid DN of single-valued RDNs (o, ou, dc, c, l).
    static Result<NamingContext> make(std::string_view dn, Attr label_attr);
};

class View;
using ViewPtr = std::shared_ptr<const View>;

class View {
  public:
    View(std::shared_ptr<const NamingContext> context, int64_t account_id, std::string address,
         std::string own_dn, std::vector<ViewBook> books);

    int64_t account_id() const { return account_id_; }
    const std::string& address() const { return address_; }
    // DN of the user's own GAL entry (WhoAmI, bind by DN).
    const std::string& own_dn() const { return own_dn_; }
    const NamingContext& context() const { return *context_; }
    const std::vector<ViewBook>& books() const { return books_; }
    // Book position of a book id, or -1.
    long find_book(const BookId& id) const;

    struct Target {
        enum class Kind { root_dse, root, container, entry, none } kind = Kind::none;
        size_t book = 0;               // container / entry
        const Entry* entry = nullptr;  // entry
        std::string matched_dn;        // none: the deepest existing ancestor
    };
    // Resolves a DN in this view; `error` is set for a DN that does not parse.
    Target resolve(std::string_view dn, Error* error = nullptr) const;
    // The DN of an entry of book `b`.
    std::string entry_dn(size_t b, const Entry& e) const;

    // The container entry for a label (also used by the AddressBook to build views).
    static EntryPtr make_container(std::string_view label);

  private:
    std::shared_ptr<const NamingContext> context_;
    int64_t account_id_;
    std::string address_;
    std::string own_dn_;
    std::vector<ViewBook> books_;
};

// "<label>/<domain>" DN of a user's own GAL entry, given the context and GAL label.
std::string gal_entry_dn(const NamingContext& ctx, std::string_view gal_label,
                         std::string_view domain, std::string_view address);
// The login named by a bind DN: "uid=ADDRESS,ou=<gal label>/DOMAIN,<context>" → ADDRESS;
// nullopt when the DN is not a GAL entry DN of this server.
std::optional<std::string> login_from_dn(const NamingContext& ctx, std::string_view gal_label,
                                         std::string_view dn);

}  // namespace sb::addressbook
