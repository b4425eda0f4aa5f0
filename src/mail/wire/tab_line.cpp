#include "mail/wire/tab_line.hpp"

#include <fmt/format.h>

namespace sb::mailwire {

Result<LineFrame> decode_line(std::string_view in, size_t max_line) {
    const size_t lf = in.find('\n');
    if (lf == std::string_view::npos) {
        if (in.size() >= max_line)
            return fail(Errc::limit_exceeded, fmt::format("line longer than {} bytes", max_line));
        return LineFrame{};
    }
    if (lf >= max_line)
        return fail(Errc::limit_exceeded, fmt::format("line longer than {} bytes", max_line));
    std::string_view line = in.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return LineFrame{true, line, lf + 1};
}

Result<std::vector<std::string>> split_fields(std::string_view line) {
    std::vector<std::string> fields(1);
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '\t') {
            fields.emplace_back();
        } else if (c == '\0') {
            return fail(Errc::parse_error, fmt::format("NUL byte at offset {}", i));
        } else if (c == '\x01') {
            if (++i == line.size())
                return fail(Errc::parse_error, "escape byte 0x01 at the end of the line");
            switch (line[i]) {
                case '1':
                    fields.back().push_back('\x01');
                    break;
                case 't':
                    fields.back().push_back('\t');
                    break;
                case 'r':
                    fields.back().push_back('\r');
                    break;
                case 'n':
                    fields.back().push_back('\n');
                    break;
                default:
                    return fail(Errc::parse_error,
                                fmt::format("unknown escape 0x01 0x{:02x} at offset {}",
                                            static_cast<unsigned char>(line[i]), i - 1));
            }
        } else {
            fields.back().push_back(c);
        }
    }
    return fields;
}

std::string escape_field(std::string_view field) {
    std::string out;
    out.reserve(field.size());
    for (char c : field) {
        switch (c) {
            case '\x01':
                out +=
                    "\x01"
                    "1";
                break;
            case '\t':
                out += "\x01t";
                break;
            case '\r':
                out += "\x01r";
                break;
            case '\n':
                out += "\x01n";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

std::string join_fields(const std::vector<std::string>& fields) {
    std::string out;
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out.push_back('\t');
        out += escape_field(fields[i]);
    }
    out.push_back('\n');
    return out;
}

}  // namespace sb::mailwire
