#include "befus/taxonomy.hpp"

#include "befus/fs.hpp"
#include "befus/text.hpp"
#include "util/yaml_guard.hpp"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <set>

namespace befus::taxonomy {

namespace {

using Severity = Diagnostic::Severity;

// yaml-cpp throws from Type() on a missing key's node, so every test goes through here.
bool is_scalar(const YAML::Node& n) { return n.IsDefined() && n.IsScalar(); }

const std::set<std::string> k_actor_kinds{"municipality", "federal", "regional", "community",
                                          "network",      "ngo",     "university", "company"};
const std::set<std::string> k_node_keys{"id",      "label",    "alt",    "why",     "keywords",
                                        "related", "replaces", "source", "children"};
// Bounds that keep a hostile file from exhausting memory through aliases.
constexpr size_t k_max_values = 2'000'000;
// Aliases can repeat a subtree with children many times over; no real tree comes near this.
constexpr size_t k_max_nodes = 20'000;

class Loader {
public:
  Loader(std::vector<Diagnostic>& diags, std::vector<std::string> languages)
      : m_diags(diags), m_languages(std::move(languages)) {}

  // Parses one file; reports syntax and size problems and returns an undefined node then.
  YAML::Node parse(const std::filesystem::path& path) {
    m_file = path.string();
    std::string text;
    try {
      text = util::read_file(path, 16u << 20);
    } catch (const DataError& e) {
      report(Severity::error, {m_file}, e.bare_message());
      return {};
    }
    if (!util::valid_utf8(text)) {
      report(Severity::error, {m_file, util::line_of(text, util::first_invalid_utf8(text)), 1}, "invalid UTF-8");
      return {};
    }
    if (auto problem = yaml_guard::check(text)) {
      report(Severity::error, {m_file, problem->line, problem->column}, problem->message);
      return {};
    }
    try {
      return YAML::Load(text);
    } catch (const YAML::Exception& e) {
      report(Severity::error, {m_file, e.mark.line + 1, e.mark.column + 1}, e.msg);
      return {};
    }
  }

  Location at(const YAML::Node& n, std::string field = {}) const {
    if (!n.IsDefined()) return {m_file, 0, 0, std::move(field)};
    YAML::Mark m = n.Mark();
    return {m_file, m.line + 1, m.column + 1, std::move(field)};
  }

  void report(Severity s, Location where, std::string message) {
    m_diags.push_back({s, std::move(where), std::move(message)});
  }

  bool spend(const YAML::Node& n) {
    if (++m_values <= k_max_values) return true;
    if (m_values == k_max_values + 1)
      report(Severity::error, at(n), "document expands to too many values (aliases?); giving up on this file");
    return false;
  }

  std::optional<std::string> scalar(const YAML::Node& n, const std::string& field) {
    if (!spend(n)) return std::nullopt;
    if (!n.IsScalar()) {
      report(Severity::error, at(n, field), fmt::format("'{}' must be a text", field));
      return std::nullopt;
    }
    const std::string& s = n.Scalar();
    if (!util::valid_utf8(s)) {
      report(Severity::error, at(n, field), fmt::format("'{}' is not valid UTF-8", field));
      return std::nullopt;
    }
    return s;
  }

  std::vector<std::string> list(const YAML::Node& n, const std::string& field) {
    std::vector<std::string> out;
    if (!n.IsDefined() || n.IsNull()) return out;
    if (n.IsScalar()) {
      if (auto s = scalar(n, field)) out.push_back(*s);
      return out;
    }
    if (!n.IsSequence()) {
      report(Severity::error, at(n, field), fmt::format("'{}' must be a list", field));
      return out;
    }
    for (const auto& item : n)
      if (auto s = scalar(item, field)) out.push_back(*s);
    return out;
  }

  LangText lang_text(const YAML::Node& n, const std::string& field) {
    LangText out;
    if (!n.IsDefined() || n.IsNull()) return out;
    if (!n.IsMap()) {
      report(Severity::error, at(n, field), fmt::format("'{}' must map languages to text, as {{nl: ..., fr: ...}}", field));
      return out;
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
      auto lang = scalar(it->first, field);
      auto text = scalar(it->second, fmt::format("{}.{}", field, lang.value_or("?")));
      if (lang && text) out[*lang] = util::trim(*text);
    }
    return out;
  }

