#pragma once
// Test fixture: a View built by hand (no store): the naming context o=switchboard, a user's
// "/Contacts" folder, the GAL of example.com and a book published by Ada Lovelace.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ldap/addressbook/fold.hpp"
#include "ldap/addressbook/person.hpp"
#include "ldap/addressbook/view.hpp"
#include "ldap/protocol/filter.hpp"

namespace sb::test {

using namespace sb::addressbook;

inline EntryPtr person(int64_t key, const std::string& given, const std::string& sn,
                       const std::string& mail, const std::string& extra_title = "") {
    AccountRecord a;
    a.id = key;
    a.uuid = "uuid-" + std::to_string(key);
    a.address = mail;
    a.attrs["givenName"] = {given};
    a.attrs["sn"] = {sn};
    if (!extra_title.empty()) a.attrs["title"] = {extra_title};
    a.attrs["telephoneNumber"] = {"+39 02 " + std::to_string(1000000 + key)};
    return entry_from_account(a);
}

inline EntryPtr contact(int64_t id, const std::string& first, const std::string& last,
                        const std::string& email) {
    mailbox::Contact c;
    c.id = id;
    c.fields = {{"firstName", first}, {"lastName", last}, {"email", email}};
    return entry_from_contact(c);
}

inline ViewBook view_book(const NamingContext& ctx, BookPtr book, const std::string& label) {
    ViewBook vb;
    vb.book = std::move(book);
    vb.label = label;
    vb.container_dn = "ou=" + escape_dn_value(label) + "," + ctx.dn;
    vb.label_key = fold(label);
    vb.container = View::make_container(label);
    return vb;
}

struct Fixture {
    std::shared_ptr<const NamingContext> ctx;
    ViewPtr view;

    explicit Fixture(size_t gal_size = 5) {
        ctx = std::make_shared<const NamingContext>(
            *NamingContext::make("o=switchboard", Attr::office));
        std::vector<EntryPtr> own = {contact(257, "Grace", "Hopper", "grace@navy.mil"),
                                     contact(258, "Alan", "Turing", "alan@bletchley.uk"),
                                     contact(259, "Edsger", "Dijkstra", "ewd@utexas.edu")};
        std::vector<EntryPtr> gal = {person(1, "Ada", "Lovelace", "ada@example.com", "Countess"),
                                     person(2, "Charles", "Babbage", "charles@example.com"),
                                     person(3, "Mary", "Somerville", "mary@example.com"),
                                     person(4, "John", "Smith", "john.smith@example.com"),
                                     person(5, "Johanna", "Smithers", "jo@example.com")};
        for (size_t i = gal.size(); i < gal_size; ++i)
            gal.push_back(person(static_cast<int64_t>(i + 1), "Person" + std::to_string(i),
                                 "Number" + std::to_string(i),
                                 "p" + std::to_string(i) + "@example.com"));
        std::vector<EntryPtr> published = {contact(300, "Hedy", "Lamarr", "hedy@partners.com")};
        std::vector<ViewBook> books;
        books.push_back(
            view_book(*ctx, Book::build({BookId::Kind::folder, 10, 7}, own), "/Contacts"));
        books.push_back(view_book(*ctx, Book::build({BookId::Kind::gal, 1, 0}, gal),
                                  "InternalGAL/example.com"));
        books.push_back(view_book(*ctx, Book::build({BookId::Kind::folder, 1, 257}, published),
                                  "Ada Lovelace/Partners"));
        view = std::make_shared<const View>(
            ctx, 10, "me@example.com",
            "uid=me@example.com,ou=InternalGAL/example.com,o=switchboard", std::move(books));
    }
};

inline ldapproto::Filter filter(std::string_view text) {
    auto f = ldapproto::parse_filter(text);
    if (!f)
        throw std::runtime_error("bad test filter " + std::string(text) + ": " + f.error().message);
    return std::move(*f);
}

}  // namespace sb::test
