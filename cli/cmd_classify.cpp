#include "app.hpp"

#include "befus/classify.hpp"
#include "befus/corpus.hpp"
#include "befus/error.hpp"
#include "befus/rewrite.hpp"
#include "befus/text.hpp"
#include "classify_common.hpp"
#include "render.hpp"

#include <fmt/format.h>

namespace befus::cli {

namespace {

struct ClassifyOptions {
  std::vector<std::string> targets;
  bool unclassified = false;
  size_t top = 5;
  size_t neighbours = 10;
  bool explain = false;
  bool apply = false;
  double min_score = 0.5;
};

struct Done {
  classify::Result result;
  std::filesystem::path document;  // the file, for --apply
};

int run_classify(Context& ctx, const ClassifyOptions& o) {
  ctx.require_format({"text", "json"});
  if (o.targets.empty() && !o.unclassified) throw UsageError("give a FILE or an ID, or --unclassified");
  const auto& kb = ctx.knowledge_base();
  const auto& t = ctx.taxonomy();
  std::optional<index::Reader> reader = try_reader(ctx);
  classify::Options opts;
  opts.top = o.top;
  opts.neighbours = o.neighbours;
  classify::Classifier classifier(t, kb.languages, reader ? &*reader : nullptr, opts);

  std::vector<Done> done;
  std::vector<std::pair<std::string, std::string>> failures;  // target, reason
  bool not_found_only = true;
  auto by_id = [&](const std::string& id) {
    classify::Result r = classifier.classify_id(id);
    std::filesystem::path doc = r.path.empty() ? std::filesystem::path() : kb.root / r.path;
    done.push_back({std::move(r), doc});
  };
  if (o.unclassified) {
    if (!reader) throw IndexError("--unclassified needs the index; run 'befus index' first");
    for (const auto& id : classifier.unclassified_ids()) by_id(id);
  }
  for (const auto& target : o.targets) {
    try {
      std::error_code ec;
      if (std::filesystem::is_regular_file(target, ec)) {
        std::filesystem::path file = std::filesystem::absolute(target);
        corpus::Document d = corpus::load(kb, file);
        done.push_back({classifier.classify(d), file});
      } else if (target.find('/') != std::string::npos || !util::is_id(target)) {
        throw NotFoundError(fmt::format("{}: no such file", target));
      } else {
        by_id(target);
      }
    } catch (const Error& e) {
      if (e.code() != ExitCode::not_found) not_found_only = false;
      failures.emplace_back(target, e.what());
    }
  }

  // --apply: the accepted suggestions join the themes already written.
  std::vector<corpus::FileEdit> edits;
  std::map<std::string, std::vector<std::string>> accepted;  // id -> themes added
  if (o.apply) {
    for (const auto& d : done) {
      std::vector<std::string> themes = d.result.themes;
      for (const auto& s : d.result.suggestions)
        if (s.score >= o.min_score && std::find(themes.begin(), themes.end(), s.id) == themes.end()) {
          themes.push_back(s.id);
          accepted[d.result.id].push_back(s.id);
        }
      if (!accepted.count(d.result.id)) continue;
      try {
        if (d.document.empty()) throw DataError({d.result.id}, "the index does not know the document's file");
        edits.push_back(corpus::plan_themes_edit(d.document, themes));
      } catch (const Error& e) {
        accepted.erase(d.result.id);
        not_found_only = false;
        failures.emplace_back(d.result.id, e.what());
      }
    }
  }
  classify::ApplyReport applied;
  if (!edits.empty()) {
    applied = classify::apply(kb, edits, {"classify", crash_hook()});
    reindex(ctx, applied.documents);
  }

  if (ctx.json()) {
    nlohmann::json docs = nlohmann::json::array();
    for (const auto& d : done) {
      const auto& r = d.result;
      nlohmann::json sugg = nlohmann::json::array();
      for (const auto& s : r.suggestions) sugg.push_back(suggestion_json(ctx, s, o.explain));
      nlohmann::json j = {{"id", r.id}, {"title", r.title}, {"lang", r.lang}, {"path", r.path}, {"themes", r.themes},
                          {"suggestions", sugg}};
      if (o.explain) j["passage"] = render_snippet(ctx, r.passage, true);
      if (!r.notes.empty()) j["notes"] = r.notes;
      if (o.apply) j["added"] = accepted.count(r.id) ? accepted[r.id] : std::vector<std::string>{};
      docs.push_back(j);
    }
    nlohmann::json fails = nlohmann::json::array();
    for (const auto& [target, reason] : failures) fails.push_back({{"target", target}, {"reason", reason}});
    nlohmann::json out = {{"documents", docs}, {"failures", fails}};
    if (o.apply)
      out["applied"] = {{"min_score", o.min_score}, {"written", applied.written}, {"conflicts", applied.conflicts},
                        {"undo", applied.record.empty() ? "" : kb.relative(applied.record)}};
    ctx.print_json(out);
  } else {
    if (o.unclassified && done.empty()) ctx.out << "no unclassified documents in the index\n";
    for (const auto& d : done) {
      const auto& r = d.result;
      ctx.out << ctx.bold(r.id) << "  " << r.title << '\n';
      ctx.out << ctx.dim(fmt::format("  {} ({}) · themes now: {}", r.path, r.lang,
                                     r.themes.empty() ? "none" : util::join(r.themes, ", ")))
              << '\n';
      if (r.suggestions.empty()) ctx.out << "  no suggestion: no label, keyword or similar document points anywhere\n";
      for (const auto& s : r.suggestions) print_suggestion(ctx, s, o.explain);
      if (o.explain && !r.passage.empty()) ctx.out << "  passage: " << render_snippet(ctx, r.passage) << '\n';
      for (const auto& n : r.notes) ctx.out << ctx.dim("  note: " + n) << '\n';
      if (o.apply) {
        if (accepted.count(r.id)) ctx.out << "  added: " << util::join(accepted[r.id], ", ") << '\n';
        else ctx.out << fmt::format("  added: nothing (no suggestion scores {:.2f} or more)\n", o.min_score);
      }
      ctx.out << '\n';
    }
    if (o.apply && !applied.record.empty())
      ctx.out << fmt::format("{} file{} written; undo with 'befus reclassify --undo' (record {})\n", applied.written,
                             applied.written == 1 ? "" : "s", kb.relative(applied.record));
  }
  for (const auto& c : applied.conflicts)
    ctx.err << fmt::format("befus: conflict: {} changed on disk since it was read; left alone\n", c);
  for (const auto& f : applied.failures) ctx.err << fmt::format("befus: error: {}\n", f.reason);
  for (const auto& [target, reason] : failures) ctx.err << fmt::format("befus: error: {}\n", reason);
  if (failures.empty() && applied.conflicts.empty() && applied.failures.empty()) return 0;
  if (done.empty() && not_found_only) return static_cast<int>(ExitCode::not_found);
  return done.empty() ? static_cast<int>(ExitCode::invalid_data) : static_cast<int>(ExitCode::partial);
}

} // namespace

void setup_classify(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ClassifyOptions>();
  CLI::App* sub = app.add_subcommand("classify", "Suggest themes for documents, with scores and the evidence behind them");
  sub->add_option("TARGET", o->targets, "A document file, or the id of an indexed document");
  sub->add_flag("--unclassified", o->unclassified, "Every indexed document without a theme");
  sub->add_option("--top", o->top, "Suggestions per document")->check(CLI::Range(1, 50))->capture_default_str();
  sub->add_option("--neighbours", o->neighbours, "Similar classified documents that vote")->check(CLI::Range(0, 100))->capture_default_str();
  sub->add_flag("--explain", o->explain, "Show the evidence: words matched, neighbours that voted, a passage");
  sub->add_flag("--apply", o->apply, "Write the suggestions scoring --min-score or more into the documents");
  sub->add_option("--min-score", o->min_score, "Lowest score --apply accepts (0..1)")->check(CLI::Range(0.0, 1.0))->capture_default_str();
  sub->footer("Scores run from 0 to 1; they combine the tree's labels, alt labels and keywords found in\n"
              "the text (in the document's language first), the votes of the most similar classified\n"
              "documents, and the support a theme gets from its subthemes. 'befus evaluate' shows how far\n"
              "each score band can be trusted. --apply adds themes (it never removes one), keeps every\n"
              "other byte of the file, records an undo ('befus reclassify --undo') and updates the index.\n\n"
              "Examples:\n  befus classify --unclassified\n  befus classify brussel-spijbelteam-schoolverzuim --explain\n"
              "  befus classify corpus/fr/new-note.md --top 3 --format json\n"
              "  befus classify --unclassified --apply --min-score 0.6");
  sub->callback([&ctx, o] { ctx.action = [&ctx, o] { return run_classify(ctx, *o); }; });
}

} // namespace befus::cli