  LangList lang_list(const YAML::Node& n, const std::string& field) {
    LangList out;
    if (!n.IsDefined() || n.IsNull()) return out;
    if (!n.IsMap()) {
      report(Severity::error, at(n, field), fmt::format("'{}' must map languages to lists, as {{nl: [...], fr: [...]}}", field));
      return out;
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
      auto lang = scalar(it->first, field);
      if (!lang) continue;
      out[*lang] = list(it->second, fmt::format("{}.{}", field, *lang));
    }
    return out;
  }

  void nodes(Taxonomy& t, const YAML::Node& seq, int depth, std::optional<size_t> parent, size_t max_depth) {
    if (!seq.IsDefined() || seq.IsNull()) return;
    if (!seq.IsSequence()) {
      report(Severity::error, at(seq, depth ? "children" : "nodes"), "expected a list of nodes");
      return;
    }
    for (const YAML::Node& item : seq) {
      if (!spend(item)) return;
      if (++m_nodes > k_max_nodes) {
        if (m_nodes == k_max_nodes + 1)
          report(Severity::error, at(item), fmt::format("tree has more than {} nodes (aliases?); giving up on this file", k_max_nodes));
        return;
      }
      if (!item.IsMap()) {
        report(Severity::error, at(item), "a node must be a mapping with at least 'id' and 'label'");
        continue;
      }
      Node n;
      n.depth = depth;
      n.parent = parent;
      YAML::Node id = item["id"];
      n.where = at(id.IsDefined() ? id : item, "id");
      if (!id.IsDefined()) {
        report(Severity::error, at(item, "id"), "node has no 'id'");
        continue;
      }
      if (auto s = scalar(id, "id")) n.id = *s;
      if (n.id.empty()) continue;
      if (!util::is_slug(n.id))
        report(Severity::error, n.where,
               fmt::format("id '{}' is not a slug (lower-case letters, digits and single hyphens)", n.id));
      if (static_cast<size_t>(depth) >= max_depth && max_depth > 0)
        report(Severity::error, n.where,
               fmt::format("node '{}' is at depth {}, deeper than the {} declared levels", n.id, depth + 1, max_depth));
      for (auto it = item.begin(); it != item.end(); ++it) {
        std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
        if (!k_node_keys.count(key))
          report(Severity::warning, at(it->first, key), fmt::format("unknown key '{}' in node '{}' (ignored)", key, n.id));
      }
      if (!item["label"].IsDefined())
        report(Severity::error, at(item, "label"), fmt::format("node '{}' has no 'label'", n.id));
      n.label = lang_text(item["label"], "label");
      n.alt = lang_list(item["alt"], "alt");
      n.why = lang_text(item["why"], "why");
      n.keywords = lang_list(item["keywords"], "keywords");
      n.related = list(item["related"], "related");
      n.replaces = list(item["replaces"], "replaces");
      if (auto src = item["source"]; src.IsDefined())
        n.source = scalar(src, "source").value_or("");
      m_label_at[n.id] = at(item["label"], "label");
      m_related_at[n.id] = at(item["related"], "related");
      m_replaces_at[n.id] = at(item["replaces"], "replaces");
      size_t index = t.add_node(std::move(n));
      if (depth > 200) {
        report(Severity::error, at(item), "tree is deeper than 200 levels");
        continue;
      }
      nodes(t, item["children"], depth + 1, index, max_depth);
    }
  }

