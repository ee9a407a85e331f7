#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Byte-preserving edits of a document's `themes` field: the body, every other field, unknown keys,
// comments, key order, line endings and a byte-order mark stay exactly as they were.
namespace befus::corpus {

namespace fs = std::filesystem;

// What kind of text holds the metadata: a Markdown file (front matter) or a whole YAML file (sidecar).
enum class MetadataText { markdown, yaml };

// The text with its themes set to `themes`, in the style already used (flow list, block list); a
// scalar or empty value becomes a flow list; a missing key is inserted after `type:` (else at the end of
// the metadata); a Markdown file without front matter gets one. The result is parsed again and must
// hold the same fields as before except `themes`; otherwise throws DataError naming file and field.
std::string set_themes(std::string_view text, MetadataText kind, const std::vector<std::string>& themes,
                       const std::string& file = "");

// The themes written in a text (a list, or "a, b" as one text), nullopt when the key is absent or null.
std::optional<std::vector<std::string>> read_themes(std::string_view text, MetadataText kind,
                                                    const std::string& file = "");

// The file that holds a document's themes: a sidecar NAME.EXT.yaml when it exists and has the key, or
// when the document is not Markdown (then it may not exist yet); otherwise the Markdown file itself.
struct ThemesHome {
  fs::path file;
  MetadataText kind = MetadataText::markdown;
  bool exists = true;
};
ThemesHome themes_home(const fs::path& document);

// One planned change of one file, with the bytes read and the bytes to write.
struct FileEdit {
  fs::path path;          // the file written (the document or its sidecar)
  fs::path document;      // the document it belongs to
  bool existed = true;    // false when the edit creates the file (a new sidecar)
  std::string before;
  std::string after;
  bool changes() const { return !existed || before != after; }
};

// Reads a document's metadata file and plans setting its themes; throws DataError on unreadable input.
FileEdit plan_themes_edit(const fs::path& document, const std::vector<std::string>& themes);

enum class WriteOutcome { written, conflict };

// Writes content over path atomically (temporary file in the same folder, fsync, rename; the file's
// mode is kept), but only when the file still holds `expected` (or is still absent when expect_exists is
// false), checked right before the rename; otherwise leaves it alone and returns conflict.
WriteOutcome write_if_unchanged(const fs::path& path, bool expect_exists, std::string_view expected,
                                std::string_view content);
// Removes a file only when it still holds `expected`.
WriteOutcome remove_if_unchanged(const fs::path& path, std::string_view expected);

// A minimal line diff of two texts (common head and tail skipped), as "-old" / "+new" lines with a
// "@@ -a,n +b,m @@" header; empty when equal. Line terminators are not shown.
std::string line_diff(std::string_view before, std::string_view after);

} // namespace befus::corpus
