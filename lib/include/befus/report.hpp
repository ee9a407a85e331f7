#pragma once

#include "befus/index.hpp"
#include "befus/kb.hpp"
#include "befus/taxonomy.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace befus::report {

struct Count {
  std::string id;
  long count = 0;
};

struct Pair {
  std::string a, b;
  long count = 0;
};

struct Why {
  std::string source;  // a node id or a document id
  std::string title;   // the node's label or the document's title
  std::string text;
  std::string kind;    // "theme" (the node or an ancestor), "document", "mechanism"
};

struct Funding {
  const taxonomy::Programme* programme;
  std::string via;  // the theme id that links it: the node itself, an ancestor or a descendant
};

// "What do we do together, and why?" for one node of the tree and everything under it.
struct Together {
  const taxonomy::Node* theme = nullptr;
  std::vector<const taxonomy::Node*> path;  // pillar first
  std::vector<Why> why;
  std::vector<nlohmann::json> documents;    // stored fields (no text), newest first
  std::map<std::string, std::vector<nlohmann::json>> by_type;
  std::vector<Count> partners;              // ranked by documents shared on the theme
  std::vector<Pair> pairs;                  // partners who appear on the same documents
  std::vector<Count> transversal;           // other themes the same documents touch
  std::vector<Count> transversal_pillars;
  std::vector<Funding> funding;
  double total_eur = 0;
  long total_staff = 0;
  std::vector<const taxonomy::Node*> gaps_empty;          // subthemes with no documents
  std::vector<const taxonomy::Node*> gaps_unevaluated;    // themes with no evaluated practice
};

Together together(const index::Reader& reader, const taxonomy::Taxonomy& t, const taxonomy::Node& theme,
                  const std::string& lang);

// The old question from the new tree: what one actor works on, with whom, funded by what.
struct Who {
  const taxonomy::Actor* actor = nullptr;
  std::vector<Count> themes;       // nodes of its documents (direct themes), ranked
  std::vector<Count> pillars;
  std::vector<nlohmann::json> documents;
  std::vector<Count> co_partners;
  std::vector<const taxonomy::Programme*> gives;   // as funder or cofunder
  std::vector<const taxonomy::Programme*> on_its_themes;  // programmes serving the themes it works on
};

Who who(const index::Reader& reader, const taxonomy::Taxonomy& t, const taxonomy::Actor& actor);

// The state of the knowledge base and its index.
struct Status {
  size_t documents = 0;
  std::map<std::string, long> by_lang, by_type, by_pillar;
  std::vector<std::string> unclassified;      // ids
  std::vector<std::string> unknown_themes;    // "id: theme" for themes no longer in the tree
  std::vector<std::string> added, changed, removed;  // files not yet in step with the index
  std::uintmax_t bytes = 0;                   // database size on disk (local only)
  std::string schema, taxonomy_hash, current_hash;
};

Status status(const kb::KnowledgeBase& kb, const index::Reader& reader, const taxonomy::Taxonomy& t,
              const std::string& location);

} // namespace befus::report
