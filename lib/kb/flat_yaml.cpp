#include "kb/flat_yaml.hpp"

namespace befus::kb::flat_yaml {

namespace {

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.' || c == '/' || c == '+';
}

bool is_space(char c) { return c == ' '; }

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A plain scalar that YAML reads as the same text: word characters, not starting with a YAML
// indicator ('-' starts a list item), and inside a flow list without ':'. Outside one, a ':' is
// allowed when a word character follows it (tcp://host:port), since only ": " or a final ':'
// make a key. Spellings of null are refused: they are not text to yaml-cpp.
bool is_plain(std::string_view s, bool in_list) {
  if (s.empty() || s.front() == '-') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ':' && !in_list && i > 0 && i + 1 < s.size() && is_word_char(s[i + 1])) continue;
    if (!is_word_char(c)) return false;
  }
  return s != "null" && s != "Null" && s != "NULL";
}

// The value after "key:", its comment removed: a scalar, or "[a, b]" on one line.
std::optional<Value> parse_value(std::string_view v) {
  size_t hash = v.find(" #");
  if (hash != std::string_view::npos) v = v.substr(0, hash);
  while (!v.empty() && is_space(v.front())) v.remove_prefix(1);
  v = trim_right(v);
  Value out;
  if (v.empty() || v.front() != '[') {
    if (!is_plain(v, false)) return std::nullopt;
    out.items.emplace_back(v);
    return out;
  }
  if (v.back() != ']') return std::nullopt;
  out.list = true;
  std::string_view inner = v.substr(1, v.size() - 2);
  while (!inner.empty() && is_space(inner.front())) inner.remove_prefix(1);
  if (trim_right(inner).empty()) return out;
  while (true) {
    size_t comma = inner.find(',');
    std::string_view item = inner.substr(0, comma);
    while (!item.empty() && is_space(item.front())) item.remove_prefix(1);
    item = trim_right(item);
    if (!is_plain(item, true)) return std::nullopt;
    out.items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    inner = inner.substr(comma + 1);
  }
  return out;
}

} // namespace

std::optional<Map> parse(std::string_view text) {
  Map map;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    for (char c : line)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) return std::nullopt;
    std::string_view rest = line;
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    if (rest.empty() || rest.front() == '#') continue;
    if (rest.size() != line.size()) return std::nullopt;  // indented: nesting or a block list
    size_t key_end = 0;
    while (key_end < line.size() && is_word_char(line[key_end]) && line[key_end] != '/' && line[key_end] != '+') ++key_end;
    if (key_end == 0 || line.front() == '-' || line.front() == '.' || key_end == line.size() || line[key_end] != ':')
      return std::nullopt;
    std::string_view after = line.substr(key_end + 1);
    if (!after.empty() && !is_space(after.front())) return std::nullopt;
    auto value = parse_value(after);
    if (!value || !map.emplace(std::string(line.substr(0, key_end)), std::move(*value)).second) return std::nullopt;
  }
  if (map.empty()) return std::nullopt;
  return map;
}

} // namespace befus::kb::flat_yaml
