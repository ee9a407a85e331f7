#include "befus/classify.hpp"

#include "befus/error.hpp"
#include "befus/fs.hpp"
#include "befus/text.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fmt/format.h>

namespace befus::classify {

namespace {

constexpr const char* k_b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int s : {18, 12, 6, 0}) out += k_b64[(v >> s) & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += k_b64[(v >> 18) & 63];
    out += k_b64[(v >> 12) & 63];
    out += i + 1 < in.size() ? k_b64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string unbase64(std::string_view in) {
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = c ? std::strchr(k_b64, c) : nullptr;
    if (!p) continue;  // padding
    v = (v << 6) | static_cast<unsigned>(p - k_b64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xFF);
    }
  }
  return out;
}

// Bytes in a record: as text when they are UTF-8 (readable, diffable), else base64.
void put_bytes(nlohmann::json& j, const char* key, const std::string& bytes) {
  if (util::valid_utf8(bytes)) j[key] = bytes;
  else j[std::string(key) + "_base64"] = base64(bytes);
}

std::optional<std::string> get_bytes(const nlohmann::json& j, const char* key) {
  if (auto it = j.find(key); it != j.end() && it->is_string()) return it->get<std::string>();
  if (auto it = j.find(std::string(key) + "_base64"); it != j.end() && it->is_string()) return unbase64(it->get<std::string>());
  return std::nullopt;
}

std::string utc_now(bool compact) {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  long nanos = static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() % 1000000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, compact ? "%Y%m%dT%H%M%S" : "%Y-%m-%dT%H:%M:%S", &tm);
  return compact ? fmt::format("{}.{:09d}Z", buf, nanos) : fmt::format("{}Z", buf);
}

void save(const fs::path& record, const nlohmann::json& j) {
  util::write_file_atomic(record, j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

std::optional<std::string> read_now(const fs::path& p) {
  std::error_code ec;
  if (!fs::exists(p, ec)) return std::nullopt;
  return util::read_file(p);
}

} // namespace

fs::path undo_folder(const kb::KnowledgeBase& kb) {
  bool remote = kb.index.rfind("tcp://", 0) == 0 || kb.index.empty();
  fs::path index = kb.index;
  if (!remote && index.is_relative()) index = kb.root / index;
  return remote ? kb.root / ".befus" / "undo" : index.parent_path() / "undo";
}

ApplyReport apply(const kb::KnowledgeBase& kb, const std::vector<corpus::FileEdit>& edits, const ApplyOptions& options) {
  ApplyReport report;
  std::vector<const corpus::FileEdit*> todo;
  for (const auto& e : edits)
    if (e.changes()) todo.push_back(&e);
  if (todo.empty()) return report;

  // The undo record holds every original before the first file changes.
  fs::path folder = undo_folder(kb);
  fs::create_directories(folder);
  report.record = folder / fmt::format("{}-{}.json", utc_now(true), ::getpid());
  nlohmann::json files = nlohmann::json::array();
  for (const auto* e : todo) {
    nlohmann::json f = {{"path", kb.relative(e->path)}, {"document", kb.relative(e->document)}, {"existed", e->existed}};
    put_bytes(f, "before", e->before);
    put_bytes(f, "after", e->after);
    f["outcome"] = "planned";
    files.push_back(std::move(f));
  }
  nlohmann::json record = {{"version", 1}, {"command", options.command}, {"created", utc_now(false)},
                           {"state", "pending"}, {"files", files}};
  save(report.record, record);

  for (size_t i = 0; i < todo.size(); ++i) {
    const corpus::FileEdit& e = *todo[i];
    std::string rel = kb.relative(e.path);
    try {
      if (corpus::write_if_unchanged(e.path, e.existed, e.before, e.after) == corpus::WriteOutcome::written) {
        record["files"][i]["outcome"] = "written";
        report.documents.push_back(e.document);
        ++report.written;
        if (options.after_write) options.after_write(report.written);
      } else {
        record["files"][i]["outcome"] = "conflict";
        report.conflicts.push_back(rel);
      }
    } catch (const Error& err) {
      record["files"][i]["outcome"] = "failed";
      report.failures.push_back({rel, err.what()});
    }
  }
  record["state"] = "applied";
  save(report.record, record);
  return report;
}

UndoReport undo_last(const kb::KnowledgeBase& kb) {
  fs::path folder = undo_folder(kb);
  std::vector<fs::path> records;
  std::error_code ec;
  if (fs::is_directory(folder, ec))
    for (const auto& entry : fs::directory_iterator(folder, ec))
      if (entry.path().extension() == ".json") records.push_back(entry.path());
  std::sort(records.rbegin(), records.rend());
  for (const auto& path : records) {
    nlohmann::json record = nlohmann::json::parse(util::read_file(path), nullptr, false);
    if (record.is_discarded() || !record.is_object())
      throw DataError({path.string()}, "the undo record is not valid JSON; restore its files by hand");
    if (record.value("state", "") == "undone") continue;
    UndoReport report;
    report.record = path;
    report.command = record.value("command", "");
    for (auto& f : record["files"]) {
      std::string rel = f.value("path", "");
      fs::path file = kb.root / rel;
      auto before = get_bytes(f, "before");
      auto after = get_bytes(f, "after");
      if (rel.empty() || !before || !after) throw DataError({path.string(), 0, 0, "files"}, "an entry lacks its path or bytes");
      bool existed = f.value("existed", true);
      std::optional<std::string> now = read_now(file);
      corpus::WriteOutcome outcome = corpus::WriteOutcome::conflict;
      std::string outcome_then = f.value("outcome", "planned");
      bool never_written = outcome_then == "conflict" || outcome_then == "failed";
      if (never_written || (existed ? now == *before : !now)) {
        ++report.untouched;  // the run never got to it
        f["undo"] = "untouched";
        continue;
      }
      if (now == *after)
        outcome = existed ? corpus::write_if_unchanged(file, true, *after, *before) : corpus::remove_if_unchanged(file, *after);
      if (outcome == corpus::WriteOutcome::written) {
        ++report.restored;
        report.documents.push_back(kb.root / f.value("document", rel));
        f["undo"] = "restored";
      } else {
        report.conflicts.push_back(rel);
        f["undo"] = "conflict";
      }
    }
    record["state"] = "undone";
    record["undone"] = utc_now(false);
    save(path, record);
    return report;
  }
  throw NotFoundError(records.empty() ? fmt::format("no run to undo (no record in {})", folder.string())
                                      : fmt::format("no run to undo: the {} run{} recorded in {} {} undone already",
                                                    records.size(), records.size() == 1 ? "" : "s", folder.string(),
                                                    records.size() == 1 ? "was" : "were"));
}

} // namespace befus::classify
