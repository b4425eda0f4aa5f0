#include "eas/query.hpp"

#include <fmt/format.h>

#include "core/base64.hpp"
#include "core/strings.hpp"

namespace sb::eas {
namespace {

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string hex_of(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 0x0F]);
    }
    return out;
}

// Device ids and types end up in the store, logs and CLI arguments: printable ASCII only.
Result<void> check_token(std::string_view name, std::string_view v, size_t max) {
    if (v.empty()) return fail(Errc::invalid_argument, fmt::format("{} is empty", name));
    if (v.size() > max)
        return fail(Errc::invalid_argument, fmt::format("{} is longer than {} bytes", name, max));
    for (unsigned char c : v)
        if (c <= 0x20 || c >= 0x7F || c == '/' || c == '\\')
            return fail(Errc::invalid_argument,
                        fmt::format("{} has a character that is not allowed", name));
    return {};
}

Result<bool> parse_tf(std::string_view v) {
    if (v == "T" || v == "t" || v == "true" || v == "1") return true;
    if (v == "F" || v == "f" || v == "false" || v == "0") return false;
    return fail(Errc::invalid_argument, fmt::format("boolean parameter '{}' is not T or F", v));
}

Result<Query> parse_plain(std::string_view query, const QueryLimits& limits) {
    Query q;
    bool have_cmd = false;
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        size_t eq = pair.find('=');
        if (eq == std::string_view::npos)
            return fail(Errc::parse_error,
                        fmt::format("query parameter without '=': {}", pair.substr(0, 64)));
        SB_TRY_ASSIGN(auto name, percent_decode(pair.substr(0, eq), false));
        SB_TRY_ASSIGN(auto value, percent_decode(pair.substr(eq + 1), true));
        if (value.size() > limits.max_value)
            return fail(Errc::limit_exceeded, fmt::format("query parameter {} is too long", name));
        // MS-ASHTTP 2.2.1.1.1.2: parameter names are case-insensitive in practice.
        const std::string& n = name;
        if (iequals(n, "Cmd")) {
            q.command_name = value;
            q.command = command_by_name(value);
            have_cmd = true;
        } else if (iequals(n, "User")) {
            q.user = value;
        } else if (iequals(n, "DeviceId")) {
            q.device_id = value;
        } else if (iequals(n, "DeviceType")) {
            q.device_type = value;
        } else if (iequals(n, "AttachmentName")) {
            q.attachment_name = value;
        } else if (iequals(n, "CollectionId")) {
            q.collection_id = value;
        } else if (iequals(n, "ItemId")) {
            q.item_id = value;
        } else if (iequals(n, "LongId")) {
            q.long_id = value;
        } else if (iequals(n, "Occurrence")) {
            q.occurrence = value;
        } else if (iequals(n, "SaveInSent")) {
            SB_TRY_ASSIGN(auto b, parse_tf(value));
            q.save_in_sent = b;
        }
        // Other names are ignored, as servers do for parameters of later versions.
    }
    if (!have_cmd || q.command_name.empty())
        return fail(Errc::invalid_argument, "the query has no Cmd");
    SB_TRY(check_token("DeviceId", q.device_id, limits.max_device_id));
    SB_TRY(check_token("DeviceType", q.device_type, limits.max_device_type));
    return q;
}

// The bytes of the base64 form, read front to back; need() says where they ran out.
struct PackedReader {
    std::string_view bytes;
    size_t pos = 0;

    Result<void> need(size_t n) const {
        if (bytes.size() - pos < n)
            return fail(Errc::parse_error, fmt::format("base64 query truncated at byte {}", pos));
        return {};
    }
    uint8_t byte() { return static_cast<uint8_t>(bytes[pos++]); }
    std::string_view take(size_t n) {
        auto v = bytes.substr(pos, n);
        pos += n;
        return v;
    }
    bool done() const { return pos >= bytes.size(); }
};

// MS-ASHTTP 2.2.1.1.1.1: version, command code, locale (LE), device id, policy key, device type.
Result<void> read_packed_header(PackedReader& in, Query& q) {
    SB_TRY(in.need(5));
    uint8_t version = in.byte();
    uint8_t code = in.byte();
    uint8_t locale_low = in.byte();
    q.locale = static_cast<uint16_t>(locale_low | (in.byte() << 8));
    if (!is_supported(version))
        return fail(Errc::invalid_argument,
                    fmt::format("unsupported protocol version byte {}", version));
    q.version = version;
    q.command = command_by_code(code);
    q.command_name = q.command ? std::string(command_name(*q.command)) : fmt::format("#{}", code);
    size_t id_len = in.byte();
    SB_TRY(in.need(id_len));
    q.device_id.assign(in.take(id_len));
    // MS-ASHTTP 2.2.1.1.1.1: the device id here may be a binary GUID; it is kept as lowercase
    // hex so that it prints, stores and compares like the plain form's ids.
    if (!check_token("DeviceId", q.device_id, SIZE_MAX)) q.device_id = hex_of(q.device_id);
    SB_TRY(in.need(1));
    size_t key_len = in.byte();
    if (key_len != 0 && key_len != 4)
        return fail(Errc::parse_error,
                    fmt::format("policy key length {} (must be 0 or 4)", key_len));
    SB_TRY(in.need(key_len));
    if (key_len == 4) {
        // The policy key is an unsigned 32-bit integer, least significant byte first like the
        // locale before it (MS-ASHTTP 2.2.1.1.1.1 gives the locale 0x0409 as bytes 09 04).
        uint32_t k = 0;
        for (int i = 0; i < 4; ++i)
            k |= static_cast<uint32_t>(in.byte()) << (8 * i);
        q.policy_key = k;
    }
    SB_TRY(in.need(1));
    size_t type_len = in.byte();
    SB_TRY(in.need(type_len));
    q.device_type.assign(in.take(type_len));
    return {};
}

