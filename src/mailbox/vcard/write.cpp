#include <fmt/format.h>

#include "mailbox/vcard/date_value.hpp"
#include "mailbox/vcard/property_map.hpp"
#include "mailbox/vcard/text_codec.hpp"
#include "mailbox/vcard/vcard.hpp"

namespace sb::vcard {
namespace {

using namespace detail;

class CardWriter {
  public:
    CardWriter(const mailbox::ContactFields& fields, Version version, std::string& out)
        : fields_(fields), v4_(version == Version::v4), out_(out) {}

    void write() {
        emit("BEGIN", "VCARD");
        emit("VERSION", v4_ ? "4.0" : "3.0");
        emit("PRODID", "-//Switchboard//vCard//EN");
        write_names();
        write_organization();
        write_emails();
        write_phones();
        write_addresses();
        write_urls();
        text("IMPP", f::kImAddress1, /*uri=*/true);
        date("BDAY", f::kBirthday);
        date(v4_ ? "ANNIVERSARY" : "X-ANNIVERSARY", f::kAnniversary);
        // RFC 6350 6.6.6 RELATED has "spouse"; assistant and manager have no registered type.
        if (v4_)
            text("RELATED;TYPE=spouse;VALUE=text", f::kSpouse);
        else
            text("X-SPOUSE", f::kSpouse);
        text("X-ASSISTANT", f::kAssistantName);
        text("X-MANAGER", f::kManagerName);
        write_categories();
        text("NOTE", f::kNotes);
        text("UID", f::kUid, /*uri=*/v4_);  // RFC 6350 6.7.6: a URI by default
        emit("END", "VCARD");
    }

  private:
    std::string_view get(std::string_view field) const {
        auto it = fields_.find(field);
        return it == fields_.end() ? std::string_view() : std::string_view(it->second);
    }

    void emit(std::string_view head, std::string_view escaped_value) {
        std::string line;
        line.reserve(head.size() + 1 + escaped_value.size());
        line.append(head).append(":").append(escaped_value);
        append_folded(out_, line);
    }

    void text(std::string_view head, std::string_view field, bool uri = false) {
        auto value = get(field);
        if (!value.empty()) emit(head, uri ? escape_uri(value) : escape_text(value));
    }

    void date(std::string_view property, std::string_view field) {
        auto value = get(field);
        if (value.empty()) return;
        if (is_canonical_date(value))
            emit(property, format_date(value, v4_));
        else  // kept as written; VALUE=text stops the reader from reinterpreting it
            emit(fmt::format("{};VALUE=text", property), escape_text(value));
    }

    void write_names() {
        // RFC 6350 6.2.2 / RFC 2426 3.1.2: family; given; additional; prefixes; suffixes.
        emit("N", fmt::format("{};{};{};{};{}", escape_text(get(f::kLastName)),
                              escape_text(get(f::kFirstName)), escape_text(get(f::kMiddleName)),
                              escape_text(get(f::kNamePrefix)), escape_text(get(f::kNameSuffix))));
        // FN is mandatory in both versions; a made-up one is marked so it reads back as absent.
        if (auto full = get(f::kFullName); !full.empty())
            emit("FN", escape_text(full));
        else
            emit(fmt::format("FN;{}=TRUE", kDerivedParam), escape_text(derive_full_name(fields_)));
        text("NICKNAME", f::kNickname);
        text("X-PHONETIC-FIRST-NAME", f::kPhoneticFirstName);
        text("X-PHONETIC-LAST-NAME", f::kPhoneticLastName);
    }

    void write_organization() {
        auto company = get(f::kCompany), department = get(f::kDepartment);
        if (!company.empty() || !department.empty()) {
            std::string value = escape_text(company);
            if (!department.empty()) value += ";" + escape_text(department);
            emit("ORG", value);
        }
        text("TITLE", f::kJobTitle);
        text(kOfficeProperty, f::kOffice);
    }

