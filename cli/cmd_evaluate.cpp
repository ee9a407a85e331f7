#include "app.hpp"

#include "befus/classify.hpp"
#include "befus/error.hpp"
#include "befus/index.hpp"

#include <fmt/format.h>

namespace befus::cli {

namespace {

struct EvaluateOptions {
  size_t folds = 5;
  size_t at = 3;
  size_t neighbours = 10;
  bool per_theme = false;
};

const std::vector<std::pair<const char*, double classify::Metrics::*>> k_rows = {
    {"p@1", &classify::Metrics::p1},     {"p@3", &classify::Metrics::p3},     {"p@5", &classify::Metrics::p5},
    {"r@1", &classify::Metrics::r1},     {"r@3", &classify::Metrics::r3},     {"r@5", &classify::Metrics::r5},
    {"f1@1", &classify::Metrics::f1_1}, {"f1@3", &classify::Metrics::f1_3}, {"f1@5", &classify::Metrics::f1_5},
    {"ndcg@5", &classify::Metrics::ndcg5}, {"hf1@5", &classify::Metrics::hf1_5}};

int run_evaluate(Context& ctx, const EvaluateOptions& o) {
  ctx.require_format({"text", "json"});
  const auto& kb = ctx.knowledge_base();
  const auto& t = ctx.taxonomy();
  index::Reader reader(ctx.index_location());
  classify::EvaluationOptions opts;
  opts.folds = o.folds;
  opts.at = o.at;
  opts.classifier.neighbours = o.neighbours;
  classify::Evaluation ev = classify::evaluate(t, kb.languages, reader, opts);

  if (ctx.json()) {
    nlohmann::json steps = nlohmann::json::object();
    for (const auto& [name, m] : ev.steps) steps[name] = m.to_json();
    nlohmann::json bands = nlohmann::json::array();
    for (const auto& b : ev.calibration)
      bands.push_back({{"from", b.from}, {"to", b.to}, {"suggestions", b.suggestions}, {"correct", b.correct}});
    nlohmann::json j = {{"documents", ev.documents}, {"folds", ev.folds},    {"metrics", ev.metrics.to_json()},
                        {"baseline", ev.baseline.to_json()}, {"steps", steps}, {"calibration", bands},
                        {"seconds", ev.seconds}};
    if (o.per_theme) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& f : ev.per_theme)
        arr.push_back({{"id", f.id}, {"support", f.support}, {"predicted", f.predicted}, {"correct", f.correct},
                       {"precision", f.precision}, {"recall", f.recall}, {"f1", f.f1}});
      j["per_theme"] = arr;
      j["at"] = ev.at;
    }
    ctx.print_json(j);
    return 0;
  }

  ctx.out << fmt::format("{} manually classified documents, {}-fold cross-validation: the documents of a fold\n"
                         "are hidden from the neighbour search while they are classified.\n\n",
                         ev.documents, ev.folds);
  // One column per step: each adds one kind of evidence to the one before; the last stands alone.
  ctx.out << fmt::format("{:<8}", "");
  for (const auto& [name, m] : ev.steps) ctx.out << fmt::format("{:>16}", name);
  ctx.out << '\n' << fmt::format("{:<8}{:>16}{:>16}{:>16}{:>16}{:>16}\n", "", "(baseline)", "", "", "(befus)", "");
  for (const auto& [key, field] : k_rows) {
    ctx.out << fmt::format("{:<8}", key);
    for (const auto& [name, m] : ev.steps) ctx.out << fmt::format("{:>16.3f}", m.*field);
    ctx.out << '\n';
  }
  ctx.out << fmt::format("\nbefus vs baseline: p@1 {:+.3f}, f1@3 {:+.3f}, ndcg@5 {:+.3f}, hf1@5 {:+.3f}\n",
                         ev.metrics.p1 - ev.baseline.p1, ev.metrics.f1_3 - ev.baseline.f1_3,
                         ev.metrics.ndcg5 - ev.baseline.ndcg5, ev.metrics.hf1_5 - ev.baseline.hf1_5);
  ctx.out << "\nHow far a score can be trusted (suggestions in the top 5, by score):\n";
  for (const auto& b : ev.calibration)
    ctx.out << fmt::format("  {:.1f}-{:.1f}  {:>4} suggested, {:>4} right ({})\n", b.from, b.to, b.suggestions, b.correct,
                           b.suggestions ? fmt::format("{:.0f}%", 100.0 * b.correct / b.suggestions) : "-");
  if (o.per_theme) {
    ctx.out << fmt::format("\nPer theme (suggested = in the top {}):\n", ev.at);
    ctx.out << fmt::format("  {:<40} {:>7} {:>9} {:>7} {:>9} {:>7} {:>6}\n", "theme", "filed", "suggested", "right",
                           "precision", "recall", "f1");
    for (const auto& f : ev.per_theme)
      ctx.out << fmt::format("  {:<40} {:>7} {:>9} {:>7} {:>9.2f} {:>7.2f} {:>6.2f}\n", f.id, f.support, f.predicted,
                             f.correct, f.precision, f.recall, f.f1);
  }
  if (!ctx.globals.quiet) ctx.err << fmt::format("befus: evaluated in {:.2f} s\n", ev.seconds);
  return 0;
}

} // namespace

void setup_evaluate(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<EvaluateOptions>();
  CLI::App* sub = app.add_subcommand("evaluate", "Classification quality on the manually classified documents");
  sub->add_option("--folds", o->folds, "Folds of the cross-validation")->check(CLI::Range(2, 100))->capture_default_str();
  sub->add_option("--at", o->at, "Suggestions counted per document for --per-theme")->check(CLI::Range(1, 5))->capture_default_str();
  sub->add_option("--neighbours", o->neighbours, "Similar documents that vote")->check(CLI::Range(0, 100))->capture_default_str();
  sub->add_flag("--per-theme", o->per_theme, "Precision, recall and F1 per theme");
  sub->footer("Precision, recall and F1 at 1, 3 and 5 suggestions, NDCG@5 and a hierarchical F1 (a near\n"
              "miss in the tree earns partial credit), beside a baseline that matches labels only; each\n"
              "column adds one kind of evidence. Needs an index ('befus index').\n\n"
              "Examples:\n  befus evaluate\n  befus evaluate --per-theme --at 2\n  befus evaluate --folds 10 --format json");
  sub->callback([&ctx, o] { ctx.action = [&ctx, o] { return run_evaluate(ctx, *o); }; });
}

} // namespace befus::cli
