#include "mailbox/vcard/card_reader.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "mailbox/vcard/date_value.hpp"
#include "mailbox/vcard/property_map.hpp"

namespace sb::vcard::detail {
namespace {

constexpr unsigned kNoPref = 1000;  // below every PREF (1..100, RFC 6350 5.3)

struct Alias {
    std::string_view property;
    std::string_view field;
};

// Single text properties, including the names other address books use for ours.
constexpr Alias kTextProperties[] = {
    {"X-PHONETIC-FIRST-NAME", f::kPhoneticFirstName},
    {"X-PHONETIC-LAST-NAME", f::kPhoneticLastName},
    {"TITLE", f::kJobTitle},
    {kOfficeProperty, f::kOffice},
    {"X-MS-OFFICELOCATION", f::kOffice},
    {"NOTE", f::kNotes},
    {"UID", f::kUid},
    {"X-ASSISTANT", f::kAssistantName},
    {"X-MS-ASSISTANT", f::kAssistantName},
    {"X-EVOLUTION-ASSISTANT", f::kAssistantName},
    {"X-KADDRESSBOOK-X-ASSISTANTSNAME", f::kAssistantName},
    {"X-MANAGER", f::kManagerName},
    {"X-MS-MANAGER", f::kManagerName},
    {"X-EVOLUTION-MANAGER", f::kManagerName},
    {"X-KADDRESSBOOK-X-MANAGERSNAME", f::kManagerName},
    {"X-SPOUSE", f::kSpouse},
    {"X-MS-SPOUSE", f::kSpouse},
    {"X-EVOLUTION-SPOUSE", f::kSpouse},
    {"X-KADDRESSBOOK-X-SPOUSESNAME", f::kSpouse},
};

constexpr std::string_view kAnniversaryProperties[] = {
    "ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY"};

// Instant messaging properties from before IMPP (RFC 4770); values get the URI scheme IMPP uses.
constexpr Alias kLegacyIm[] = {
    {"X-AIM", "aim:"},     {"X-JABBER", "xmpp:"},  {"X-GOOGLE-TALK", "xmpp:"},
    {"X-GTALK", "xmpp:"},  {"X-ICQ", "icq:"},      {"X-MSN", "msnim:"},
    {"X-YAHOO", "ymsgr:"}, {"X-SKYPE", "skype:"},  {"X-SKYPE-USERNAME", "skype:"},
    {"X-GADUGADU", "gg:"}, {"X-MS-IMADDRESS", ""},
};

// Structure and metadata, not contact data: neither mapped nor reported as ignored.
constexpr std::string_view kSilent[] = {"VERSION", "PRODID", "REV", "X-ABLABEL", "CLIENTPIDMAP"};

template <class Table>
const Alias* find_alias(const Table& table, std::string_view property) {
    for (const auto& a : table)
        if (a.property == property) return &a;
    return nullptr;
}

bool contains(std::span<const std::string> types, std::string_view t) {
    return std::find(types.begin(), types.end(), t) != types.end();
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (const auto& item : items) {
        if (item.empty()) continue;
        if (!out.empty()) out += sep;
        out += item;
    }
    return out;
}

// Several properties of one kind compete for numbered fields (email, email2, email3): a
// Switchboard slot parameter claims its field, then PREF (or TYPE=pref), then file order.
struct Candidate {
    unsigned pref = kNoPref;
    size_t order = 0;
    unsigned wanted_slot = 0;  // 1-based; 0 = none
    const ContentLine* line = nullptr;
    std::string value;
    std::array<std::string, 5> address{};  // ADR: street, city, state, postal code, country
};

struct Assignment {
    std::vector<const Candidate*> slots;     // nullptr = free
    std::vector<const Candidate*> overflow;  // in file order
};

Assignment assign_slots(const std::vector<Candidate>& candidates, size_t slot_count) {
    Assignment a;
    a.slots.assign(slot_count, nullptr);
    std::vector<const Candidate*> rest;
    for (const auto& c : candidates) {
        if (c.wanted_slot >= 1 && c.wanted_slot <= slot_count && !a.slots[c.wanted_slot - 1])
            a.slots[c.wanted_slot - 1] = &c;
        else
            rest.push_back(&c);
    }
    std::stable_sort(rest.begin(), rest.end(),
                     [](const Candidate* x, const Candidate* y) { return x->pref < y->pref; });
    for (const Candidate* c : rest) {
        auto free = std::find(a.slots.begin(), a.slots.end(), nullptr);
        if (free != a.slots.end())
            *free = c;
        else
            a.overflow.push_back(c);
    }
    std::sort(a.overflow.begin(), a.overflow.end(),
              [](const Candidate* x, const Candidate* y) { return x->order < y->order; });
    return a;
}

class CardReader {
  public:
    CardReader(const std::vector<ContentLine>& lines, Dialect dialect, size_t begin_line)
        : lines_(lines), dialect_(dialect) {
        card_.line = begin_line;
    }

