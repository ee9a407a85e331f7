#include "befus/kb.hpp"

#include "befus/error.hpp"
#include "befus/fs.hpp"
#include "kb/flat_yaml.hpp"
#include "util/yaml_guard.hpp"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

namespace befus::kb {

namespace {

// Lexical on purpose: fs::relative resolves links component by component, which cost a no-op
// index run two dozen system calls per file.
std::string lexical_relative(const fs::path& p, const fs::path& root) {
  std::error_code ec;
  fs::path rel = (p.is_absolute() ? p : fs::absolute(p, ec)).lexically_normal().lexically_relative(root);
  if (ec || rel.empty() || *rel.begin() == "..") return p.string();
  return rel.generic_string();
}

} // namespace

// What the corpus listing gives, a plain absolute path under the root, is cut as a string: the
// lexical route took most of a no-op index run.
std::string KnowledgeBase::relative(const std::string& p) const {
  if (auto rel = util::plain_rest(p, root.native())) return std::move(*rel);
  return lexical_relative(fs::path(p), root);
}

std::string KnowledgeBase::relative(const fs::path& p) const {
  if (auto rel = util::plain_rest(p.native(), root.native())) return std::move(*rel);
  return lexical_relative(p, root);
}

namespace {

// The knowledge base from a flat befus.yaml, or nothing when a value is not what the fields
// take: yaml-cpp then reads the file again and reports the problem with its line and column.
std::optional<KnowledgeBase> from_flat(const fs::path& root, const flat_yaml::Map& y) {
  KnowledgeBase kb;
  kb.root = fs::absolute(root).lexically_normal();
  auto in_root = [&](const std::string& p) { return p.empty() ? fs::path() : (kb.root / p).lexically_normal(); };
  bool ok = true;
  auto text_field = [&](std::string_view key, const char* fallback) -> std::string {
    auto it = y.find(key);
    if (it == y.end()) return fallback;
    ok = ok && !it->second.list;
    return it->second.items.empty() ? std::string() : it->second.items.front();
  };
  kb.taxonomy = in_root(text_field("taxonomy", "taxonomy/befus.yaml"));
  kb.actors = in_root(text_field("actors", ""));
  kb.funding = in_root(text_field("funding", ""));
  std::string index = text_field("index", ".befus/index");
  kb.index = index.find("://") != std::string::npos ? index : in_root(index).string();
  if (auto corpus = y.find("corpus"); corpus == y.end())
    kb.corpus.push_back(kb.root / "corpus");
  else
    for (const auto& c : corpus->second.items) kb.corpus.push_back(in_root(c));
  if (auto langs = y.find("languages"); langs != y.end() && langs->second.list) {
    kb.languages.clear();
    for (const auto& l : langs->second.items) {
      ok = ok && l.size() == 2;
      kb.languages.push_back(l);
    }
  }
  if (!ok) return std::nullopt;
  return kb;
}

void check_corpus(const fs::path& file, const KnowledgeBase& kb) {
  for (const auto& c : kb.corpus)
    if (!util::is_inside(kb.root, c))
      throw DataError({file.string(), 0, 0, "corpus"}, fmt::format("corpus folder '{}' is outside the knowledge base", c.string()));
}

} // namespace

KnowledgeBase read_config(const fs::path& root) {
  fs::path file = root / k_config_name;
  std::string text = util::read_file(file, 1u << 20);
  if (auto flat = flat_yaml::parse(text))
    if (auto kb = from_flat(root, *flat)) {
      check_corpus(file, *kb);
      return std::move(*kb);
    }
  if (auto problem = yaml_guard::check(text))
    throw DataError({file.string(), problem->line, problem->column}, problem->message);
  YAML::Node y;
  try {
    y = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw DataError({file.string(), e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  if (!y.IsMap()) throw DataError({file.string(), 1, 1}, "expected a mapping (taxonomy:, corpus:, index: ...)");
  KnowledgeBase kb;
  kb.root = fs::absolute(root).lexically_normal();
  auto text_field = [&](const char* key, const std::string& fallback) -> std::string {
    YAML::Node n = y[key];
    if (!n.IsDefined() || n.IsNull()) return fallback;
    if (!n.IsScalar())
      throw DataError({file.string(), n.Mark().line + 1, n.Mark().column + 1, key}, fmt::format("'{}' must be a text", key));
    return n.Scalar();
  };
  auto in_root = [&](const std::string& p) { return p.empty() ? fs::path() : (kb.root / p).lexically_normal(); };
  kb.taxonomy = in_root(text_field("taxonomy", "taxonomy/befus.yaml"));
  kb.actors = in_root(text_field("actors", ""));
  kb.funding = in_root(text_field("funding", ""));
  std::string index = text_field("index", ".befus/index");
  kb.index = index.find("://") != std::string::npos ? index : in_root(index).string();
  YAML::Node corpus = y["corpus"];
  if (!corpus.IsDefined() || corpus.IsNull()) {
    kb.corpus.push_back(kb.root / "corpus");
  } else if (corpus.IsScalar()) {
    kb.corpus.push_back(in_root(corpus.Scalar()));
  } else if (corpus.IsSequence()) {
    for (const auto& c : corpus) {
      if (!c.IsScalar())
        throw DataError({file.string(), c.Mark().line + 1, c.Mark().column + 1, "corpus"}, "corpus entries must be folder paths");
      kb.corpus.push_back(in_root(c.Scalar()));
    }
  } else {
    throw DataError({file.string(), corpus.Mark().line + 1, corpus.Mark().column + 1, "corpus"}, "'corpus' must be a list of folders");
  }
  if (YAML::Node langs = y["languages"]; langs.IsSequence()) {
    kb.languages.clear();
    for (const auto& l : langs) {
      if (!l.IsScalar() || l.Scalar().size() != 2)
        throw DataError({file.string(), l.Mark().line + 1, l.Mark().column + 1, "languages"}, "languages are two-letter codes such as nl");
      kb.languages.push_back(l.Scalar());
    }
  }
  check_corpus(file, kb);
  return kb;
}

KnowledgeBase open(const std::optional<fs::path>& dir) {
  if (dir) {
    if (!fs::exists(*dir / k_config_name))
      throw UsageError(fmt::format("{}: no {} here (create one with 'befus init {}')", dir->string(), k_config_name, dir->string()));
    return read_config(*dir);
  }
  auto found = util::find_upwards(fs::current_path(), k_config_name);
  if (!found)
    throw UsageError(fmt::format("no {} in this folder or any parent; use --kb DIR or 'befus init DIR'", k_config_name));
  return read_config(*found);
}

void init(const fs::path& dir) {
  if (fs::exists(dir / k_config_name))
    throw UsageError(fmt::format("{}: already a knowledge base ({} exists)", dir.string(), k_config_name));
  fs::create_directories(dir / "taxonomy");
  fs::create_directories(dir / "corpus");
  auto write_new = [](const fs::path& p, std::string_view text) {
    if (!fs::exists(p)) util::write_file_atomic(p, text);
  };
  write_new(dir / "taxonomy" / "befus.yaml",
            "# The thematic tree: phenomena (pillars), themes, subthemes.\n"
            "scheme: {id: kb, title: {en: My knowledge base}}\n"
            "levels: [phenomenon, theme, subtheme]\n"
            "nodes:\n"
            "  - id: example-pillar\n"
            "    label: {nl: Voorbeeldpijler, fr: Pilier d'exemple, en: Example pillar}\n"
            "    why: {en: Replace this with why the pillar matters.}\n"
            "    source: proposed\n"
            "    children: []\n");
  write_new(dir / "taxonomy" / "actors.yaml", "actors: []\n");
  write_new(dir / "taxonomy" / "funding.yaml", "programmes: []\n");
  util::write_file_atomic(dir / k_config_name,
                          "taxonomy: taxonomy/befus.yaml\n"
                          "actors:   taxonomy/actors.yaml\n"
                          "funding:  taxonomy/funding.yaml\n"
                          "corpus:   [corpus]\n"
                          "index:    .befus/index\n"
                          "languages: [nl, fr, en]\n");
}

} // namespace befus::kb
