#include "util/yaml_guard.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace befus::yaml_guard {

// A conservative estimate: flow brackets open at once, plus block indentation steps and
// compact "- - -" sequence markers on a line. Over-counting only rejects absurd files.
namespace {

// In block context a quote opens a quoted scalar only where a value starts: first on the line
// (after indentation and "- "), or after "key: ". Elsewhere it is part of a plain scalar, and
// brackets after it still count: the scan may overcount nesting, never undercount it.
bool starts_value(std::string_view l, size_t content, size_t c) {
  size_t p = c;
  while (p > content && l[p - 1] == ' ') --p;
  return p == content || (p < c && l[p - 1] == ':');
}

} // namespace

std::optional<Problem> check(std::string_view text, int max_depth) {
  // YAML allows no NUL; yaml-cpp would silently keep it inside a text.
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    size_t line_start = text.rfind('\n', nul);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    int nul_line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(nul), '\n'));
    return Problem{nul_line, static_cast<int>(nul - line_start + 1), "NUL byte (binary content) in YAML"};
  }
  int line = 1;
  int flow = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find('\n', i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(i, end - i);
    size_t indent = 0;
    int dashes = 0;
    size_t k = 0;
    while (k < l.size()) {
      if (l[k] == ' ') {
        ++indent;
        ++k;
      } else if (l[k] == '-' && k + 1 < l.size() && l[k + 1] == ' ') {
        ++dashes;
        indent += 2;
        k += 2;
      } else if (l[k] == '?' && k + 1 < l.size() && l[k + 1] == ' ') {
        ++dashes;
        k += 2;
      } else {
        break;
      }
    }
    if (static_cast<int>(indent / 2) + dashes > 2 * max_depth || dashes > max_depth)
      return Problem{line, 1, fmt::format("nesting deeper than {} levels", max_depth)};
    char quote = 0;
    for (size_t c = k; c < l.size(); ++c) {
      char ch = l[c];
      if (quote) {
        if (ch == quote) quote = 0;
        continue;
      }
      if (ch == '#' && (c == 0 || l[c - 1] == ' ')) break;
      if ((ch == '"' || ch == '\'') && (flow > 0 || starts_value(l, k, c))) quote = ch;
      if (ch == '[' || ch == '{') {
        if (++flow > max_depth)
          return Problem{line, static_cast<int>(c + 1), fmt::format("nesting deeper than {} levels", max_depth)};
      } else if ((ch == ']' || ch == '}') && flow > 0) {
        --flow;
      }
    }
    i = end + 1;
    ++line;
  }
  return std::nullopt;
}

} // namespace befus::yaml_guard