    Result<Card> read() {
        collect_labels();
        for (size_t i = 0; i < lines_.size(); ++i)
            SB_TRY(read_line(lines_[i], i));
        resolve_emails();
        resolve_phones();
        resolve_places(addresses_, "ADR", [this](Place place, const Candidate& c) {
            const auto& a = kAddresses[static_cast<size_t>(place)];
            std::array<std::string_view, 5> names = {a.street, a.city, a.state, a.postal_code,
                                                     a.country};
            for (size_t k = 0; k < names.size(); ++k)
                put(names[k], c.address[k]);
        });
        resolve_places(urls_, "URL", [this](Place place, const Candidate& c) {
            put(kUrlFields[static_cast<size_t>(place)], c.value);
        });
        auto im = assign_slots(ims_, 1);
        if (im.slots[0]) put(f::kImAddress1, im.slots[0]->value);
        for (const Candidate* c : im.overflow)
            ignore(c->line->name);
        if (role_) {
            if (card_.fields.contains(f::kJobTitle))
                ignore("ROLE");
            else
                put(f::kJobTitle, *role_);
        }
        // A made-up FN stands for "no fullName" as long as it still matches what it was made of.
        if (derived_fn_ && !card_.fields.contains(f::kFullName) &&
            *derived_fn_ != derive_full_name(card_.fields))
            put(f::kFullName, *derived_fn_);
        return std::move(card_);
    }

  private:
    tl::unexpected<Error> error(const ContentLine& cl, std::string_view what) const {
        return fail(Errc::parse_error, fmt::format("line {}: {} {}", cl.line, cl.name, what));
    }

    // Transfer encoding and charset resolved; the result is UTF-8 with LF newlines.
    Result<std::string> decoded(const ContentLine& cl) const {
        std::string bytes = cl.value;
        for (auto enc : cl.param_values("ENCODING")) {
            if (iequals(enc, "QUOTED-PRINTABLE")) {
                bytes = decode_quoted_printable(bytes);
            } else if (iequals(enc, "B") || iequals(enc, "BASE64")) {
                auto raw = decode_base64(bytes);
                if (!raw) return error(cl, "has invalid base64 data");
                bytes = std::move(*raw);
            }
        }
        auto charsets = cl.param_values("CHARSET");
        std::string charset = charsets.empty() ? std::string() : to_lower(charsets.front());
        if (charset == "iso-8859-1" || charset == "latin1" || charset == "windows-1252" ||
            charset == "cp1252") {
            bytes = windows1252_to_utf8(bytes);
        } else if (dialect_ == Dialect::v21 && charset.empty() && !is_valid_utf8(bytes)) {
            // vCard 2.1 from Windows tools: 8-bit text without CHARSET is the ANSI code page.
            bytes = windows1252_to_utf8(bytes);
        } else if (!is_valid_utf8(bytes)) {
            if (!charset.empty() && charset != "utf-8" && charset != "utf8")
                return error(cl, fmt::format("has CHARSET={}, which is not supported (use UTF-8)",
                                             excerpt(charsets.front())));
            return error(cl, "is not valid UTF-8");
        }
        return normalize_newlines(std::move(bytes));
    }

    Result<std::string> text(const ContentLine& cl) const {
        SB_TRY_ASSIGN(auto raw, decoded(cl));
        return unescape(raw, dialect_);
    }

    // A list value (RFC 6350 3.3: items separated by unescaped ','); 2.1 has no lists.
    Result<std::vector<std::string>> list(const ContentLine& cl) const {
        SB_TRY_ASSIGN(auto raw, decoded(cl));
        std::vector<std::string> items;
        if (dialect_ == Dialect::v21) {
            items.push_back(unescape(raw, dialect_));
            return items;
        }
        for (auto item : split_unescaped(raw, ','))
            items.push_back(unescape(item, dialect_));
        return items;
    }

    // A structured value (N, ADR, ORG): components at unescaped ';', each a list.
    Result<std::vector<std::vector<std::string>>> structured(const ContentLine& cl) const {
        SB_TRY_ASSIGN(auto raw, decoded(cl));
        std::vector<std::vector<std::string>> components;
        for (auto component : split_unescaped(raw, ';')) {
            std::vector<std::string> items;
            if (dialect_ == Dialect::v21) {
                items.push_back(unescape(component, dialect_));
            } else {
                for (auto item : split_unescaped(component, ','))
                    items.push_back(unescape(item, dialect_));
            }
            components.push_back(std::move(items));
        }
        return components;
    }

