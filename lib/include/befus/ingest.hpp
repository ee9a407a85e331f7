#pragma once

#include "befus/index.hpp"
#include "befus/kb.hpp"
#include "befus/taxonomy.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

// Batch import and export of records (JSON Lines or CSV), the format other systems exchange.
namespace befus::ingest {

namespace fs = std::filesystem;

enum class Format { jsonl, csv };
std::string to_string(Format f);
// "jsonl" or "csv" (also "ndjson"); nullopt for anything else.
std::optional<Format> format_named(std::string_view name);
// From a file's extension: .jsonl/.ndjson/.json, .csv; nullopt when it cannot tell.
std::optional<Format> format_of(const fs::path& file);

// The record fields, in the order they are written (front matter, JSON, CSV columns).
inline const std::vector<std::string> k_fields{"id",  "title",   "lang",      "year",     "type",
                                               "partners", "themes", "why", "url", "problem",
                                               "mechanism", "evidence", "target", "body", "path"};

// One record, normalised: texts trimmed (except body), list items trimmed and never empty.
// An empty text or list means the field is absent.
struct Record {
  size_t line = 0;  // 1-based line where the record starts in its input
  std::string id, title, lang;
  int year = 0;
  std::string type;
  std::vector<std::string> partners, themes;
  std::string why, url, problem, mechanism, evidence;
  std::vector<std::string> target;
  std::string body;  // Markdown text of a new or updated document
  std::string path;  // or: a file already in the knowledge base, relative to its root
  bool operator==(const Record&) const = default;
};

// A record as read: the record, or the reasons it could not be read (it is then rejected).
struct RawRecord {
  Record record;
  std::vector<std::string> reasons;
};

// Streams records one at a time from an input; memory is bounded by the largest record.
// Throws DataError (exit 3) when the input itself is unusable (UTF-16, unreadable, bad CSV header).
class RecordReader {
public:
  virtual ~RecordReader() = default;
  // False at the end of the input.
  virtual bool next(RawRecord& out) = 0;
  // Bytes consumed so far, for progress.
  virtual std::uint64_t bytes_read() const = 0;
};
std::unique_ptr<RecordReader> open_reader(std::istream& in, Format format, std::string name);

// Largest record (one JSON line, one CSV field) accepted, in bytes.
inline constexpr size_t k_max_record_bytes = 64u << 20;

// Every problem of a record against the knowledge base's tree, actors and languages, as
// "field: message". Checks that need the disk (path) are included.
std::vector<std::string> validate(const Record& r, const taxonomy::Taxonomy& t, const kb::KnowledgeBase& kb);

// Front matter text (without the --- fences) for metadata fields, known ones first in k_fields
// order, then the others sorted; values are emitted so parse_metadata reads them back unchanged.
std::string front_matter(const nlohmann::json& fields);
// A record's metadata as front matter fields (absent fields left out), merged over kept.
nlohmann::json metadata_of(const Record& r, const nlohmann::json& kept = nlohmann::json::object());
// The Markdown file an import writes for a body record; kept holds the existing file's other keys.
std::string render_markdown(const Record& r, const nlohmann::json& kept = nlohmann::json::object());
// The record a file written by render_markdown reads back as, with the keys it does not know;
// nullopt when the file cannot have been written that way (no front matter, wrong value types).
struct ParsedFile {
  Record record;
  nlohmann::json kept = nlohmann::json::object();  // front matter keys that are not record fields
};
std::optional<ParsedFile> parse_markdown(std::string_view bytes, const std::string& shown);

// Output of one record as a JSON line (ordered keys, absent fields left out) or a CSV row.
std::string to_jsonl(const Record& r);
std::string csv_header();
std::string to_csv(const Record& r);

struct Rejection {
  size_t line = 0;
  std::string id;
  std::vector<std::string> reasons;
};

struct ImportOptions {
  std::optional<Format> format;  // from the file's extension when absent
  bool dry_run = false;
  bool strict = false;              // all or nothing
  fs::path into;                    // folder for new documents (absolute; inside a corpus folder)
  std::string index_location;       // where the accepted records are indexed
  unsigned jobs = 0;                // indexing threads
  // Called now and then while reading: bytes read, total bytes (0 when unknown), records seen.
  std::function<void(std::uint64_t, std::uint64_t, size_t)> progress;
  std::function<void(size_t, size_t)> index_progress;
};

struct ImportReport {
  size_t added = 0, updated = 0, unchanged = 0, rejected = 0;
  std::vector<Rejection> rejections;  // in input order
  bool dry_run = false;
  bool strict = false;
  bool refused = false;  // --strict found a bad record: nothing was written or indexed
  std::string into;      // relative to the knowledge base
  std::optional<index::IndexReport> index;
  nlohmann::json to_json() const;
  // 0 when everything was accepted, 5 when some records were rejected (or failed to index),
  // 3 when --strict refused the whole batch.
  int exit_code() const;
};

// Where an import reads from: a file, or a stream (standard input) named "-".
struct Input {
  fs::path file;                  // used when stream is null
  std::istream* stream = nullptr; // standard input
  std::string name() const { return stream ? "-" : file.string(); }
};

// Imports a batch. Rejected records never stop the batch; throws DataError when the input is
// unreadable, UsageError when the format is unknown, IndexError when the index cannot be written.
ImportReport import_records(const kb::KnowledgeBase& kb, const taxonomy::Taxonomy& t, const Input& input,
                            const ImportOptions& options);

// The default folder for imported documents: "imported" in the first corpus folder.
fs::path default_into(const kb::KnowledgeBase& kb);

struct ExportOptions {
  Format format = Format::jsonl;
  std::string theme;  // only documents on this theme or under it (an id)
};

// Writes every indexed document as a record, sorted by id; returns how many were written.
// A Markdown document that import could have written byte for byte is exported with its body;
// every other document with its path (the file stays where it is).
size_t export_records(const kb::KnowledgeBase& kb, const index::Reader& reader, std::ostream& out,
                      const ExportOptions& options);

} // namespace befus::ingest
