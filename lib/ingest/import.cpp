#include "befus/ingest.hpp"

#include "befus/corpus.hpp"
#include "befus/error.hpp"
#include "befus/fs.hpp"
#include "befus/text.hpp"
#include "index/database.hpp"
#include "index/reader_impl.hpp"
#include "index/schema.hpp"
#include "ingest/fields.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <unordered_map>

namespace befus::ingest {

nlohmann::json ImportReport::to_json() const {
  nlohmann::json rej = nlohmann::json::array();
  for (const auto& r : rejections) rej.push_back({{"line", r.line}, {"id", r.id}, {"reasons", r.reasons}});
  return {{"added", added},
          {"updated", updated},
          {"unchanged", unchanged},
          {"rejected", rejected},
          {"rejections", rej},
          {"dry_run", dry_run},
          {"strict", strict},
          {"refused", refused},
          {"into", into},
          {"index", index ? index->to_json() : nlohmann::json(nullptr)}};
}

int ImportReport::exit_code() const {
  if (refused) return static_cast<int>(ExitCode::invalid_data);
  if (rejected || (index && index->failed)) return static_cast<int>(ExitCode::partial);
  return 0;
}

fs::path default_into(const kb::KnowledgeBase& kb) {
  return (kb.corpus.empty() ? kb.root / "corpus" : kb.corpus.front()) / "imported";
}

namespace {

// Above this many files outside --into, the whole corpus is brought in step instead: the indexer
// matches every corpus file against each listed path, and a stat per file costs less than that.
constexpr size_t k_max_listed_files = 16;

enum class Outcome { added, updated, unchanged };

struct Write {
  fs::path file;
  std::string content;
};

struct Plan {
  Outcome outcome = Outcome::unchanged;
  std::vector<Write> writes;
  fs::path index_file;  // a file outside --into that the index must look at again
};

bool lexically_inside(const fs::path& folder, const fs::path& p) {
  fs::path rel = p.lexically_relative(folder);
  return !rel.empty() && *rel.begin() != ".." && rel != ".";
}

bool is_markdown(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e == ".md" || e == ".markdown";
}

// Where to write over an existing file: through a link to the file it points at, so the link stays.
fs::path write_target(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_symlink(p, ec)) return p;
  fs::path real = fs::canonical(p, ec);
  return ec ? p : real;
}

// The front matter of an existing file as fields, or an empty object when it has none or it is broken.
nlohmann::json front_matter_fields(std::string_view bytes, const std::string& shown) {
  corpus::FrontMatter fm = corpus::split_front_matter(bytes);
  if (!fm.present) return nlohmann::json::object();
  try {
    return corpus::parse_metadata(fm.yaml, shown, fm.yaml_first_line);
  } catch (const DataError&) {
    return nlohmann::json::object();
  }
}

class Importer {
public:
  Importer(const kb::KnowledgeBase& kb, const taxonomy::Taxonomy& t, const ImportOptions& o, bool dry_run)
      : m_kb(kb), m_t(t), m_o(o), m_dry_run(dry_run) {
    m_report.dry_run = dry_run;
    m_report.strict = o.strict;
    m_report.into = kb.relative(o.into);
    try {
      m_reader.emplace(o.index_location);
    } catch (const IndexError&) {
      // No index yet: nothing is known about existing ids beyond the files in --into.
    }
  }

