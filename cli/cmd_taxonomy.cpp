#include "app.hpp"

#include "befus/error.hpp"
#include "befus/taxonomy_io.hpp"
#include "befus/text.hpp"
#include "index_counts.hpp"

#include <fmt/format.h>

namespace befus::cli {

namespace {

struct ShowOptions {
  std::string id;
  int depth = -1;
  bool counts = false;
};

const taxonomy::Node& resolve_node(Context& ctx, const std::string& id) {
  const auto& t = ctx.taxonomy();
  if (const auto* n = t.resolve(id)) return *n;
  throw UsageError(fmt::format("unknown theme '{}'{}", id, util::did_you_mean(id, t.ids())));
}

void draw(Context& ctx, const taxonomy::Node& n, const std::string& prefix, bool last, bool root, int depth_left,
          const std::map<std::string, long>* counts) {
  const auto& t = ctx.taxonomy();
  std::string branch = root ? "" : (last ? "└── " : "├── ");
  std::string label = taxonomy::Taxonomy::label(n, ctx.globals.lang);
  std::string count = counts ? fmt::format(" ({})", counts->count(n.id) ? counts->at(n.id) : 0) : "";
  std::string mark = n.source == "proposed" ? ctx.dim(" [proposed]") : "";
  ctx.out << prefix << branch << (n.depth == 0 ? ctx.bold(label) : label) << "  " << ctx.dim(n.id) << count << mark
          << '\n';
  if (depth_left == 0) return;
  std::string child_prefix = root ? prefix : prefix + (last ? "    " : "│   ");
  for (size_t i = 0; i < n.children.size(); ++i)
    draw(ctx, t.nodes()[n.children[i]], child_prefix, i + 1 == n.children.size(), false, depth_left - 1, counts);
}

nlohmann::json node_summary(Context& ctx, const taxonomy::Node& n, int depth_left,
                            const std::map<std::string, long>* counts) {
  const auto& t = ctx.taxonomy();
  nlohmann::json j = {{"id", n.id}, {"label", taxonomy::Taxonomy::label(n, ctx.globals.lang)},
                      {"level", t.level_name(n)}, {"source", n.source}};
  if (counts) j["count"] = counts->count(n.id) ? counts->at(n.id) : 0;
  nlohmann::json kids = nlohmann::json::array();
  if (depth_left != 0)
    for (size_t c : n.children) kids.push_back(node_summary(ctx, t.nodes()[c], depth_left - 1, counts));
  j["children"] = kids;
  return j;
}

int run_show(Context& ctx, const ShowOptions& o) {
  ctx.require_format({"text", "json"});
  const auto& t = ctx.taxonomy();
  std::map<std::string, long> counts;
  if (o.counts) counts = theme_counts(ctx);
  const auto* cp = o.counts ? &counts : nullptr;
  std::vector<const taxonomy::Node*> roots;
  if (!o.id.empty()) {
    roots.push_back(&resolve_node(ctx, o.id));
  } else {
    for (const auto& n : t.nodes())
      if (!n.parent) roots.push_back(&n);
  }
  if (ctx.json()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto* r : roots) arr.push_back(node_summary(ctx, *r, o.depth, cp));
    nlohmann::json j = {{"levels", t.levels()}, {"nodes", arr}};
    if (!o.id.empty()) {
      nlohmann::json path = nlohmann::json::array();
      for (const auto* p : t.path(*roots.front())) path.push_back(p->id);
      j["path"] = path;
    }
    ctx.print_json(j);
    return 0;
  }
  if (!o.id.empty() && roots.front()->parent) {
    std::vector<std::string> labels;
    for (const auto* p : t.path(*roots.front())) labels.push_back(taxonomy::Taxonomy::label(*p, ctx.globals.lang));
    ctx.out << ctx.dim(util::join(labels, " › ")) << '\n';
  }
  for (const auto* r : roots) draw(ctx, *r, "", true, true, o.depth, cp);
  return 0;
}

struct ValidateOptions {
  std::string file;
};

int run_validate(Context& ctx, const ValidateOptions& o) {
  taxonomy::Sources sources;
  if (o.file.empty()) {
    sources = ctx.knowledge_base().sources();
  } else {
    sources.tree = o.file;
    try {
      sources.languages = ctx.knowledge_base().languages;
    } catch (const Error&) {
      // A lone file outside any knowledge base: validate it with the default languages.
    }
  }
  taxonomy::LoadResult r = taxonomy::load(sources);
  size_t errors = 0, warnings = 0;
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& d : r.diagnostics) {
    bool is_error = d.severity == taxonomy::Diagnostic::Severity::error;
    (is_error ? errors : warnings)++;
    if (ctx.json())
      problems.push_back({{"file", d.where.file}, {"line", d.where.line}, {"column", d.where.column},
                          {"severity", is_error ? "error" : "warning"}, {"message", d.message}});
    else if (is_error || !ctx.globals.quiet)
      ctx.out << d.to_string() << '\n';
  }
  if (ctx.json()) {
    ctx.print_json({{"valid", errors == 0}, {"errors", errors}, {"warnings", warnings},
                    {"nodes", r.taxonomy.nodes().size()}, {"problems", problems}});
  } else if (!ctx.globals.quiet) {
    ctx.err << fmt::format("{}: {} nodes, {} actors, {} programmes; {} error{}, {} warning{}\n",
                           sources.tree.string(), r.taxonomy.nodes().size(), r.taxonomy.actors().size(),
                           r.taxonomy.programmes().size(), errors, errors == 1 ? "" : "s", warnings,
                           warnings == 1 ? "" : "s");
  }
  return errors ? static_cast<int>(ExitCode::invalid_data) : 0;
}

