#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace befus::test {

namespace fs = std::filesystem;

inline fs::path data(const std::string& rel) { return fs::path(BEFUS_TEST_DATA) / rel; }
inline fs::path source(const std::string& rel) { return fs::path(BEFUS_SOURCE_DIR) / rel; }

// A fresh folder per test, removed at the end.
class TempDir {
public:
  TempDir() {
    std::random_device rd;
    m_path = fs::temp_directory_path() / ("befus-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(m_path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return m_path; }
  fs::path operator/(const std::string& rel) const { return m_path / rel; }

private:
  fs::path m_path;
};

// A knowledge base in dir: the repository's befus.yaml and tree, and a copy of corpus_from as corpus/.
inline void copy_kb(const fs::path& dir, const fs::path& corpus_from = source("corpus")) {
  fs::copy_file(source("befus.yaml"), dir / "befus.yaml");
  fs::copy(source("taxonomy"), dir / "taxonomy", fs::copy_options::recursive);
  fs::copy(corpus_from, dir / "corpus", fs::copy_options::recursive);
}

inline void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// The text without the lines that start with "themes:" (a flow list on one line): what an edit
// of the themes field must leave byte for byte as it was.
inline std::string without_themes(const std::string& text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t next = nl == std::string::npos ? text.size() : nl + 1;
    if (text.compare(pos, 7, "themes:") != 0) out += text.substr(pos, next - pos);
    pos = next;
  }
  return out;
}

inline std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace befus::test
