#pragma once

#include "befus/error.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace befus::taxonomy {

using LangText = std::map<std::string, std::string>;               // lang -> text
using LangList = std::map<std::string, std::vector<std::string>>;  // lang -> texts

struct Node {
  std::string id;
  LangText label;
  LangList alt;
  LangText why;
  LangList keywords;
  std::vector<std::string> related;
  std::vector<std::string> replaces;
  std::string source;
  int depth = 0;                       // 0 for a pillar
  std::optional<size_t> parent;        // index into Taxonomy::nodes()
  std::vector<size_t> children;
  Location where;                      // of the node's `id` in its file
};

struct Actor {
  std::string id;
  std::string name;
  LangText names;
  std::string kind;
  std::vector<std::string> languages;
  std::string url;
  Location where;
};

struct Programme {
  std::string id;
  LangText name;
  std::string funder;
  std::vector<std::string> cofunders;
  double budget_eur = 0;
  long staff = 0;
  int year = 0;
  std::vector<std::string> themes;
  LangText note;
  Location where;
};

// One problem found while loading; warnings do not make a file invalid.
struct Diagnostic {
  enum class Severity { error, warning };
  Severity severity = Severity::error;
  Location where;
  std::string message;
  std::string to_string() const;  // "file:line:col: error: message"
};

// How much of the tree a load brings. An outline has what look-ups and labels need: nodes with
// id, label, alt, depth, parent and children; actors with id, name and names; the label index
// and the hash. It leaves out why, keywords, related, replaces and source of nodes, actors'
// kind, languages and url, and the programmes: a search reads an outline in a fraction of the
// time a whole tree takes.
enum class Detail { full, outline };

// The thematic tree with its actors and programmes; nodes are stored in pre-order.
class Taxonomy {
public:
  const std::vector<Node>& nodes() const { return m_nodes; }
  const std::vector<std::string>& levels() const { return m_levels; }
  const LangText& title() const { return m_title; }
  const std::string& scheme_id() const { return m_scheme_id; }
  const std::vector<Actor>& actors() const { return m_actors; }
  const std::vector<Programme>& programmes() const { return m_programmes; }

  const Node* find(std::string_view id) const;
  std::optional<size_t> index_of(std::string_view id) const;
  // By id, or by a label or alt label in any language (accents and case ignored).
  const Node* resolve(std::string_view id_or_label) const;
  const Actor* find_actor(std::string_view id) const;
  const Programme* find_programme(std::string_view id) const;

  // From the pillar down to the node itself.
  std::vector<const Node*> path(const Node& n) const;
  // The node and everything under it, pre-order.
  std::vector<const Node*> subtree(const Node& n) const;
  const Node& pillar(const Node& n) const;
  std::string level_name(const Node& n) const;
  // The label in lang, else in the first language that has one, else the id.
  static std::string label(const Node& n, const std::string& lang);
  // The id of the live node that took over a retired id (via `replaces`), if any.
  const Node* replacement(std::string_view old_id) const;

  std::vector<std::string> ids() const;
  std::vector<std::string> actor_ids() const;
  // Hash of the tree's content, for change detection (hex).
  const std::string& hash() const { return m_hash; }
  // Every label and alt label, folded as util::fold_phrase does, with its node's index, sorted
  // by label. A label wins over another node's alt label that folds the same way.
  const std::vector<std::pair<std::string, size_t>>& label_index() const { return m_by_label; }
  // The node with this folded label or alt label.
  std::optional<size_t> find_label(std::string_view folded) const;
  // Words in the longest label or alt label (at least 1).
  size_t longest_label() const { return m_longest_label; }
  // Loaded as an outline (see Detail): the left-out parts are empty.
  bool is_outline() const { return m_outline; }

  // Builders, used by the loader.
  void set_levels(std::vector<std::string> levels) { m_levels = std::move(levels); }
  void set_scheme(std::string id, LangText title) {
    m_scheme_id = std::move(id);
    m_title = std::move(title);
  }
  size_t add_node(Node node);
  void add_actor(Actor a) { m_actors.push_back(std::move(a)); }
  void add_programme(Programme p) { m_programmes.push_back(std::move(p)); }
  void finish();  // builds look-up tables and the hash
  // The same, with the label index (sorted, as label_index() gives it) and hash that finish()
  // computed earlier (the compiled cache); throws std::runtime_error when the index is not sorted
  // or names a node that does not exist.
  void finish_from_cache(std::vector<std::pair<std::string, size_t>> labels, std::string hash, Detail detail);

private:
  std::vector<Node> m_nodes;
  std::vector<std::string> m_levels;
  std::string m_scheme_id;
  LangText m_title;
  std::vector<Actor> m_actors;
  std::vector<Programme> m_programmes;
  std::unordered_map<std::string, size_t> m_by_id;
  std::vector<std::pair<std::string, size_t>> m_by_label;
  std::unordered_map<std::string, size_t> m_by_replaced;
  std::string m_hash;
  size_t m_longest_label = 1;
  bool m_outline = false;

  void index_ids();
};

struct Sources {
  std::filesystem::path tree;
  std::filesystem::path actors;   // empty: none
  std::filesystem::path funding;  // empty: none
  std::vector<std::string> languages{"nl", "fr", "en"};
};

struct LoadResult {
  Taxonomy taxonomy;
  std::vector<Diagnostic> diagnostics;
  bool ok() const;  // no errors (warnings allowed)
};

// Loads and validates everything, collecting every problem; never throws for bad data.
LoadResult load(const Sources& sources);
// Loads and throws a DataError naming the first error (for commands that only need a tree).
Taxonomy load_or_throw(const Sources& sources);
// The same, from a compiled copy kept in cache while the files' stamps are unchanged; parsing
// YAML costs more than a whole search, so read-only commands use this. With Detail::outline the
// copy is read only as far as an outline needs (a tree loaded from the files is always whole).
Taxonomy load_cached(const Sources& sources, const std::filesystem::path& cache, Detail detail = Detail::full);

} // namespace befus::taxonomy