    void collect_labels() {
        // Apple: "item1.TEL:..." with "item1.X-ABLabel:_$!<Other>!$_" or a free-text label.
        for (const auto& cl : lines_) {
            if (cl.name != "X-ABLABEL" || cl.group.empty() || labels_.contains(cl.group)) continue;
            auto label = text(cl);
            if (!label) continue;  // a broken label only loses its hint
            std::string_view l = *label;
            if (l.starts_with("_$!<") && l.ends_with(">!$_")) l = l.substr(4, l.size() - 8);
            std::string lower = to_lower(l);
            std::vector<std::string> words;
            for (auto w : split_unescaped(lower, ' '))
                if (!w.empty()) words.emplace_back(w);
            labels_[cl.group] = std::move(words);
        }
    }

    std::vector<std::string> types_of(const ContentLine& cl) const {
        std::vector<std::string> types;
        for (auto v : cl.param_values("TYPE")) {
            // RFC 6350 5.6 example TYPE="work,voice": a quoted TYPE is a list too.
            for (auto t : split_unescaped(v, ','))
                if (auto w = trim(t); !w.empty()) types.push_back(to_lower(w));
        }
        if (auto it = labels_.find(cl.group); !cl.group.empty() && it != labels_.end())
            types.insert(types.end(), it->second.begin(), it->second.end());
        return types;
    }

    static unsigned number_param(const ContentLine& cl, std::string_view name) {
        auto values = cl.param_values(name);
        if (values.empty()) return 0;
        unsigned n = 0;
        auto v = trim(values.front());
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        return ec == std::errc() && end == v.data() + v.size() ? n : 0;
    }

    Candidate candidate(const ContentLine& cl, size_t order,
                        std::span<const std::string> types) const {
        Candidate c;
        c.order = order;
        c.line = &cl;
        unsigned pref = number_param(cl, "PREF");
        if (pref >= 1 && pref <= 100)
            c.pref = pref;
        else if (contains(types, "pref"))
            c.pref = 1;  // vCard 3.0 (RFC 2426 3.3.1) marks the preferred one with TYPE=pref
        c.wanted_slot = number_param(cl, kSlotParam);
        return c;
    }

    void ignore(std::string_view name) {
        if (std::find(card_.ignored.begin(), card_.ignored.end(), name) == card_.ignored.end())
            card_.ignored.emplace_back(name);
    }

    Result<void> skip(std::string_view name) {
        ignore(name);
        return {};
    }

    // Sets a field that is still empty.
    void put(std::string_view field, std::string value) {
        if (!value.empty()) card_.fields.emplace(std::string(field), std::move(value));
    }

    // First property wins; later ones of the same field are reported as ignored.
    void set(std::string_view field, std::string value, const ContentLine& cl) {
        if (value.empty()) return;
        if (card_.fields.contains(field))
            ignore(cl.name);
        else
            put(field, std::move(value));
    }

    Result<std::string> date(const ContentLine& cl) const {
        auto value = text(cl);
        if (!value) return value;
        auto kinds = cl.param_values("VALUE");
        if (!kinds.empty() && iequals(kinds.front(), "text")) return value;
        auto normalized = normalize_date(trim(*value));
        if (!normalized) return value;  // free text ("circa 1800"), kept as written
        // Apple writes a birthday without year as 1604-04-12;X-APPLE-OMIT-YEAR=1604.
        auto omit = cl.param_values("X-APPLE-OMIT-YEAR");
        if (!omit.empty() && normalized->size() == 10 &&
            normalized->starts_with(std::string(trim(omit.front())) + "-"))
            return "--" + normalized->substr(5);
        return *normalized;
    }

    Result<void> read_name(const ContentLine& cl) {
        if (name_seen_) return skip(cl.name);
        name_seen_ = true;
        SB_TRY_ASSIGN(auto components, structured(cl));
        // RFC 6350 6.2.2: family; given; additional; prefixes; suffixes.
        constexpr std::string_view kParts[] = {f::kLastName, f::kFirstName, f::kMiddleName,
                                               f::kNamePrefix, f::kNameSuffix};
        for (size_t i = 0; i < std::size(kParts) && i < components.size(); ++i)
            put(kParts[i], join((components)[i], " "));
        return {};
    }