  std::map<std::string, Location> m_label_at, m_related_at, m_replaces_at;
  std::string m_file;

private:
  std::vector<Diagnostic>& m_diags;
  std::vector<std::string> m_languages;
  size_t m_values = 0;
  size_t m_nodes = 0;
};

void validate_tree(Taxonomy& t, Loader& ld, const std::vector<std::string>& languages) {
  const auto& nodes = t.nodes();
  std::map<std::string, size_t> first;
  for (size_t i = 0; i < nodes.size(); ++i) {
    auto [it, fresh] = first.emplace(nodes[i].id, i);
    if (!fresh)
      ld.report(Severity::error, nodes[i].where,
                fmt::format("duplicate id '{}' (first defined at {})", nodes[i].id, nodes[it->second].where.to_string()));
  }
  // Labels must tell nodes apart within one language.
  std::map<std::pair<std::string, std::string>, size_t> labels;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    for (const auto& lang : languages) {
      auto it = n.label.find(lang);
      if (it == n.label.end() || it->second.empty())
        ld.report(Severity::warning, ld.m_label_at[n.id], fmt::format("node '{}' has no label in '{}'", n.id, lang));
    }
    for (const auto& [lang, text] : n.label) {
      auto [lt, fresh] = labels.emplace(std::make_pair(lang, util::fold_phrase(text)), i);
      if (!fresh && nodes[lt->second].id != n.id)
        ld.report(Severity::error, ld.m_label_at[n.id],
                  fmt::format("label '{}' ({}) of '{}' is also the label of '{}' at {}", text, lang, n.id,
                              nodes[lt->second].id, nodes[lt->second].where.to_string()));
    }
    if (n.depth == 0 && n.why.empty())
      ld.report(Severity::error, n.where, fmt::format("pillar '{}' has no 'why'", n.id));
    for (const auto& r : n.related) {
      if (!first.count(r))
        ld.report(Severity::error, ld.m_related_at[n.id], fmt::format("'{}' relates to unknown id '{}'", n.id, r));
    }
    for (const auto& r : n.replaces) {
      if (first.count(r))
        ld.report(Severity::error, ld.m_replaces_at[n.id],
                  fmt::format("'{}' replaces '{}', which is still a live node", n.id, r));
    }
    if (!n.source.empty() && n.source != "memorandum-2024" && n.source != "proposed")
      ld.report(Severity::warning, n.where,
                fmt::format("node '{}' has source '{}'; expected memorandum-2024 or proposed", n.id, n.source));
  }
}

void load_actors(Taxonomy& t, Loader& ld, const std::filesystem::path& path) {
  YAML::Node root = ld.parse(path);
  if (!root.IsDefined()) return;
  if (!root.IsMap() || !root["actors"].IsDefined()) {
    ld.report(Severity::error, ld.at(root, "actors"), "expected a mapping with an 'actors' list");
    return;
  }
  std::map<std::string, Location> seen;
  for (const YAML::Node& item : root["actors"]) {
    if (!item.IsMap()) {
      ld.report(Severity::error, ld.at(item), "an actor must be a mapping with 'id', 'name' and 'kind'");
      continue;
    }
    Actor a;
    a.where = ld.at(item["id"].IsDefined() ? item["id"] : item, "id");
    if (!item["id"].IsDefined()) {
      ld.report(Severity::error, a.where, "actor has no 'id'");
      continue;
    }
    a.id = ld.scalar(item["id"], "id").value_or("");
    if (!util::is_id(a.id)) ld.report(Severity::error, a.where, fmt::format("actor id '{}' is not a valid id", a.id));
    if (auto [it, fresh] = seen.emplace(a.id, a.where); !fresh)
      ld.report(Severity::error, a.where,
                fmt::format("duplicate actor id '{}' (first defined at {})", a.id, it->second.to_string()));
    if (item["name"].IsDefined()) a.name = ld.scalar(item["name"], "name").value_or("");
    else ld.report(Severity::warning, ld.at(item, "name"), fmt::format("actor '{}' has no 'name'", a.id));
    a.names = ld.lang_text(item["names"], "names");
    if (item["kind"].IsDefined()) a.kind = ld.scalar(item["kind"], "kind").value_or("");
    if (!k_actor_kinds.count(a.kind))
      ld.report(Severity::error, ld.at(item["kind"].IsDefined() ? item["kind"] : item, "kind"),
                fmt::format("actor '{}' has kind '{}'; expected one of municipality, federal, regional, "
                            "community, network, ngo, university, company", a.id, a.kind));
    a.languages = ld.list(item["languages"], "languages");
    if (item["url"].IsDefined()) a.url = ld.scalar(item["url"], "url").value_or("");
    t.add_actor(std::move(a));
  }
}

template <typename T>
std::optional<T> number(Loader& ld, const YAML::Node& n, const std::string& field) {
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  try {
    return n.as<T>();
  } catch (const YAML::Exception&) {
    ld.report(Severity::error, ld.at(n, field), fmt::format("'{}' must be a number", field));
    return std::nullopt;
  }
}

void load_funding(Taxonomy& t, Loader& ld, const std::filesystem::path& path) {
  YAML::Node root = ld.parse(path);
  if (!root.IsDefined()) return;
  if (!root.IsMap() || !root["programmes"].IsDefined()) {
    ld.report(Severity::error, ld.at(root, "programmes"), "expected a mapping with a 'programmes' list");
    return;
  }
  for (const YAML::Node& item : root["programmes"]) {
    if (!item.IsMap()) {
      ld.report(Severity::error, ld.at(item), "a programme must be a mapping with 'id', 'name' and 'funder'");
      continue;
    }
    Programme p;
    p.where = ld.at(item["id"].IsDefined() ? item["id"] : item, "id");
    p.id = item["id"].IsDefined() ? ld.scalar(item["id"], "id").value_or("") : "";
    if (!util::is_id(p.id)) ld.report(Severity::error, p.where, fmt::format("programme id '{}' is not a valid id", p.id));
    p.name = is_scalar(item["name"]) ? LangText{{"en", item["name"].Scalar()}} : ld.lang_text(item["name"], "name");
    if (item["funder"].IsDefined()) p.funder = ld.scalar(item["funder"], "funder").value_or("");
    Location funder_at = ld.at(item["funder"].IsDefined() ? item["funder"] : item, "funder");
    if (p.funder.empty())
      ld.report(Severity::error, funder_at, fmt::format("programme '{}' has no 'funder'", p.id));
    else if (!t.find_actor(p.funder))
      ld.report(Severity::error, funder_at, fmt::format("programme '{}' names unknown funder '{}'", p.id, p.funder));
    p.cofunders = ld.list(item["cofunders"], "cofunders");
    for (const auto& c : p.cofunders)
      if (!t.find_actor(c))
        ld.report(Severity::error, ld.at(item["cofunders"], "cofunders"),
                  fmt::format("programme '{}' names unknown cofunder '{}'", p.id, c));
    p.budget_eur = number<double>(ld, item["budget_eur"], "budget_eur").value_or(0);
    p.staff = number<long>(ld, item["staff"], "staff").value_or(0);
    p.year = number<int>(ld, item["year"], "year").value_or(0);
    p.themes = ld.list(item["themes"], "themes");
    for (const auto& th : p.themes)
      if (!t.find(th))
        ld.report(Severity::error, ld.at(item["themes"], "themes"),
                  fmt::format("programme '{}' serves unknown theme '{}'", p.id, th));
    p.note = is_scalar(item["note"]) ? LangText{{"en", item["note"].Scalar()}} : ld.lang_text(item["note"], "note");
    t.add_programme(std::move(p));
  }
}

} // namespace

