#pragma once

#include "befus/kb.hpp"
#include "befus/taxonomy.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace befus::index {

struct IndexOptions {
  bool full = false;            // re-read every file, not only changed ones
  unsigned jobs = 0;            // extraction threads; 0 = one per core
  size_t batch = 2000;          // documents per commit
  unsigned shards = 0;          // split over this many local databases by id; 0 = keep the layout
  std::vector<std::filesystem::path> only;  // limit to these files or folders (others are left alone)
  std::function<void(size_t done, size_t total)> progress;
};

struct Failure {
  std::string path;
  std::string reason;
};

struct IndexReport {
  size_t added = 0, updated = 0, removed = 0, unchanged = 0, failed = 0;
  size_t retermed = 0;  // documents whose theme terms followed a tree change (counted in updated)
  size_t shards = 1;
  bool rebuilt = false;  // the layout changed, so every document was indexed afresh
  std::vector<Failure> failures;
  std::vector<Failure> warnings;
  double seconds = 0;
  nlohmann::json to_json() const;
};

// Brings the index at location in step with the knowledge base's corpus.
// Throws IndexError (exit 4) when the index is locked or cannot be opened for writing.
IndexReport update(const kb::KnowledgeBase& kb, const taxonomy::Taxonomy& t, const std::string& location,
                   const IndexOptions& options);


// A read-only view of the index: local path, stub file listing shards, or tcp://HOST:PORT.
class Reader {
public:
  explicit Reader(const std::string& location, double timeout_seconds = 10);
  ~Reader();
  Reader(Reader&&) noexcept;
  Reader& operator=(Reader&&) noexcept;

  size_t document_count() const;
  // The stored fields of one document (the JSON data), if the id exists.
  std::optional<nlohmann::json> get(const std::string& id) const;
  // Every document's stored fields, in docid order (call with care on huge indexes).
  std::vector<nlohmann::json> all(bool with_text = false) const;
  // Document ids for a boolean filter term (e.g. "XTHEME:inclusion").
  std::vector<std::string> ids_with_term(const std::string& term) const;
  // The stored fields (no text) of every document carrying term, in docid order.
  std::vector<nlohmann::json> documents_with_term(const std::string& term) const;
  std::string metadata(const std::string& key) const;
  // Counts per term under a prefix, over the whole index.
  std::map<std::string, long> term_counts(const std::string& prefix) const;
  // Path and signature of every document, for change detection ("path" -> "signature").
  std::map<std::string, std::string> signatures() const;

  struct Impl;
  Impl& impl() const { return *m_impl; }

private:
  std::unique_ptr<Impl> m_impl;
};

} // namespace befus::index
