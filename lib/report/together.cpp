#include "befus/report.hpp"

#include "index/schema.hpp"

#include <algorithm>
#include <set>

namespace befus::report {

namespace {

std::vector<std::string> strings(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  if (auto it = j.find(key); it != j.end() && it->is_array())
    for (const auto& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::vector<Count> ranked(const std::map<std::string, long>& counts) {
  std::vector<Count> out;
  for (const auto& [id, n] : counts) out.push_back({id, n});
  std::stable_sort(out.begin(), out.end(), [](const Count& a, const Count& b) { return a.count > b.count; });
  return out;
}

// Newest first, then by title, so reports read the same every time.
void sort_documents(std::vector<nlohmann::json>& docs) {
  std::stable_sort(docs.begin(), docs.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    int ya = a.value("year", 0), yb = b.value("year", 0);
    if (ya != yb) return ya > yb;
    return a.value("title", "") < b.value("title", "");
  });
}

} // namespace

Together together(const index::Reader& reader, const taxonomy::Taxonomy& t, const taxonomy::Node& theme,
                  const std::string& lang) {
  Together r;
  r.theme = &theme;
  r.path = t.path(theme);
  for (auto it = r.path.rbegin(); it != r.path.rend(); ++it) {
    const auto* n = *it;
    if (auto w = n->why.find(lang); w != n->why.end())
      r.why.push_back({n->id, taxonomy::Taxonomy::label(*n, lang), w->second, "theme"});
    else if (!n->why.empty())
      r.why.push_back({n->id, taxonomy::Taxonomy::label(*n, lang), n->why.begin()->second, "theme"});
  }

  // The documents: exactly those the search filter --theme finds (XTHEME carries ancestors).
  r.documents = reader.documents_with_term(index::schema::k_theme + theme.id);
  sort_documents(r.documents);

  std::set<std::string> inside;  // the node, its ancestors and descendants: not "other" themes
  for (const auto* n : t.subtree(theme)) inside.insert(n->id);
  for (const auto* n : r.path) inside.insert(n->id);

  std::map<std::string, long> partners, other, other_pillars;
  std::map<std::pair<std::string, std::string>, long> pairs;
  std::set<std::string> covered;      // nodes with at least one document
  std::set<std::string> evaluated;    // nodes with an evaluated practice
  for (const auto& d : r.documents) {
    r.by_type[d.value("type", std::string("other"))].push_back(d);
    if (auto w = d.value("why", std::string()); !w.empty())
      r.why.push_back({d.value("id", ""), d.value("title", ""), w, "document"});
    if (auto m = d.value("mechanism", std::string()); !m.empty())
      r.why.push_back({d.value("id", ""), d.value("title", ""), m, "mechanism"});
    auto ps = strings(d, "partners");
    std::sort(ps.begin(), ps.end());
    ps.erase(std::unique(ps.begin(), ps.end()), ps.end());
    for (const auto& p : ps) ++partners[p];
    for (size_t i = 0; i < ps.size(); ++i)
      for (size_t j = i + 1; j < ps.size(); ++j) ++pairs[{ps[i], ps[j]}];
    // Every node a document reaches, with ancestors, counted once per document (as facets do).
    std::set<std::string> reached;
    for (const auto& th : strings(d, "themes"))
      if (const auto* n = t.find(th))
        for (const auto* p : t.path(*n)) reached.insert(p->id);
    bool is_evaluated = d.value("type", "") == "practice" && d.value("evidence", "") == "evaluated";
    for (const auto& id : reached) {
      covered.insert(id);
      if (is_evaluated) evaluated.insert(id);
      if (inside.count(id)) continue;
      const auto* n = t.find(id);
      (n->parent ? other : other_pillars)[id]++;
    }
  }
  r.partners = ranked(partners);
  for (const auto& [ab, n] : pairs) r.pairs.push_back({ab.first, ab.second, n});
  std::stable_sort(r.pairs.begin(), r.pairs.end(), [](const Pair& a, const Pair& b) { return a.count > b.count; });
  r.transversal = ranked(other);
  r.transversal_pillars = ranked(other_pillars);

  // Programmes that serve the node, one of its ancestors or one of its descendants.
  std::set<std::string> linked;
  for (const auto* n : t.subtree(theme)) linked.insert(n->id);
  for (const auto* n : r.path) linked.insert(n->id);
  for (const auto& p : t.programmes()) {
    for (const auto& th : p.themes) {
      if (!linked.count(th)) continue;
      r.funding.push_back({&p, th});
      r.total_eur += p.budget_eur;
      r.total_staff += p.staff;
      break;
    }
  }

  for (const auto* n : t.subtree(theme)) {
    if (n == &theme) continue;
    if (!covered.count(n->id)) r.gaps_empty.push_back(n);
  }
  for (const auto* n : t.subtree(theme))
    if (n->depth >= 1 && covered.count(n->id) && !evaluated.count(n->id)) r.gaps_unevaluated.push_back(n);
  return r;
}

Who who(const index::Reader& reader, const taxonomy::Taxonomy& t, const taxonomy::Actor& actor) {
  Who w;
  w.actor = &actor;
  w.documents = reader.documents_with_term(index::schema::bounded(index::schema::k_partner, actor.id));
  sort_documents(w.documents);
  std::map<std::string, long> themes, pillars, co;
  for (const auto& d : w.documents) {
    std::set<std::string> ps;
    for (const auto& th : strings(d, "themes")) {
      const auto* n = t.find(th);
      if (!n) continue;
      ++themes[th];
      ps.insert(t.pillar(*n).id);
    }
    for (const auto& p : ps) ++pillars[p];
    std::set<std::string> partners;
    for (const auto& p : strings(d, "partners"))
      if (p != actor.id) partners.insert(p);
    for (const auto& p : partners) ++co[p];
  }
  w.themes = ranked(themes);
  w.pillars = ranked(pillars);
  w.co_partners = ranked(co);
  for (const auto& p : t.programmes()) {
    bool gives = p.funder == actor.id || std::count(p.cofunders.begin(), p.cofunders.end(), actor.id);
    if (gives) w.gives.push_back(&p);
    for (const auto& th : p.themes)
      if (themes.count(th)) {
        w.on_its_themes.push_back(&p);
        break;
      }
  }
  return w;
}

} // namespace befus::report
