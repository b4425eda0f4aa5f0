#pragma once
// Helpers shared by the WBXML unit tests.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "eas/wbxml/document.hpp"
#include "test_support.hpp"

namespace sb::wbxml::test {

// Bytes from a list of values, e.g. wbxml({0x03, 0x01, 0x6A, 0x00, 0x45, 0x01}).
inline std::string wbxml(std::initializer_list<int> values) {
    std::string s;
    for (int v : values)
        s += static_cast<char>(v);
    return s;
}

inline std::string hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        if (!out.empty()) out += ' ';
        out += kDigits[c >> 4];
        out += kDigits[c & 15];
    }
    return out;
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::filesystem::path data_dir() {
    return sb::test::source_path("tests/unit/wbxml/data");
}

inline std::string fixture(std::string_view name) {
    return read_file(data_dir() / std::string(name));
}

// Names of the XML fixtures, sorted.
inline std::vector<std::string> fixture_names() {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(data_dir()))
        if (e.path().extension() == ".xml") names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// Fixtures of protocol 16.1 features Debian's libwbxml 0.11.8 cannot encode.
inline bool is_libwbxml_gap_fixture(std::string_view name) {
    return name.find("16_1") != std::string_view::npos;
}

// Feeds `body` to a Decoder the way a socket would: `storage` grows by `fragment` bytes a call
// (and may reallocate, which the decoder must tolerate), the last call saying the input is
// complete. Returns the outcome; `given_at_error` receives how many bytes had been given when
// an error was reported. The Document refers to `storage`.
inline Result<Document> decode_in_fragments(std::string_view body, size_t fragment,
                                            std::string& storage, const Limits& limits = {},
                                            size_t* given_at_error = nullptr) {
    Decoder decoder(limits);
    storage.clear();
    storage.shrink_to_fit();
    size_t given = 0;
    while (given < body.size()) {
        const size_t n = std::min(fragment, body.size() - given);
        storage.append(body.substr(given, n));
        given += n;
        auto r = decoder.feed(storage, false);
        if (!r) {
            if (given_at_error) *given_at_error = given;
            return tl::unexpected<Error>(r.error());
        }
        if (*r) return tl::unexpected<Error>(Error{Errc::internal, "done before complete"});
    }
    auto r = decoder.feed(storage, true);
    if (!r) {
        if (given_at_error) *given_at_error = given;
        return tl::unexpected<Error>(r.error());
    }
    if (!*r) return tl::unexpected<Error>(Error{Errc::internal, "complete input not done"});
    return decoder.take();
}

}  // namespace sb::wbxml::test