// MS-ASHTTP 2.2.1.1.1.1.3: one command parameter (tag, value).
Result<void> set_packed_parameter(Query& q, uint8_t tag, std::string value) {
    switch (tag) {
        case 0:
            q.attachment_name = std::move(value);
            return {};
        case 1:
            q.collection_id = std::move(value);
            return {};
        case 3:
            q.item_id = std::move(value);
            return {};
        case 4:
            q.long_id = std::move(value);
            return {};
        case 6:
            q.occurrence = std::move(value);
            return {};
        case 7:
            if (value.size() != 1)
                return fail(Errc::parse_error, "the Options parameter must be one byte");
            q.save_in_sent = (value[0] & 0x01) != 0;
            q.accept_multipart = (value[0] & 0x02) != 0;
            return {};
        case 8:
            q.user = std::move(value);
            return {};
        default:
            return fail(Errc::parse_error, fmt::format("unknown command parameter tag {}", tag));
    }
}

Result<Query> parse_packed(std::string_view bytes, const QueryLimits& limits) {
    Query q;
    q.base64 = true;
    PackedReader in{bytes};
    SB_TRY(read_packed_header(in, q));
    SB_TRY(check_token("DeviceId", q.device_id, limits.max_device_id));
    SB_TRY(check_token("DeviceType", q.device_type, limits.max_device_type));
    while (!in.done()) {
        SB_TRY(in.need(2));
        uint8_t tag = in.byte();
        size_t len = in.byte();
        SB_TRY(in.need(len));
        SB_TRY(set_packed_parameter(q, tag, std::string(in.take(len))));
    }
    return q;
}

}  // namespace

Result<std::string> percent_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
                return fail(Errc::parse_error, "bad percent escape in the query");
            out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

Result<Query> parse_query(std::string_view query, const QueryLimits& limits) {
    if (query.size() > limits.max_query)
        return fail(Errc::limit_exceeded,
                    fmt::format("query string longer than {} bytes", limits.max_query));
    if (query.empty()) return fail(Errc::invalid_argument, "the request has no query string");
    // The plain form always names the command; a base64 query never contains '&' or "Cmd=".
    std::string lower = to_lower(query);
    if (lower.find("cmd=") != std::string::npos || query.find('&') != std::string_view::npos)
        return parse_plain(query, limits);
    SB_TRY_ASSIGN(auto text, percent_decode(query, false));
    auto bytes = crypto::base64_decode(text);
    if (!bytes)
        return fail(Errc::parse_error, "the query is neither the plain nor the base64 form");
    return parse_packed(*bytes, limits);
}

std::string encode_base64_query(const Query& q) {
    std::string b;
    b.push_back(static_cast<char>(q.version.value_or(kV141)));
    b.push_back(static_cast<char>(q.command ? static_cast<uint8_t>(*q.command) : 0xFF));
    b.push_back(static_cast<char>(q.locale & 0xFF));
    b.push_back(static_cast<char>(q.locale >> 8));
    b.push_back(static_cast<char>(q.device_id.size()));
    b += q.device_id;
    if (q.policy_key) {
        b.push_back(4);
        for (int i = 0; i < 4; ++i)
            b.push_back(static_cast<char>((*q.policy_key >> (8 * i)) & 0xFF));
    } else {
        b.push_back(0);
    }
    b.push_back(static_cast<char>(q.device_type.size()));
    b += q.device_type;
    auto param = [&](uint8_t tag, const std::string& v) {
        if (v.empty()) return;
        b.push_back(static_cast<char>(tag));
        b.push_back(static_cast<char>(v.size()));
        b += v;
    };
    param(0, q.attachment_name);
    param(1, q.collection_id);
    param(3, q.item_id);
    param(4, q.long_id);
    param(6, q.occurrence);
    if (q.save_in_sent || q.accept_multipart) {
        b.push_back(7);
        b.push_back(1);
        b.push_back(static_cast<char>((q.save_in_sent ? 1 : 0) | (q.accept_multipart ? 2 : 0)));
    }
    param(8, q.user);
    return crypto::base64_encode(b);
}

}  // namespace sb::eas
