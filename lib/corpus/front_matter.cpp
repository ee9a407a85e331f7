#include "befus/corpus.hpp"

#include "befus/error.hpp"
#include "befus/text.hpp"
#include "util/yaml_guard.hpp"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

namespace befus::corpus {

namespace {

// One line starting at pos, without its terminator; next is where the following line starts.
std::string_view line_at(std::string_view text, size_t pos, size_t& next) {
  size_t end = text.find('\n', pos);
  next = end == std::string_view::npos ? text.size() : end + 1;
  std::string_view l = text.substr(pos, (end == std::string_view::npos ? text.size() : end) - pos);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l;
}

bool is_fence(std::string_view l) {
  while (!l.empty() && (l.back() == ' ' || l.back() == '\t')) l.remove_suffix(1);
  return l == "---";
}

constexpr size_t k_max_values = 100'000;

nlohmann::json to_json(const YAML::Node& n, const std::string& file, int shift, size_t& budget, int depth) {
  if (++budget > k_max_values || depth > 64)
    throw DataError({file, n.Mark().line + shift, n.Mark().column + 1}, "metadata expands to too many values");
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Scalar: {
      if (!util::valid_utf8(n.Scalar()))
        throw DataError({file, n.Mark().line + shift, n.Mark().column + 1}, "metadata is not valid UTF-8");
      return n.Scalar();
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& item : n) arr.push_back(to_json(item, file, shift, budget, depth + 1));
      return arr;
    }
    case YAML::NodeType::Map: {
      nlohmann::json obj = nlohmann::json::object();
      for (auto it = n.begin(); it != n.end(); ++it) {
        if (!it->first.IsScalar())
          throw DataError({file, it->first.Mark().line + shift, it->first.Mark().column + 1}, "metadata keys must be text");
        obj[it->first.Scalar()] = to_json(it->second, file, shift, budget, depth + 1);
      }
      return obj;
    }
  }
  return nullptr;
}

} // namespace

FrontMatter split_front_matter(std::string_view text) {
  FrontMatter fm;
  size_t start = 0;
  if (util::starts_with(text, "\xEF\xBB\xBF")) start = 3;
  size_t next = 0;
  if (start >= text.size() || !is_fence(line_at(text, start, next))) {
    fm.body_offset = start;
    return fm;
  }
  size_t yaml_start = next;
  int line = 2;
  size_t pos = next;
  while (pos < text.size()) {
    std::string_view l = line_at(text, pos, next);
    if (is_fence(l) || l == "...") {
      fm.present = true;
      fm.yaml = std::string(text.substr(yaml_start, pos - yaml_start));
      fm.yaml_first_line = 2;
      fm.body_offset = next;
      return fm;
    }
    pos = next;
    ++line;
  }
  // No closing fence: not front matter, the whole file is body.
  fm.body_offset = start;
  return fm;
}

nlohmann::json parse_metadata(std::string_view yaml, const std::string& file, int first_line) {
  if (!util::valid_utf8(yaml)) throw DataError({file, first_line, 1}, "metadata is not valid UTF-8");
  if (auto problem = yaml_guard::check(yaml))
    throw DataError({file, problem->line + first_line - 1, problem->column}, problem->message);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw DataError({file, e.mark.line + first_line, e.mark.column + 1}, e.msg);
  }
  if (root.IsNull()) return nlohmann::json::object();
  if (!root.IsMap()) throw DataError({file, first_line, 1}, "metadata must be a mapping of fields (id: ..., title: ...)");
  size_t budget = 0;
  try {
    return to_json(root, file, first_line, budget, 0);
  } catch (const YAML::Exception& e) {
    throw DataError({file, e.mark.line + first_line, e.mark.column + 1}, e.msg);
  }
}

} // namespace befus::corpus
