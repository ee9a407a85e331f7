#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// befus.yaml is read by every command, and yaml-cpp took a twentieth of a search to read its
// six lines. A file that is only `key: value` and `key: [a, b]` lines of plain words is read
// here instead; anything else (quotes, nesting, block lists, nulls, tabs, non-ASCII) is left to
// yaml-cpp, which also gives the messages for bad files.
namespace befus::kb::flat_yaml {

// A top-level value: one plain scalar, or a flow list of them.
struct Value {
  bool list = false;
  std::vector<std::string> items;  // a scalar is the one item
};

using Map = std::map<std::string, Value, std::less<>>;

// The mapping, or nothing when the text is not in the flat subset; what it gives is what
// yaml-cpp would read from the same text.
std::optional<Map> parse(std::string_view text);

} // namespace befus::kb::flat_yaml
