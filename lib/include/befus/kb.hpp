#pragma once

#include "befus/taxonomy.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace befus::kb {

namespace fs = std::filesystem;

inline constexpr const char* k_config_name = "befus.yaml";

// A knowledge base: a folder with befus.yaml; every path in it is relative to that folder.
struct KnowledgeBase {
  fs::path root;
  fs::path taxonomy;
  fs::path actors;
  fs::path funding;
  std::vector<fs::path> corpus;
  std::string index;  // a local path (absolute after loading) or a tcp:// URL
  std::vector<std::string> languages{"nl", "fr", "en"};

  taxonomy::Sources sources() const { return {taxonomy, actors, funding, languages}; }
  // Path relative to the root, for display and as a stable key.
  std::string relative(const fs::path& p) const;
  // The same for a path as a string, without making an fs::path when it is plainly under the
  // root (as every file the corpus listing gives is).
  std::string relative(const std::string& p) const;
};

// Finds befus.yaml in dir (when given) or in the current folder or a parent, and reads it.
KnowledgeBase open(const std::optional<fs::path>& dir);
KnowledgeBase read_config(const fs::path& root);

// Creates a knowledge base skeleton in dir: config, empty tree, actors, funding, corpus folder.
// Refuses when dir already holds a befus.yaml.
void init(const fs::path& dir);

} // namespace befus::kb
