#pragma once
// Server responses of LDAPv3 (RFC 4511), encoded by appending complete LDAPMessages to a caller
// buffer. Nothing here allocates beyond the growth of that buffer, so a session that reuses one
// output buffer encodes without touching the heap.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "ldap/ber/writer.hpp"
#include "ldap/protocol/controls.hpp"
#include "ldap/protocol/message.hpp"
#include "ldap/protocol/result_code.hpp"

namespace sb::ldapproto {

// LDAPResult without referral (RFC 4511 4.1.9); the address book never refers.
struct LdapResult {
    ResultCode code = ResultCode::success;
    std::string_view matched_dn;
    std::string_view diagnostic_message;
};

// A response control: one of the typed values, or a ready Control (value already BER).
// Typed controls are not critical (RFC 2696 3, RFC 2891 1.2, VLV draft 6.2).
using ResponseControl = std::variant<Control, PagedResults, SortResponse, VlvResponse>;

// BindResponse (RFC 4511 4.2.2), without serverSaslCreds.
void encode_bind_response(std::string& out, int32_t message_id, const LdapResult& result,
                          std::span<const ResponseControl> controls = {});
// SearchResultDone (RFC 4511 4.5.2); paged/sort/VLV response controls go here.
void encode_search_result_done(std::string& out, int32_t message_id, const LdapResult& result,
                               std::span<const ResponseControl> controls = {});
// The bare-LDAPResult responses: modify, add, del, modDN and compare responses (and
// searchResDone / bindResponse, for which the functions above are shorthands). Any other
// operation is a programming error (asserted).
void encode_result(std::string& out, int32_t message_id, Operation response,
                   const LdapResult& result, std::span<const ResponseControl> controls = {});
// ExtendedResponse (RFC 4511 4.12): responseName [10], responseValue [11], both optional.
void encode_extended_response(std::string& out, int32_t message_id, const LdapResult& result,
                              std::optional<std::string_view> response_name,
                              std::optional<std::string_view> response_value,
                              std::span<const ResponseControl> controls = {});
// Notice of Disconnection (RFC 4511 4.4.1): an unsolicited ExtendedResponse with messageID 0.
void encode_notice_of_disconnection(std::string& out, ResultCode code,
                                    std::string_view diagnostic_message);

// Streams one SearchResultEntry (RFC 4511 4.5.2) into `out`:
//   SearchEntryWriter e(out, id, dn);
//   e.add_attribute("cn", {"Ada Lovelace"});
//   e.begin_attribute("mail"); e.add_value(a); e.add_value(b); e.end_attribute();
//   e.add_attribute_type("jpegPhoto");   // typesOnly form: the type with no values
//   e.finish();
// Lengths are back-patched; finish() must be called before `out` is used otherwise.
class SearchEntryWriter {
  public:
    SearchEntryWriter(std::string& out, int32_t message_id, std::string_view object_name);
    SearchEntryWriter(const SearchEntryWriter&) = delete;
    SearchEntryWriter& operator=(const SearchEntryWriter&) = delete;

    void add_attribute(std::string_view type, std::span<const std::string_view> values);
    void add_attribute(std::string_view type, std::initializer_list<std::string_view> values) {
        add_attribute(type, std::span<const std::string_view>(values.begin(), values.size()));
    }
    void add_attribute_type(std::string_view type);
    void begin_attribute(std::string_view type);
    void add_value(std::string_view value);
    void end_attribute();
    void finish();

  private:
    ber::Writer w_;
    ber::Writer::Mark message_;
    ber::Writer::Mark entry_;
    ber::Writer::Mark attributes_;
    ber::Writer::Mark attribute_{};
    ber::Writer::Mark values_{};
};

// Writes a Control / the Controls [0] field (used by the encoders above; public for tests).
void encode_control(ber::Writer& w, const ResponseControl& control);

}  // namespace sb::ldapproto
