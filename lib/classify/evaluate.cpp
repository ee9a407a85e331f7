#include "befus/classify.hpp"

#include "befus/error.hpp"
#include "classify/engine.hpp"
#include "index/database.hpp"
#include "index/reader_impl.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <set>

namespace befus::classify {

nlohmann::json Metrics::to_json() const {
  return {{"p@1", p1},     {"p@3", p3},     {"p@5", p5},     {"r@1", r1},        {"r@3", r3},      {"r@5", r5},
          {"f1@1", f1_1}, {"f1@3", f1_3}, {"f1@5", f1_5}, {"ndcg@5", ndcg5}, {"hf1@5", hf1_5}};
}

namespace {

std::set<std::string> with_ancestors(const taxonomy::Taxonomy& t, const std::vector<std::string>& ids) {
  std::set<std::string> out;
  for (const auto& id : ids)
    if (const auto* n = t.find(id))
      for (const auto* p : t.path(*n)) out.insert(p->id);
  return out;
}

double f1(double p, double r) { return p + r > 0 ? 2 * p * r / (p + r) : 0; }

// Sums of per-document figures; divided by the number of documents at the end.
struct Sums {
  Metrics m;
  size_t n = 0;

  void add(const taxonomy::Taxonomy& t, const std::vector<size_t>& ranked, const std::set<size_t>& gold) {
    auto hits = [&](size_t k) {
      size_t h = 0;
      for (size_t i = 0; i < std::min(k, ranked.size()); ++i) h += gold.count(ranked[i]);
      return static_cast<double>(h);
    };
    double g = static_cast<double>(gold.size());
    double p1 = hits(1) / 1, p3 = hits(3) / 3, p5 = hits(5) / 5;
    double r1 = hits(1) / g, r3 = hits(3) / g, r5 = hits(5) / g;
    m.p1 += p1, m.p3 += p3, m.p5 += p5;
    m.r1 += r1, m.r3 += r3, m.r5 += r5;
    m.f1_1 += f1(p1, r1), m.f1_3 += f1(p3, r3), m.f1_5 += f1(p5, r5);
    double dcg = 0, ideal = 0;
    for (size_t i = 0; i < std::min<size_t>(5, ranked.size()); ++i)
      if (gold.count(ranked[i])) dcg += 1 / std::log2(i + 2.0);
    for (size_t i = 0; i < std::min<size_t>(5, gold.size()); ++i) ideal += 1 / std::log2(i + 2.0);
    m.ndcg5 += ideal > 0 ? dcg / ideal : 0;
    std::vector<std::string> predicted, wanted;
    for (size_t i = 0; i < std::min<size_t>(5, ranked.size()); ++i) predicted.push_back(t.nodes()[ranked[i]].id);
    for (size_t x : gold) wanted.push_back(t.nodes()[x].id);
    m.hf1_5 += hierarchical_f1(t, predicted, wanted);
    ++n;
  }

