#include "befus/index.hpp"

#include "befus/corpus.hpp"
#include "befus/error.hpp"
#include "befus/fs.hpp"
#include "index/database.hpp"
#include "index/layout.hpp"
#include "index/schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <optional>

#include <sys/stat.h>

namespace befus::index {

nlohmann::json IndexReport::to_json() const {
  nlohmann::json f = nlohmann::json::array();
  for (const auto& x : failures) f.push_back({{"path", x.path}, {"reason", x.reason}});
  nlohmann::json w = nlohmann::json::array();
  for (const auto& x : warnings) w.push_back({{"path", x.path}, {"reason", x.reason}});
  return {{"added", added},   {"updated", updated},   {"removed", removed}, {"unchanged", unchanged},
          {"failed", failed}, {"retermed", retermed}, {"failures", f},      {"warnings", w},
          {"shards", shards},  {"rebuilt", rebuilt},     {"seconds", seconds}};
}

namespace {

// Where a document lives: shard and docid.
struct Place {
  std::uint32_t shard = 0;
  Xapian::docid docid = 0;
};

// A file to read, with what the writer needs to know about its old version.
struct Job {
  std::string file, rel, signature;
  std::optional<Place> old;
  std::string old_id;
};

struct Loaded {
  std::optional<corpus::Document> doc;
  Xapian::Document built;              // terms, values and data, made by the worker
  std::vector<std::string> problems;   // corpus::check's warnings
  std::string error;
};

// Jobs made by worker threads and taken back by one consumer in the order they were given. At
// most `window` jobs are given and not yet taken, so memory does not grow with the corpus. The
// destructor stops and joins the workers, also when the consumer leaves early with an exception.
class Pipeline {
public:
  using Make = std::function<void(const Job&, Loaded&)>;
  Pipeline(size_t window, unsigned threads, Make make)
      : m_window(window), m_jobs(window), m_slots(window), m_ready(window, false), m_make(std::move(make)) {
    for (unsigned w = 0; w < threads; ++w) m_workers.emplace_back([this] { work(); });
  }
  ~Pipeline() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_given.notify_all();
    for (auto& w : m_workers) w.join();
  }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Only the consumer calls these.
  bool full() const { return m_submitted - m_taken == m_window; }
  bool empty() const { return m_submitted == m_taken; }
  void give(Job job) {  // not when full()
    {
      std::lock_guard lock(m_mutex);
      m_jobs[m_submitted % m_window] = std::move(job);
      ++m_submitted;
    }
    m_given.notify_one();
  }
  // The oldest job given and not taken, once made (not when empty()).
  std::pair<Job, Loaded> take() {
    std::unique_lock lock(m_mutex);
    size_t i = m_taken % m_window;
    m_made.wait(lock, [&] { return m_ready[i]; });
    std::pair<Job, Loaded> out{std::move(m_jobs[i]), std::move(m_slots[i])};
    m_jobs[i] = Job();
    m_slots[i] = Loaded();
    m_ready[i] = false;
    ++m_taken;
    return out;
  }

private:
  void work() {
    while (true) {
      size_t i;
      {
        std::unique_lock lock(m_mutex);
        m_given.wait(lock, [&] { return m_stop || m_next < m_submitted; });
        if (m_stop) return;
        i = m_next++ % m_window;
      }
      // Slot i is not given again before the consumer has taken it, so it is read unlocked.
      Loaded l;
      try {
        m_make(m_jobs[i], l);
      } catch (...) {  // make reports its own errors; this only keeps a stray one from ending the run
        l = Loaded();
        l.error = "unexpected error while reading the file";
      }
      {
        std::lock_guard lock(m_mutex);
        m_slots[i] = std::move(l);
        m_ready[i] = true;
      }
      m_made.notify_one();
    }
  }

