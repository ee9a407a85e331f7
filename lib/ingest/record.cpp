#include "befus/ingest.hpp"

#include "befus/corpus.hpp"
#include "befus/fs.hpp"
#include "befus/text.hpp"
#include "ingest/fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace befus::ingest {

std::string to_string(Format f) { return f == Format::csv ? "csv" : "jsonl"; }

std::optional<Format> format_named(std::string_view name) {
  if (name == "jsonl" || name == "ndjson") return Format::jsonl;
  if (name == "csv") return Format::csv;
  return std::nullopt;
}

std::optional<Format> format_of(const fs::path& file) {
  std::string e = file.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (e == ".jsonl" || e == ".ndjson" || e == ".json") return Format::jsonl;
  if (e == ".csv") return Format::csv;
  return std::nullopt;
}

namespace detail {

namespace {

// Fields that must fit on one line; why, problem, mechanism and body may span several.
bool one_line_field(std::string_view key) {
  return key != "why" && key != "problem" && key != "mechanism" && key != "body";
}

// A control character other than tab and the line breaks a field allows, if any.
std::optional<unsigned char> bad_control(std::string_view s, bool multi_line) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\t') continue;
    if ((c == '\n' || c == '\r') && multi_line) continue;
    if (c < 0x20 || c == 0x7f) return c;
  }
  return std::nullopt;
}

std::string describe_control(unsigned char c) {
  if (c == '\n' || c == '\r') return "a line break";
  if (c == 0) return "a NUL character";
  return fmt::format("control character U+{:04X}", c);
}

std::string* text_slot(Record& r, std::string_view key) {
  if (key == "id") return &r.id;
  if (key == "title") return &r.title;
  if (key == "lang") return &r.lang;
  if (key == "type") return &r.type;
  if (key == "why") return &r.why;
  if (key == "url") return &r.url;
  if (key == "problem") return &r.problem;
  if (key == "mechanism") return &r.mechanism;
  if (key == "evidence") return &r.evidence;
  if (key == "body") return &r.body;
  if (key == "path") return &r.path;
  return nullptr;
}

std::vector<std::string>* list_slot(Record& r, std::string_view key) {
  if (key == "partners") return &r.partners;
  if (key == "themes") return &r.themes;
  if (key == "target") return &r.target;
  return nullptr;
}

} // namespace

bool is_field(std::string_view key) { return std::find(k_fields.begin(), k_fields.end(), key) != k_fields.end(); }
bool is_list_field(std::string_view key) { return key == "partners" || key == "themes" || key == "target"; }

std::string unknown_field(std::string_view key) {
  auto near = util::closest(key, k_fields);
  return fmt::format("unknown field '{}'{}", key, near.empty() ? "" : fmt::format(" (did you mean: {}?)", util::join(near, ", ")));
}

void assign_list(Record& r, std::string_view key, const std::vector<std::string>& items,
                 std::vector<std::string>& reasons) {
  std::vector<std::string>* slot = list_slot(r, key);
  if (!slot) return;
  slot->clear();
  for (const auto& item : items) {
    if (!util::valid_utf8(item)) {
      reasons.push_back(fmt::format("{}: not valid UTF-8", key));
      continue;
    }
    if (auto c = bad_control(item, false)) {
      reasons.push_back(fmt::format("{}: an item contains {}", key, describe_control(*c)));
      continue;
    }
    if (item.find(';') != std::string::npos) {
      reasons.push_back(fmt::format("{}: item '{}' contains ';', which separates list items", key, util::trim(item)));
      continue;
    }
    if (std::string t = util::trim(item); !t.empty()) slot->push_back(std::move(t));
  }
}

void assign_text(Record& r, std::string_view key, std::string_view value, std::vector<std::string>& reasons) {
  if (!util::valid_utf8(value)) {
    reasons.push_back(fmt::format("{}: not valid UTF-8 (befus reads UTF-8 only)", key));
    return;
  }
  if (is_list_field(key)) {
    assign_list(r, key, util::split(value, ';'), reasons);
    return;
  }
  if (key == "year") {
    std::string y = util::trim(value);
    r.year = 0;
    if (y.empty()) return;
    int year = 0;
    auto [end, ec] = std::from_chars(y.data(), y.data() + y.size(), year);
    if (ec == std::errc::result_out_of_range)
      reasons.push_back(fmt::format("year: {} is out of range ({}..{})", y, k_min_year, k_max_year));
    else if (ec != std::errc() || end != y.data() + y.size())
      reasons.push_back(fmt::format("year: '{}' is not a whole number", y));
    else if (year == 0)
      reasons.push_back(fmt::format("year: {} is out of range ({}..{})", y, k_min_year, k_max_year));
    else
      r.year = year;
    return;
  }
  std::string* slot = text_slot(r, key);
  if (!slot) return;
  if (key == "body") {
    if (value.find('\0') != std::string_view::npos) {
      reasons.push_back("body: contains a NUL character");
      return;
    }
    if (value.size() > k_max_record_bytes) {
      reasons.push_back(fmt::format("body: longer than {} bytes", k_max_record_bytes));
      return;
    }
    // Only white space counts as no body at all.
    *slot = util::trim(value).empty() ? std::string() : std::string(value);
    return;
  }
  if (auto c = bad_control(value, !one_line_field(key))) {
    reasons.push_back(fmt::format("{}: contains {}", key, describe_control(*c)));
    return;
  }
  *slot = util::trim(value);
}

} // namespace detail