    // The slot parameter is needed only after a gap: email2 without email reads back as email.
    std::string slot_param(std::span<const std::string_view> fields, size_t index) const {
        for (size_t i = 0; i < index; ++i)
            if (get(fields[i]).empty()) return fmt::format(";{}={}", kSlotParam, index + 1);
        return {};
    }

    void write_emails() {
        for (size_t i = 0; i < kEmailFields.size(); ++i) {
            auto value = get(kEmailFields[i]);
            if (value.empty()) continue;
            std::string head = "EMAIL";
            if (v4_)
                head += i == 0 ? ";PREF=1" : "";
            else
                head += i == 0 ? ";TYPE=internet,pref" : ";TYPE=internet";
            head += slot_param(kEmailFields, i);
            emit(head, escape_text(value));
        }
    }

    void write_phones() {
        for (const auto& info : kPhoneKinds) {
            for (size_t i = 0; i < info.fields.size() && !info.fields[i].empty(); ++i) {
                auto value = get(info.fields[i]);
                if (value.empty()) continue;
                emit(fmt::format("TEL;TYPE={}{}", info.write_types, slot_param(info.fields, i)),
                     escape_uri(value));
            }
        }
    }

    void write_addresses() {
        for (const auto& a : kAddresses) {
            std::array<std::string_view, 5> parts = {get(a.street), get(a.city), get(a.state),
                                                     get(a.postal_code), get(a.country)};
            if (std::all_of(parts.begin(), parts.end(), [](auto p) { return p.empty(); })) continue;
            std::string head = "ADR";
            if (auto type = place_type(a.place); !type.empty())
                head += fmt::format(";TYPE={}", type);
            // PO box and extended address stay empty: the street field holds every line.
            emit(head,
                 fmt::format(";;{};{};{};{};{}", escape_text(parts[0]), escape_text(parts[1]),
                             escape_text(parts[2]), escape_text(parts[3]), escape_text(parts[4])));
        }
    }

    void write_urls() {
        for (Place place : {Place::home, Place::work, Place::other}) {
            auto value = get(kUrlFields[static_cast<size_t>(place)]);
            if (value.empty()) continue;
            auto type = place_type(place);
            emit(type.empty() ? std::string("URL") : fmt::format("URL;TYPE={}", type),
                 escape_uri(value));
        }
    }

    void write_categories() {
        // The field is comma-separated; each piece is one CATEGORIES item.
        auto value = get(f::kCategories);
        if (value.empty()) return;
        std::string items;
        size_t start = 0;
        for (;;) {
            size_t comma = value.find(',', start);
            items += escape_text(value.substr(start, comma - start));
            if (comma == std::string_view::npos) break;
            items += ',';
            start = comma + 1;
        }
        emit("CATEGORIES", items);
    }

    const mailbox::ContactFields& fields_;
    bool v4_;
    std::string& out_;
};

}  // namespace

std::string derive_full_name(const mailbox::ContactFields& fields) {
    auto get = [&](std::string_view name) {
        auto it = fields.find(name);
        return it == fields.end() ? std::string_view() : std::string_view(it->second);
    };
    std::string name;
    for (auto part :
         {f::kNamePrefix, f::kFirstName, f::kMiddleName, f::kLastName, f::kNameSuffix}) {
        auto v = get(part);
        if (v.empty()) continue;
        if (!name.empty()) name += ' ';
        name += v;
    }
    if (!name.empty()) return name;
    for (auto fallback : {f::kCompany, f::kEmail, f::kEmail2, f::kEmail3})
        if (auto v = get(fallback); !v.empty()) return std::string(v);
    return {};
}

std::string write(const mailbox::ContactFields& fields, Version version) {
    std::string out;
    CardWriter(fields, version, out).write();
    return out;
}

std::string write_all(std::span<const mailbox::ContactFields> cards, Version version) {
    std::string out;
    for (const auto& fields : cards)
        CardWriter(fields, version, out).write();
    return out;
}

}  // namespace sb::vcard
