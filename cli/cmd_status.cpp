#include "app.hpp"

#include "befus/index.hpp"
#include "befus/report.hpp"
#include "befus/text.hpp"
#include "index_counts.hpp"

#include <fmt/format.h>

namespace befus::cli {

std::map<std::string, long> theme_counts(Context& ctx) {
  index::Reader reader(ctx.index_location(), ctx.globals.timeout);
  return reader.term_counts("XTHEME:");
}

namespace {

struct StatusOptions {
  bool list = false;
};

std::string counts_line(Context& ctx, const std::map<std::string, long>& m, bool labels) {
  std::vector<std::string> parts;
  for (const auto& [k, n] : m) {
    std::string name = k;
    if (labels)
      if (const auto* node = ctx.taxonomy().find(k)) name = taxonomy::Taxonomy::label(*node, ctx.globals.lang);
    parts.push_back(fmt::format("{} {}", name, n));
  }
  return parts.empty() ? "-" : util::join(parts, ", ");
}

int run_status(Context& ctx, const StatusOptions& o) {
  ctx.require_format({"text", "json"});
  std::string location = ctx.index_location();
  index::Reader reader(location, ctx.globals.timeout);
  report::Status s = report::status(ctx.knowledge_base(), reader, ctx.taxonomy(), location);
  bool stale_tree = !s.taxonomy_hash.empty() && s.taxonomy_hash != s.current_hash;
  if (ctx.json()) {
    ctx.print_json({{"documents", s.documents},     {"by_lang", s.by_lang},
                    {"by_type", s.by_type},         {"by_pillar", s.by_pillar},
                    {"unclassified", s.unclassified}, {"unknown_themes", s.unknown_themes},
                    {"stale", {{"added", s.added}, {"changed", s.changed}, {"removed", s.removed}}},
                    {"bytes", s.bytes},             {"schema", s.schema},
                    {"taxonomy", {{"indexed", s.taxonomy_hash}, {"current", s.current_hash}, {"stale", stale_tree}}},
                    {"index", location}});
    return 0;
  }
  ctx.out << fmt::format("{} documents in {}{}\n", s.documents, location,
                         s.bytes ? fmt::format(" ({:.1f} MB)", static_cast<double>(s.bytes) / 1e6) : "");
  ctx.out << "languages  " << counts_line(ctx, s.by_lang, false) << '\n';
  ctx.out << "types      " << counts_line(ctx, s.by_type, false) << '\n';
  ctx.out << "pillars    " << counts_line(ctx, s.by_pillar, true) << '\n';
  ctx.out << fmt::format("unclassified {}{}\n", s.unclassified.size(),
                         s.unclassified.empty() ? "" : " (befus classify --unclassified)");
  if (o.list)
    for (const auto& id : s.unclassified) ctx.out << "  " << id << '\n';
  for (const auto& u : s.unknown_themes) ctx.out << "unknown theme  " << u << " (befus reclassify)\n";
  size_t stale = s.added.size() + s.changed.size() + s.removed.size();
  ctx.out << fmt::format("not yet indexed: {} new, {} changed, {} deleted{}\n", s.added.size(), s.changed.size(),
                         s.removed.size(), stale ? " (befus index)" : "");
  if (o.list) {
    for (const auto& p : s.added) ctx.out << "  new      " << p << '\n';
    for (const auto& p : s.changed) ctx.out << "  changed  " << p << '\n';
    for (const auto& p : s.removed) ctx.out << "  deleted  " << p << '\n';
  }
  ctx.out << fmt::format("schema {}, tree {}{}\n", s.schema.empty() ? "?" : s.schema, s.current_hash,
                         stale_tree ? fmt::format(" (index built with {}; run befus index)", s.taxonomy_hash) : "");
  return 0;
}

} // namespace

void setup_status(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<StatusOptions>();
  CLI::App* sub = app.add_subcommand("status", "Documents per language, type and pillar; what is not yet indexed");
  sub->add_flag("--list", o->list, "List unclassified documents and files out of step with the index");
  sub->footer("Nothing is read but file stamps, so it is cheap on a large corpus.\n\nExamples:\n  befus status\n"
              "  befus status --list --format json");
  sub->callback([&ctx, o] { ctx.action = [&ctx, o] { return run_status(ctx, *o); }; });
}

} // namespace befus::cli
