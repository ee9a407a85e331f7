#include "index/layout.hpp"

#include "befus/error.hpp"
#include "befus/fs.hpp"
#include "befus/text.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace befus::index {

namespace fs = std::filesystem;

namespace {

// Only folders that are Xapian databases, and stub files we wrote, are ever removed.
bool is_database_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec) && (fs::exists(p / "iamglass", ec) || fs::exists(p / "iamchert", ec));
}

std::vector<std::string> read_stub(const fs::path& stub, bool& remote) {
  std::vector<std::string> out;
  std::string text = util::read_file(stub, 1u << 20);
  int line_no = 0;
  for (const auto& raw : util::split(text, '\n')) {
    ++line_no;
    std::string line = util::trim(raw);
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.find(' ');
    std::string kind = line.substr(0, sp);
    std::string arg = sp == std::string::npos ? "" : util::trim(line.substr(sp + 1));
    if (kind == "remote") {
      remote = true;
      out.push_back("tcp://" + arg);
    } else if (kind == "auto" || kind == "glass" || kind == "chert") {
      fs::path p(arg);
      out.push_back((p.is_absolute() ? p : stub.parent_path() / p).lexically_normal().string());
    } else {
      throw DataError({stub.string(), line_no, 1}, fmt::format("unknown stub line kind '{}'", kind));
    }
  }
  return out;
}

} // namespace

size_t shard_of(const std::string& id, size_t shards) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return shards ? static_cast<size_t>(h % shards) : 0;
}

Layout plan_layout(const std::string& location, unsigned shards, bool& rebuilt) {
  rebuilt = false;
  Layout l;
  if (location.rfind("tcp://", 0) == 0) {
    if (shards > 1) throw UsageError("--shards makes local shards; serve each one with xapian-tcpsrv instead");
    l.shards = {location};
    l.remote = true;
    return l;
  }
  fs::path loc(location);
  std::error_code ec;
  bool is_stub = fs::is_regular_file(loc, ec);
  if (is_stub) {
    bool remote = false;
    l.shards = read_stub(loc, remote);
    l.stub = true;
    if (remote) {
      // Each shard is written through its own server (xapian-tcpsrv --writable); servers cannot be
      // re-sharded from here, and the stub stays as the user wrote it.
      if (shards != 0 && shards != l.shards.size())
        throw UsageError(fmt::format("{} lists {} shards, some remote; --shards {} cannot re-shard servers",
                                     location, l.shards.size(), shards));
      l.remote = true;
      return l;
    }
    if (shards == 0 || shards == l.shards.size()) return l;
  } else if (shards <= 1 && (!fs::exists(loc, ec) || is_database_dir(loc))) {
    l.shards = {location};
    return l;
  }
  // A new layout: remove the old databases, then create the shards and the stub.
  if (fs::exists(loc, ec)) {
    rebuilt = true;
    if (is_stub) {
      for (const auto& s : l.shards)
        if (is_database_dir(s)) fs::remove_all(s);
      fs::remove(loc);
    } else if (is_database_dir(loc)) {
      fs::remove_all(loc);
    } else {
      throw UsageError(fmt::format("{} exists and is not a befus index; refusing to replace it", location));
    }
  }
  l = Layout{};
  if (shards <= 1) {
    l.shards = {location};
    return l;
  }
  l.stub = true;
  for (unsigned k = 0; k < shards; ++k) l.shards.push_back(fmt::format("{}.shards/{}", location, k));
  return l;
}

void write_stub(const std::string& location, const Layout& layout) {
  std::string text = "# befus: shards joined by Xapian's stub format; each line is one database\n";
  fs::path dir = fs::path(location).parent_path();
  for (const auto& s : layout.shards) text += "auto " + fs::path(s).lexically_relative(dir).string() + "\n";
  util::write_file_atomic(location, text);
}

} // namespace befus::index
