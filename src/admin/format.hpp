#pragma once
// Plain-text output of admin commands: aligned "key  value" lines, optionally nested.
#include <string>
#include <string_view>
#include <vector>

namespace sb::admin {

class TextBlock {
  public:
    TextBlock& row(std::string_view key, std::string_view value);
    TextBlock& heading(std::string_view text);  // a line of its own, then rows indent under it
    TextBlock& blank();
    std::string str() const;

  private:
    struct Line {
        int indent;
        std::string key, value;
        bool is_heading = false;
        bool is_blank = false;
    };
    std::vector<Line> lines_;
    int indent_ = 0;
};

}  // namespace sb::admin
