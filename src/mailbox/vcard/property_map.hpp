#pragma once
// The mapping between vCard properties and contact fields that reader and writer share, so a
// written card always reads back into the fields it came from.
#include <array>
#include <span>
#include <string>
#include <string_view>

#include "mailbox/contact_fields.hpp"

namespace sb::vcard::detail {

namespace f = mailbox::field;

// Switchboard's own parameters, written only where plain vCard cannot say what we mean; other
// readers ignore unknown X- parameters (RFC 6350 5, RFC 2426 4).
// Position of an EMAIL or same-kind TEL among its fields (email2 without email: SLOT=2).
inline constexpr std::string_view kSlotParam = "X-SWITCHBOARD-SLOT";
// An FN the writer made up because the contact has no fullName (FN is mandatory).
inline constexpr std::string_view kDerivedParam = "X-SWITCHBOARD-DERIVED";

// Office location has no vCard property; this is what we write, X-MS-OFFICELOCATION is read too.
inline constexpr std::string_view kOfficeProperty = "X-OFFICE-LOCATION";

// TEL kinds; classify_phone decides which one a TYPE set is.
enum class PhoneKind {
    assistant,
    work_fax,
    home_fax,
    pager,
    mobile,
    car,
    company,
    work,
    home,
    other
};

struct PhoneKindInfo {
    PhoneKind kind;
    std::array<std::string_view, 2> fields;  // second empty when the kind has one field
    std::string_view write_types;            // TYPE value the writer uses
};

// In the order the writer emits them.
inline constexpr std::array<PhoneKindInfo, 10> kPhoneKinds = {{
    {PhoneKind::work, {f::kWorkPhone, f::kWorkPhone2}, "work,voice"},
    {PhoneKind::home, {f::kHomePhone, f::kHomePhone2}, "home,voice"},
    {PhoneKind::mobile, {f::kMobilePhone, {}}, "cell,voice"},
    {PhoneKind::company, {f::kCompanyPhone, {}}, "main"},
    {PhoneKind::work_fax, {f::kWorkFax, {}}, "work,fax"},
    {PhoneKind::home_fax, {f::kHomeFax, {}}, "home,fax"},
    {PhoneKind::pager, {f::kPager, {}}, "pager"},
    {PhoneKind::car, {f::kCarPhone, {}}, "car,voice"},
    {PhoneKind::assistant, {f::kAssistantPhone, {}}, "voice,x-assistant"},
    {PhoneKind::other, {f::kOtherPhone, {}}, "voice"},
}};

// Lower-case TYPE tokens (plus words of an Apple X-ABLabel) → kind.
PhoneKind classify_phone(std::span<const std::string> types);

enum class Place { home, work, other };
Place classify_place(std::span<const std::string> types);
std::string_view place_type(Place place);  // "home", "work", "" for other

struct AddressFields {
    Place place;
    std::string_view street, city, state, postal_code, country;
};

inline constexpr std::array<AddressFields, 3> kAddresses = {{
    {Place::home, f::kHomeStreet, f::kHomeCity, f::kHomeState, f::kHomePostalCode, f::kHomeCountry},
    {Place::work, f::kWorkStreet, f::kWorkCity, f::kWorkState, f::kWorkPostalCode, f::kWorkCountry},
    {Place::other, f::kOtherStreet, f::kOtherCity, f::kOtherState, f::kOtherPostalCode,
     f::kOtherCountry},
}};

inline constexpr std::array<std::string_view, 3> kUrlFields = {f::kHomeUrl, f::kWorkUrl,
                                                               f::kOtherUrl};  // by Place
inline constexpr std::array<std::string_view, 3> kEmailFields = {f::kEmail, f::kEmail2, f::kEmail3};

}  // namespace sb::vcard::detail