LoadResult load(const Sources& sources) {
  LoadResult result;
  Loader ld(result.diagnostics, sources.languages);
  Taxonomy& t = result.taxonomy;
  YAML::Node root = ld.parse(sources.tree);
  if (root.IsDefined()) {
    if (!root.IsMap()) {
      ld.report(Severity::error, ld.at(root), "expected a mapping with 'levels' and 'nodes'");
    } else {
      std::vector<std::string> levels = ld.list(root["levels"], "levels");
      if (levels.empty()) levels = {"phenomenon", "theme", "subtheme"};
      t.set_levels(levels);
      if (YAML::Node scheme = root["scheme"]; scheme.IsDefined() && scheme.IsMap()) {
        std::string id = is_scalar(scheme["id"]) ? scheme["id"].Scalar() : "befus";
        t.set_scheme(id, ld.lang_text(scheme["title"], "title"));
      } else {
        t.set_scheme("befus", {});
      }
      if (!root["nodes"].IsDefined())
        ld.report(Severity::error, ld.at(root, "nodes"), "no 'nodes' list");
      ld.nodes(t, root["nodes"], 0, std::nullopt, levels.size());
    }
  }
  t.finish();
  validate_tree(t, ld, sources.languages);
  if (!sources.actors.empty()) load_actors(t, ld, sources.actors);
  if (!sources.funding.empty()) load_funding(t, ld, sources.funding);
  return result;
}

Taxonomy load_or_throw(const Sources& sources) {
  LoadResult r = load(sources);
  for (const auto& d : r.diagnostics)
    if (d.severity == Diagnostic::Severity::error)
      throw DataError(d.where, d.message + " (run 'befus taxonomy validate' for every problem)");
  return std::move(r.taxonomy);
}

} // namespace befus::taxonomy