  ImportReport run(RecordReader& reader, std::uint64_t total_bytes) {
    RawRecord raw;
    size_t seen = 0;
    while (reader.next(raw)) {
      process(raw);
      if (m_o.progress && ++seen % 500 == 0) m_o.progress(reader.bytes_read(), total_bytes, seen);
    }
    if (m_o.progress) m_o.progress(reader.bytes_read(), total_bytes, seen);
    m_reader.reset();
    size_t accepted = m_report.added + m_report.updated + m_report.unchanged;
    if (m_written) sync_written();
    if (!m_dry_run && accepted) index_written();
    return std::move(m_report);
  }

private:
  void process(RawRecord& raw) {
    Record& r = raw.record;
    std::vector<std::string>& reasons = raw.reasons;
    // A record that could not be read at all gets no field checks: they would only add noise.
    bool unreadable = std::any_of(reasons.begin(), reasons.end(),
                                  [](const std::string& s) { return util::starts_with(s, "record:"); });
    if (!unreadable)
      for (auto& p : validate(r, m_t, m_kb)) reasons.push_back(std::move(p));
    if (util::is_id(r.id)) {
      auto [it, fresh] = m_ids.emplace(r.id, r.line);
      if (!fresh) reasons.push_back(fmt::format("id: '{}' was already given at line {}", r.id, it->second));
    }
    if (!r.path.empty() && reasons.empty()) {
      std::string key = fs::path(r.path).lexically_normal().generic_string();
      auto [it, fresh] = m_paths.emplace(key, r.line);
      if (!fresh) reasons.push_back(fmt::format("path: '{}' was already given at line {}", r.path, it->second));
    }
    Plan plan;
    if (reasons.empty()) plan = r.path.empty() ? plan_body(r, reasons) : plan_path(r, reasons);
    if (!reasons.empty()) {
      ++m_report.rejected;
      m_report.rejections.push_back({r.line, r.id, std::move(reasons)});
      return;
    }
    switch (plan.outcome) {
      case Outcome::added: ++m_report.added; break;
      case Outcome::updated: ++m_report.updated; break;
      case Outcome::unchanged: ++m_report.unchanged; break;
    }
    if (!plan.index_file.empty() && !m_many_outside) {
      m_outside.push_back(plan.index_file);
      if (m_outside.size() > k_max_listed_files) {
        m_many_outside = true;  // the whole corpus will be brought in step: the list is not needed
        m_outside = {};
      }
    }
    if (m_dry_run) return;
    for (const auto& w : plan.writes) {
      fs::create_directories(w.file.parent_path());
      // Atomic for readers and for a killed run; made durable by one sync of the batch in sync_written().
      util::write_file_atomic(w.file, w.content, false);
      ++m_written;
    }
  }

  // Where the index says a document with this id lives, if that file still exists.
  std::optional<std::string> indexed_path(const std::string& id) {
    if (!m_reader) return std::nullopt;
    Xapian::Database& db = m_reader->impl().db;
    std::string path;
    try {
      index::with_retry(db, [&] {
        std::string term = index::schema::bounded(index::schema::k_id, id);
        auto it = db.postlist_begin(term);
        path = it == db.postlist_end(term) ? std::string() : db.get_document(*it).get_value(index::schema::k_slot_path);
        return 0;
      });
    } catch (const Xapian::Error& e) {
      index::translate(e, m_o.index_location);
    }
    std::error_code ec;
    if (path.empty() || !fs::exists(m_kb.root / path, ec)) return std::nullopt;
    return path;
  }

  // A body record becomes a Markdown file: the document's own file when the id exists, else one in --into.
  Plan plan_body(const Record& r, std::vector<std::string>& reasons) {
    Plan plan;
    fs::path target;
    if (auto where = indexed_path(r.id)) {
      target = (m_kb.root / *where).lexically_normal();
      if (!is_markdown(target)) {
        reasons.push_back(fmt::format("id: '{}' is the document {}, which is not Markdown; give its 'path' instead of "
                                      "a 'body' to update its metadata",
                                      r.id, *where));
        return plan;
      }
    } else {
      target = m_o.into / (r.id + ".md");
    }
    std::string shown = m_kb.relative(target);
    std::error_code ec;
    if (fs::exists(corpus::sidecar_of(target), ec)) {
      reasons.push_back(fmt::format("id: '{}' is the document {}, whose metadata is in its sidecar {}.yaml; give its "
                                    "'path' instead of a 'body'",
                                    r.id, shown, shown));
      return plan;
    }
    nlohmann::json kept = nlohmann::json::object();
    std::optional<std::string> old;
    std::string content = render_markdown(r);
    if (fs::exists(target, ec)) {
      try {
        old = util::read_file(target, corpus::k_max_file_bytes);
      } catch (const DataError& e) {
        reasons.push_back(fmt::format("id: the existing file cannot be read: {}", e.what()));
        return plan;
      }
      // The common case of a batch run again: the file is exactly the record, no YAML to parse.
      if (*old == content) {
        if (!lexically_inside(m_o.into, target)) plan.index_file = target;
        return plan;
      }
      nlohmann::json fields = front_matter_fields(*old, shown);
      if (auto it = fields.find("id"); it != fields.end() && it->is_string() && util::trim(it->get<std::string>()) != r.id) {
        reasons.push_back(fmt::format("id: {} already holds the document '{}'", shown, it->get<std::string>()));
        return plan;
      }
      for (const auto& [key, value] : fields.items())
        if (!detail::is_field(key)) kept[key] = value;
    }
    if (!kept.empty()) content = render_markdown(r, kept);
    if (!old)
      plan.outcome = Outcome::added;
    else if (*old == content)
      plan.outcome = Outcome::unchanged;
    else
      plan.outcome = Outcome::updated;
    if (plan.outcome != Outcome::unchanged) plan.writes.push_back({write_target(target), std::move(content)});
    if (!lexically_inside(m_o.into, target)) plan.index_file = target;
    return plan;
  }