namespace {

bool has_hidden_part(const fs::path& p) {
  for (const auto& part : p) {
    std::string s = part.string();
    if (!s.empty() && s[0] == '.') return true;
  }
  return false;
}

bool lexically_inside(const fs::path& folder, const fs::path& p) {
  fs::path rel = p.lexically_relative(folder);
  return !rel.empty() && *rel.begin() != ".." && rel != ".";
}

void check_path(const Record& r, const kb::KnowledgeBase& kb, std::vector<std::string>& out) {
  fs::path p(r.path);
  if (p.is_absolute() || r.path[0] == '~') {
    out.push_back(fmt::format("path: '{}' is absolute; give it relative to the knowledge base", r.path));
    return;
  }
  for (const auto& part : p)
    if (part == "..") {
      out.push_back(fmt::format("path: '{}' contains '..'; files outside the knowledge base are refused", r.path));
      return;
    }
  fs::path full = (kb.root / p).lexically_normal();
  if (!util::is_inside(kb.root, full)) {
    out.push_back(fmt::format("path: '{}' leads outside the knowledge base (through a link); refused", r.path));
    return;
  }
  bool in_corpus = std::any_of(kb.corpus.begin(), kb.corpus.end(),
                               [&](const fs::path& c) { return lexically_inside(c.lexically_normal(), full); });
  if (!in_corpus) {
    std::vector<std::string> folders;
    for (const auto& c : kb.corpus) folders.push_back(kb.relative(c));
    out.push_back(fmt::format("path: '{}' is not inside a corpus folder ({})", r.path, util::join(folders, ", ")));
    return;
  }
  if (has_hidden_part(p)) {
    out.push_back(fmt::format("path: '{}' is hidden; hidden files are not indexed", r.path));
    return;
  }
  std::error_code ec;
  auto st = fs::status(full, ec);
  if (ec || !fs::exists(st)) {
    out.push_back(fmt::format("path: '{}' does not exist in the knowledge base", r.path));
    return;
  }
  if (!fs::is_regular_file(st)) {
    out.push_back(fmt::format("path: '{}' is not a regular file", r.path));
    return;
  }
  if (!corpus::is_document_file(full))
    out.push_back(fmt::format("path: '{}' is not a document befus reads (.md, .txt, .html, .pdf)", r.path));
}

} // namespace

std::vector<std::string> validate(const Record& r, const taxonomy::Taxonomy& t, const kb::KnowledgeBase& kb) {
  std::vector<std::string> out;
  if (r.id.empty())
    out.push_back("id: missing");
  else if (!util::is_id(r.id))
    out.push_back(fmt::format("id: '{}' is not valid: use letters, digits, '.', '_' and '-', starting with a letter or "
                              "digit, at most 128",
                              r.id));
  if (r.title.empty()) out.push_back("title: missing");
  if (!r.lang.empty() && std::find(kb.languages.begin(), kb.languages.end(), r.lang) == kb.languages.end())
    out.push_back(fmt::format("lang: '{}' is not one of the knowledge base's languages ({})", r.lang,
                              util::join(kb.languages, ", ")));
  if (r.year != 0 && (r.year < detail::k_min_year || r.year > detail::k_max_year))
    out.push_back(fmt::format("year: {} is out of range ({}..{})", r.year, detail::k_min_year, detail::k_max_year));
  if (!r.type.empty() && std::find(corpus::k_types.begin(), corpus::k_types.end(), r.type) == corpus::k_types.end())
    out.push_back(fmt::format("type: '{}' is not one of {}", r.type, util::join(corpus::k_types, ", ")));
  for (const auto& th : r.themes) {
    if (t.find(th)) continue;
    std::string hint;
    if (const auto* n = t.replacement(th))
      hint = fmt::format(" (it was replaced by '{}')", n->id);
    else if (auto near = util::closest(th, t.ids()); !near.empty())
      hint = fmt::format(" (did you mean: {}?)", util::join(near, ", "));
    out.push_back(fmt::format("themes: unknown theme '{}'{}", th, hint));
  }
  for (const auto& p : r.partners) {
    if (t.find_actor(p)) continue;
    auto near = util::closest(p, t.actor_ids());
    out.push_back(fmt::format("partners: unknown partner '{}'{}", p,
                              near.empty() ? "" : fmt::format(" (did you mean: {}?)", util::join(near, ", "))));
  }
  static const std::vector<std::string> evidence{"evaluated", "promising", "plausible", "none"};
  if (!r.evidence.empty() && std::find(evidence.begin(), evidence.end(), r.evidence) == evidence.end())
    out.push_back(fmt::format("evidence: '{}' is not one of {}", r.evidence, util::join(evidence, ", ")));
  if (!r.body.empty() && !r.path.empty())
    out.push_back("body, path: give a body (a new or imported document) or a path (a file already in the knowledge "
                  "base), not both");
  else if (!r.path.empty())
    check_path(r, kb, out);
  return out;
}

} // namespace befus::ingest
