#include "befus/ingest.hpp"

#include "befus/corpus.hpp"
#include "befus/error.hpp"
#include "befus/fs.hpp"
#include "index/database.hpp"
#include "index/reader_impl.hpp"
#include "index/schema.hpp"
#include "ingest/fields.hpp"

#include <unordered_set>

namespace befus::ingest {

namespace {

// The record of an indexed document as befus reads it (its path, not its text).
Record from_data(const nlohmann::json& data) {
  Record r;
  std::vector<std::string> ignored;  // the index holds checked values; nothing to report here
  auto text = [&](const char* key) {
    if (auto it = data.find(key); it != data.end() && it->is_string())
      detail::assign_text(r, key, it->get_ref<const std::string&>(), ignored);
  };
  auto list = [&](const char* key) {
    if (auto it = data.find(key); it != data.end() && it->is_array()) {
      std::vector<std::string> items;
      for (const auto& x : *it)
        if (x.is_string()) items.push_back(x.get<std::string>());
      detail::assign_list(r, key, items, ignored);
    }
  };
  for (const char* key : {"id", "title", "lang", "type", "why", "url", "problem", "mechanism", "evidence", "path"})
    text(key);
  for (const char* key : {"partners", "themes", "target"}) list(key);
  if (auto it = data.find("year"); it != data.end() && it->is_number_integer()) r.year = it->get<int>();
  return r;
}

// The document as a body record when import could have written its file byte for byte.
std::optional<Record> as_body_record(const kb::KnowledgeBase& kb, const Record& indexed, const std::string& format) {
  if (format != "md" || indexed.path.empty()) return std::nullopt;
  fs::path file = kb.root / indexed.path;
  std::error_code ec;
  if (fs::exists(corpus::sidecar_of(file), ec)) return std::nullopt;
  std::string bytes;
  try {
    bytes = util::read_file(file, corpus::k_max_file_bytes);
  } catch (const DataError&) {
    return std::nullopt;
  }
  auto parsed = parse_markdown(bytes, indexed.path);
  if (!parsed || parsed->record.id != indexed.id) return std::nullopt;
  if (render_markdown(parsed->record, parsed->kept) != bytes) return std::nullopt;
  parsed->record.path.clear();
  return std::move(parsed->record);
}

} // namespace

size_t export_records(const kb::KnowledgeBase& kb, const index::Reader& reader, std::ostream& out,
                      const ExportOptions& options) {
  Xapian::Database& db = reader.impl().db;
  const std::string& prefix = index::schema::k_id;
  size_t written = 0;
  try {
    std::unordered_set<Xapian::docid> wanted;
    if (!options.theme.empty()) {
      std::string term = index::schema::bounded(index::schema::k_theme, options.theme);
      for (auto it = db.postlist_begin(term); it != db.postlist_end(term); ++it) wanted.insert(*it);
      if (wanted.empty()) return 0;
    }
    if (options.format == Format::csv) out << csv_header();
    // Q terms come sorted, so the output is in id order without holding the catalogue in memory.
    for (auto term = db.allterms_begin(prefix); term != db.allterms_end(prefix); ++term) {
      auto post = db.postlist_begin(*term);
      if (post == db.postlist_end(*term)) continue;
      if (!options.theme.empty() && !wanted.count(*post)) continue;
      nlohmann::json data = index::schema::parse_data(db.get_document(*post).get_data(), true);
      if (data.size() <= 1) continue;  // damaged: no fields but the text
      Record r = from_data(data);
      if (auto body = as_body_record(kb, r, data.value("format", std::string()))) r = std::move(*body);
      out << (options.format == Format::csv ? to_csv(r) : to_jsonl(r));
      ++written;
    }
  } catch (const Xapian::Error& e) {
    index::translate(e, reader.impl().location);
  }
  if (!out) throw Error("cannot write the export (output closed?)");
  return written;
}

} // namespace befus::ingest
