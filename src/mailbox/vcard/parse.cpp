// Card structure: BEGIN/END balance, VERSION, limits. Field mapping is in card_reader.cpp.
#include <fmt/format.h>

#include "mailbox/vcard/card_reader.hpp"
#include "mailbox/vcard/content_line.hpp"
#include "mailbox/vcard/text_codec.hpp"
#include "mailbox/vcard/vcard.hpp"

namespace sb::vcard {
namespace {

using detail::ContentLine;
using detail::Dialect;

constexpr size_t kMaxAgentDepth = 4;

tl::unexpected<Error> error_at(size_t line, std::string_view what) {
    return fail(Errc::parse_error, fmt::format("line {}: {}", line, what));
}

bool is_marker(const ContentLine& cl, std::string_view name) {
    return cl.name == name && detail::iequals(detail::trim(cl.value), "VCARD");
}

Result<Card> finish_card(const std::vector<ContentLine>& props, size_t begin_line,
                         size_t end_line) {
    const ContentLine* version = nullptr;
    for (const auto& cl : props)
        if (cl.name == "VERSION") {
            version = &cl;
            break;
        }
    if (!version)
        return error_at(end_line,
                        fmt::format("VERSION missing in card started at line {}", begin_line));
    auto v = detail::trim(version->value);
    Dialect dialect;
    if (v == "4.0")
        dialect = Dialect::v4;
    else if (v == "3.0")
        dialect = Dialect::v3;
    else if (v == "2.1")
        dialect = Dialect::v21;  // Outlook's export format: read best-effort
    else
        return error_at(version->line, fmt::format("VERSION {} is not supported (3.0 and 4.0 "
                                                   "are, 2.1 is read best-effort)",
                                                   detail::excerpt(v)));
    return detail::read_card(props, dialect, begin_line);
}

}  // namespace

Result<std::vector<Card>> parse(std::string_view text, const Limits& limits) {
    if (text.size() > limits.max_bytes)
        return fail(Errc::limit_exceeded, fmt::format("input of {} bytes exceeds the limit of {} "
                                                      "bytes",
                                                      text.size(), limits.max_bytes));
    if (text.starts_with("\xEF\xBB\xBF")) {
        text.remove_prefix(3);
    } else if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF")) {
        return error_at(1, "the file is UTF-16; save it as UTF-8");
    }

    detail::LineReader reader(text, limits.max_line_length, limits.max_value_bytes);
    std::vector<Card> cards;
    std::vector<ContentLine> props;
    bool in_card = false;
    size_t begin_line = 0;
    size_t agent_depth = 0;  // inside a vCard 2.1 AGENT's nested card, which is skipped
    for (;;) {
        SB_TRY_ASSIGN(auto logical, reader.next());
        if (!logical) break;
        auto cl = detail::parse_content_line(*logical);
        if (!cl) {
            if (in_card) return tl::unexpected(cl.error());
            return error_at(logical->line, "BEGIN:VCARD expected");
        }
        bool begin = is_marker(*cl, "BEGIN");
        bool end = is_marker(*cl, "END");
        if (agent_depth > 0) {
            if (begin && ++agent_depth > kMaxAgentDepth)
                return error_at(cl->line, "AGENT cards nested too deeply");
            if (end) --agent_depth;
            continue;
        }
        if (begin) {
            if (in_card) {
                const ContentLine* last = props.empty() ? nullptr : &props.back();
                if (last && last->name == "AGENT" && detail::trim(last->value).empty()) {
                    agent_depth = 1;
                    continue;
                }
                return error_at(cl->line, fmt::format("END:VCARD missing for card started at "
                                                      "line {}",
                                                      begin_line));
            }
            if (cards.size() >= limits.max_cards)
                return fail(Errc::limit_exceeded,
                            fmt::format("line {}: more than {} cards", cl->line, limits.max_cards));
            in_card = true;
            begin_line = cl->line;
            props.clear();
            continue;
        }
        if (end) {
            if (!in_card) return error_at(cl->line, "END:VCARD without BEGIN:VCARD");
            SB_TRY_ASSIGN(auto card, finish_card(props, begin_line, cl->line));
            cards.push_back(std::move(card));
            in_card = false;
            continue;
        }
        if (!in_card) {
            if (cl->name == "BEGIN" || cl->name == "END")
                return error_at(cl->line,
                                fmt::format("{}:{} where BEGIN:VCARD was expected", cl->name,
                                            detail::excerpt(detail::trim(cl->value))));
            return error_at(cl->line,
                            fmt::format("{} outside a card (BEGIN:VCARD expected)", cl->name));
        }
        if (props.size() >= limits.max_properties_per_card)
            return fail(Errc::limit_exceeded,
                        fmt::format("line {}: card started at line {} has more than {} "
                                    "properties",
                                    cl->line, begin_line, limits.max_properties_per_card));
        props.push_back(std::move(*cl));
    }
    if (in_card)
        return error_at(reader.last_line(),
                        fmt::format("END:VCARD missing for card started at line {}", begin_line));
    if (cards.empty()) return fail(Errc::parse_error, "no vCard found (BEGIN:VCARD missing)");
    return cards;
}

}  // namespace sb::vcard
