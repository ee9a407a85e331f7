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
#include <unordered_map>

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

// A document the index holds, by path. Kept small: a run holds one per indexed document.
struct Existing {
  std::uint32_t shard;
  Xapian::docid docid;
  std::uint64_t signature;  // hash of the stored signature; compared in this process only
  std::string id;
};

std::uint64_t signature_hash(std::string_view s) { return std::hash<std::string_view>()(s); }

// Sorted paths, searched without copies.
bool has(const std::vector<std::string_view>& sorted, std::string_view path) {
  return std::binary_search(sorted.begin(), sorted.end(), path);
}

struct Loaded {
  std::optional<corpus::Document> doc;
  Xapian::Document built;              // terms, values and data, made by the worker
  std::vector<std::string> problems;   // corpus::check's warnings
  std::string error;
};

// Documents 0..n-1 made by worker threads, taken in order by one consumer. A worker only starts
// document i once the consumer has taken document i - window, so at most `window` made
// documents wait in memory. The destructor stops and joins the workers, also when the consumer
// leaves early with an exception.
class Pipeline {
public:
  using Make = std::function<void(size_t, Loaded&)>;
  Pipeline(size_t n, size_t window, unsigned threads, Make make)
      : m_n(n), m_window(window), m_slots(window), m_ready(window, false), m_make(std::move(make)) {
    for (unsigned w = 0; w < std::min<size_t>(threads, n); ++w) m_workers.emplace_back([this] { work(); });
  }
  ~Pipeline() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_space.notify_all();
    for (auto& w : m_workers) w.join();
  }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Document i, once made; i must be the one after the previous call's.
  Loaded take(size_t i) {
    std::unique_lock lock(m_mutex);
    m_filled.wait(lock, [&] { return m_ready[i % m_window]; });
    Loaded l = std::move(m_slots[i % m_window]);
    m_slots[i % m_window] = Loaded();
    m_ready[i % m_window] = false;
    m_taken = i + 1;
    lock.unlock();
    m_space.notify_all();
    return l;
  }

private:
  void work() {
    while (true) {
      size_t i;
      {
        std::unique_lock lock(m_mutex);
        m_space.wait(lock, [&] { return m_stop || m_next >= m_n || m_next < m_taken + m_window; });
        if (m_stop || m_next >= m_n) return;
        i = m_next++;
      }
      Loaded l;
      try {
        m_make(i, l);
      } catch (...) {  // make reports its own errors; this only keeps a stray one from ending the run
        l = Loaded();
        l.error = "unexpected error while reading the file";
      }
      {
        std::lock_guard lock(m_mutex);
        m_slots[i % m_window] = std::move(l);
        m_ready[i % m_window] = true;
      }
      m_filled.notify_one();
    }
  }

  size_t m_n, m_window;
  std::vector<Loaded> m_slots;
  std::vector<bool> m_ready;
  Make m_make;
  std::mutex m_mutex;
  std::condition_variable m_filled, m_space;
  size_t m_next = 0, m_taken = 0;
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

