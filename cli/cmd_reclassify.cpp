#include "app.hpp"

#include "befus/classify.hpp"
#include "befus/error.hpp"
#include "befus/text.hpp"
#include "classify_common.hpp"

#include <fmt/format.h>

namespace befus::cli {

namespace {

struct ReclassifyCmdOptions {
  bool dry_run = false;
  bool apply = false;
  bool undo = false;
  bool keep_unknown = false;
};

std::string change_text(const classify::ThemeChange& c) {
  if (c.kind == "removed") return fmt::format("{}: removed ({})", c.from, c.detail);
  if (c.kind == "moved") return fmt::format("{}: moved, {} (no change in the file)", c.from, c.detail);
  if (c.kind == "split") return fmt::format("{} -> {} (split, score {:.2f}; {})", c.from, util::join(c.to, ", "), c.score, c.detail);
  return fmt::format("{} -> {} ({})", c.from, util::join(c.to, ", "), c.kind);
}

int run_undo(Context& ctx) {
  const auto& kb = ctx.knowledge_base();
  classify::UndoReport r = classify::undo_last(kb);
  reindex(ctx, r.documents);
  if (ctx.json()) {
    ctx.print_json({{"record", kb.relative(r.record)}, {"command", r.command}, {"restored", r.restored},
                    {"untouched", r.untouched}, {"conflicts", r.conflicts}});
  } else {
    ctx.out << fmt::format("undid the {} run recorded in {}: {} file{} restored, {} not written by it\n",
                           r.command.empty() ? "last" : r.command, kb.relative(r.record), r.restored,
                           r.restored == 1 ? "" : "s", r.untouched);
  }
  for (const auto& c : r.conflicts)
    ctx.err << fmt::format("befus: conflict: {} changed again since the run; left as it is\n", c);
  return r.conflicts.empty() ? 0 : static_cast<int>(ExitCode::partial);
}

int run_reclassify(Context& ctx, const ReclassifyCmdOptions& o) {
  ctx.require_format({"text", "json"});
  if (o.undo) {
    if (o.apply || o.dry_run) throw UsageError("--undo goes alone, without --apply or --dry-run");
    return run_undo(ctx);
  }
  if (o.apply && o.dry_run) throw UsageError("choose --dry-run or --apply, not both");
  const auto& kb = ctx.knowledge_base();
  const auto& t = ctx.taxonomy();
  std::optional<index::Reader> reader;
  try {
    reader.emplace(ctx.index_location());
  } catch (const Error& e) {
    ctx.info(fmt::format("no index ({}): split themes are chosen from the tree's words only", e.what()));
  }
  classify::ReclassifyOptions opts;
  opts.keep_unknown = o.keep_unknown;
  classify::ReclassifyPlan plan = classify::plan_reclassify(kb, t, reader ? &*reader : nullptr, opts);
  reader.reset();  // the index is written below

  std::vector<corpus::FileEdit> edits = plan.edits();
  classify::ApplyReport applied;
  if (o.apply) {
    applied = classify::apply(kb, edits, {"reclassify", crash_hook()});
    bool moved = std::any_of(plan.moves.begin(), plan.moves.end(), [](const auto& m) { return m.second.first == "moved"; });
    if (!applied.documents.empty()) reindex(ctx, applied.documents);
    else if (moved) reindex(ctx, {kb.root});  // theme terms follow the tree
  }

  // Documents per old id, for the summary.
  std::map<std::string, size_t> counts;
  for (const auto& d : plan.documents)
    for (const auto& c : d.changes) counts[c.from]++;

  if (ctx.json()) {
    nlohmann::json docs = nlohmann::json::array();
    for (const auto& d : plan.documents) {
      nlohmann::json changes = nlohmann::json::array();
      for (const auto& c : d.changes) {
        nlohmann::json alts = nlohmann::json::array();
        for (const auto& a : c.alternatives) alts.push_back({{"id", a.id}, {"score", a.score}});
        changes.push_back({{"from", c.from}, {"to", c.to}, {"kind", c.kind}, {"score", c.score}, {"detail", c.detail},
                           {"alternatives", alts}});
      }
      docs.push_back({{"id", d.id}, {"path", d.path}, {"before", d.before}, {"after", d.after}, {"changes", changes},
                      {"file", d.edit.changes() ? kb.relative(d.edit.path) : ""}, {"diff", d.diff}});
    }
    nlohmann::json moves = nlohmann::json::array();
    for (const auto& [id, m] : plan.moves)
      moves.push_back({{"id", id}, {"kind", m.first}, {"targets", m.second}, {"documents", counts[id]}});
    nlohmann::json fails = nlohmann::json::array();
    for (const auto& f : plan.failures) fails.push_back({{"path", f.path}, {"reason", f.reason}});
    for (const auto& f : applied.failures) fails.push_back({{"path", f.path}, {"reason", f.reason}});
    ctx.print_json({{"dry_run", !o.apply},
                    {"checked", plan.checked},
                    {"changed", edits.size()},
                    {"documents", docs},
                    {"moves", moves},
                    {"unclassified", plan.unclassified},
                    {"failures", fails},
                    {"written", applied.written},
                    {"conflicts", applied.conflicts},
                    {"undo", applied.record.empty() ? "" : kb.relative(applied.record)}});
  } else {
    if (!ctx.globals.quiet)
      for (const auto& d : plan.documents) {
        ctx.out << ctx.bold(d.path) << "  " << ctx.dim(d.id) << '\n';
        if (!d.diff.empty()) ctx.out << d.diff;
        for (const auto& c : d.changes) ctx.out << "  " << change_text(c) << '\n';
        ctx.out << '\n';
      }
    ctx.out << fmt::format("{} documents checked, {} file{} to change", plan.checked, edits.size(), edits.size() == 1 ? "" : "s");
    if (o.apply)
      ctx.out << fmt::format(": {} written{}\n", applied.written,
                             applied.record.empty() ? "" : fmt::format(" (undo: befus reclassify --undo; record {})",
                                                                       kb.relative(applied.record)));
    else
      ctx.out << (edits.empty() ? "\n" : " (dry run: nothing written; --apply writes)\n");
    // In the order `taxonomy diff` uses: by kind, then id.
    const std::vector<std::string> order = {"added", "removed", "moved", "relabelled", "renamed", "merged", "split"};
    std::vector<std::pair<std::string, std::pair<std::string, std::vector<std::string>>>> moves(plan.moves.begin(), plan.moves.end());
    auto rank = [&](const std::string& k) { return std::find(order.begin(), order.end(), k) - order.begin(); };
    std::stable_sort(moves.begin(), moves.end(), [&](const auto& a, const auto& b) { return rank(a.second.first) < rank(b.second.first); });
    for (const auto& [id, m] : moves)
      ctx.out << fmt::format("  {:<9} {:<32} {}{}\n", m.first, id, m.second.empty() ? "-" : util::join(m.second, ", "),
                             fmt::format("  ({} document{})", counts[id], counts[id] == 1 ? "" : "s"));
    if (!plan.unclassified.empty()) {
      ctx.out << fmt::format("left without a theme ({}):\n", plan.unclassified.size());
      for (const auto& p : plan.unclassified) ctx.out << "  " << p << '\n';
    }
  }
  for (const auto& f : plan.failures) ctx.err << fmt::format("befus: error: {}\n", f.reason);
  for (const auto& f : applied.failures) ctx.err << fmt::format("befus: error: {}\n", f.reason);
  for (const auto& c : applied.conflicts)
    ctx.err << fmt::format("befus: conflict: {} changed on disk since it was read; left alone\n", c);
  if (!ctx.globals.quiet && !ctx.json())
    for (const auto& n : plan.notes) ctx.err << "befus: warning: " << n << '\n';
  bool partial = !plan.failures.empty() || !applied.failures.empty() || !applied.conflicts.empty();
  return partial ? static_cast<int>(ExitCode::partial) : 0;
}

} // namespace

void setup_reclassify(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ReclassifyCmdOptions>();
  CLI::App* sub = app.add_subcommand("reclassify", "Bring every document's themes in line with the current tree");
  sub->add_flag("--dry-run", o->dry_run, "Show the diff per document and a summary; write nothing (the default)");
  sub->add_flag("--apply", o->apply, "Write the changes (with an undo record), then update the index");
  sub->add_flag("--undo", o->undo, "Restore the files of the last applied run (reclassify or classify --apply)");
  sub->add_flag("--keep-unknown", o->keep_unknown, "Keep ids that no node replaces (they are reported either way)");
  sub->footer("An id listed in a node's `replaces` becomes that node (renamed or merged); an id several nodes\n"
              "replace (a split) becomes the classifier's choice among them, with its score; an id no node\n"
              "replaces is reported with suggestions and dropped; documents left without a theme are listed.\n"
              "Only the `themes` field changes: every other byte of each file stays as it was. A file changed\n"
              "on disk since it was read is left alone (exit 5). The undo record (original bytes of every\n"
              "file) is written under the index's folder (.befus/undo/) before the first file changes.\n\n"
              "Examples:\n  befus reclassify\n  befus reclassify --apply\n  befus reclassify --undo\n"
              "  befus reclassify --format json | jq '.moves'");
  sub->callback([&ctx, o] { ctx.action = [&ctx, o] { return run_reclassify(ctx, *o); }; });
}

} // namespace befus::cli
