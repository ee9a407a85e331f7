#include "app.hpp"

#include "befus/error.hpp"
#include "befus/corpus.hpp"
#include "befus/search.hpp"
#include "befus/text.hpp"
#include "render.hpp"

#include <fmt/format.h>

namespace befus::cli {

namespace {

struct SearchOptions {
  std::vector<std::string> words;
  search::Request request;
  std::string years;
  std::string sort = "relevance";
  bool no_expand = false;
  bool explain = false;
};

nlohmann::json hit_json(const search::Hit& h, const Context& ctx) {
  const auto& d = h.data;
  return {{"id", d.value("id", "")},          {"title", d.value("title", "")},
          {"lang", d.value("lang", "")},      {"year", d.value("year", 0)},
          {"type", d.value("type", "")},      {"themes", d.value("themes", nlohmann::json::array())},
          {"partners", d.value("partners", nlohmann::json::array())},
          {"path", d.value("path", "")},      {"score", h.score},
          {"snippet", render_snippet(ctx, h.snippet, true)}};
}

void print_facets(Context& ctx, const search::Result& r) {
  for (const char* facet : {"pillar", "theme", "partner", "lang", "type", "year"}) {
    auto it = r.facets.find(facet);
    if (it == r.facets.end() || it->second.empty()) continue;
    std::vector<std::pair<std::string, long>> values(it->second.begin(), it->second.end());
    std::stable_sort(values.begin(), values.end(), [](auto& a, auto& b) { return a.second > b.second; });
    std::vector<std::string> parts;
    for (const auto& [v, n] : values) {
      std::string name = v;
      if (std::string(facet) == "pillar" || std::string(facet) == "theme")
        if (const auto* node = ctx.taxonomy(taxonomy::Detail::outline).find(v)) name = taxonomy::Taxonomy::label(*node, ctx.globals.lang);
      parts.push_back(fmt::format("{} ({})", name, n));
    }
    ctx.out << ctx.bold(fmt::format("{:<8}", facet)) << ' ' << util::join(parts, ", ") << '\n';
  }
}

int run_search(Context& ctx, SearchOptions& o) {
  ctx.require_format({"text", "json", "csv"});
  search::Request& req = o.request;
  req.query = util::join(o.words, " ");
  req.expand = !o.no_expand;
  req.sort_by_year = o.sort == "year";
  if (!o.years.empty()) req.years = search::parse_years(o.years);
  if (req.query.empty() && req.themes.empty() && req.partners.empty() && req.langs.empty() && req.types.empty() &&
      !req.years)
    throw UsageError("give a QUERY, a filter (--theme, --partner, --lang, --type, --year), or both");
  if (req.langs.size() == 1) ctx.globals.lang = req.langs.front();
  const auto& kb = ctx.knowledge_base();
  index::Reader reader(ctx.index_location(), ctx.globals.timeout);
  search::Result r = search::run(reader, ctx.taxonomy(taxonomy::Detail::outline), kb.languages, req);

  if (ctx.json()) {
    nlohmann::json hits = nlohmann::json::array();
    for (const auto& h : r.hits) hits.push_back(hit_json(h, ctx));
    ctx.print_json({{"query", r.query},       {"expanded", r.expanded}, {"total", r.total},
                    {"exact", r.exact_total}, {"relaxed", r.relaxed},   {"suggestion", r.suggestion},
                    {"reached", r.expansions}, {"hits", hits},          {"facets", r.facets}});
  } else if (ctx.globals.format == "csv") {
    ctx.out << csv_row({"rank", "id", "title", "lang", "year", "type", "themes", "partners", "path", "score", "snippet"});
    size_t rank = req.offset;
    for (const auto& h : r.hits) {
      auto j = hit_json(h, ctx);
      ctx.out << csv_row({std::to_string(++rank), j["id"], j["title"], j["lang"], std::to_string(j["year"].get<int>()),
                          j["type"], list_text(j["themes"], ";"), list_text(j["partners"], ";"), j["path"],
                          fmt::format("{:.0f}", h.score), j["snippet"]});
    }
  } else {
    if (o.explain) ctx.out << ctx.dim("query: " + r.expanded) << '\n';
    if (!r.suggestion.empty()) ctx.out << "Did you mean: " << ctx.bold(r.suggestion) << "?\n";
    if (r.relaxed) ctx.out << "No document has all the words; showing the best partial matches.\n";
    if (!r.expansions.empty()) {
      std::vector<std::string> reached;
      for (const auto& id : r.expansions) reached.push_back(theme_path(ctx, id));
      ctx.out << ctx.dim("Also searched in every language as: " + util::join(reached, "; ")) << '\n';
    }
    ctx.out << fmt::format("{} {} document{}\n", r.exact_total ? "" : "About", r.total, r.total == 1 ? "" : "s");
    size_t rank = req.offset;
    for (const auto& h : r.hits) {
      const auto& d = h.data;
      ctx.out << fmt::format("\n{:>3}. {}  {}\n", ++rank, ctx.bold(d.value("title", "")),
                             ctx.dim(fmt::format("[{} {} {}]{}", d.value("lang", "?"), d.value("year", 0),
                                                 d.value("type", "-"),
                                                 h.score > 0 ? fmt::format(" {:.0f}%", h.score) : "")));
      ctx.out << "     " << ctx.dim(d.value("id", "") + " · " + d.value("path", "")) << '\n';
      for (const auto& th : d.value("themes", nlohmann::json::array())) ctx.out << "     ▸ " << theme_path(ctx, th) << '\n';
      if (auto p = list_text(d.value("partners", nlohmann::json::array())); !p.empty())
        ctx.out << "     partners: " << p << '\n';
      if (!h.snippet.empty()) ctx.out << "     " << render_snippet(ctx, h.snippet) << '\n';
    }
    if (req.facets) {
      ctx.out << '\n';
      print_facets(ctx, r);
    }
  }
  return r.total == 0 ? static_cast<int>(ExitCode::not_found) : 0;
}

} // namespace

void setup_search(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<SearchOptions>();
  CLI::App* sub = app.add_subcommand("search", "Ranked documents in every language, with snippets and facets");
  sub->add_option("QUERY", o->words, "Words, \"phrases\", AND/OR/NOT, title:word, theme:ID, partner:ID, lang:L, type:T, year:A..B");
  sub->add_option("--theme", o->request.themes, "Only this theme (id or label in any language) and everything under it")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_option("--partner", o->request.partners, "Only documents with this partner (actor id)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_option("--lang", o->request.langs, "Only documents in this language; labels follow it")
      ->check(CLI::IsMember({"nl", "fr", "en", "de"}))
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_option("--type", o->request.types, "Only this type")->check(CLI::IsMember(corpus::k_types))
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_option("--year", o->years, "Only these years: 2008, 2008..2012, 2015.., ..2010");
  sub->add_option("--limit", o->request.limit, "Hits to show")->check(CLI::Range(1, 10000))->capture_default_str();
  sub->add_option("--offset", o->request.offset, "Hits to skip (for paging)")->capture_default_str();
  sub->add_option("--sort", o->sort, "relevance or year (newest first)")->check(CLI::IsMember({"relevance", "year"}));
  sub->add_flag("--facets", o->request.facets, "Count documents per pillar, theme, partner, language, type and year");
  sub->add_flag("--no-expand", o->no_expand, "Do not widen the query through the tree's labels in other languages");
  sub->add_flag("--explain", o->explain, "Show the query as Xapian runs it");
  sub->footer("Several filters of one kind are OR'ed, different kinds AND'ed. Every word must match; when no\n"
              "document has them all, the best partial matches are shown and the output says so.\n"
              "Accents and case never matter. A theme's label in one language also finds documents that use\n"
              "its labels in the others, and documents classified under it. Exit 1 when nothing is found.\n\n"
              "Examples:\n  befus search onveiligheidsgevoel\n  befus search \"violences conjugales\" --facets\n"
              "  befus search --theme inclusion --lang fr --sort year\n"
              "  befus search 'media year:2005..2010 partner:befus' --format json");
  sub->callback([&ctx, o] { ctx.action = [&ctx, o] { return run_search(ctx, *o); }; });
}

} // namespace befus::cli