  // A path record names a file already in the knowledge base; the fields it gives that differ from
  // what befus reads for that file are written where that value comes from: the sidecar when it
  // sets the field, else the Markdown front matter, else (other formats) a sidecar.
  Plan plan_path(const Record& r, std::vector<std::string>& reasons) {
    Plan plan;
    fs::path file = (m_kb.root / fs::path(r.path)).lexically_normal();
    std::string rel = m_kb.relative(file);
    corpus::Document doc;
    try {
      doc = corpus::load(m_kb, file);
    } catch (const DataError& e) {
      reasons.push_back(fmt::format("path: {}", e.what()));
      return plan;
    }
    if (doc.id != r.id) {
      if (auto owner = indexed_path(r.id); owner && *owner != rel) {
        reasons.push_back(fmt::format("id: '{}' is already used by {}", r.id, *owner));
        return plan;
      }
    }
    nlohmann::json changes = nlohmann::json::object();
    auto text = [&](const char* key, const std::string& want, const std::string& have) {
      if (!want.empty() && want != have) changes[key] = want;
    };
    auto list = [&](const char* key, const std::vector<std::string>& want, const std::vector<std::string>& have) {
      if (!want.empty() && want != have) changes[key] = want;
    };
    text("id", r.id, doc.id);
    text("title", r.title, doc.title);
    text("lang", r.lang, doc.lang);
    if (r.year && r.year != doc.year) changes["year"] = r.year;
    text("type", r.type, doc.type);
    list("partners", r.partners, doc.partners);
    list("themes", r.themes, doc.themes);
    text("why", r.why, doc.why);
    text("url", r.url, doc.url);
    text("problem", r.problem, doc.problem);
    text("mechanism", r.mechanism, doc.mechanism);
    text("evidence", r.evidence, doc.evidence);
    list("target", r.target, doc.target);
    plan.index_file = file;
    if (changes.empty()) return plan;
    plan.outcome = Outcome::updated;

    fs::path side = corpus::sidecar_of(file);
    std::error_code ec;
    nlohmann::json side_fields = nlohmann::json::object();
    bool has_side = fs::exists(side, ec);
    if (has_side) {
      std::string yaml = util::read_file(side, 1u << 20);
      if (util::starts_with(yaml, "\xEF\xBB\xBF")) yaml.erase(0, 3);
      side_fields = corpus::parse_metadata(yaml, m_kb.relative(side), 1);  // load() above read it already
    }
    if (doc.format == "md") {
      std::string bytes = util::read_file(file, corpus::k_max_file_bytes);
      corpus::FrontMatter fm = corpus::split_front_matter(bytes);
      nlohmann::json fm_fields = fm.present ? corpus::parse_metadata(fm.yaml, rel, fm.yaml_first_line)
                                            : nlohmann::json::object();
      bool fm_changed = false, side_changed = false;
      for (const auto& [key, value] : changes.items()) {
        if (side_fields.contains(key)) {
          side_fields[key] = value;
          side_changed = true;
        } else {
          fm_fields[key] = value;
          fm_changed = true;
        }
      }
      if (fm_changed)
        plan.writes.push_back({write_target(file), "---\n" + front_matter(fm_fields) + "---\n" + bytes.substr(fm.body_offset)});
      if (side_changed) plan.writes.push_back({write_target(side), front_matter(side_fields)});
    } else {
      for (const auto& [key, value] : changes.items()) side_fields[key] = value;
      plan.writes.push_back({write_target(side), front_matter(side_fields)});
    }
    return plan;
  }

  // One sync for the whole batch instead of two per file: on a busy disk fsync costs 1 to 10 ms, which
  // would make a batch of 100,000 records take minutes; a run cut short is repaired by running it again.
  void sync_written() {
    std::error_code ec;
    util::sync_filesystem(fs::is_directory(m_o.into, ec) ? m_o.into : m_kb.root);
  }

  void index_written() {
    index::IndexOptions opts;
    opts.jobs = m_o.jobs;
    opts.progress = m_o.index_progress;
    std::sort(m_outside.begin(), m_outside.end());
    m_outside.erase(std::unique(m_outside.begin(), m_outside.end()), m_outside.end());
    if (!m_many_outside) {
      opts.only.push_back(m_o.into);
      for (const auto& f : m_outside) opts.only.push_back(f);
    }
    try {
      m_report.index = index::update(m_kb, m_t, m_o.index_location, opts);
    } catch (const IndexError& e) {
      throw IndexError(fmt::format("the accepted records were written under {} but not indexed: {}; run 'befus "
                                   "index' when the index is available",
                                   m_report.into, e.what()));
    }
  }

