#include "app.hpp"

#include "befus/error.hpp"
#include "befus/report.hpp"
#include "befus/search.hpp"
#include "befus/text.hpp"
#include "render.hpp"

#include <fmt/format.h>

#include <cmath>

namespace befus::cli {

namespace {

struct TogetherOptions {
  std::vector<std::string> words;
  bool all = false;
  size_t max_documents = 8;
};

const std::vector<std::pair<std::string, std::string>> k_type_titles{
    {"practice", "Practices"},     {"publication", "Publications"}, {"recommendation", "Recommendations"},
    {"evaluation", "Evaluations"}, {"workshop", "Workshops"},       {"news", "News"}};

std::string label_of(Context& ctx, const std::string& id) {
  const auto* n = ctx.taxonomy().find(id);
  return n ? taxonomy::Taxonomy::label(*n, ctx.globals.lang) : id;
}

std::string actor_kind(Context& ctx, const std::string& id) {
  const auto* a = ctx.taxonomy().find_actor(id);
  return a ? a->kind : "unknown";
}

std::string programme_name(Context& ctx, const taxonomy::Programme& p) {
  if (auto it = p.name.find(ctx.globals.lang); it != p.name.end()) return it->second;
  return p.name.empty() ? p.id : p.name.begin()->second;
}

// 37466612.4 -> "37,466,612"
std::string euros(double amount) {
  std::string digits = fmt::format("{:.0f}", std::round(amount));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return "€" + out;
}

// Free text is matched against the corpus; the themes of the best hits, weighted by rank, win.
std::vector<std::pair<const taxonomy::Node*, double>> themes_for_text(Context& ctx, const index::Reader& reader,
                                                                       const std::string& text) {
  search::Request req;
  req.query = text;
  req.limit = 20;
  auto res = search::run(reader, ctx.taxonomy(), ctx.knowledge_base().languages, req);
  std::map<std::string, double> score;
  for (const auto& id : res.expansions) score[id] += 100;  // the text names a theme outright
  for (const auto& h : res.hits)
    for (const auto& th : h.data.value("themes", nlohmann::json::array()))
      if (th.is_string() && ctx.taxonomy().find(th.get<std::string>())) score[th.get<std::string>()] += h.score;
  std::vector<std::pair<const taxonomy::Node*, double>> out;
  double total = 0;
  for (const auto& [id, s] : score) total += s;
  for (const auto& [id, s] : score) out.emplace_back(ctx.taxonomy().find(id), total > 0 ? s / total : 0);
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.second > b.second; });
  if (out.size() > 3) out.resize(3);
  return out;
}

nlohmann::json doc_json(const nlohmann::json& d) {
  return {{"id", d.value("id", "")},       {"title", d.value("title", "")},
          {"type", d.value("type", "")},   {"year", d.value("year", 0)},
          {"lang", d.value("lang", "")},   {"partners", d.value("partners", nlohmann::json::array())},
          {"themes", d.value("themes", nlohmann::json::array())},
          {"evidence", d.value("evidence", "")}, {"path", d.value("path", "")}};
}

nlohmann::json to_json(Context& ctx, const report::Together& r) {
  nlohmann::json path = nlohmann::json::array();
  for (const auto* n : r.path) path.push_back({{"id", n->id}, {"label", label_of(ctx, n->id)}});
  nlohmann::json why = nlohmann::json::array();
  for (const auto& w : r.why) why.push_back({{"source", w.source}, {"title", w.title}, {"kind", w.kind}, {"text", w.text}});
  nlohmann::json docs = nlohmann::json::array();
  for (const auto& d : r.documents) docs.push_back(doc_json(d));
  nlohmann::json partners = nlohmann::json::array();
  for (const auto& p : r.partners) partners.push_back({{"id", p.id}, {"kind", actor_kind(ctx, p.id)}, {"count", p.count}});
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& p : r.pairs) pairs.push_back({{"a", p.a}, {"b", p.b}, {"count", p.count}});
  nlohmann::json trans = nlohmann::json::array();
  for (const auto& c : r.transversal) trans.push_back({{"id", c.id}, {"count", c.count}, {"pillar", ctx.taxonomy().pillar(*ctx.taxonomy().find(c.id)).id}});
  nlohmann::json trans_p = nlohmann::json::array();
  for (const auto& c : r.transversal_pillars) trans_p.push_back({{"id", c.id}, {"count", c.count}});
  nlohmann::json programmes = nlohmann::json::array();
  for (const auto& f : r.funding)
    programmes.push_back({{"id", f.programme->id}, {"name", programme_name(ctx, *f.programme)},
                          {"funder", f.programme->funder}, {"cofunders", f.programme->cofunders},
                          {"budget_eur", f.programme->budget_eur}, {"staff", f.programme->staff},
                          {"year", f.programme->year}, {"via", f.via}});
  nlohmann::json gaps = nlohmann::json::array();
  for (const auto* n : r.gaps_empty) gaps.push_back({{"id", n->id}, {"kind", "no-documents"}});
  for (const auto* n : r.gaps_unevaluated) gaps.push_back({{"id", n->id}, {"kind", "no-evaluated-practice"}});
  return {{"theme", r.theme->id},      {"label", label_of(ctx, r.theme->id)},
          {"level", ctx.taxonomy().level_name(*r.theme)},
          {"path", path},              {"why", why},
          {"documents", docs},         {"partners", partners},
          {"pairs", pairs},            {"transversal", trans},
          {"transversal_pillars", trans_p},
          {"funding", {{"programmes", programmes}, {"total_eur", r.total_eur}, {"total_staff", r.total_staff}}},
          {"gaps", gaps}};
}

