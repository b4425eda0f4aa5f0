#pragma once
// Contact fields, named as Zimbra/Carbonio names contact attributes. A contact is a map from these
// names to values; the vCard codec, the store, ActiveSync (Contacts code page) and the LDAP
// address book all translate to and from this one vocabulary.
#include <array>
#include <map>
#include <string>
#include <string_view>

namespace sb::mailbox {

using ContactFields = std::map<std::string, std::string, std::less<>>;

namespace field {
// names
inline constexpr std::string_view kFirstName = "firstName";
inline constexpr std::string_view kLastName = "lastName";
inline constexpr std::string_view kMiddleName = "middleName";
inline constexpr std::string_view kNamePrefix = "namePrefix";  // "Dr."
inline constexpr std::string_view kNameSuffix = "nameSuffix";  // "Jr."
inline constexpr std::string_view kNickname = "nickname";
inline constexpr std::string_view kFullName = "fullName";  // display name (vCard FN)
inline constexpr std::string_view kPhoneticFirstName = "phoneticFirstName";
inline constexpr std::string_view kPhoneticLastName = "phoneticLastName";
// e-mail
inline constexpr std::string_view kEmail = "email";
inline constexpr std::string_view kEmail2 = "email2";
inline constexpr std::string_view kEmail3 = "email3";
// phones
inline constexpr std::string_view kWorkPhone = "workPhone";
inline constexpr std::string_view kWorkPhone2 = "workPhone2";
inline constexpr std::string_view kHomePhone = "homePhone";
inline constexpr std::string_view kHomePhone2 = "homePhone2";
inline constexpr std::string_view kMobilePhone = "mobilePhone";
inline constexpr std::string_view kPager = "pager";
inline constexpr std::string_view kWorkFax = "workFax";
inline constexpr std::string_view kHomeFax = "homeFax";
inline constexpr std::string_view kOtherPhone = "otherPhone";
inline constexpr std::string_view kCarPhone = "carPhone";
inline constexpr std::string_view kCompanyPhone = "companyPhone";
inline constexpr std::string_view kAssistantPhone = "assistantPhone";
// organisation
inline constexpr std::string_view kCompany = "company";
inline constexpr std::string_view kDepartment = "department";
inline constexpr std::string_view kJobTitle = "jobTitle";
inline constexpr std::string_view kOffice = "office";  // office location
inline constexpr std::string_view kAssistantName = "assistantName";
inline constexpr std::string_view kManagerName = "managerName";
// addresses: home / work / other, each street, city, state, postalCode, country
inline constexpr std::string_view kHomeStreet = "homeStreet";
inline constexpr std::string_view kHomeCity = "homeCity";
inline constexpr std::string_view kHomeState = "homeState";
inline constexpr std::string_view kHomePostalCode = "homePostalCode";
inline constexpr std::string_view kHomeCountry = "homeCountry";
inline constexpr std::string_view kWorkStreet = "workStreet";
inline constexpr std::string_view kWorkCity = "workCity";
inline constexpr std::string_view kWorkState = "workState";
inline constexpr std::string_view kWorkPostalCode = "workPostalCode";
inline constexpr std::string_view kWorkCountry = "workCountry";
inline constexpr std::string_view kOtherStreet = "otherStreet";
inline constexpr std::string_view kOtherCity = "otherCity";
inline constexpr std::string_view kOtherState = "otherState";
inline constexpr std::string_view kOtherPostalCode = "otherPostalCode";
inline constexpr std::string_view kOtherCountry = "otherCountry";
// other
inline constexpr std::string_view kNotes = "notes";
inline constexpr std::string_view kBirthday = "birthday";        // YYYY-MM-DD (or --MM-DD)
inline constexpr std::string_view kAnniversary = "anniversary";  // YYYY-MM-DD
inline constexpr std::string_view kHomeUrl = "homeURL";
inline constexpr std::string_view kWorkUrl = "workURL";
inline constexpr std::string_view kOtherUrl = "otherURL";
inline constexpr std::string_view kImAddress1 = "imAddress1";
inline constexpr std::string_view kSpouse = "spouse";
inline constexpr std::string_view kCategories = "categories";  // comma-separated
inline constexpr std::string_view kUid = "vcardUID";           // vCard UID, kept for round trips
}  // namespace field

// Every field name above; anything else is rejected by the store.
inline constexpr std::array kAllContactFields = {
    field::kFirstName,
    field::kLastName,
    field::kMiddleName,
    field::kNamePrefix,
    field::kNameSuffix,
    field::kNickname,
    field::kFullName,
    field::kPhoneticFirstName,
    field::kPhoneticLastName,
    field::kEmail,
    field::kEmail2,
    field::kEmail3,
    field::kWorkPhone,
    field::kWorkPhone2,
    field::kHomePhone,
    field::kHomePhone2,
    field::kMobilePhone,
    field::kPager,
    field::kWorkFax,
    field::kHomeFax,
    field::kOtherPhone,
    field::kCarPhone,
    field::kCompanyPhone,
    field::kAssistantPhone,
    field::kCompany,
    field::kDepartment,
    field::kJobTitle,
    field::kOffice,
    field::kAssistantName,
    field::kManagerName,
    field::kHomeStreet,
    field::kHomeCity,
    field::kHomeState,
    field::kHomePostalCode,
    field::kHomeCountry,
    field::kWorkStreet,
    field::kWorkCity,
    field::kWorkState,
    field::kWorkPostalCode,
    field::kWorkCountry,
    field::kOtherStreet,
    field::kOtherCity,
    field::kOtherState,
    field::kOtherPostalCode,
    field::kOtherCountry,
    field::kNotes,
    field::kBirthday,
    field::kAnniversary,
    field::kHomeUrl,
    field::kWorkUrl,
    field::kOtherUrl,
    field::kImAddress1,
    field::kSpouse,
    field::kCategories,
    field::kUid,
};

inline bool is_contact_field(std::string_view name) {
    for (auto f : kAllContactFields)
        if (f == name) return true;
    return false;
}

}  // namespace sb::mailbox
