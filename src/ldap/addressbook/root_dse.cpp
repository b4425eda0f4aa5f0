#include "ldap/addressbook/root_dse.hpp"

#include <vector>

#include "core/strings.hpp"
#include "ldap/protocol/controls.hpp"
#include "ldap/protocol/response.hpp"

namespace sb::addressbook {

void encode_root_dse(std::string& out, int32_t message_id,
                     std::span<const std::string_view> requested, bool types_only,
                     const RootDseInfo& info) {
    namespace oid = ldapproto::oid;
    struct Attribute {
        std::string_view name;
        std::vector<std::string_view> values;
    };
    const std::vector<Attribute> attrs = {
        {"objectClass", {"top"}},
        {"namingContexts", {info.naming_context}},
        {"defaultNamingContext", {info.naming_context}},
        {"supportedLDAPVersion", {"3"}},
        {"supportedControl",
         {oid::kPagedResults, oid::kSortRequest, oid::kVlvRequest, oid::kManageDsaIt}},
        {"supportedExtension", {oid::kStartTls, oid::kWhoAmI}},
        // RFC 3673 ("+"), RFC 4526 ((&) and (|)).
        {"supportedFeatures", {"1.3.6.1.4.1.4203.1.5.1", "1.3.6.1.4.1.4203.1.5.3"}},
        {"vendorName", {"Switchboard"}},
        {"vendorVersion", {info.vendor_version}},
    };
    bool all = requested.empty();
    for (auto r : requested)
        if (r == "*" || r == "+") all = true;
    ldapproto::SearchEntryWriter w(out, message_id, "");
    for (const auto& a : attrs) {
        bool wanted = all;
        std::string_view name = a.name;
        for (auto r : requested)
            if (iequals(r, a.name)) wanted = true, name = r;
        if (!wanted) continue;
        if (types_only)
            w.add_attribute_type(name);
        else
            w.add_attribute(name, a.values);
    }
    w.finish();
}

}  // namespace sb::addressbook
