#pragma once

#include <optional>
#include <string>
#include <string_view>

// yaml-cpp recurses once per nesting level and overflows the stack on deep input;
// this scan bounds the nesting before the text reaches the parser. It also refuses NUL bytes.
namespace befus::yaml_guard {

struct Problem {
  int line = 0;
  int column = 0;
  std::string message;
};

constexpr int k_max_depth = 100;

std::optional<Problem> check(std::string_view text, int max_depth = k_max_depth);

} // namespace befus::yaml_guard
