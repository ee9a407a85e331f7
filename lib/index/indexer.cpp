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
#include <future>
#include <map>
#include <set>
#include <thread>

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

struct Existing {
  size_t shard;
  Xapian::docid docid;
  std::string signature;
  std::string id;
};

struct Loaded {
  std::optional<corpus::Document> doc;
  Xapian::Document built;              // terms, values and data, made by the worker
  std::vector<std::string> problems;   // corpus::check's warnings
  std::string error;
};

bool selected(const std::filesystem::path& file, const std::vector<std::filesystem::path>& only) {
  if (only.empty()) return true;
  for (const auto& o : only) {
    auto rel = file.lexically_relative(o);
    if (file == o || (!rel.empty() && *rel.begin() != ".." && rel.is_relative())) return true;
  }
  return false;
}

// Gives every document not re-indexed in this run the theme terms the tree now implies.
size_t reterm(Xapian::WritableDatabase& db, const taxonomy::Taxonomy& t, const std::set<std::string>& skip) {
  size_t changed = 0;
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    Xapian::Document doc = db.get_document(*it);
    if (skip.count(doc.get_value(schema::k_slot_path))) continue;
    nlohmann::json data = nlohmann::json::parse(doc.get_data(), nullptr, false);
    if (data.is_discarded()) continue;
    std::vector<std::string> themes = data.value("themes", std::vector<std::string>{});
    std::vector<std::string> want = schema::theme_terms(themes, t);
    for (const auto& th : themes)
      if (t.find(th)) want.push_back(schema::bounded(schema::k_direct, th));
    std::vector<std::string> have;
    for (auto term = doc.termlist_begin(); term != doc.termlist_end(); ++term) {
      std::string s = *term;
      if (s.rfind(schema::k_theme, 0) == 0 || s.rfind(schema::k_direct, 0) == 0) have.push_back(s);
    }
    std::sort(want.begin(), want.end());
    std::sort(have.begin(), have.end());
    if (want == have) continue;
    for (const auto& h : have) doc.remove_term(h);
    for (const auto& w : want) doc.add_boolean_term(w);
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
    std::map<std::string, Existing> existing;
    std::map<std::string, std::string> owner;  // id -> path
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
        Existing e{k, did, value_at(sigs, schema::k_slot_signature, did), value_at(ids, schema::k_slot_id, did)};
        owner[e.id] = *paths;
        existing.emplace(*paths, std::move(e));
      }
    }

    corpus::Listing listing = corpus::list_files(kb);
    for (const auto& [path, reason] : listing.skipped) report.warnings.push_back({path, reason});
    std::vector<std::filesystem::path> only;
    for (const auto& o : options.only) only.push_back(std::filesystem::absolute(o).lexically_normal());

    std::set<std::string> present;
    std::vector<std::pair<std::filesystem::path, std::string>> todo;  // file, signature
    for (const auto& file : listing.files) {
      std::string rel = kb.relative(file);
      present.insert(rel);
      if (!selected(file, only)) {
        if (existing.count(rel)) ++report.unchanged;
        continue;
      }
      std::string sig = corpus::signature(file);
      auto it = existing.find(rel);
      if (!options.full && it != existing.end() && it->second.signature == sig) {
        ++report.unchanged;
        continue;
      }
      todo.emplace_back(file, std::move(sig));
    }

    // Files gone from disk leave the index.
    for (const auto& [path, e] : existing) {
      if (present.count(path)) continue;
      if (!only.empty() && !selected(kb.root / path, only)) continue;
      dbs[e.shard].delete_document(e.docid);
      if (owner[e.id] == path) owner.erase(e.id);
      ++report.removed;
    }

    unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    size_t done = 0, since_commit = 0;
    const size_t chunk = std::max<size_t>(jobs * 16, 64);
    auto commit_all = [&] {
      for (size_t k = 0; k < dbs.size(); ++k) {
        current = &layout.shards[k];
        dbs[k].commit();
      }
    };
    for (size_t start = 0; start < todo.size(); start += chunk) {
      size_t end = std::min(todo.size(), start + chunk);
      std::vector<Loaded> loaded(end - start);
      // Extraction and building documents in parallel; writing stays on this thread (Xapian has one
      // writer).
      std::vector<std::thread> workers;
      std::atomic<size_t> next{start};
      for (unsigned w = 0; w < std::min<size_t>(jobs, end - start); ++w)
        workers.emplace_back([&] {
          for (size_t i = next++; i < end; i = next++) {
            try {
              Loaded& l = loaded[i - start];
              corpus::Document d = corpus::load(kb, todo[i].first);
              l.problems = corpus::check(d, t, kb.languages);
              l.built = schema::build(d, t, todo[i].second);
              l.doc = std::move(d);  // last: a document that failed half-way has none
            } catch (const DataError& e) {
              loaded[i - start].error = e.what();
            } catch (const std::exception& e) {
              loaded[i - start].error = fmt::format("{}: {}", kb.relative(todo[i].first), e.what());
            } catch (const Xapian::Error& e) {
              loaded[i - start].error = fmt::format("{}: {}", kb.relative(todo[i].first), e.get_description());
            }
          }
        });
      for (auto& w : workers) w.join();

      for (size_t i = start; i < end; ++i) {
        std::string rel = kb.relative(todo[i].first);
        Loaded& l = loaded[i - start];
        auto old = existing.find(rel);
        if (!l.doc) {
          // The old version, if any, stays searchable: a broken edit loses nothing.
          report.failures.push_back({rel, l.error});
          ++report.failed;
          continue;
        }
        corpus::Document& d = *l.doc;
        if (auto o = owner.find(d.id); o != owner.end() && o->second != rel && present.count(o->second)) {
          report.failures.push_back({rel, fmt::format("{}: id '{}' is already used by {}", rel, d.id, o->second)});
          ++report.failed;
          continue;
        }
        for (const auto& w : d.warnings) report.warnings.push_back({rel, w});
        for (const auto& p : l.problems) report.warnings.push_back({rel, p});
        size_t k = shard_of(d.id, dbs.size());
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
    }

    std::set<std::string> touched;
    for (const auto& [file, sig] : todo) touched.insert(kb.relative(file));
    for (size_t k = 0; k < dbs.size(); ++k) {
      current = &layout.shards[k];
      Xapian::WritableDatabase& db = dbs[k];
      // A changed tree re-terms the documents whose themes now have other ancestors.
      std::string old_hash = layout.remote ? std::string() : db.get_metadata(schema::k_meta_taxonomy);
      if (old_hash != t.hash()) {
        report.retermed += reterm(db, t, touched);
        if (!layout.remote) schema::write_synonyms(db, t);
      }
      if (!layout.remote) {
        db.set_metadata(schema::k_meta_schema, std::to_string(schema::k_version));
        db.set_metadata(schema::k_meta_taxonomy, t.hash());
        db.set_metadata(schema::k_meta_stemmers, "nl=dutch fr=french en=english de=german");
      }
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
