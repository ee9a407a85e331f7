#include "app.hpp"

#include "befus/error.hpp"
#include "befus/index.hpp"
#include "befus/ingest.hpp"
#include "befus/text.hpp"

#include <fmt/format.h>

namespace befus::cli {

namespace {

struct ExportCmdOptions {
  std::string theme;
};

int run_export(Context& ctx, const ExportCmdOptions& o) {
  const std::string& f = ctx.globals.format;
  if (f == "json") throw UsageError("export writes one record a line: use --format jsonl (the default) or csv");
  ctx.require_format({"text", "jsonl", "csv"});
  ingest::ExportOptions opts;
  opts.format = f == "csv" ? ingest::Format::csv : ingest::Format::jsonl;
  const auto& kb = ctx.knowledge_base();
  if (!o.theme.empty()) {
    const auto& t = ctx.taxonomy();
    const auto* node = t.resolve(o.theme);
    if (!node) throw UsageError(fmt::format("unknown theme '{}'{}", o.theme, util::did_you_mean(o.theme, t.ids())));
    opts.theme = node->id;
  }
  index::Reader reader(ctx.index_location());
  size_t n = ingest::export_records(kb, reader, ctx.out, opts);
  ctx.info(fmt::format("{} records exported", n));
  return 0;
}

} // namespace

void setup_export(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ExportCmdOptions>();
  CLI::App* sub = app.add_subcommand("export", "Every indexed document as a record, in the format import reads");
  sub->add_option("--theme", o->theme, "Only documents on this theme or under it (id or label)")->type_name("T");
  sub->footer("Output: JSON Lines (--format jsonl, the default) or CSV (--format csv), sorted by id.\n"
              "A Markdown document exactly as import writes it carries its body; every other document\n"
              "carries its path. Importing the export again reports every record unchanged.\n\n"
              "Examples:\n"
              "  befus export > catalogue.jsonl\n"
              "  befus export --format csv --theme feeling-of-insecurity > insecurity.csv\n"
              "  befus export | befus import - --from jsonl --dry-run");
  sub->callback([&ctx, o] { ctx.action = [&ctx, o] { return run_export(ctx, *o); }; });
}

} // namespace befus::cli
