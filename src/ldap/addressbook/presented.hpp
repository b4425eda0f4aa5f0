#pragma once
// An entry as a view presents it: the stored values, plus what depends on where it is shown —
// the book label in `ou` and in the configured label attribute (when the entry has no value of
// its own there), and the entry's DN. Filters and encoders read values only through here, so
// what is matched is exactly what is returned.
#include <string>
#include <string_view>

#include "ldap/addressbook/view.hpp"

namespace sb::addressbook {

struct Presented {
    enum class Kind : uint8_t { root, container, person };
    Kind kind = Kind::person;
    const Entry* entry = nullptr;
    const View* view = nullptr;
    size_t book = 0;  // container and person: the book

    static Presented root(const View& v) { return {Kind::root, v.context().entry.get(), &v, 0}; }
    static Presented container(const View& v, size_t b) {
        return {Kind::container, v.books()[b].container.get(), &v, b};
    }
    static Presented person(const View& v, size_t b, const Entry* e) {
        return {Kind::person, e, &v, b};
    }

    // The full DN, written into `scratch`.
    std::string_view dn(std::string& scratch) const {
        switch (kind) {
            case Kind::root:
                return view->context().dn;
            case Kind::container:
                return view->books()[book].container_dn;
            case Kind::person:
                break;
        }
        const auto& container = view->books()[book].container_dn;
        scratch.clear();
        scratch.reserve(entry->rdn().size() + 1 + container.size());
        scratch.append(entry->rdn()).append(1, ',').append(container);
        return scratch;
    }

    // Calls f(value) for each value of `a`; returns false if f asked to stop.
    template <class F>
    bool each_value(Attr a, F&& f, std::string& scratch) const {
        if (kind == Kind::person) {
            const ViewBook& vb = view->books()[book];
            if (a == Attr::ou) {
                if (!f(std::string_view(vb.label))) return false;
                for (auto v : entry->values(Attr::department))
                    if (!f(v)) return false;
                return true;
            }
            if (a == view->context().label_attr && !entry->has(a))
                return f(std::string_view(vb.label));
        }
        if (a == Attr::entry_dn) return f(dn(scratch));
        for (auto v : entry->values(a))
            if (!f(v)) return false;
        return true;
    }

    bool has(Attr a) const {
        if (a == Attr::entry_dn) return true;
        if (kind == Kind::person && (a == Attr::ou || a == view->context().label_attr)) return true;
        return entry->has(a);
    }
};

}  // namespace sb::addressbook