// One renderer for text and Markdown: they differ in headings, bullets and emphasis only.
void print(Context& ctx, const report::Together& r, const TogetherOptions& o, bool md) {
  auto& out = ctx.out;
  auto heading = [&](const std::string& s) {
    out << '\n' << (md ? "## " + s : ctx.bold(s)) << '\n';
  };
  auto item = [&](const std::string& s) { out << (md ? "- " : "  ") << s << '\n'; };
  std::vector<std::string> labels;
  for (const auto* n : r.path) labels.push_back(label_of(ctx, n->id));
  std::string title = label_of(ctx, r.theme->id);
  out << (md ? "# " + title : ctx.bold(title)) << '\n';
  out << (md ? "*" : "") << util::join(labels, " › ") << " — " << ctx.taxonomy().level_name(*r.theme) << ", "
      << r.documents.size() << " document" << (r.documents.size() == 1 ? "" : "s") << (md ? "*" : "") << '\n';

  heading("Why it matters");
  for (const auto& w : r.why)
    if (w.kind == "theme") item(fmt::format("{}: {}", md ? "**" + w.title + "**" : w.title, w.text));
  size_t shown = 0;
  for (const auto& w : r.why) {
    if (w.kind == "theme" || shown >= o.max_documents) continue;
    item(fmt::format("{}{} ({})", w.kind == "mechanism" ? "how it works: " : "", w.text, w.source));
    ++shown;
  }

  heading(fmt::format("What we do ({} documents)", r.documents.size()));
  if (r.documents.empty()) item("nothing in the knowledge base yet");
  for (const auto& [type, name] : k_type_titles) {
    auto it = r.by_type.find(type);
    if (it == r.by_type.end()) continue;
    out << (md ? "\n### " : "  ") << name << " (" << it->second.size() << ")\n";
    size_t n = 0;
    for (const auto& d : it->second) {
      if (n++ >= o.max_documents) {
        item(fmt::format("  … and {} more", it->second.size() - o.max_documents));
        break;
      }
      std::string evidence = d.value("evidence", "");
      item(fmt::format("{}{} {} ({}){}{}", md ? "" : "  ", d.value("year", 0), d.value("title", ""), d.value("id", ""),
                       evidence.empty() ? "" : " — evidence: " + evidence,
                       d.contains("partners") && !d["partners"].empty() ? " — with " + list_text(d["partners"]) : ""));
    }
  }

  heading("Who does it together");
  std::vector<std::string> cities, others;
  for (const auto& p : r.partners) {
    std::string s = fmt::format("{} ({})", p.id, p.count);
    (actor_kind(ctx, p.id) == "municipality" ? cities : others).push_back(s);
  }
  if (!cities.empty()) item("Member cities: " + util::join(cities, ", "));
  if (!others.empty()) item("Institutions and networks: " + util::join(others, ", "));
  std::vector<std::string> pairs;
  for (size_t i = 0; i < r.pairs.size() && i < 5; ++i)
    pairs.push_back(fmt::format("{} + {} ({})", r.pairs[i].a, r.pairs[i].b, r.pairs[i].count));
  if (!pairs.empty()) item("Working together most: " + util::join(pairs, ", "));
  if (r.partners.empty()) item("no partners recorded yet");

  heading("Other themes the same documents touch");
  if (r.transversal.empty() && r.transversal_pillars.empty()) item("none: the documents stay within this branch");
  for (size_t i = 0; i < r.transversal.size() && i < 8; ++i) {
    const auto& c = r.transversal[i];
    item(fmt::format("{} ({}) — {} document{}", label_of(ctx, c.id), label_of(ctx, ctx.taxonomy().pillar(*ctx.taxonomy().find(c.id)).id),
                     c.count, c.count == 1 ? "" : "s"));
  }

  heading("Funding");
  if (r.funding.empty()) item("no programme in funding.yaml serves this branch");
  for (const auto& f : r.funding) {
    const auto& p = *f.programme;
    item(fmt::format("{} — {}{} — {} a year{}", programme_name(ctx, p), p.funder,
                     p.cofunders.empty() ? "" : " with " + util::join(p.cofunders, ", "), euros(p.budget_eur),
                     p.staff ? fmt::format(", {} staff", p.staff) : ""));
  }
  if (!r.funding.empty())
    item(fmt::format("{}Total: {} a year, {} staff{}", md ? "**" : "", euros(r.total_eur), r.total_staff, md ? "**" : ""));

  heading("Gaps");
  if (r.gaps_empty.empty() && r.gaps_unevaluated.empty()) item("none found");
  std::vector<std::string> empty, unevaluated;
  for (const auto* n : r.gaps_empty) empty.push_back(label_of(ctx, n->id));
  for (const auto* n : r.gaps_unevaluated) unevaluated.push_back(label_of(ctx, n->id));
  if (!empty.empty()) item("No documents yet: " + util::join(empty, ", "));
  if (!unevaluated.empty()) item("No evaluated practice: " + util::join(unevaluated, ", "));
}

