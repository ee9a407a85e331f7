#include "befus/classify.hpp"

#include "befus/error.hpp"
#include "befus/text.hpp"
#include "index/database.hpp"
#include "index/reader_impl.hpp"
#include "index/schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace befus::classify {

std::vector<corpus::FileEdit> ReclassifyPlan::edits() const {
  std::vector<corpus::FileEdit> out;
  for (const auto& d : documents)
    if (d.edit.changes()) out.push_back(d.edit);
  return out;
}

namespace {

// What the index (built with an older tree, perhaps) knows of a document: its theme terms.
struct Indexed {
  bool known = false;
  std::set<std::string> themes;  // XTHEME: values, ancestors included
};

class IndexView {
public:
  explicit IndexView(const index::Reader* reader, const std::string& tree_hash) {
    if (!reader) return;
    m_db = &reader->impl().db;
    m_location = reader->impl().location;
    try {
      m_stale = m_db->get_metadata(index::schema::k_meta_taxonomy) != tree_hash;
    } catch (const Xapian::Error&) {
      m_stale = false;  // remote databases carry no metadata: moves are not reported
    }
  }

  // True when the index was built with another tree, so it still shows the old parents.
  bool stale() const { return m_db && m_stale; }

  Indexed get(const std::string& id) const {
    Indexed out;
    if (!m_db) return out;
    try {
      std::string q = index::schema::bounded(index::schema::k_id, id);
      auto it = m_db->postlist_begin(q);
      if (it == m_db->postlist_end(q)) return out;
      out.known = true;
      Xapian::TermIterator term = m_db->termlist_begin(*it);
      for (term.skip_to(index::schema::k_theme); term != m_db->termlist_end(*it); ++term) {
        std::string s = *term;
        if (s.rfind(index::schema::k_theme, 0) != 0) break;
        out.themes.insert(s.substr(index::schema::k_theme.size()));
      }
    } catch (const Xapian::Error& e) {
      index::translate(e, m_location);
    }
    return out;
  }

  // Documents filed directly under id in the index.
  size_t filed_under(const std::string& id) const {
    if (!m_db) return 0;
    try {
      return m_db->get_termfreq(index::schema::bounded(index::schema::k_direct, id));
    } catch (const Xapian::Error& e) {
      index::translate(e, m_location);
    }
  }

private:
  const Xapian::Database* m_db = nullptr;
  std::string m_location;
  bool m_stale = false;
};

} // namespace

ReclassifyPlan plan_reclassify(const kb::KnowledgeBase& kb, const taxonomy::Taxonomy& t, const index::Reader* reader,
                               const ReclassifyOptions& options) {
  ReclassifyPlan plan;
  // Retired id -> the live nodes that list it in `replaces`, in tree order (as `taxonomy diff` lists them).
  std::map<std::string, std::vector<std::string>> heirs;
  for (const auto& n : t.nodes())
    for (const auto& r : n.replaces)
      if (!t.find(r)) heirs[r].push_back(n.id);
  IndexView view(reader, t.hash());
  std::unique_ptr<Classifier> classifier;  // built on first need: most runs only rename
  auto get_classifier = [&]() -> const Classifier& {
    if (!classifier) classifier = std::make_unique<Classifier>(t, kb.languages, reader, options.classifier);
    return *classifier;
  };
  auto kind_of_heir = [&](const std::string& old_id, const std::string& heir_id) {
    // From the current tree alone: a node that took over several ids, or that already had documents
    // of its own in the index, absorbed the old one (merged); otherwise the old one got a new id.
    const auto* heir = t.find(heir_id);
    size_t retired = 0;
    for (const auto& r : heir->replaces) retired += t.find(r) ? 0 : 1;
    bool merged = retired > 1 || view.filed_under(heir_id) > 0;
    (void)old_id;
    return merged ? std::string("merged") : std::string("renamed");
  };

  corpus::Listing listing = corpus::list_files(kb);
  for (const auto& [path, reason] : listing.skipped) plan.notes.push_back(fmt::format("{}: skipped: {}", path, reason));
  for (const auto& file : listing.files) {
    corpus::Document d;
    try {
      d = corpus::load(kb, file);
    } catch (const Error& e) {
      plan.failures.push_back({kb.relative(file), e.what()});
      continue;
    }
    ++plan.checked;
    DocumentPlan dp;
    dp.id = d.id;
    dp.path = d.path;
    dp.before = d.themes;
    auto keep = [&](const std::string& id) {
      if (std::find(dp.after.begin(), dp.after.end(), id) == dp.after.end()) dp.after.push_back(id);
    };
    Indexed indexed;
    if (view.stale()) indexed = view.get(d.id);
    for (const auto& th : d.themes) {
      if (const auto* n = t.find(th)) {
        keep(th);
        // A live theme whose parent is not among the index's theme terms moved in the tree.
        if (indexed.known && n->parent && !indexed.themes.empty()) {
          const std::string& parent = t.nodes()[*n->parent].id;
          if (!indexed.themes.count(parent)) {
            dp.changes.push_back({th, {parent}, "moved", 0, {}, fmt::format("now under {}", parent)});
            plan.moves[th] = {"moved", {parent}};
          }
        }
        continue;
      }
      auto it = heirs.find(th);
      if (it != heirs.end() && it->second.size() == 1) {
        std::string kind = kind_of_heir(th, it->second.front());
        keep(it->second.front());
        dp.changes.push_back({th, it->second, kind, 0, {}, fmt::format("{} {}", kind == "merged" ? "merged into" : "renamed to", it->second.front())});
        plan.moves[th] = {kind, it->second};
      } else if (it != heirs.end()) {
        Result r = get_classifier().classify_among(d, it->second);
        const Suggestion& best = r.suggestions.front();
        keep(best.id);
        std::vector<std::string> scored;
        for (const auto& s : r.suggestions) scored.push_back(fmt::format("{} {:.2f}", s.id, s.score));
        dp.changes.push_back({th, {best.id}, "split", best.score, r.suggestions,
                              fmt::format("split into {}; the classifier chose {} ({})", util::join(it->second, ", "),
                                          best.id, util::join(scored, ", "))});
        plan.moves[th] = {"split", it->second};
      } else {
        Result r = get_classifier().classify(d);
        if (r.suggestions.size() > 3) r.suggestions.resize(3);
        std::vector<std::string> scored;
        for (const auto& s : r.suggestions) scored.push_back(fmt::format("{} {:.2f}", s.id, s.score));
        if (options.keep_unknown) keep(th);
        std::string detail = fmt::format("no node replaces it; {}{}", options.keep_unknown ? "kept" : "dropped",
                                         scored.empty() ? "" : "; suggestions: " + util::join(scored, ", "));
        dp.changes.push_back({th, {}, "removed", 0, r.suggestions, detail});
        plan.moves[th] = {"removed", {}};
      }
    }
    if (dp.after != dp.before) {
      try {
        dp.edit = corpus::plan_themes_edit(file, dp.after);
        dp.diff = corpus::line_diff(dp.edit.before, dp.edit.after);
      } catch (const Error& e) {
        plan.failures.push_back({dp.path, e.what()});
        continue;
      }
    }
    bool unclassified = dp.after.empty();
    if (unclassified) plan.unclassified.push_back(dp.path);
    if (!dp.changes.empty() || dp.edit.changes()) plan.documents.push_back(std::move(dp));
  }
  std::sort(plan.unclassified.begin(), plan.unclassified.end());
  return plan;
}

} // namespace befus::classify