// Gives every document not re-indexed in this run the theme and label terms the tree now implies
// (the label terms from the words the document already has: no file is read).
size_t reterm(Xapian::WritableDatabase& db, const taxonomy::Taxonomy& t, const schema::LabelMatcher& labels,
              const std::vector<std::string_view>& skip) {
  using Term = std::pair<std::string, Xapian::termcount>;  // wdf 0: a boolean term
  auto ours = [](const std::string& s) {
    return s.rfind(schema::k_theme, 0) == 0 || s.rfind(schema::k_direct, 0) == 0 || s.rfind(schema::k_label, 0) == 0;
  };
  size_t changed = 0;
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    Xapian::Document doc = db.get_document(*it);
    if (has(skip, doc.get_value(schema::k_slot_path))) continue;
    nlohmann::json data = schema::parse_data(doc.get_data(), false);
    if (data.empty()) continue;
    std::vector<std::string> themes = data.value("themes", std::vector<std::string>{});
    std::vector<Term> want;
    for (auto& term : schema::theme_terms(themes, t)) want.emplace_back(std::move(term), 0);
    for (const auto& th : themes)
      if (t.find(th)) want.emplace_back(schema::bounded(schema::k_direct, th), 0);
    for (auto& term : labels.terms(doc, data.value("lang", std::string()))) want.push_back(std::move(term));
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
    ++changed;
  }
  return changed;
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
    // What the index holds now, by path. Value streams read the three slots without loading
    // documents, so a no-op run stays cheap.
    std::unordered_map<std::string, Existing> existing;
    // id -> path of the file that has it; the path is a key of `existing` or an entry of `rels`
    std::unordered_map<std::string, std::string_view> owner;
    for (size_t k = 0; k < dbs.size(); ++k) {
      current = &layout.shards[k];
      Xapian::WritableDatabase& db = dbs[k];
      auto value_at = [&db](Xapian::ValueIterator& it, Xapian::valueno slot, Xapian::docid did) -> std::string {
        if (it == db.valuestream_end(slot)) return {};
        it.skip_to(did);
        if (it == db.valuestream_end(slot) || it.get_docid() != did) return {};
        return *it;
      };
      auto sigs = db.valuestream_begin(schema::k_slot_signature);
      auto ids = db.valuestream_begin(schema::k_slot_id);
      for (auto paths = db.valuestream_begin(schema::k_slot_path); paths != db.valuestream_end(schema::k_slot_path);
           ++paths) {
        Xapian::docid did = paths.get_docid();
        Existing e{static_cast<std::uint32_t>(k), did, signature_hash(value_at(sigs, schema::k_slot_signature, did)),
                   value_at(ids, schema::k_slot_id, did)};
        auto [it, fresh] = existing.emplace(*paths, std::move(e));
        owner[it->second.id] = it->first;
      }
    }

    corpus::Listing listing = corpus::list_files(kb);
    for (const auto& [path, reason] : listing.skipped) report.warnings.push_back({path, reason});
    std::vector<std::filesystem::path> only;
    for (const auto& o : options.only) only.push_back(std::filesystem::absolute(o).lexically_normal());

    std::vector<std::string> rels;  // listing.files relative to the root, in the same order
    rels.reserve(listing.files.size());
    for (const auto& file : listing.files) rels.push_back(kb.relative(file));
    std::vector<std::string_view> present(rels.begin(), rels.end());
    std::sort(present.begin(), present.end());
    std::vector<std::pair<size_t, std::string>> todo;  // index in listing.files, signature
    for (size_t f = 0; f < listing.files.size(); ++f) {
      const std::string& file = listing.files[f];
      const std::string& rel = rels[f];
      if (!selected(file, only)) {
        if (existing.count(rel)) ++report.unchanged;
        continue;
      }
      std::string sig = corpus::signature(file);
      auto it = existing.find(rel);
      if (!options.full && it != existing.end() && it->second.signature == signature_hash(sig)) {
        ++report.unchanged;
        continue;
      }
      todo.emplace_back(f, std::move(sig));
    }

    // Files gone from disk leave the index.
    for (const auto& [path, e] : existing) {
      if (has(present, path)) continue;
      if (!only.empty() && !selected((kb.root / path).native(), only)) continue;
      dbs[e.shard].delete_document(e.docid);
      if (auto o = owner.find(e.id); o != owner.end() && o->second == path) owner.erase(o);
      ++report.removed;
    }

    schema::LabelMatcher labels(t);  // its tables are made when a first document needs them
    unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    size_t done = 0, since_commit = 0;
    auto commit_all = [&] {
      for (size_t k = 0; k < dbs.size(); ++k) {
        current = &layout.shards[k];
        dbs[k].commit();
      }
    };
    // Extraction and building documents on `jobs` threads while this thread writes (Xapian has
    // one writer): files are written in listing order, and the workers stay at most `window`
    // documents ahead, so memory does not grow with the corpus.
    Pipeline pipeline(todo.size(), std::max<size_t>(jobs * 16, 64), jobs, [&](size_t i, Loaded& l) {
      try {
        corpus::Document d = corpus::load(kb, listing.files[todo[i].first]);
        l.problems = corpus::check(d, t, kb.languages);
        l.built = schema::build(d, t, todo[i].second, &labels);
        l.doc = std::move(d);  // last: a document that failed half-way has none
      } catch (const DataError& e) {
        l.error = e.what();
      } catch (const std::exception& e) {
        l.error = fmt::format("{}: {}", rels[todo[i].first], e.what());
      } catch (const Xapian::Error& e) {
        l.error = fmt::format("{}: {}", rels[todo[i].first], e.get_description());
      }
    });
    for (size_t i = 0; i < todo.size(); ++i) {
      Loaded l = pipeline.take(i);
      const std::string& rel = rels[todo[i].first];
      auto old = existing.find(rel);
      if (!l.doc) {
        // The old version, if any, stays searchable: a broken edit loses nothing.
        report.failures.push_back({rel, l.error});
        ++report.failed;
        continue;
      }
      corpus::Document& d = *l.doc;
      if (auto o = owner.find(d.id); o != owner.end() && o->second != rel && has(present, o->second)) {
        report.failures.push_back({rel, fmt::format("{}: id '{}' is already used by {}", rel, d.id, o->second)});
        ++report.failed;
        continue;
      }
      for (const auto& w : d.warnings) report.warnings.push_back({rel, w});
      for (const auto& p : l.problems) report.warnings.push_back({rel, p});
      std::uint32_t k = static_cast<std::uint32_t>(shard_of(d.id, dbs.size()));
      current = &layout.shards[k];
      if (old != existing.end() && (old->second.id != d.id || old->second.shard != k)) {
        dbs[old->second.shard].delete_document(old->second.docid);  // another id now, maybe another shard
        owner.erase(old->second.id);
      }
      // Remote databases keep no spelling data, so only local ones learn the vocabulary.
      if (!layout.remote) schema::add_spellings(dbs[k], l.built);
      dbs[k].replace_document(schema::bounded(schema::k_id, d.id), l.built);
      owner[d.id] = rel;
      (old == existing.end() ? report.added : report.updated)++;
      if (++since_commit >= options.batch) {
        commit_all();
        since_commit = 0;
      }
      if (options.progress) options.progress(++done, todo.size());
    }

    std::vector<std::string_view> touched;
    for (const auto& [f, sig] : todo) touched.push_back(rels[f]);
    std::sort(touched.begin(), touched.end());
    for (size_t k = 0; k < dbs.size(); ++k) {
      current = &layout.shards[k];
      Xapian::WritableDatabase& db = dbs[k];
      // A changed tree re-terms the documents whose themes now have other ancestors or whose
      // words are now another node's label; so does an index made before label terms existed.
      std::string old_hash = db.get_metadata(schema::k_meta_taxonomy);
      std::string old_schema = db.get_metadata(schema::k_meta_schema);
      if (old_hash != t.hash() || old_schema != std::to_string(schema::k_version)) {
        report.retermed += reterm(db, t, labels, touched);
        if (!layout.remote) schema::write_synonyms(db, t);  // remote databases keep no synonyms
      }
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
