#pragma once

#include "befus/kb.hpp"
#include "befus/taxonomy.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace befus::corpus {

namespace fs = std::filesystem;

inline const std::vector<std::string> k_types{"publication", "practice", "recommendation",
                                              "evaluation",  "workshop", "news"};

// A document as the index and the reports see it.
struct Document {
  std::string id;
  std::string title;
  std::string lang;
  int year = 0;
  std::string type;
  std::vector<std::string> partners;
  std::vector<std::string> themes;
  bool has_themes = false;   // the `themes` key was present (an empty list counts)
  std::string why;
  std::string url;
  std::string problem, mechanism, evidence;
  std::vector<std::string> target;
  nlohmann::json fields = nlohmann::json::object();  // every metadata field as written
  std::string body;      // extracted plain text
  std::string path;      // relative to the knowledge base root
  std::string format;    // md, txt, html, pdf
  std::vector<std::string> warnings;
};

// Front matter: the YAML between a leading "---" line and the next "---" line.
struct FrontMatter {
  bool present = false;
  std::string yaml;       // the raw YAML text
  int yaml_first_line = 0;  // 1-based line of the YAML's first line in the file
  size_t body_offset = 0;   // where the body starts (after the closing line)
};
FrontMatter split_front_matter(std::string_view text);

// YAML mapping text to JSON (scalars stay text, except integers for `year`); throws DataError
// with the file line (first_line shifts yaml-cpp's marks into the file's numbering).
nlohmann::json parse_metadata(std::string_view yaml, const std::string& file, int first_line);

// Plain text from each format; bytes must be the whole file.
struct Extracted {
  std::string text;
  std::string title;  // from the format itself (<title>, first heading), if any
  std::string lang;   // declared by the format (<html lang>), if any
};
Extracted extract_markdown(std::string_view text);
Extracted extract_html(std::string_view html);
// PDF text via poppler in a child process with a deadline and a memory limit: a PDF bomb or a
// poppler crash fails that file only. Throws DataError when the PDF cannot be read.
Extracted extract_pdf(std::string_view bytes);
// The same in this process, without limits (the child's work; the fuzz target's entry).
Extracted extract_pdf_in_process(std::string_view bytes);
Extracted extract_text(std::string_view text);

// "nl", "fr", "en" (or another code the identifier knows), or "" when unsure.
std::string detect_language(std::string_view text);

// Formats befus reads, by extension.
bool is_document_file(const fs::path& p);
fs::path sidecar_of(const fs::path& p);
// What identifies a version of a file without reading it: its stamp and its sidecar's.
std::string signature(const fs::path& file);

// Every document file under the knowledge base's corpus folders, each once: corpus folders in
// the order befus.yaml names them, each walked depth-first in path order. Sidecars, hidden
// entries and special files are left out; links that leave the knowledge base, broken links and
// unreadable folders are reported as skipped. A file reached twice (a link to it, overlapping
// or linked corpus folders) is listed once, under its own path rather than a link's. The walk
// holds one folder's entries at a time, so listing a million files costs no memory per file.
using FileVisitor = std::function<void(const std::string& file)>;  // absolute path
using SkipVisitor = std::function<void(std::string path, std::string reason)>;
void walk_files(const kb::KnowledgeBase& kb, const FileVisitor& on_file, const SkipVisitor& on_skip);

// The same, collected.
struct Listing {
  std::vector<std::string> files;  // absolute
  std::vector<std::pair<std::string, std::string>> skipped;  // path, reason
};
Listing list_files(const kb::KnowledgeBase& kb);

// Reads, parses and extracts one file (with its sidecar); throws DataError on bad input.
Document load(const kb::KnowledgeBase& kb, const fs::path& file);
// Checks a document against the tree and actors; returns problems (empty when fine).
std::vector<std::string> check(const Document& d, const taxonomy::Taxonomy& t, const std::vector<std::string>& languages);

// Size limit for one document file, in bytes.
inline constexpr std::uintmax_t k_max_file_bytes = 64u << 20;

} // namespace befus::corpus
