// The named seeds of the ldap_message fuzz corpus are real client traffic (captured from
// ldap-utils) and hand-made messages: the valid ones must decode, message by message, when
// replayed in fragments; the "broken_" ones must not.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "ldap_test_util.hpp"

namespace sb::ldapproto {
namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool starts_with_any(const std::string& name, std::initializer_list<const char*> prefixes) {
    for (const char* p : prefixes)
        if (name.rfind(p, 0) == 0) return true;
    return false;
}

TEST(Corpus, NamedSeedsDecodeOrFailAsNamed) {
    const std::filesystem::path dir =
        sb::test::source_path("tests/fuzz/ldapproto/ldap_message.corpus");
    ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
    size_t valid = 0, broken = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        const std::string bytes = read_file(entry.path());
        if (starts_with_any(name, {"libldap_", "session_", "search_", "outlook_", "abandon",
                                   "sasl_", "bind_", "long_form_"})) {
            std::string_view rest = bytes;
            while (!rest.empty()) {
                auto f = frame_message(rest, Limits{});
                ASSERT_TRUE(f && f->complete) << name;
                auto d = test::decode_replayed(rest.substr(0, f->size));
                EXPECT_TRUE(d) << name;
                rest.remove_prefix(f->size);
            }
            ++valid;
        } else if (starts_with_any(name, {"broken_"})) {
            auto f = frame_message(bytes, Limits{});
            const bool rejected =
                !f || (f->complete && !decode_message(bytes.substr(0, f->size), Limits{}));
            const bool truncated = f && !f->complete;
            EXPECT_TRUE(rejected || truncated) << name;
            ++broken;
        }
    }
    EXPECT_GE(valid, 30u);
    EXPECT_GE(broken, 15u);
}

}  // namespace
}  // namespace sb::ldapproto