  Metrics mean() const {
    Metrics out = m;
    double d = n ? static_cast<double>(n) : 1;
    for (double* v : {&out.p1, &out.p3, &out.p5, &out.r1, &out.r3, &out.r5, &out.f1_1, &out.f1_3, &out.f1_5, &out.ndcg5,
                      &out.hf1_5})
      *v /= d;
    return out;
  }
};

struct Config {
  std::string name;
  Evidence evidence;
};

} // namespace

double hierarchical_f1(const taxonomy::Taxonomy& t, const std::vector<std::string>& predicted,
                       const std::vector<std::string>& gold) {
  std::set<std::string> p = with_ancestors(t, predicted), g = with_ancestors(t, gold);
  if (p.empty() || g.empty()) return 0;
  size_t both = 0;
  for (const auto& x : p) both += g.count(x);
  return f1(static_cast<double>(both) / p.size(), static_cast<double>(both) / g.size());
}

Evaluation evaluate(const taxonomy::Taxonomy& t, const std::vector<std::string>& languages, const index::Reader& reader,
                    const EvaluationOptions& options) {
  auto started = std::chrono::steady_clock::now();
  if (options.folds < 2) throw UsageError("--folds must be at least 2");
  const Xapian::Database& db = reader.impl().db;
  try {
    engine::Engine eng(t, languages, &db, options.classifier);
    // The manually classified documents, with their themes as the current tree knows them.
    struct Doc {
      engine::Text text;
      std::set<size_t> gold;
    };
    std::vector<Doc> docs;
    for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
      Doc d{engine::from_index(db, *it), {}};
      for (const auto& th : d.text.themes)
        if (auto n = eng.live(th)) d.gold.insert(*n);
      if (!d.gold.empty()) docs.push_back(std::move(d));
    }
    if (docs.size() < options.folds)
      throw UsageError(fmt::format("{} classified documents in the index, fewer than the {} folds", docs.size(), options.folds));
    std::sort(docs.begin(), docs.end(), [](const Doc& a, const Doc& b) { return a.text.id < b.text.id; });

    std::vector<Config> configs = {
        {"labels", {true, false, false, false}},
        {"+keywords", {true, true, false, false}},
        {"+neighbours", {true, true, true, false}},
        {"+hierarchy", {true, true, true, true}},
        {"neighbours-only", {false, false, true, false}},
    };
    const size_t all = 3;  // the configuration with every kind of evidence
    std::vector<Sums> sums(configs.size());
    Evaluation ev;
    ev.folds = options.folds;
    ev.documents = docs.size();
    ev.at = options.at;
    std::map<size_t, ThemeFigures> themes;
    for (double from = 0; from < 0.99; from += 0.2) ev.calibration.push_back({from, from + 0.2, 0, 0});

    for (size_t fold = 0; fold < options.folds; ++fold) {
      std::vector<std::string> hidden;
      for (size_t i = fold; i < docs.size(); i += options.folds) hidden.push_back(docs[i].text.id);
      // What the hierarchy learns from filing habits comes from the other folds only.
      std::vector<std::vector<size_t>> filed;
      for (size_t i = 0; i < docs.size(); ++i)
        if (i % options.folds != fold) filed.emplace_back(docs[i].gold.begin(), docs[i].gold.end());
      std::vector<double> rates = eng.parent_rates(filed);
      for (size_t i = fold; i < docs.size(); i += options.folds) {
        const Doc& d = docs[i];
        engine::Lexical lex = eng.lexical(d.text);
        engine::Votes votes = eng.votes(d.text, hidden, &lex);
        for (size_t c = 0; c < configs.size(); ++c) {
          engine::Scores s = eng.combine(lex, votes, configs[c].evidence, &rates);
          std::vector<size_t> ranked = eng.rank(s, {}, false);
          if (ranked.size() > 5) ranked.resize(5);
          sums[c].add(t, ranked, d.gold);
          if (c != all) continue;
          for (size_t g : d.gold) themes[g].support++;
          for (size_t k = 0; k < std::min(options.at, ranked.size()); ++k) {
            themes[ranked[k]].predicted++;
            if (d.gold.count(ranked[k])) themes[ranked[k]].correct++;
          }
          for (size_t n : ranked) {
            size_t band = std::min<size_t>(ev.calibration.size() - 1, static_cast<size_t>(s.score[n] / 0.2));
            ev.calibration[band].suggestions++;
            if (d.gold.count(n)) ev.calibration[band].correct++;
          }
        }
      }
    }
    ev.metrics = sums[all].mean();
    ev.baseline = sums[0].mean();
    for (size_t c = 0; c < configs.size(); ++c) ev.steps.emplace_back(configs[c].name, sums[c].mean());
    for (auto& [n, f] : themes) {
      f.id = t.nodes()[n].id;
      f.precision = f.predicted ? static_cast<double>(f.correct) / f.predicted : 0;
      f.recall = f.support ? static_cast<double>(f.correct) / f.support : 0;
      f.f1 = f1(f.precision, f.recall);
      ev.per_theme.push_back(f);
    }
    std::sort(ev.per_theme.begin(), ev.per_theme.end(), [&](const ThemeFigures& a, const ThemeFigures& b) {
      return *t.index_of(a.id) < *t.index_of(b.id);
    });
    ev.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return ev;
  } catch (const Xapian::Error& e) {
    index::translate(e, reader.impl().location);
  }
}

} // namespace befus::classify
