#pragma once
// Explicit bounds for everything the LDAP codec accepts from a client. Anything beyond them is
// rejected with Errc::limit_exceeded before it can cost memory or stack.
#include <cstddef>
#include <cstdint>

namespace sb::ldapproto {

struct FilterLimits {
    uint32_t max_depth = 32;         // nesting of and/or/not; a lone item has depth 1
    uint32_t max_elements = 1024;    // filter nodes plus substring components
    size_t max_string_size = 65536;  // RFC 4515 text given to parse_filter
};

struct Limits {
    size_t max_message_size = size_t{1} << 20;  // a whole LDAPMessage, header included
    FilterLimits filter;
    uint32_t max_attributes = 1024;  // search attribute selection; Add attributes; Modify changes
    uint32_t max_values = 8192;      // attribute values in one Add or Modify request
    uint32_t max_controls = 32;      // controls attached to one message
    uint32_t max_sort_keys = 16;     // keys of one server-side sort request (RFC 2891)
};

}  // namespace sb::ldapproto
