#include "ldap/addressbook/view.hpp"

#include <fmt/format.h>

#include "core/strings.hpp"
#include "ldap/addressbook/fold.hpp"

namespace sb::addressbook {
namespace {

std::string canonical_type(std::string_view type) {
    if (const AttrInfo* info = find_attr(type)) return to_lower(info->name);
    return to_lower(type);
}

bool rdn_equal(const Rdn& a, const Rdn& b) {
    if (a.size() != 1 || b.size() != 1) return false;
    return canonical_type(a[0].type) == canonical_type(b[0].type) &&
           fold(a[0].value) == fold(b[0].value);
}

bool single(const Rdn& r, Attr a) {
    if (r.size() != 1) return false;
    const AttrInfo* info = find_attr(r[0].type);
    return info && info->id == a;
}

// True when the last rdns of `dn` are the naming context.
bool under_context(const std::vector<Rdn>& dn, const NamingContext& ctx) {
    const size_t n = dn.size(), m = ctx.rdns.size();
    if (n < m) return false;
    for (size_t i = 0; i < m; ++i)
        if (!rdn_equal(dn[n - m + i], ctx.rdns[i])) return false;
    return true;
}

}  // namespace

Result<NamingContext> NamingContext::make(std::string_view dn, Attr label_attr) {
    auto rdns = parse_dn(dn);
    if (!rdns) return tl::unexpected(rdns.error());
    if (rdns->empty()) return fail(Errc::invalid_argument, "the naming context must not be empty");
    struct Kind {
        Attr attr;
        std::string_view object_class;
    };
    std::optional<Kind> top;
    for (const auto& r : *rdns) {
        const AttrInfo* info = r.size() == 1 ? find_attr(r[0].type) : nullptr;
        std::optional<Kind> k;
        if (info && info->id == Attr::o)
            k = Kind{Attr::o, "organization"};
        else if (info && info->id == Attr::ou)
            k = Kind{Attr::ou, "organizationalUnit"};
        else if (info && info->id == Attr::dc)
            k = Kind{Attr::dc, "domain"};
        else if (info && info->id == Attr::c)
            k = Kind{Attr::c, "country"};
        else if (info && info->id == Attr::l)
            k = Kind{Attr::l, "locality"};
        if (!k)
            return fail(
                Errc::invalid_argument,
                fmt::format(
                    "naming context '{}': every RDN must be one o=, ou=, dc=, c= or l= value", dn));
        if (!top) top = k;
    }
    NamingContext ctx;
    ctx.dn = dn_string(*rdns);
    ctx.rdns = std::move(*rdns);
    ctx.label_attr = label_attr;
    EntryBuilder b;
    b.key(0).rdn(top->attr, ctx.rdns.front()[0].value);
    b.add(Attr::object_class, "top").add(Attr::object_class, top->object_class);
    b.add(Attr::has_subordinates, "TRUE").add(Attr::structural_object_class, top->object_class);
    ctx.entry = b.build();
    return ctx;
}

View::View(std::shared_ptr<const NamingContext> context, int64_t account_id, std::string address,
           std::string own_dn, std::vector<ViewBook> books)
    : context_(std::move(context)),
      account_id_(account_id),
      address_(std::move(address)),
      own_dn_(std::move(own_dn)),
      books_(std::move(books)) {}

long View::find_book(const BookId& id) const {
    for (size_t i = 0; i < books_.size(); ++i)
        if (books_[i].book->id() == id) return static_cast<long>(i);
    return -1;
}

EntryPtr View::make_container(std::string_view label) {
    EntryBuilder b;
    b.key(0).rdn(Attr::ou, label);
    b.add(Attr::object_class, "top").add(Attr::object_class, "organizationalUnit");
    b.add(Attr::has_subordinates, "TRUE").add(Attr::structural_object_class, "organizationalUnit");
    return b.build();
}

View::Target View::resolve(std::string_view dn, Error* error) const {
    Target t;
    auto rdns = parse_dn(dn);
    if (!rdns) {
        if (error) *error = rdns.error();
        return t;
    }
    if (rdns->empty()) {
        t.kind = Target::Kind::root_dse;
        return t;
    }
    const auto& ctx = *context_;
    const size_t n = rdns->size(), m = ctx.rdns.size();
    if (!under_context(*rdns, ctx)) return t;
    if (n == m) {
        t.kind = Target::Kind::root;
        return t;
    }
    t.matched_dn = ctx.dn;
    const Rdn& container = (*rdns)[n - m - 1];
    if (!single(container, Attr::ou)) return t;
    const std::string key = fold(container[0].value);
    size_t b = 0;
    while (b < books_.size() && books_[b].label_key != key)
        ++b;
    if (b == books_.size()) return t;
    t.book = b;
    if (n == m + 1) {
        t.kind = Target::Kind::container;
        return t;
    }
    t.matched_dn = books_[b].container_dn;
    const Rdn& leaf = (*rdns)[n - m - 2];
    if (!single(leaf, Attr::uid)) return t;
    const Entry* e = books_[b].book->find_rdn(fold(leaf[0].value));
    if (!e) return t;
    if (n == m + 2) {
        t.kind = Target::Kind::entry;
        t.entry = e;
        return t;
    }
    t.matched_dn = entry_dn(b, *e);  // entries have no children
    return t;
}

std::string View::entry_dn(size_t b, const Entry& e) const {
    std::string dn;
    dn.reserve(e.rdn().size() + 1 + books_[b].container_dn.size());
    dn.append(e.rdn()).push_back(',');
    dn.append(books_[b].container_dn);
    return dn;
}

std::string gal_entry_dn(const NamingContext& ctx, std::string_view gal_label,
                         std::string_view domain, std::string_view address) {
    return fmt::format("uid={},ou={},{}", escape_dn_value(address),
                       escape_dn_value(fmt::format("{}/{}", gal_label, domain)), ctx.dn);
}

std::optional<std::string> login_from_dn(const NamingContext& ctx, std::string_view gal_label,
                                         std::string_view dn) {
    auto rdns = parse_dn(dn);
    if (!rdns || rdns->size() != ctx.rdns.size() + 2 || !under_context(*rdns, ctx))
        return std::nullopt;
    const Rdn& leaf = (*rdns)[0];
    const Rdn& container = (*rdns)[1];
    if (!single(leaf, Attr::uid) || !single(container, Attr::ou)) return std::nullopt;
    const std::string prefix = fold(gal_label) + "/";
    if (fold(container[0].value).rfind(prefix, 0) != 0) return std::nullopt;
    return leaf[0].value;
}

}  // namespace sb::addressbook