    Result<void> read_org(const ContentLine& cl) {
        if (org_seen_) return skip(cl.name);
        org_seen_ = true;
        SB_TRY_ASSIGN(auto components, structured(cl));
        // RFC 6350 6.6.4: organization name, then organizational units.
        put(f::kCompany, join((components)[0], ", "));
        std::vector<std::string> units;
        for (size_t i = 1; i < components.size(); ++i)
            units.push_back(join((components)[i], ", "));
        put(f::kDepartment, join(units, ", "));
        return {};
    }

    Result<void> read_address(const ContentLine& cl, size_t order) {
        SB_TRY_ASSIGN(auto components, structured(cl));
        auto part = [&](size_t i, std::string_view sep) {
            return i < components.size() ? join((components)[i], sep) : std::string();
        };
        // RFC 6350 6.3.1: PO box; extended address; street; locality; region; code; country.
        auto types = types_of(cl);
        Candidate c = candidate(cl, order, types);
        c.address = {join({part(0, "\n"), part(1, "\n"), part(2, "\n")}, "\n"), part(3, ", "),
                     part(4, ", "), part(5, ", "), part(6, ", ")};
        if (std::all_of(c.address.begin(), c.address.end(), [](auto& s) { return s.empty(); }))
            return {};
        addresses_[static_cast<size_t>(classify_place(types))].push_back(std::move(c));
        return {};
    }

    Result<void> read_related(const ContentLine& cl, std::span<const std::string> types) {
        std::string_view field;
        if (contains(types, "spouse") || contains(types, "partner") || contains(types, "wife") ||
            contains(types, "husband"))
            field = f::kSpouse;
        else if (contains(types, "assistant"))
            field = f::kAssistantName;
        else if (contains(types, "manager"))
            field = f::kManagerName;
        if (field.empty()) return skip(cl.name);
        SB_TRY_ASSIGN(auto value, text(cl));
        set(field, std::move(value), cl);
        return {};
    }

    Result<void> read_line(const ContentLine& cl, size_t order) {
        const std::string& name = cl.name;
        if (std::find(std::begin(kSilent), std::end(kSilent), name) != std::end(kSilent)) return {};
        if (name == "N") return read_name(cl);
        if (name == "ORG") return read_org(cl);
        if (name == "ADR") return read_address(cl, order);
        if (name == "KIND" || name == "X-ADDRESSBOOKSERVER-KIND") {
            if (iequals(trim(cl.value), "group")) card_.is_group = true;
            return {};
        }
        if (name == "RELATED" || name == "X-ABRELATEDNAMES") return read_related(cl, types_of(cl));

        if (name == "FN") return read_full_name(cl);
        if (name == "NICKNAME" || name == "CATEGORIES") return read_list(cl);
        if (const Alias* a = find_alias(kTextProperties, name)) {
            SB_TRY_ASSIGN(auto value, text(cl));
            set(a->field, std::move(value), cl);
            return {};
        }
        if (name == "ROLE") {
            SB_TRY_ASSIGN(auto value, text(cl));
            if (!role_ && !value.empty()) role_ = std::move(value);
            return {};
        }
        if (name == "BDAY" || name == "X-ABDATE" ||
            std::find(std::begin(kAnniversaryProperties), std::end(kAnniversaryProperties), name) !=
                std::end(kAnniversaryProperties)) {
            bool birthday = name == "BDAY";
            if (name == "X-ABDATE" && !contains(types_of(cl), "anniversary")) return skip(name);
            SB_TRY_ASSIGN(auto value, date(cl));
            set(birthday ? f::kBirthday : f::kAnniversary, std::move(value), cl);
            return {};
        }
        const Alias* legacy_im = find_alias(kLegacyIm, name);
        if (name == "EMAIL" || name == "TEL" || name == "URL" || name == "IMPP" || legacy_im)
            return read_contact_point(cl, order, legacy_im);
        ignore(name);
        return {};
    }

    Result<void> read_full_name(const ContentLine& cl) {
        SB_TRY_ASSIGN(auto value, text(cl));
        if (cl.has_param(kDerivedParam)) {
            if (!derived_fn_) derived_fn_ = std::move(value);
        } else {
            set(f::kFullName, std::move(value), cl);
        }
        return {};
    }

