#pragma once
// Helpers shared by unit tests.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::test {

// Fragment sizes every incremental parser test replays its input with (whole, then cut).
inline const std::vector<size_t> kFragmentSizes = {100000, 1000, 100, 10, 5, 2, 1};

// Path of a file under the source tree (SB_SOURCE_DIR), for test data.
std::string source_path(std::string_view relative);

// A fresh empty directory under the system temp folder, removed when the process exits.
std::string temp_dir(std::string_view prefix);

}  // namespace sb::test