  size_t m_window;
  std::vector<Job> m_jobs;
  std::vector<Loaded> m_slots;
  std::vector<bool> m_ready;
  Make m_make;
  std::mutex m_mutex;
  std::condition_variable m_given, m_made;
  size_t m_submitted = 0, m_next = 0, m_taken = 0;
  bool m_stop = false;
  std::vector<std::thread> m_workers;
};

bool selected(const std::string& name, const std::vector<std::filesystem::path>& only) {
  if (only.empty()) return true;
  std::filesystem::path file(name);
  for (const auto& o : only) {
    auto rel = file.lexically_relative(o);
    if (file == o || (!rel.empty() && *rel.begin() != ".." && rel.is_relative())) return true;
  }
  return false;
}

// One bit per document of a shard, for the documents it held when the run began (later ones are
// this run's own).
class DocBits {
public:
  explicit DocBits(Xapian::docid last = 0) : m_bits(last + 1, false) {}
  bool covers(Xapian::docid did) const { return did < m_bits.size(); }
  bool get(Xapian::docid did) const { return covers(did) && m_bits[did]; }
  void set(Xapian::docid did, bool on = true) {
    if (covers(did)) m_bits[did] = on;
  }
  size_t count() const { return static_cast<size_t>(std::count(m_bits.begin(), m_bits.end(), true)); }

private:
  std::vector<bool> m_bits;
};

// Gives every document the theme, label and path terms the tree and the schema now imply (the
// label terms from the words the document already has: no file is read). Marks the documents it
// changed in `changed`.
void reterm(Xapian::WritableDatabase& db, const taxonomy::Taxonomy& t, const schema::LabelMatcher& labels,
            DocBits& changed) {
  using Term = std::pair<std::string, Xapian::termcount>;  // wdf 0: a boolean term
  auto ours = [](const std::string& s) {
    return s.rfind(schema::k_theme, 0) == 0 || s.rfind(schema::k_direct, 0) == 0 || s.rfind(schema::k_label, 0) == 0 ||
           s.rfind(schema::k_path, 0) == 0;
  };
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    Xapian::Document doc = db.get_document(*it);
    nlohmann::json data = schema::parse_data(doc.get_data(), false);
    if (data.empty()) continue;
    std::vector<std::string> themes = data.value("themes", std::vector<std::string>{});
    std::vector<Term> want;
    for (auto& term : schema::theme_terms(themes, t)) want.emplace_back(std::move(term), 0);
    for (const auto& th : themes)
      if (t.find(th)) want.emplace_back(schema::bounded(schema::k_direct, th), 0);
    for (auto& term : labels.terms(doc, data.value("lang", std::string()))) want.push_back(std::move(term));
    if (std::string path = doc.get_value(schema::k_slot_path); !path.empty())
      want.emplace_back(schema::bounded(schema::k_path, path), 0);
    std::vector<Term> have;
    for (auto term = doc.termlist_begin(); term != doc.termlist_end(); ++term) {
      std::string s = *term;
      if (ours(s)) have.emplace_back(std::move(s), term.get_wdf());
    }
    std::sort(want.begin(), want.end());
    std::sort(have.begin(), have.end());
    if (want == have) continue;
    for (const auto& [term, wdf] : have) doc.remove_term(term);
    for (const auto& [term, wdf] : want) doc.add_term(term, wdf);
    db.replace_document(*it, doc);
    changed.set(*it);
  }
}

// The first document of shard k carrying a boolean term.
std::optional<Place> find_term(Xapian::WritableDatabase& db, std::uint32_t k, const std::string& term) {
  auto it = db.postlist_begin(term);
  if (it == db.postlist_end(term)) return std::nullopt;
  return Place{k, *it};
}

// The same, in whichever shard has it.
std::optional<Place> find_term(std::vector<Xapian::WritableDatabase>& dbs, const std::string& term) {
  for (size_t k = 0; k < dbs.size(); ++k)
    if (auto p = find_term(dbs[k], static_cast<std::uint32_t>(k), term)) return p;
  return std::nullopt;
}

} // namespace

