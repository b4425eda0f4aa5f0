#include "test_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace sb::test {

std::string source_path(std::string_view relative) {
    const char* root = std::getenv("SB_SOURCE_DIR");
    std::filesystem::path base = root ? root : ".";
    return (base / std::string(relative)).string();
}

namespace {
std::vector<std::filesystem::path> g_dirs;
std::once_flag g_once;
void cleanup() {
    for (auto& d : g_dirs) {
        std::error_code ec;
        std::filesystem::remove_all(d, ec);
    }
}
}  // namespace

std::string temp_dir(std::string_view prefix) {
    std::call_once(g_once, [] { std::atexit(cleanup); });
    std::string tmpl =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    g_dirs.emplace_back(tmpl);
    return tmpl;
}

}  // namespace sb::test
