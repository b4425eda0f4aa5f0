#include "admin/format.hpp"

#include <algorithm>

namespace sb::admin {

TextBlock& TextBlock::row(std::string_view key, std::string_view value) {
    lines_.push_back(Line{indent_, std::string(key), std::string(value)});
    return *this;
}

TextBlock& TextBlock::heading(std::string_view text) {
    lines_.push_back(Line{0, std::string(text), {}, true});
    indent_ = 4;
    return *this;
}

TextBlock& TextBlock::blank() {
    lines_.push_back(Line{0, {}, {}, false, true});
    indent_ = 0;
    return *this;
}

std::string TextBlock::str() const {
    size_t width = 0;
    for (const auto& l : lines_)
        if (!l.is_heading && !l.is_blank) width = std::max(width, l.key.size() + l.indent);
    std::string out;
    for (const auto& l : lines_) {
        if (l.is_blank) {
            out += "\n";
            continue;
        }
        if (l.is_heading) {
            out += l.key + "\n";
            continue;
        }
        std::string key = std::string(l.indent, ' ') + l.key;
        out += key;
        out += std::string(width - key.size() + 4, ' ');
        // Multi-line values continue under the value column.
        std::string pad(width + 4, ' ');
        for (char c : l.value) {
            out += c;
            if (c == '\n') out += pad;
        }
        out += "\n";
    }
    return out;
}

}  // namespace sb::admin
