#include "app.hpp"

#include "befus/error.hpp"
#include "befus/ingest.hpp"
#include "befus/text.hpp"
#include "progress.hpp"

#include <fmt/format.h>

#include <chrono>
#include <iostream>

namespace befus::cli {

namespace {

struct ImportCmdOptions {
  std::string input;
  std::string from;
  std::string into;
  bool dry_run = false;
  bool strict = false;
  unsigned jobs = 0;
};

// "reading: 12000 records (37%)" on one line of stderr, then the indexing bar over it; terminal only.
struct Progress {
  bool line_open = false;  // a progress line waits for its newline

  void attach(Context& ctx, ingest::ImportOptions& opts) {
    if (!ctx.err_tty || ctx.globals.quiet) return;
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    opts.progress = [this, &ctx, last](std::uint64_t bytes, std::uint64_t total, size_t records) {
      auto now = std::chrono::steady_clock::now();
      if (now - *last < std::chrono::milliseconds(100)) return;
      *last = now;
      std::string share = total ? fmt::format(" ({}%)", bytes * 100 / total) : fmt::format(" ({} MB)", bytes >> 20);
      ctx.err << "\rreading: " << records << " records" << share << "\033[K" << std::flush;
      line_open = true;
    };
    auto bar = progress_bar(ctx, "indexing");
    opts.index_progress = [this, bar](size_t done, size_t total) {
      bar(done, total);
      line_open = done != total;
    };
  }
  void finish(Context& ctx) const {
    if (line_open) ctx.err << '\n';
  }
};

void print_text(Context& ctx, const ingest::ImportReport& r, const std::string& name) {
  std::string shown = name == "-" ? "<stdin>" : name;
  for (const auto& x : r.rejections)
    ctx.out << fmt::format("{}:{}: rejected {}: {}\n", shown, x.line,
                           x.id.empty() ? std::string("(no id)") : "'" + x.id + "'", util::join(x.reasons, "; "));
  std::string totals = fmt::format("{} added, {} updated, {} unchanged, {} rejected", r.added, r.updated, r.unchanged,
                                   r.rejected);
  if (r.refused)
    ctx.out << fmt::format("{}; --strict: nothing was written or indexed\n", totals);
  else if (r.dry_run)
    ctx.out << fmt::format("{} (dry run: nothing was written)\n", totals);
  else
    ctx.out << fmt::format("{} (into {})\n", totals, r.into);
  if (r.index) {
    const auto& i = *r.index;
    ctx.out << fmt::format("index: {} added, {} updated, {} removed, {} unchanged, {} failed\n", i.added, i.updated,
                           i.removed, i.unchanged, i.failed);
    for (const auto& f : i.failures) ctx.out << "failed: " << f.reason << '\n';
  }
}

int run_import(Context& ctx, const ImportCmdOptions& o) {
  ctx.require_format({"text", "json"});
  const auto& kb = ctx.knowledge_base();
  const auto& t = ctx.taxonomy();
  ingest::ImportOptions opts;
  if (!o.from.empty()) opts.format = ingest::format_named(o.from);
  opts.dry_run = o.dry_run;
  opts.strict = o.strict;
  opts.into = o.into.empty() ? ingest::default_into(kb) : std::filesystem::absolute(o.into);
  opts.index_location = ctx.index_location();
  opts.jobs = o.jobs;
  Progress progress;
  progress.attach(ctx, opts);
  ingest::Input input;
  if (o.input == "-")
    input.stream = &std::cin;
  else
    input.file = o.input;
  ingest::ImportReport r = ingest::import_records(kb, t, input, opts);
  progress.finish(ctx);
  if (ctx.json())
    ctx.print_json(r.to_json());
  else
    print_text(ctx, r, o.input);
  if (!ctx.globals.quiet && !ctx.json() && r.index)
    for (const auto& w : r.index->warnings) ctx.err << fmt::format("befus: warning: {}: {}\n", w.path, w.reason);
  return r.exit_code();
}

} // namespace

void setup_import(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ImportCmdOptions>();
  CLI::App* sub = app.add_subcommand("import", "Import a batch of records (JSON Lines or CSV) and index them");
  sub->add_option("FILE", o->input, "Records to import; - reads standard input")->required();
  sub->add_option("--from", o->from, "Input format (default: from the file's extension)")
      ->check(CLI::IsMember({"jsonl", "csv"}))
      ->type_name("jsonl|csv");
  sub->add_flag("--dry-run", o->dry_run, "Check and report; write nothing");
  sub->add_flag("--strict", o->strict, "All or nothing: one bad record and nothing is written or indexed");
  sub->add_option("--into", o->into, "Folder for new documents (default: corpus/imported); inside a corpus folder")
      ->type_name("DIR");
  sub->add_option("--jobs", o->jobs, "Indexing threads (default: one per core)")->check(CLI::Range(0u, 256u));
  sub->footer(
      "Records: id, title, lang, year, type, partners, themes, why, url, problem, mechanism, evidence,\n"
      "target, and body (the Markdown text) or path (a file already in the knowledge base). JSON Lines:\n"
      "one object a line; CSV: a header row, RFC 4180 quoting, lists separated by ';'. UTF-8 only.\n"
      "A body record is written as ID.md under --into, or over the Markdown file that already holds\n"
      "that id; a path record updates the metadata of its file (front matter or sidecar) where it\n"
      "differs. Each rejected record is reported with its line, id and every reason.\n"
      "Exit 0 all accepted, 5 some rejected (the rest imported), 3 unreadable input or --strict refusal.\n\n"
      "Examples:\n"
      "  befus import nightly.jsonl\n"
      "  befus import partners.csv --dry-run --format json\n"
      "  exporter | befus import - --from jsonl --strict\n"
      "  befus export | befus import - --from jsonl --dry-run     (everything unchanged)");
  sub->callback([&ctx, o] { ctx.action = [&ctx, o] { return run_import(ctx, *o); }; });
}

} // namespace befus::cli