    // NICKNAME or CATEGORIES.
    Result<void> read_list(const ContentLine& cl) {
        SB_TRY_ASSIGN(auto items, list(cl));
        if (cl.name == "NICKNAME") {
            set(f::kNickname, join(items, ", "), cl);
            return {};
        }
        // Categories merge across properties; empty items are kept so values round-trip.
        std::string joined;
        for (size_t i = 0; i < items.size(); ++i)
            joined += (i ? "," : "") + items[i];
        if (joined.empty()) return {};
        auto& field = card_.fields[std::string(f::kCategories)];
        field += (field.empty() ? "" : ",") + joined;
        return {};
    }

    // EMAIL, TEL, URL, IMPP or a legacy IM property: a candidate for one of the numbered slots.
    Result<void> read_contact_point(const ContentLine& cl, size_t order, const Alias* legacy_im) {
        SB_TRY_ASSIGN(auto value, text(cl));
        if (value.empty()) return {};
        const std::string& name = cl.name;
        auto types = types_of(cl);
        Candidate c = candidate(cl, order, types);
        c.value = std::move(value);
        if (name == "TEL") {
            // RFC 6350 6.4.1: TEL;VALUE=uri:tel:+1-555-555-5555
            auto kinds = cl.param_values("VALUE");
            if (!kinds.empty() && iequals(kinds.front(), "uri") && c.value.size() > 4 &&
                iequals(std::string_view(c.value).substr(0, 4), "tel:"))
                c.value.erase(0, 4);
            phones_[static_cast<size_t>(classify_phone(types))].push_back(std::move(c));
        } else if (name == "EMAIL") {
            emails_.push_back(std::move(c));
        } else if (name == "URL") {
            urls_[static_cast<size_t>(classify_place(types))].push_back(std::move(c));
        } else {
            if (legacy_im) c.value.insert(0, legacy_im->field);
            ims_.push_back(std::move(c));
        }
        return {};
    }

    void resolve_emails() {
        auto a = assign_slots(emails_, kEmailFields.size());
        for (size_t i = 0; i < a.slots.size(); ++i)
            if (a.slots[i]) put(kEmailFields[i], a.slots[i]->value);
        if (!a.overflow.empty()) ignore("EMAIL");
    }

    void resolve_phones() {
        std::vector<const Candidate*> overflow;
        for (const auto& info : kPhoneKinds) {
            size_t count = info.fields[1].empty() ? 1 : 2;
            auto a = assign_slots(phones_[static_cast<size_t>(info.kind)], count);
            for (size_t i = 0; i < count; ++i)
                if (a.slots[i]) put(info.fields[i], a.slots[i]->value);
            overflow.insert(overflow.end(), a.overflow.begin(), a.overflow.end());
        }
        // A second mobile or a third work number is kept as "other" while that is free.
        std::sort(overflow.begin(), overflow.end(),
                  [](const Candidate* x, const Candidate* y) { return x->order < y->order; });
        for (const Candidate* c : overflow) {
            if (!card_.fields.contains(f::kOtherPhone))
                put(f::kOtherPhone, c->value);
            else
                ignore("TEL");
        }
    }

    template <class Store>
    void resolve_places(const std::array<std::vector<Candidate>, 3>& by_place,
                        std::string_view property, Store store) {
        std::vector<const Candidate*> overflow;
        std::array<bool, 3> taken{};
        for (size_t p = 0; p < 3; ++p) {
            auto a = assign_slots(by_place[p], 1);
            if (a.slots[0]) store(static_cast<Place>(p), *a.slots[0]), taken[p] = true;
            overflow.insert(overflow.end(), a.overflow.begin(), a.overflow.end());
        }
        std::sort(overflow.begin(), overflow.end(),
                  [](const Candidate* x, const Candidate* y) { return x->order < y->order; });
        for (const Candidate* c : overflow) {
            auto other = static_cast<size_t>(Place::other);
            if (!taken[other])
                store(Place::other, *c), taken[other] = true;
            else
                ignore(property);
        }
    }

    const std::vector<ContentLine>& lines_;
    Dialect dialect_;
    Card card_;
    std::map<std::string, std::vector<std::string>, std::less<>> labels_;  // group → label words
    bool name_seen_ = false;
    bool org_seen_ = false;
    std::optional<std::string> role_;
    std::optional<std::string> derived_fn_;
    std::vector<Candidate> emails_;
    std::array<std::vector<Candidate>, kPhoneKinds.size()> phones_;
    std::array<std::vector<Candidate>, 3> addresses_;  // by Place
    std::array<std::vector<Candidate>, 3> urls_;       // by Place
    std::vector<Candidate> ims_;
};

}  // namespace

Result<Card> read_card(const std::vector<ContentLine>& lines, Dialect dialect, size_t begin_line) {
    return CardReader(lines, dialect, begin_line).read();
}

}  // namespace sb::vcard::detail
