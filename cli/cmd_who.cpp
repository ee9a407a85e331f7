#include "app.hpp"

#include "befus/error.hpp"
#include "befus/report.hpp"
#include "befus/text.hpp"
#include "render.hpp"

#include <fmt/format.h>

namespace befus::cli {

namespace {

struct WhoOptions {
  std::string actor;
};

std::string label_of(Context& ctx, const std::string& id) {
  const auto* n = ctx.taxonomy().find(id);
  return n ? taxonomy::Taxonomy::label(*n, ctx.globals.lang) : id;
}

int run_who(Context& ctx, const WhoOptions& o) {
  ctx.require_format({"text", "json"});
  const auto& t = ctx.taxonomy();
  const auto* actor = t.find_actor(o.actor);
  if (!actor) {
    throw UsageError(fmt::format("unknown actor '{}'{}", o.actor, util::did_you_mean(o.actor, t.actor_ids())));
  }
  index::Reader reader(ctx.index_location(), ctx.globals.timeout);
  report::Who w = report::who(reader, t, *actor);
  std::string name = actor->names.count(ctx.globals.lang) ? actor->names.at(ctx.globals.lang) : actor->name;
  if (ctx.json()) {
    auto counts = [](const std::vector<report::Count>& v) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& c : v) a.push_back({{"id", c.id}, {"count", c.count}});
      return a;
    };
    nlohmann::json docs = nlohmann::json::array();
    for (const auto& d : w.documents)
      docs.push_back({{"id", d.value("id", "")}, {"title", d.value("title", "")}, {"type", d.value("type", "")},
                      {"year", d.value("year", 0)}, {"themes", d.value("themes", nlohmann::json::array())}});
    nlohmann::json gives = nlohmann::json::array(), on = nlohmann::json::array();
    for (const auto* p : w.gives) gives.push_back({{"id", p->id}, {"budget_eur", p->budget_eur}});
    for (const auto* p : w.on_its_themes) on.push_back({{"id", p->id}, {"budget_eur", p->budget_eur}});
    ctx.print_json({{"actor", actor->id}, {"name", name}, {"kind", actor->kind}, {"themes", counts(w.themes)},
                    {"pillars", counts(w.pillars)}, {"documents", docs}, {"co_partners", counts(w.co_partners)},
                    {"funding", {{"gives", gives}, {"on_its_themes", on}}}});
    return 0;
  }
  ctx.out << ctx.bold(name) << "  " << ctx.dim(actor->id + " · " + actor->kind) << '\n';
  ctx.out << '\n' << ctx.bold("Works on") << '\n';
  if (w.themes.empty()) ctx.out << "  no documents name this actor yet\n";
  for (const auto& c : w.themes)
    ctx.out << fmt::format("  {} ({}) — {}\n", label_of(ctx, c.id), label_of(ctx, t.pillar(*t.find(c.id)).id), c.count);
  if (!w.co_partners.empty()) {
    std::vector<std::string> parts;
    for (const auto& c : w.co_partners) parts.push_back(fmt::format("{} ({})", c.id, c.count));
    ctx.out << '\n' << ctx.bold("With") << "\n  " << util::join(parts, ", ") << '\n';
  }
  ctx.out << '\n' << ctx.bold(fmt::format("Documents ({})", w.documents.size())) << '\n';
  for (const auto& d : w.documents)
    ctx.out << fmt::format("  {} {} [{}] ({})\n", d.value("year", 0), d.value("title", ""), d.value("type", ""), d.value("id", ""));
  if (!w.gives.empty() || !w.on_its_themes.empty()) {
    ctx.out << '\n' << ctx.bold("Funding") << '\n';
    for (const auto* p : w.gives) ctx.out << fmt::format("  funds {} ({:.0f} EUR a year)\n", p->id, p->budget_eur);
    for (const auto* p : w.on_its_themes) ctx.out << fmt::format("  works on themes served by {}\n", p->id);
  }
  return 0;
}

} // namespace

void setup_who(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<WhoOptions>();
  CLI::App* sub = app.add_subcommand("who", "What one partner works on, with whom, and the funding it gives");
  sub->add_option("ACTOR", o->actor, "An actor id from actors.yaml")->required();
  sub->footer("Examples:\n  befus who befus\n  befus who liege --lang fr --format json");
  sub->callback([&ctx, o] { ctx.action = [&ctx, o] { return run_who(ctx, *o); }; });
}

} // namespace befus::cli