  const kb::KnowledgeBase& m_kb;
  const taxonomy::Taxonomy& m_t;
  const ImportOptions& m_o;
  bool m_dry_run;
  ImportReport m_report;
  std::optional<index::Reader> m_reader;
  std::unordered_map<std::string, size_t> m_ids;    // id -> line where it was first given
  std::unordered_map<std::string, size_t> m_paths;  // path -> line
  std::vector<fs::path> m_outside;                  // accepted files outside --into
  bool m_many_outside = false;
  size_t m_written = 0;
};

// A temporary copy of standard input, so --strict can read it twice.
class Spool {
public:
  explicit Spool(std::istream& in) {
    std::string pattern = (fs::temp_directory_path() / "befus-import-XXXXXX").string();
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    int fd = ::mkstemp(name.data());
    if (fd < 0) throw Error("cannot create a temporary file for standard input");
    ::close(fd);
    m_path = name.data();
    std::ofstream out(m_path, std::ios::binary);
    std::vector<char> buf(1u << 16);
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      out.write(buf.data(), in.gcount());
    }
    if (in.bad()) throw DataError({"-"}, "cannot read standard input");
    if (!out.flush()) throw Error(fmt::format("{}: cannot write the copy of standard input", m_path.string()));
  }
  ~Spool() {
    std::error_code ec;
    fs::remove(m_path, ec);
  }
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  const fs::path& path() const { return m_path; }

private:
  fs::path m_path;
};

ImportReport run_once(const kb::KnowledgeBase& kb, const taxonomy::Taxonomy& t, const fs::path& file,
                      std::istream* stream, const std::string& name, Format format, const ImportOptions& o,
                      bool dry_run) {
  std::ifstream in;
  std::uint64_t total = 0;
  if (!stream) {
    std::error_code ec;
    auto st = fs::status(file, ec);
    if (ec || !fs::exists(st)) throw DataError({name}, "cannot open: no such file");
    if (fs::is_directory(st)) throw DataError({name}, "cannot read: it is a folder");
    in.open(file, std::ios::binary);
    if (!in) throw DataError({name}, "cannot open for reading");
    if (fs::is_regular_file(st)) total = fs::file_size(file, ec);
    stream = &in;
  }
  auto reader = open_reader(*stream, format, name);
  Importer importer(kb, t, o, dry_run);
  return importer.run(*reader, total);
}

} // namespace

ImportReport import_records(const kb::KnowledgeBase& kb, const taxonomy::Taxonomy& t, const Input& input,
                            const ImportOptions& options) {
  std::optional<Format> format = options.format;
  if (!format && input.stream) throw UsageError("reading standard input needs --from jsonl|csv");
  if (!format) format = format_of(input.file);
  if (!format)
    throw UsageError(fmt::format("{}: cannot tell the format from the extension; use --from jsonl|csv", input.file.string()));

  ImportOptions o = options;
  o.into = fs::absolute(options.into.empty() ? default_into(kb) : options.into).lexically_normal();
  if (!o.into.has_filename()) o.into = o.into.parent_path();  // "dir/" normalises with a trailing slash
  if (!util::is_inside(kb.root, o.into))
    throw UsageError(fmt::format("--into {}: not inside the knowledge base {}", o.into.string(), kb.root.string()));
  bool in_corpus = std::any_of(kb.corpus.begin(), kb.corpus.end(), [&](const fs::path& c) {
    fs::path n = c.lexically_normal();
    return o.into == n || lexically_inside(n, o.into);
  });
  if (!in_corpus)
    throw UsageError(fmt::format("--into {}: not inside a corpus folder, so its documents would never be indexed",
                                 kb.relative(o.into)));

  std::string name = input.stream ? std::string("-") : input.file.string();
  fs::path file = input.file;
  std::istream* stream = input.stream;
  std::optional<Spool> spool;
  if (o.strict) {
    if (stream) {
      spool.emplace(*stream);
      file = spool->path();
      stream = nullptr;
    }
    ImportReport check = run_once(kb, t, file, nullptr, name, *format, o, true);
    check.dry_run = o.dry_run;
    if (check.rejected) {
      check.refused = true;
      check.added = check.updated = check.unchanged = 0;
      return check;
    }
    if (o.dry_run) return check;
  }
  return run_once(kb, t, file, stream, name, *format, o, o.dry_run);
}

} // namespace befus::ingest
