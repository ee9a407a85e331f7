#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace befus::util {

namespace fs = std::filesystem;

// Reads a whole regular file; throws DataError for a missing, unreadable, special or larger file.
std::string read_file(const fs::path& path, std::uintmax_t max_bytes = 64u << 20);

// A whole regular file mapped read-only, for reading once without a copy (a compiled cache).
// Same checks and errors as read_file. Files are replaced by rename (write_file_atomic), never
// rewritten in place, so a mapping always sees one whole version.
class MappedFile {
public:
  explicit MappedFile(const fs::path& path, std::uintmax_t max_bytes = 64u << 20);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view bytes() const { return {static_cast<const char*>(m_data), m_size}; }

private:
  void* m_data = nullptr;
  size_t m_size = 0;
};

// Writes every byte to fd, retrying after signals; false (errno set) when a write fails.
bool write_all(int fd, std::string_view data);

// Writes via a temporary file in the same folder, fsync and rename: readers see old or new, never half.
// durable = false skips both fsyncs (file and folder), for batches that call sync_filesystem once at the end.
void write_file_atomic(const fs::path& path, std::string_view content, bool durable = true);
// Flushes every pending write of the file system that holds path (syncfs); throws Error on failure.
void sync_filesystem(const fs::path& path);

// Size and modification time in nanoseconds: enough to notice a change without reading.
struct FileStamp {
  std::uintmax_t size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
  std::string to_string() const;
};
std::optional<FileStamp> stamp(const fs::path& path);

// The nearest folder at or above start that holds name, if any.
std::optional<fs::path> find_upwards(const fs::path& start, const std::string& name);

// What follows root in path ("a/b" for "/r/a/b" under "/r") when path is plainly under root as
// text: no empty, "." or ".." component, no trailing separator. Nothing otherwise, and the
// caller takes fs::path's lexical route. Cheap: no fs::path is made.
std::optional<std::string> plain_rest(std::string_view path, std::string_view root);

// True when path, resolved through links, stays inside root.
bool is_inside(const fs::path& root, const fs::path& path);

} // namespace befus::util
