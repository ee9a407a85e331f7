#include "befus/corpus.hpp"

#include "befus/error.hpp"
#include "befus/fs.hpp"
#include "befus/text.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fmt/format.h>
#include <unordered_set>

namespace befus::corpus {

namespace {

std::string lower_ext(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e;
}

std::string format_of(const fs::path& p) {
  std::string e = lower_ext(p);
  if (e == ".md" || e == ".markdown") return "md";
  if (e == ".html" || e == ".htm") return "html";
  if (e == ".pdf") return "pdf";
  if (e == ".txt") return "txt";
  return {};
}

std::string text_field(const nlohmann::json& f, const char* key, const Location& where) {
  auto it = f.find(key);
  if (it == f.end() || it->is_null()) return {};
  if (!it->is_string()) throw DataError({where.file, where.line, 0, key}, fmt::format("'{}' must be a text", key));
  return util::trim(it->get<std::string>());
}

std::vector<std::string> list_field(const nlohmann::json& f, const char* key, const Location& where) {
  std::vector<std::string> out;
  auto it = f.find(key);
  if (it == f.end() || it->is_null()) return out;
  if (it->is_string()) {
    // "a; b" or "a, b" written as one text is accepted as a list.
    for (auto& part : util::split(it->get<std::string>(), it->get<std::string>().find(';') != std::string::npos ? ';' : ','))
      if (auto t = util::trim(part); !t.empty()) out.push_back(t);
    return out;
  }
  if (!it->is_array()) throw DataError({where.file, where.line, 0, key}, fmt::format("'{}' must be a list", key));
  for (const auto& v : *it) {
    if (!v.is_string()) throw DataError({where.file, where.line, 0, key}, fmt::format("'{}' must be a list of texts", key));
    out.push_back(util::trim(v.get<std::string>()));
  }
  return out;
}

} // namespace

bool is_document_file(const fs::path& p) { return !format_of(p).empty(); }

fs::path sidecar_of(const fs::path& p) {
  fs::path s = p;
  s += ".yaml";
  return s;
}

std::string signature(const fs::path& file) {
  auto s = util::stamp(file);
  auto side = util::stamp(sidecar_of(file));
  return (s ? s->to_string() : "-") + ";" + (side ? side->to_string() : "-");
}

Listing list_files(const kb::KnowledgeBase& kb) {
  Listing out;
  std::unordered_set<std::string> seen;  // canonical paths: a file reached twice is listed once
  for (const auto& root : kb.corpus) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
      out.skipped.emplace_back(kb.relative(root), "corpus folder does not exist");
      continue;
    }
    // Below the root nothing is a link but what the walk reports as one (it does not follow
    // links into folders), so a file's real path is the root's real path and the rest: one
    // system call per root instead of a dozen per file.
    fs::path real_root = fs::weakly_canonical(root, ec);
    if (ec) {
      real_root = root;
      ec.clear();
    }
    // Links are not followed into folders, which also rules out link loops.
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
    for (; it != end; it.increment(ec)) {
      if (ec) {
        out.skipped.emplace_back(kb.relative(it->path()), ec.message());
        ec.clear();
        continue;
      }
      const fs::path& p = it->path();
      std::string name = p.filename().string();
      if (!name.empty() && name[0] == '.') {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (!is_document_file(p)) continue;
      if (kb.relative(p).find('\n') != std::string::npos) {  // the root itself may hold one
        out.skipped.emplace_back(kb.relative(p), "file name contains a newline");
        continue;
      }
      struct stat st {};
      if (::stat(p.c_str(), &st) != 0) {
        out.skipped.emplace_back(kb.relative(p), "broken link or unreadable");
        continue;
      }
      if (!S_ISREG(st.st_mode)) {
        if (!S_ISDIR(st.st_mode)) out.skipped.emplace_back(kb.relative(p), "not a regular file");
        continue;
      }
      if (it->is_symlink(ec) && !util::is_inside(kb.root, p)) {
        out.skipped.emplace_back(kb.relative(p), "link leads outside the knowledge base");
        continue;
      }
      fs::path canonical;
      if (it->is_symlink(ec)) {
        canonical = fs::weakly_canonical(p, ec);
        if (ec) {  // cannot be resolved: the file stands for itself rather than being taken for another
          canonical = p;
          ec.clear();
        }
      } else {
        if (auto rest = util::plain_rest(p.native(), root.native()))
          canonical = fs::path(real_root.native() + "/" + *rest);
        else
          canonical = real_root / p.lexically_relative(root);
      }
      if (!seen.insert(canonical.native()).second) continue;
      out.files.push_back(p.native());
    }
  }
  // Component by component, as fs::path compares: a separator sorts before any character.
  // Only the first differing byte needs ranking; the common prefix (the folders, mostly) is
  // skipped eight bytes at a time.
  std::sort(out.files.begin(), out.files.end(), [](const std::string& a, const std::string& b) {
    size_t n = std::min(a.size(), b.size()), i = 0;
    for (std::uint64_t x, y; i + 8 <= n; i += 8) {
      std::memcpy(&x, a.data() + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      if (x != y) break;
    }
    while (i < n && a[i] == b[i]) ++i;
    if (i == n) return a.size() < b.size();
    auto rank = [](char c) { return c == '/' ? 0 : static_cast<unsigned char>(c) + 1; };
    return rank(a[i]) < rank(b[i]);
  });
  return out;
}

Document load(const kb::KnowledgeBase& kb, const fs::path& file) {
  Document d;
  d.path = kb.relative(file);
  d.format = format_of(file);
  const std::string shown = d.path;
  std::string bytes = util::read_file(file, k_max_file_bytes);
  if (bytes.empty()) throw DataError({shown}, "empty file");

  nlohmann::json meta = nlohmann::json::object();
  Location meta_at{shown, 1};
  Extracted ex;
  if (d.format == "pdf") {
    try {
      ex = extract_pdf(bytes);
    } catch (const DataError& e) {
      throw DataError({shown}, e.bare_message());
    }
  } else {
    if (bytes.find('\0') != std::string::npos) throw DataError({shown}, "binary content (NUL byte) in a text file");
    if (size_t bad = util::first_invalid_utf8(bytes); bad != std::string::npos)
      throw DataError({shown, util::line_of(bytes, bad)}, "invalid UTF-8 (befus reads UTF-8 only)");
    std::string_view body = bytes;
    if (d.format == "md") {
      FrontMatter fm = split_front_matter(bytes);
      if (fm.present) meta = parse_metadata(fm.yaml, shown, fm.yaml_first_line);
      body = std::string_view(bytes).substr(fm.body_offset);
      ex = extract_markdown(body);
    } else if (d.format == "html") {
      try {
        ex = extract_html(body);
      } catch (const DataError& e) {
        throw DataError({shown}, e.bare_message());
      }
    } else {
      if (util::starts_with(body, "\xEF\xBB\xBF")) body.remove_prefix(3);
      ex = extract_text(body);
    }
  }
  fs::path side = sidecar_of(file);
  std::error_code ec;
  if (fs::is_regular_file(side, ec)) {
    std::string yaml = util::read_file(side, 1u << 20);
    if (util::starts_with(yaml, "\xEF\xBB\xBF")) yaml.erase(0, 3);
    meta_at.file = kb.relative(side);
    nlohmann::json extra = parse_metadata(yaml, meta_at.file, 1);
    for (auto& [k, v] : extra.items()) meta[k] = v;  // the sidecar wins over embedded metadata
  }
  d.fields = meta;
  d.id = text_field(meta, "id", meta_at);
  if (d.id.empty()) d.id = file.stem().string();
  if (!util::is_id(d.id))
    throw DataError({meta_at.file, meta_at.line, 0, "id"},
                    fmt::format("id '{}' is not valid: use letters, digits, '.', '_' and '-', at most 128", d.id));
  d.title = text_field(meta, "title", meta_at);
  if (d.title.empty()) d.title = ex.title.empty() ? file.stem().string() : ex.title;
  d.lang = text_field(meta, "lang", meta_at);
  if (d.lang.empty()) d.lang = ex.lang;
  d.body = std::move(ex.text);
  if (d.lang.empty()) {
    d.lang = detect_language(d.title + "\n" + d.body);
    if (d.lang.empty()) d.warnings.push_back("language could not be identified; set 'lang'");
  }
  if (auto it = meta.find("year"); it != meta.end() && !it->is_null()) {
    std::string y = it->is_string() ? it->get<std::string>() : it->dump();
    try {
      size_t used = 0;
      d.year = std::stoi(y, &used);
      if (used != y.size()) throw std::invalid_argument(y);
    } catch (const std::exception&) {
      throw DataError({meta_at.file, meta_at.line, 0, "year"}, fmt::format("year '{}' is not a number", y));
    }
  }
  d.type = text_field(meta, "type", meta_at);
  d.partners = list_field(meta, "partners", meta_at);
  d.has_themes = meta.contains("themes") && !meta["themes"].is_null();
  d.themes = list_field(meta, "themes", meta_at);
  d.why = text_field(meta, "why", meta_at);
  d.url = text_field(meta, "url", meta_at);
  d.problem = text_field(meta, "problem", meta_at);
  d.mechanism = text_field(meta, "mechanism", meta_at);
  d.evidence = text_field(meta, "evidence", meta_at);
  d.target = list_field(meta, "target", meta_at);
  return d;
}

std::vector<std::string> check(const Document& d, const taxonomy::Taxonomy& t, const std::vector<std::string>& languages) {
  std::vector<std::string> problems;
  if (!d.lang.empty() && std::find(languages.begin(), languages.end(), d.lang) == languages.end())
    problems.push_back(fmt::format("lang '{}' is not one of the knowledge base's languages ({})", d.lang,
                                   util::join(languages, ", ")));
  if (d.year != 0 && (d.year < 1900 || d.year > 2100))
    problems.push_back(fmt::format("year {} is out of range (1900..2100)", d.year));
  if (!d.type.empty() && std::find(k_types.begin(), k_types.end(), d.type) == k_types.end())
    problems.push_back(fmt::format("type '{}' is not one of {}", d.type, util::join(k_types, ", ")));
  for (const auto& th : d.themes) {
    if (t.find(th)) continue;
    std::string hint;
    if (const auto* r = t.replacement(th)) hint = fmt::format(" (now '{}'; run 'befus reclassify')", r->id);
    else if (auto near = util::closest(th, t.ids()); !near.empty()) hint = fmt::format(" (did you mean: {}?)", util::join(near, ", "));
    problems.push_back(fmt::format("unknown theme '{}'{}", th, hint));
  }
  for (const auto& p : d.partners) {
    if (t.find_actor(p)) continue;
    auto near = util::closest(p, t.actor_ids());
    problems.push_back(fmt::format("unknown partner '{}'{}", p, near.empty() ? "" : fmt::format(" (did you mean: {}?)", util::join(near, ", "))));
  }
  if (!d.evidence.empty() && d.evidence != "evaluated" && d.evidence != "promising" && d.evidence != "plausible" &&
      d.evidence != "none")
    problems.push_back(fmt::format("evidence '{}' is not one of evaluated, promising, plausible, none", d.evidence));
  return problems;
}

} // namespace befus::corpus
