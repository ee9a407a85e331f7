#include "app.hpp"

#include "befus/error.hpp"
#include "befus/index.hpp"
#include "progress.hpp"

#include <fmt/format.h>

namespace befus::cli {

namespace {

struct IndexCmdOptions {
  std::vector<std::string> paths;
  bool full = false;
  unsigned jobs = 0;
  unsigned shards = 0;
  size_t batch = 2000;
};

int run_index(Context& ctx, const IndexCmdOptions& o) {
  ctx.require_format({"text", "json"});
  const auto& kb = ctx.knowledge_base();
  const auto& t = ctx.taxonomy();
  index::IndexOptions opts;
  opts.full = o.full;
  opts.jobs = o.jobs;
  opts.shards = o.shards;
  opts.batch = o.batch;
  for (const auto& p : o.paths) {
    if (!std::filesystem::exists(p)) throw UsageError(fmt::format("{}: no such file or folder", p));
    opts.only.emplace_back(p);
  }
  opts.progress = progress_bar(ctx, "indexing");
  index::IndexReport r = index::update(kb, t, ctx.index_location(), opts);
  if (ctx.json()) {
    ctx.print_json(r.to_json());
  } else {
    ctx.out << fmt::format("{} added, {} updated, {} removed, {} unchanged, {} failed ({:.2f} s)\n", r.added, r.updated,
                           r.removed, r.unchanged, r.failed, r.seconds);
    if (r.rebuilt) ctx.out << fmt::format("the index was rebuilt as {} shard{}\n", r.shards, r.shards == 1 ? "" : "s");
    if (r.retermed) ctx.out << fmt::format("{} documents re-termed after a change of the tree or of the index schema\n", r.retermed);
    for (const auto& f : r.failures) ctx.out << "failed: " << f.reason << '\n';
  }
  if (!ctx.globals.quiet && !ctx.json())
    for (const auto& w : r.warnings) ctx.err << fmt::format("befus: warning: {}: {}\n", w.path, w.reason);
  return r.failed ? static_cast<int>(ExitCode::partial) : 0;
}

} // namespace

void setup_index(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<IndexCmdOptions>();
  CLI::App* sub = app.add_subcommand("index", "Bring the index in step with the corpus (incremental)");
  sub->add_option("PATH", o->paths, "Only these files or folders (default: every corpus folder)");
  sub->add_flag("--full", o->full, "Re-read every file, not only the changed ones");
  sub->add_option("--jobs", o->jobs, "Extraction threads (default: one per core)")->check(CLI::Range(0u, 256u));
  sub->add_option("--batch", o->batch,
                  "Documents per commit: a killed run redoes at most this many, and a bigger batch holds more "
                  "in memory (10000 on the 100k benchmark: 370 MB instead of 121 MB, no faster)")
      ->check(CLI::Range(size_t{1}, size_t{1000000}));
  sub->add_option("--shards", o->shards,
                  "Split the index over N local databases by document id, joined by a stub file at the index "
                  "path (a change of N rebuilds the index)")
      ->check(CLI::Range(1u, 64u));
  sub->footer("A file is re-indexed when it, its front matter or its sidecar changed; deleted files leave the\n"
              "index; a changed tree re-terms the documents it affects. Exit 5 when some files failed.\n\n"
              "Examples:\n  befus index\n  befus index --shards 3     (then serve each .befus/index.shards/K with xapian-tcpsrv)\n  befus index corpus/nl --format json\n  befus index --full --jobs 2");
  sub->callback([&ctx, o] { ctx.action = [&ctx, o] { return run_index(ctx, *o); }; });
}

} // namespace befus::cli