int run_together(Context& ctx, const TogetherOptions& o) {
  ctx.require_format({"text", "json", "markdown"});
  std::string arg = util::join(o.words, " ");
  const auto& t = ctx.taxonomy();
  index::Reader reader(ctx.index_location(), ctx.globals.timeout);
  std::vector<std::pair<const taxonomy::Node*, double>> chosen;
  if (const auto* n = t.resolve(arg)) {
    chosen.emplace_back(n, 1.0);
  } else if (util::is_slug(arg)) {
    throw UsageError(fmt::format("unknown theme '{}'{}", arg, util::did_you_mean(arg, t.ids())));
  } else {
    chosen = themes_for_text(ctx, reader, arg);
    if (chosen.empty()) throw NotFoundError(fmt::format("no theme found for '{}'", arg));
    if (!o.all) chosen.resize(1);
  }
  nlohmann::json reports = nlohmann::json::array();
  bool free_text = chosen.front().second < 1.0 || !t.resolve(arg);
  if (free_text && !ctx.json()) {
    ctx.out << "'" << arg << "' is closest to:";
    for (const auto& [n, s] : themes_for_text(ctx, reader, arg))
      ctx.out << fmt::format(" {} ({:.2f})", label_of(ctx, n->id), s);
    ctx.out << "\n\n";
  }
  for (size_t i = 0; i < chosen.size(); ++i) {
    report::Together r = report::together(reader, t, *chosen[i].first, ctx.globals.lang);
    if (ctx.json()) {
      auto j = to_json(ctx, r);
      if (free_text) j["match_score"] = chosen[i].second;
      reports.push_back(j);
    } else {
      if (i) ctx.out << "\n\n";
      print(ctx, r, o, ctx.globals.format == "markdown");
    }
  }
  if (ctx.json()) {
    if (reports.size() == 1 && !o.all) ctx.print_json(reports[0]);
    else ctx.print_json({{"query", arg}, {"reports", reports}});
  }
  return 0;
}

} // namespace

void setup_together(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<TogetherOptions>();
  CLI::App* sub = app.add_subcommand("together", "What we do together on a theme, and why: a one-page briefing");
  sub->add_option("THEME", o->words, "A theme id, a label in any language, or free text")->required();
  sub->add_flag("--all", o->all, "For free text: a report for each of the top themes, not only the best");
  sub->add_option("--max-documents", o->max_documents, "Documents listed per type")->capture_default_str();
  sub->footer("For the theme and everything under it: where it sits, why it matters (the tree's and the\n"
              "documents' own reasons), what is done (by type, newest first), who works on it together,\n"
              "which other pillars the same documents touch, the programmes that fund it, and the gaps.\n\n"
              "Examples:\n  befus together migrant-inclusion\n  befus together \"Violences conjugales\" --lang fr\n"
              "  befus together \"jongeren op straat 's avonds\" --all\n"
              "  befus together radicalisation --format markdown > workshop.md");
  sub->callback([&ctx, o] { ctx.action = [&ctx, o] { return run_together(ctx, *o); }; });
}

} // namespace befus::cli
