#pragma once
// The attributes a search asks for (RFC 4511 4.5.1.8): none named or "*" = all user attributes,
// "+" = all operational ones (RFC 3673), "1.1" = none, names and OIDs in any case. Unknown names
// are ignored. An attribute is returned once, under the name the client first used for it
// (Outlook reads "company" and "department", others "o" and "ou").
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ldap/addressbook/presented.hpp"

namespace sb::addressbook {

class Selection {
  public:
    Selection() : all_user_(true) {}
    static Selection compile(std::span<const std::string_view> requested);

    // Appends one SearchResultEntry message for `p`.
    void encode(std::string& out, int32_t message_id, const Presented& p, bool types_only) const;

  private:
    struct Item {
        Attr attr;
        std::string name;
    };
    bool all_user_ = false;
    bool all_operational_ = false;
    std::vector<Item> items_;  // in output order
};

}  // namespace sb::addressbook
