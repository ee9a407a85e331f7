#include "befus/report.hpp"

#include "befus/corpus.hpp"
#include "befus/fs.hpp"
#include "index/schema.hpp"

#include <filesystem>
#include <set>

namespace befus::report {

namespace {

std::uintmax_t folder_size(const std::filesystem::path& p) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(p, ec)) return std::filesystem::file_size(p, ec);
  std::uintmax_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(p, ec); !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  return total;
}

} // namespace

Status status(const kb::KnowledgeBase& kb, const index::Reader& reader, const taxonomy::Taxonomy& t,
              const std::string& location) {
  Status s;
  s.documents = reader.document_count();
  s.by_lang = reader.term_counts(index::schema::k_lang);
  s.by_type = reader.term_counts(index::schema::k_type);
  for (const auto& [id, n] : reader.term_counts(index::schema::k_theme)) {
    const auto* node = t.find(id);
    if (node && !node->parent) s.by_pillar[id] = n;
  }
  s.unclassified = reader.ids_with_term(index::schema::k_state + "unclassified");
  std::sort(s.unclassified.begin(), s.unclassified.end());
  for (const auto& d : reader.all(false)) {
    if (auto it = d.find("themes"); it != d.end() && it->is_array())
      for (const auto& th : *it)
        if (th.is_string() && !t.find(th.get<std::string>()))
          s.unknown_themes.push_back(d.value("id", "") + ": " + th.get<std::string>());
  }
  // Files out of step with the index, found by stamps alone (nothing is read).
  auto indexed = reader.signatures();
  std::set<std::string> seen;
  for (const auto& file : corpus::list_files(kb).files) {
    std::string rel = kb.relative(file);
    seen.insert(rel);
    auto it = indexed.find(rel);
    if (it == indexed.end()) s.added.push_back(rel);
    else if (it->second != corpus::signature(file)) s.changed.push_back(rel);
  }
  for (const auto& [path, sig] : indexed)
    if (!seen.count(path)) s.removed.push_back(path);
  if (location.find("://") == std::string::npos) s.bytes = folder_size(location);
  s.schema = reader.metadata(index::schema::k_meta_schema);
  s.taxonomy_hash = reader.metadata(index::schema::k_meta_taxonomy);
  s.current_hash = t.hash();
  return s;
}

} // namespace befus::report
