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

namespace {

// A corpus folder's walk enters every folder below it except hidden ones (and links, which it
// does not follow): does the walk from real folder `root` reach real path `path`?
bool walk_reaches(const std::string& root, const std::string& path) {
  if (path == root) return true;
  auto rest = util::plain_rest(path, root);
  return rest && (*rest)[0] != '.' && rest->find("/.") == std::string::npos;
}

// Lists the corpus folder by folder, each folder's entries in name order, holding one folder's
// entries at a time. A file reached twice is listed once, without remembering every file: a
// folder that an earlier corpus folder's walk covers is not walked again, and a link to a file
// that some walk lists anyway is skipped; only links to files no walk lists are remembered
// (by target), so that two of them count once.
class Walk {
public:
  Walk(const kb::KnowledgeBase& kb, const FileVisitor& on_file, const SkipVisitor& on_skip)
      : m_kb(kb), m_on_file(on_file), m_on_skip(on_skip) {}

  void run() {
    std::error_code ec;
    for (const auto& root : m_kb.corpus) {
      m_present.push_back(fs::is_directory(root, ec));
      // Below the root nothing is a link but what the walk reports as one, so a real path is the
      // root's real path and the rest: one system call per corpus folder, not per file.
      fs::path real = fs::weakly_canonical(root, ec);
      m_real.push_back(ec ? root.native() : real.native());
      ec.clear();
    }
    for (m_root = 0; m_root < m_kb.corpus.size(); ++m_root) {
      if (!m_present[m_root]) {
        m_on_skip(m_kb.relative(m_kb.corpus[m_root]), "corpus folder does not exist");
        continue;
      }
      bool covered = false;
      for (size_t j = 0; j < m_root && !covered; ++j) covered = m_present[j] && walk_reaches(m_real[j], m_real[m_root]);
      if (!covered) folder(m_kb.corpus[m_root], m_real[m_root]);
    }
  }

private:
  void folder(const fs::path& dir, const std::string& real_dir) {
    std::error_code ec;
    std::vector<std::pair<std::string, fs::directory_entry>> entries;  // name, entry
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().native();
      if (!name.empty() && name[0] != '.') entries.emplace_back(std::move(name), *it);
    }
    if (ec) m_on_skip(m_kb.relative(dir), ec.message());
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [name, e] : entries) {
      const fs::path& p = e.path();
      std::string real = real_dir + "/" + name;  // for anything but a link
      bool link = e.is_symlink(ec);
      if (!link && e.is_directory(ec)) {
        if (!walked_earlier(real)) folder(p, real);
        continue;
      }
      if (!is_document_file(p)) continue;
      std::string rel = m_kb.relative(p);
      if (rel.find('\n') != std::string::npos) {  // the root itself may hold one
        m_on_skip(rel, "file name contains a newline");
        continue;
      }
      struct stat st {};
      if (::stat(p.c_str(), &st) != 0) {
        m_on_skip(rel, "broken link or unreadable");
        continue;
      }
      if (!S_ISREG(st.st_mode)) {
        if (!S_ISDIR(st.st_mode)) m_on_skip(rel, "not a regular file");
        continue;
      }
      if (link) {
        if (!util::is_inside(m_kb.root, p)) {
          m_on_skip(rel, "link leads outside the knowledge base");
          continue;
        }
        fs::path target = fs::weakly_canonical(p, ec);
        if (ec) {  // cannot be resolved: the link stands for itself rather than being taken for another
          target = p;
          ec.clear();
        }
        if (listed_by_a_walk(target) || !m_link_targets.insert(target.native()).second) continue;
      }
      m_on_file(p.native());
    }
  }

  // A folder that an earlier corpus folder's walk enters (its own files were listed there).
  bool walked_earlier(const std::string& real) const {
    for (size_t j = 0; j < m_root; ++j)
      if (m_present[j] && m_real[j] == real) return true;
    return false;
  }

  // A real file path that some corpus folder's walk lists as a file of its own.
  bool listed_by_a_walk(const fs::path& target) const {
    if (!is_document_file(target)) return false;
    for (size_t j = 0; j < m_real.size(); ++j)
      if (m_present[j] && walk_reaches(m_real[j], target.native())) return true;
    return false;
  }

  const kb::KnowledgeBase& m_kb;
  const FileVisitor& m_on_file;
  const SkipVisitor& m_on_skip;
  std::vector<std::string> m_real;  // each corpus folder's real path
  std::vector<bool> m_present;       // each corpus folder exists
  size_t m_root = 0;
  std::unordered_set<std::string> m_link_targets;
};

} // namespace

void walk_files(const kb::KnowledgeBase& kb, const FileVisitor& on_file, const SkipVisitor& on_skip) {
  Walk(kb, on_file, on_skip).run();
}

Listing list_files(const kb::KnowledgeBase& kb) {
  Listing out;
  walk_files(
      kb, [&](const std::string& file) { out.files.push_back(file); },
      [&](std::string path, std::string reason) { out.skipped.emplace_back(std::move(path), std::move(reason)); });
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
