#include "befus/fs.hpp"

#include "befus/error.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <random>

namespace befus::util {

namespace {

// An open descriptor of a regular file of at most max_bytes, and its size.
std::pair<int, size_t> open_regular(const fs::path& path, std::uintmax_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw DataError({path.string()}, fmt::format("cannot open: {}", std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw DataError({path.string()}, "not a regular file");
  }
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) {
    ::close(fd);
    throw DataError({path.string()}, fmt::format("file is {} bytes, more than the limit of {} bytes",
                                                 st.st_size, max_bytes));
  }
  return {fd, static_cast<size_t>(st.st_size)};
}

} // namespace

std::string read_file(const fs::path& path, std::uintmax_t max_bytes) {
  auto [fd, size] = open_regular(path, max_bytes);
  std::string out;
  out.resize(size);
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      throw DataError({path.string()}, fmt::format("cannot read: {}", std::strerror(e)));
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  ::close(fd);
  return out;
}

MappedFile::MappedFile(const fs::path& path, std::uintmax_t max_bytes) {
  auto [fd, size] = open_regular(path, max_bytes);
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    ::close(fd);
    if (p == MAP_FAILED) throw DataError({path.string()}, fmt::format("cannot read: {}", std::strerror(e)));
    m_data = p;
    m_size = size;
  } else {
    ::close(fd);
  }
}

MappedFile::~MappedFile() {
  if (m_data) ::munmap(m_data, m_size);
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void write_file_atomic(const fs::path& path, std::string_view content, bool durable) {
  std::random_device rd;
  fs::path tmp = path;
  tmp += fmt::format(".befus-tmp-{:x}", rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(fmt::format("{}: cannot write: {}", tmp.string(), std::strerror(errno)));
  if (!write_all(fd, content)) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw Error(fmt::format("{}: cannot write: {}", tmp.string(), std::strerror(e)));
  }
  if ((durable && ::fsync(fd) != 0) || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw Error(fmt::format("{}: cannot sync: {}", tmp.string(), std::strerror(errno)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw Error(fmt::format("{}: cannot replace: {}", path.string(), std::strerror(e)));
  }
  // Make the rename itself durable.
  if (!durable) return;
  int dir = ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

void sync_filesystem(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(fmt::format("{}: cannot open to sync: {}", path.string(), std::strerror(errno)));
  int rc = ::syncfs(fd);
  int e = errno;
  ::close(fd);
  if (rc != 0) throw Error(fmt::format("{}: cannot sync to disk: {}", path.string(), std::strerror(e)));
}

std::string FileStamp::to_string() const { return fmt::format("{}:{}", size, mtime_ns); }

std::optional<FileStamp> stamp(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileStamp{static_cast<std::uintmax_t>(st.st_size),
                   static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

std::optional<fs::path> find_upwards(const fs::path& start, const std::string& name) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  if (ec) return std::nullopt;
  while (true) {
    if (fs::exists(dir / name, ec)) return dir;
    if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

namespace {

// No empty, "." or ".." component and no trailing separator: lexically_normal would not
// change it.
bool plain(std::string_view s) {
  if (s.empty() || s.back() == '/') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '/' || i + 1 >= s.size()) continue;
    std::string_view next = s.substr(i + 1, s.find('/', i + 1) - (i + 1));
    if (next.empty() || next == "." || next == "..") return false;
  }
  return true;
}

} // namespace

std::optional<std::string> plain_rest(std::string_view path, std::string_view root) {
  while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
  if (path.size() > root.size() + 1 && path.substr(0, root.size()) == root && path[root.size()] == '/' &&
      plain(path) && plain(root))
    return std::string(path.substr(root.size() + 1));
  return std::nullopt;
}

bool is_inside(const fs::path& root, const fs::path& path) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(root, ec);
  if (ec) return false;
  fs::path p = fs::weakly_canonical(path.is_absolute() ? path : root / path, ec);
  if (ec) return false;
  auto rit = r.begin();
  auto pit = p.begin();
  for (; rit != r.end(); ++rit, ++pit) {
    if (rit->empty()) continue;
    if (pit == p.end() || *rit != *pit) return false;
  }
  return true;
}

} // namespace befus::util
