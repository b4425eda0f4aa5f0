#pragma once
// Maps the content lines of one card to contact fields.
#include <vector>

#include "core/error.hpp"
#include "mailbox/vcard/content_line.hpp"
#include "mailbox/vcard/text_codec.hpp"
#include "mailbox/vcard/vcard.hpp"

namespace sb::vcard::detail {

// `lines` are the card's properties between BEGIN and END (VERSION included), in file order.
Result<Card> read_card(const std::vector<ContentLine>& lines, Dialect dialect, size_t begin_line);

}  // namespace sb::vcard::detail
