#pragma once
// The NOTIFY payload that carries committed changes from one node to the others:
//   {"changes":[["<channel>",<subject>,"<detail>"],...],"node":"<sender>"}
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace sb::store::postgres {

// PostgreSQL NOTIFY: "the payload must be shorter than 8000 bytes" (default configuration).
inline constexpr size_t kMaxPayload = 7999;

// Packs changes into as few payloads as fit in `limit` bytes each, in order. A change whose
// detail alone would not fit loses its detail (subscribers still learn channel and subject).
std::vector<std::string> encode_payloads(std::string_view node, const std::vector<Change>& changes,
                                         size_t limit = kMaxPayload);

struct Payload {
    std::string node;
    std::vector<Change> changes;
};
// nullopt for anything that is not a payload of encode_payloads().
std::optional<Payload> decode_payload(std::string_view text);

}  // namespace sb::store::postgres