IndexReport update(const kb::KnowledgeBase& kb, const taxonomy::Taxonomy& t, const std::string& location,
                   const IndexOptions& options) {
  auto started = std::chrono::steady_clock::now();
  IndexReport report;
  Layout layout = plan_layout(location, options.shards, report.rebuilt);
  std::vector<Xapian::WritableDatabase> dbs;
  for (const auto& s : layout.shards) dbs.push_back(open_writable(s));
  report.shards = dbs.size();
  const std::string* current = &layout.shards.front();
  try {
    // Nothing is loaded per document: each file is looked up in the index by its path term as
    // the walk reaches it, and one bit per document the index held says whether its file was
    // seen, so memory stays flat however large the corpus.
    std::vector<DocBits> seen, retermed;
    schema::LabelMatcher labels(t);  // its tables are made when a first document needs them
    for (size_t k = 0; k < dbs.size(); ++k) {
      current = &layout.shards[k];
      Xapian::WritableDatabase& db = dbs[k];
      seen.emplace_back(db.get_lastdocid());
      retermed.emplace_back(db.get_lastdocid());
      // A changed tree re-terms the documents whose themes now have other ancestors or whose
      // words are now another node's label; an index of an older schema gets the terms it lacks
      // (path terms first of all, which the lookups below need). Documents re-indexed or removed
      // below are not counted as re-termed.
      if (db.get_metadata(schema::k_meta_taxonomy) != t.hash() ||
          db.get_metadata(schema::k_meta_schema) != std::to_string(schema::k_version)) {
        reterm(db, t, labels, retermed.back());
        if (!layout.remote) schema::write_synonyms(db, t);  // remote databases keep no synonyms
      }
    }

    std::vector<std::filesystem::path> only;
    for (const auto& o : options.only) only.push_back(std::filesystem::absolute(o).lexically_normal());
    std::vector<std::filesystem::path> roots;
    for (const auto& r : kb.corpus) roots.push_back(std::filesystem::absolute(r).lexically_normal());
    auto is_present = [&](const Place& p, const std::string& path) {
      // A document whose file this run has seen, or that this run wrote; else its file, if it
      // is still there (the walk may not have reached it yet).
      if (seen[p.shard].get(p.docid) || !seen[p.shard].covers(p.docid)) return true;
      struct stat st {};
      std::filesystem::path file = (kb.root / path).lexically_normal();
      return !path.empty() && ::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && selected(file.native(), roots);
    };
    auto forget = [&](const Place& p) {  // a document deleted or rewritten: it is no re-termed one
      retermed[p.shard].set(p.docid, false);
    };

    unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    size_t since_commit = 0, total = 0, done = 0;
    auto commit_all = [&] {
      for (size_t k = 0; k < dbs.size(); ++k) {
        current = &layout.shards[k];
        dbs[k].commit();
      }
    };
    auto progress = [&] {
      if (options.progress) options.progress(++done, total);
    };
    if (options.progress)  // a first walk, only to count
      corpus::walk_files(kb, [&](const std::string&) { ++total; }, [](std::string, std::string) {});

    // Extraction and building documents on `jobs` threads while this thread looks files up and
    // writes (Xapian has one writer): files are written in walk order, and the workers stay at
    // most `window` files ahead.
    Pipeline pipeline(std::max<size_t>(jobs * 16, 64), jobs, [&](const Job& job, Loaded& l) {
      try {
        corpus::Document d = corpus::load(kb, job.file);
        l.problems = corpus::check(d, t, kb.languages);
        l.built = schema::build(d, t, job.signature, &labels);
        l.doc = std::move(d);  // last: a document that failed half-way has none
      } catch (const DataError& e) {
        l.error = e.what();
      } catch (const std::exception& e) {
        l.error = fmt::format("{}: {}", job.rel, e.what());
      } catch (const Xapian::Error& e) {
        l.error = fmt::format("{}: {}", job.rel, e.get_description());
      }
    });
    auto write_one = [&] {
      auto [job, l] = pipeline.take();
      const std::string& rel = job.rel;
      if (!l.doc) {
        // The old version, if any, stays searchable: a broken edit loses nothing.
        report.failures.push_back({rel, l.error});
        ++report.failed;
        return progress();
      }
      corpus::Document& d = *l.doc;
      std::string id_term = schema::bounded(schema::k_id, d.id);
      std::uint32_t k = static_cast<std::uint32_t>(shard_of(d.id, dbs.size()));
      current = &layout.shards[k];
      std::optional<Place> holder = find_term(dbs[k], k, id_term);  // the document that has this id now
      bool own = holder && job.old && holder->shard == job.old->shard && holder->docid == job.old->docid;
      if (holder && !own) {
        std::string other = dbs[k].get_document(holder->docid).get_value(schema::k_slot_path);
        if (other != rel && is_present(*holder, other)) {
          report.failures.push_back({rel, fmt::format("{}: id '{}' is already used by {}", rel, d.id, other)});
          ++report.failed;
          return progress();
        }
        if (other != rel) ++report.removed;  // a file gone from disk whose id this one takes over
      }
      for (const auto& w : d.warnings) report.warnings.push_back({rel, w});
      for (const auto& p : l.problems) report.warnings.push_back({rel, p});
      if (job.old && (job.old_id != d.id || job.old->shard != k)) {
        current = &layout.shards[job.old->shard];
        dbs[job.old->shard].delete_document(job.old->docid);  // another id now, maybe another shard
        forget(*job.old);
        current = &layout.shards[k];
      }
      // Remote databases keep no spelling data, so only local ones learn the vocabulary.
      if (!layout.remote) schema::add_spellings(dbs[k], l.built);
      Xapian::docid did = dbs[k].replace_document(id_term, l.built);
      seen[k].set(did);
      forget(Place{k, did});
      (job.old ? report.updated : report.added)++;
      if (++since_commit >= options.batch) {
        commit_all();
        since_commit = 0;
      }
      progress();
    };

    corpus::walk_files(
        kb,
        [&](const std::string& file) {
          std::string rel = kb.relative(file);
          std::optional<Place> old = find_term(dbs, schema::bounded(schema::k_path, rel));
          if (old) seen[old->shard].set(old->docid);
          if (!selected(file, only)) {
            if (old) ++report.unchanged;
            return progress();
          }
          std::string sig = corpus::signature(file);
          std::string old_id;
          if (old) {
            current = &layout.shards[old->shard];
            Xapian::Document doc = dbs[old->shard].get_document(old->docid);
            if (!options.full && doc.get_value(schema::k_slot_signature) == sig) {
              ++report.unchanged;
              return progress();
            }
            old_id = doc.get_value(schema::k_slot_id);
          }
          while (pipeline.full()) write_one();
          pipeline.give(Job{file, std::move(rel), std::move(sig), old, std::move(old_id)});
        },
        [&](std::string path, std::string reason) { report.warnings.push_back({std::move(path), std::move(reason)}); });
    while (!pipeline.empty()) write_one();

    // Documents whose files the walk did not reach: gone from disk, or no longer listed.
    for (size_t k = 0; k < dbs.size(); ++k) {
      current = &layout.shards[k];
      Xapian::WritableDatabase& db = dbs[k];
      std::vector<Xapian::docid> gone;
      for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
        if (seen[k].get(*it) || !seen[k].covers(*it)) continue;
        if (!only.empty() && !selected((kb.root / db.get_document(*it).get_value(schema::k_slot_path)).native(), only))
          continue;
        gone.push_back(*it);
      }
      for (Xapian::docid did : gone) {
        db.delete_document(did);
        forget(Place{static_cast<std::uint32_t>(k), did});
        ++report.removed;
      }
    }

    for (size_t k = 0; k < dbs.size(); ++k) {
      current = &layout.shards[k];
      Xapian::WritableDatabase& db = dbs[k];
      report.retermed += retermed[k].count();
      db.set_metadata(schema::k_meta_schema, std::to_string(schema::k_version));
      db.set_metadata(schema::k_meta_taxonomy, t.hash());
      db.set_metadata(schema::k_meta_stemmers, "nl=dutch fr=french en=english de=german");
      db.commit();
      db.close();
    }
    report.updated += report.retermed;
    if (layout.stub && !layout.remote) write_stub(location, layout);
  } catch (const Xapian::Error& e) {
    translate(e, *current);
  }
  std::sort(report.failures.begin(), report.failures.end(), [](auto& a, auto& b) { return a.path < b.path; });
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

} // namespace befus::index
