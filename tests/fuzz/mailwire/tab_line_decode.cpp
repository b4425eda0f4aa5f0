// Fuzz target: the tab-line protocol between Dovecot's Lua scripts and Switchboard. Lines are
// cut within the limit; their fields re-encode to a line that splits into the same fields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mail/wire/tab_line.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    while (!in.empty()) {
        auto f = sb::mailwire::decode_line(in, 1024);
        if (!f || !f->complete) break;
        if (f->consumed == 0 || f->consumed > in.size() || f->line.size() >= 1024) std::abort();
        auto fields = sb::mailwire::split_fields(f->line);
        if (fields) {
            const std::string again = sb::mailwire::join_fields(*fields);
            auto back =
                sb::mailwire::split_fields(std::string_view(again).substr(0, again.size() - 1));
            if (!back || *back != *fields) std::abort();
        }
        in.remove_prefix(f->consumed);
    }
    return 0;
}
