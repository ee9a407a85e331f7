#pragma once

#include "befus/taxonomy.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace befus::taxonomy {

// The tree as loaded, with the keys DESIGN.md fixes for `taxonomy export --to json`.
nlohmann::json to_json(const Taxonomy& t);
// SKOS in Turtle: one skos:Concept per node, labels per language, broader/narrower, related.
std::string to_skos(const Taxonomy& t);
// Graphviz, labels in lang.
std::string to_dot(const Taxonomy& t, const std::string& lang);

struct Change {
  enum class Kind { added, removed, moved, relabelled, renamed, merged, split };
  Kind kind;
  std::string id;                    // the old id for removed/renamed/merged/split, else the node's id
  std::vector<std::string> targets;  // new ids (renamed, merged, split), new parent (moved)
  std::string detail;                // human explanation
};
std::string to_string(Change::Kind k);

// What changed between two trees; sorted by kind then id.
std::vector<Change> diff(const Taxonomy& before, const Taxonomy& after);

} // namespace befus::taxonomy