struct ExportOptions {
  std::string to = "skos";
};

int run_export(Context& ctx, const ExportOptions& o) {
  const auto& t = ctx.taxonomy();
  if (o.to == "skos")
    ctx.out << taxonomy::to_skos(t);
  else if (o.to == "json")
    ctx.print_json(taxonomy::to_json(t));
  else
    ctx.out << taxonomy::to_dot(t, ctx.globals.lang);
  return 0;
}

struct DiffOptions {
  std::string before, after;
};

int run_diff(Context& ctx, const DiffOptions& o) {
  auto load_one = [&](const std::string& file) {
    taxonomy::Sources s;
    s.tree = file;
    return taxonomy::load_or_throw(s);
  };
  taxonomy::Taxonomy before = load_one(o.before);
  taxonomy::Taxonomy after = load_one(o.after);
  auto changes = taxonomy::diff(before, after);
  if (ctx.json()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& c : changes)
      arr.push_back({{"kind", taxonomy::to_string(c.kind)}, {"id", c.id}, {"targets", c.targets}, {"detail", c.detail}});
    ctx.print_json({{"before", o.before}, {"after", o.after}, {"changes", arr}});
  } else if (ctx.globals.format == "csv") {
    ctx.out << "kind,id,targets,detail\n";
    for (const auto& c : changes)
      ctx.out << fmt::format("{},{},{},\"{}\"\n", taxonomy::to_string(c.kind), c.id, util::join(c.targets, ";"), c.detail);
  } else {
    if (changes.empty()) ctx.out << "no changes\n";
    for (const auto& c : changes) ctx.out << fmt::format("{:<10} {:<32} {}\n", taxonomy::to_string(c.kind), c.id, c.detail);
  }
  return 0;
}

} // namespace

void setup_taxonomy(CLI::App& app, Context& ctx) {
  CLI::App* tax = app.add_subcommand("taxonomy", "Show, validate, compare and export the thematic tree");
  tax->require_subcommand(1);

  auto so = std::make_shared<ShowOptions>();
  CLI::App* show = tax->add_subcommand("show", "Draw the tree, or the branch under ID, with labels in --lang");
  show->add_option("ID", so->id, "A node id or a label in any language");
  show->add_option("--depth", so->depth, "Levels to show below the start (default: all)");
  show->add_flag("--counts", so->counts, "Document counts per node (needs an index)");
  show->footer("Examples:\n  befus taxonomy show --depth 1\n  befus taxonomy show inclusion --lang fr\n"
               "  befus taxonomy show \"Inclusie van het migrantenpubliek\" --counts");
  show->callback([&ctx, so] { ctx.action = [&ctx, so] { return run_show(ctx, *so); }; });

  auto vo = std::make_shared<ValidateOptions>();
  CLI::App* validate = tax->add_subcommand("validate", "Report every problem as file:line:col: message; exit 3 if any error");
  validate->add_option("FILE", vo->file, "A tree file (default: the knowledge base's tree, actors and funding)");
  validate->footer("Examples:\n  befus taxonomy validate\n  befus taxonomy validate draft.yaml --format json");
  validate->callback([&ctx, vo] { ctx.action = [&ctx, vo] { return run_validate(ctx, *vo); }; });

  auto eo = std::make_shared<ExportOptions>();
  CLI::App* exp = tax->add_subcommand("export", "Write the tree as SKOS (Turtle), JSON or Graphviz dot");
  exp->add_option("--to", eo->to, "skos, json or dot")->check(CLI::IsMember({"skos", "json", "dot"}))->capture_default_str();
  exp->footer("Examples:\n  befus taxonomy export --to skos > befus.ttl && rapper -i turtle -c befus.ttl\n"
              "  befus taxonomy export --to dot --lang nl | dot -Tsvg > tree.svg");
  exp->callback([&ctx, eo] { ctx.action = [&ctx, eo] { return run_export(ctx, *eo); }; });

  auto dfo = std::make_shared<DiffOptions>();
  CLI::App* df = tax->add_subcommand("diff", "Added, removed, moved, relabelled, renamed, merged and split nodes");
  df->add_option("OLD", dfo->before, "The tree before")->required()->check(CLI::ExistingFile);
  df->add_option("NEW", dfo->after, "The tree after")->required()->check(CLI::ExistingFile);
  df->footer("Example:\n  git show HEAD~1:taxonomy/befus.yaml > /tmp/old.yaml && befus taxonomy diff /tmp/old.yaml taxonomy/befus.yaml");
  df->callback([&ctx, dfo] { ctx.action = [&ctx, dfo] { return run_diff(ctx, *dfo); }; });
}

} // namespace befus::cli
