#include "eas/sync/contact_codec.hpp"

#include <array>

#include "core/strings.hpp"

namespace sb::eas {

namespace cp = wbxml::cp;
namespace f = mailbox::field;
using mailbox::ContactFields;

namespace {

enum class Kind { text, date };

struct Mapping {
    wbxml::Tag tag;
    std::string_view field;
    Kind kind = Kind::text;
};

// MS-ASCNTC 2.2.2: the EAS contact properties and the mailbox fields they carry.
const std::array kMappings = {
    Mapping{cp::contacts::FirstName, f::kFirstName},
    Mapping{cp::contacts::LastName, f::kLastName},
    Mapping{cp::contacts::MiddleName, f::kMiddleName},
    Mapping{cp::contacts::Title, f::kNamePrefix},
    Mapping{cp::contacts::Suffix, f::kNameSuffix},
    Mapping{cp::contacts::FileAs, f::kFullName},
    Mapping{cp::contacts::YomiFirstName, f::kPhoneticFirstName},
    Mapping{cp::contacts::YomiLastName, f::kPhoneticLastName},
    Mapping{cp::contacts::Email1Address, f::kEmail},
    Mapping{cp::contacts::Email2Address, f::kEmail2},
    Mapping{cp::contacts::Email3Address, f::kEmail3},
    Mapping{cp::contacts::BusinessPhoneNumber, f::kWorkPhone},
    Mapping{cp::contacts::Business2PhoneNumber, f::kWorkPhone2},
    Mapping{cp::contacts::HomePhoneNumber, f::kHomePhone},
    Mapping{cp::contacts::Home2PhoneNumber, f::kHomePhone2},
    Mapping{cp::contacts::MobilePhoneNumber, f::kMobilePhone},
    Mapping{cp::contacts::PagerNumber, f::kPager},
    Mapping{cp::contacts::BusinessFaxNumber, f::kWorkFax},
    Mapping{cp::contacts::HomeFaxNumber, f::kHomeFax},
    Mapping{cp::contacts::CarPhoneNumber, f::kCarPhone},
    Mapping{cp::contacts::AssistantTelephoneNumber, f::kAssistantPhone},
    Mapping{cp::contacts::AssistantName, f::kAssistantName},
    Mapping{cp::contacts::CompanyName, f::kCompany},
    Mapping{cp::contacts::Department, f::kDepartment},
    Mapping{cp::contacts::JobTitle, f::kJobTitle},
    Mapping{cp::contacts::OfficeLocation, f::kOffice},
    Mapping{cp::contacts::HomeStreet, f::kHomeStreet},
    Mapping{cp::contacts::HomeCity, f::kHomeCity},
    Mapping{cp::contacts::HomeState, f::kHomeState},
    Mapping{cp::contacts::HomePostalCode, f::kHomePostalCode},
    Mapping{cp::contacts::HomeCountry, f::kHomeCountry},
    Mapping{cp::contacts::BusinessStreet, f::kWorkStreet},
    Mapping{cp::contacts::BusinessCity, f::kWorkCity},
    Mapping{cp::contacts::BusinessState, f::kWorkState},
    Mapping{cp::contacts::BusinessPostalCode, f::kWorkPostalCode},
    Mapping{cp::contacts::BusinessCountry, f::kWorkCountry},
    Mapping{cp::contacts::OtherStreet, f::kOtherStreet},
    Mapping{cp::contacts::OtherCity, f::kOtherCity},
    Mapping{cp::contacts::OtherState, f::kOtherState},
    Mapping{cp::contacts::OtherPostalCode, f::kOtherPostalCode},
    Mapping{cp::contacts::OtherCountry, f::kOtherCountry},
    Mapping{cp::contacts::WebPage, f::kWorkUrl},
    Mapping{cp::contacts::Spouse, f::kSpouse},
    Mapping{cp::contacts::Birthday, f::kBirthday, Kind::date},
    Mapping{cp::contacts::Anniversary, f::kAnniversary, Kind::date},
    Mapping{cp::contacts2::IMAddress, f::kImAddress1},
    Mapping{cp::contacts2::ManagerName, f::kManagerName},
    Mapping{cp::contacts2::CompanyMainPhone, f::kCompanyPhone},
    Mapping{cp::contacts2::NickName, f::kNickname},
};

// MS-ASDTYPE 2.3: dates travel as "YYYY-MM-DDTHH:MM:SS.sssZ". A date without a year ("--MM-DD")
// goes out with the year 1604, the placeholder phones use for it, and comes back without one.
std::string to_eas_date(std::string_view d) {
    if (d.size() == 7 && d.substr(0, 2) == "--")
        return "1604-" + std::string(d.substr(2)) + "T00:00:00.000Z";
    if (d.size() >= 10) return std::string(d.substr(0, 10)) + "T00:00:00.000Z";
    return std::string(d);
}

bool digits(std::string_view s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return !s.empty();
}

int days_in_month(int y, int m) {
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

// Clients east of UTC send local midnight, which is the previous day in UTC (e.g.
// 1980-02-28T23:00:00.000Z for 29 February): a time of 12:00 or later is the next day.
Result<std::string> from_eas_date(std::string_view s) {
    if (s.size() < 10 || s[4] != '-' || s[7] != '-' || !digits(s.substr(0, 4)) ||
        !digits(s.substr(5, 2)) || !digits(s.substr(8, 2)))
        return fail(Errc::invalid_argument, "malformed date");
    int y = std::stoi(std::string(s.substr(0, 4))), m = std::stoi(std::string(s.substr(5, 2))),
        d = std::stoi(std::string(s.substr(8, 2)));
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return fail(Errc::invalid_argument, "malformed date");
    // Decided before rounding: 31 December without a year stays without one on 1 January.
    const bool no_year = y == 1604;
    if (s.size() >= 13 && s[10] == 'T' && digits(s.substr(11, 2)) &&
        std::stoi(std::string(s.substr(11, 2))) >= 12) {
        if (++d > days_in_month(y, m)) {
            d = 1;
            if (++m > 12) m = 1, ++y;
        }
    }
    char buf[32];
    if (no_year) {
        std::snprintf(buf, sizeof buf, "--%02d-%02d", m, d);
    } else {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    }
    return std::string(buf);
}

// Cuts at a UTF-8 character boundary at or below `limit` bytes.
std::string_view cut_utf8(std::string_view s, size_t limit) {
    if (s.size() <= limit) return s;
    size_t n = limit;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n);
}

}  // namespace

bool eas_carries(std::string_view field) {
    if (field == f::kNotes || field == f::kCategories) return true;
    for (auto& m : kMappings)
        if (m.field == field) return true;
    return false;
}

void write_contact(wbxml::Encoder& enc, const ContactFields& fields, Version version,
                   const std::optional<BodyPreference>& body) {
    for (auto& m : kMappings) {
        auto it = fields.find(m.field);
        if (it == fields.end() || it->second.empty()) continue;
        if (m.kind == Kind::date)
            enc.element(m.tag, to_eas_date(it->second));
        else
            enc.element(m.tag, it->second);
    }
    if (auto it = fields.find(f::kCategories); it != fields.end() && !it->second.empty()) {
        enc.start(cp::contacts::Categories);
        for (auto& c : split(it->second, ','))
            if (auto t = trim(c); !t.empty()) enc.element(cp::contacts::Category, t);
        enc.end();
    }
    auto notes = fields.find(f::kNotes);
    std::string_view text =
        notes == fields.end() ? std::string_view() : std::string_view(notes->second);
    if (version >= kV120) {
        // MS-ASAIRS 2.2.2.9: contacts keep plain text notes; without a BodyPreference the client
        // asked for no body at all.
        if (!body || text.empty()) return;
        int64_t limit = body->truncation;
        bool truncated = limit >= 0 && static_cast<size_t>(limit) < text.size();
        if (truncated && body->all_or_none) {
            enc.start(cp::airsyncbase::Body)
                .element(cp::airsyncbase::Type, 1)
                .element(cp::airsyncbase::EstimatedDataSize, text.size())
                .element(cp::airsyncbase::Truncated, 1)
                .end();
            return;
        }
        std::string_view data = truncated ? cut_utf8(text, static_cast<size_t>(limit)) : text;
        enc.start(cp::airsyncbase::Body)
            .element(cp::airsyncbase::Type, 1)
            .element(cp::airsyncbase::EstimatedDataSize, text.size());
        if (truncated) enc.element(cp::airsyncbase::Truncated, 1);
        enc.element(cp::airsyncbase::Data, data).end();
    } else if (!text.empty()) {
        // MS-ASCNTC 2.2.2.10 (2.5): the body inline.
        enc.element(cp::contacts::Body, text);
    }
}

Result<ContactFields> read_contact(wbxml::Element application_data) {
    ContactFields out;
    for (wbxml::Element e : application_data.children()) {
        bool known = false;
        for (auto& m : kMappings) {
            if (!e.is(m.tag)) continue;
            known = true;
            std::string value = valid_utf8(trim(e.value()));
            if (value.empty()) break;
            if (m.kind == Kind::date) {
                auto d = from_eas_date(value);
                if (!d)
                    return fail(Errc::invalid_argument,
                                std::string(m.field) + ": " + d.error().message);
                value = *d;
            }
            out[std::string(m.field)] = std::move(value);
            break;
        }
        if (known) continue;
        if (e.is(cp::contacts::Categories)) {
            std::string list;
            for (wbxml::Element c : e.children(cp::contacts::Category)) {
                std::string v = valid_utf8(trim(c.value()));
                if (v.empty()) continue;
                // A comma inside a category would split it in the mailbox's list.
                for (auto& ch : v)
                    if (ch == ',') ch = ' ';
                list += (list.empty() ? "" : ",") + v;
            }
            if (!list.empty()) out[std::string(f::kCategories)] = list;
        } else if (e.is(cp::airsyncbase::Body)) {
            auto data = e.child_text(cp::airsyncbase::Data);
            if (!data.empty()) out[std::string(f::kNotes)] = valid_utf8(data);
        } else if (e.is(cp::contacts::Body)) {
            if (!e.value().empty()) out[std::string(f::kNotes)] = valid_utf8(e.value());
        }
        // Picture, Children, Yomi company name, ... are not kept by the mailbox.
    }
    return out;
}

std::set<std::string> supported_fields(wbxml::Element supported) {
    std::set<std::string> out;
    for (wbxml::Element e : supported.children()) {
        for (auto& m : kMappings)
            if (e.is(m.tag)) out.insert(std::string(m.field));
        if (e.is(cp::contacts::Categories)) out.insert(std::string(f::kCategories));
        if (e.is(cp::airsyncbase::Body) || e.is(cp::contacts::Body))
            out.insert(std::string(f::kNotes));
    }
    return out;
}

ContactFields merge_change(const ContactFields& server, const ContactFields& change,
                           const std::optional<std::set<std::string>>& supported) {
    ContactFields out;
    for (auto& [k, v] : server) {
        if (change.count(k)) continue;
        bool managed = eas_carries(k) && (!supported || supported->count(k));
        // The notes are only sent when the device asked for a body; a Change without a body
        // leaves them alone unless the device declared it manages them.
        if (k == f::kNotes && !supported) managed = false;
        if (!managed) out[k] = v;
    }
    for (auto& [k, v] : change)
        out[k] = v;
    return out;
}

}  // namespace sb::eas
