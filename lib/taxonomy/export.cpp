#include "befus/taxonomy_io.hpp"

#include <fmt/format.h>

namespace befus::taxonomy {

namespace {

nlohmann::json node_json(const Taxonomy& t, const Node& n) {
  nlohmann::json j;
  j["id"] = n.id;
  j["label"] = n.label;
  j["alt"] = n.alt;
  j["why"] = n.why;
  j["keywords"] = n.keywords;
  j["related"] = n.related;
  j["replaces"] = n.replaces;
  j["source"] = n.source;
  j["level"] = t.level_name(n);
  nlohmann::json kids = nlohmann::json::array();
  for (size_t c : n.children) kids.push_back(node_json(t, t.nodes()[c]));
  j["children"] = std::move(kids);
  return j;
}

std::string turtle_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

std::string dot_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

} // namespace

nlohmann::json to_json(const Taxonomy& t) {
  nlohmann::json j;
  j["scheme"] = {{"id", t.scheme_id()}, {"title", t.title()}};
  j["levels"] = t.levels();
  j["hash"] = t.hash();
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : t.nodes())
    if (!n.parent) nodes.push_back(node_json(t, n));
  j["nodes"] = std::move(nodes);
  return j;
}

std::string to_skos(const Taxonomy& t) {
  std::string out;
  out += "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n";
  out += "@prefix dct: <http://purl.org/dc/terms/> .\n";
  out += "@prefix c: <urn:befus:concept:> .\n\n";
  std::string scheme = fmt::format("<urn:befus:scheme:{}>", t.scheme_id());
  out += scheme + " a skos:ConceptScheme";
  for (const auto& [lang, text] : t.title()) out += fmt::format(" ;\n  dct:title {}@{}", turtle_string(text), lang);
  for (const auto& n : t.nodes())
    if (!n.parent) out += fmt::format(" ;\n  skos:hasTopConcept c:{}", n.id);
  out += " .\n";
  for (const auto& n : t.nodes()) {
    out += fmt::format("\nc:{} a skos:Concept ;\n  skos:inScheme {}", n.id, scheme);
    if (!n.parent) out += fmt::format(" ;\n  skos:topConceptOf {}", scheme);
    out += fmt::format(" ;\n  skos:notation {}", turtle_string(n.id));
    for (const auto& [lang, text] : n.label) out += fmt::format(" ;\n  skos:prefLabel {}@{}", turtle_string(text), lang);
    for (const auto& [lang, list] : n.alt)
      for (const auto& a : list) out += fmt::format(" ;\n  skos:altLabel {}@{}", turtle_string(a), lang);
    for (const auto& [lang, list] : n.keywords)
      for (const auto& k : list) out += fmt::format(" ;\n  skos:hiddenLabel {}@{}", turtle_string(k), lang);
    for (const auto& [lang, text] : n.why) out += fmt::format(" ;\n  skos:definition {}@{}", turtle_string(text), lang);
    if (n.parent) out += fmt::format(" ;\n  skos:broader c:{}", t.nodes()[*n.parent].id);
    for (size_t c : n.children) out += fmt::format(" ;\n  skos:narrower c:{}", t.nodes()[c].id);
    for (const auto& r : n.related)
      if (t.find(r)) out += fmt::format(" ;\n  skos:related c:{}", r);
    for (const auto& r : n.replaces) out += fmt::format(" ;\n  dct:replaces c:{}", r);
    out += " .\n";
  }
  return out;
}

std::string to_dot(const Taxonomy& t, const std::string& lang) {
  std::string out = "digraph befus {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n";
  for (const auto& n : t.nodes()) {
    out += fmt::format("  {} [label={}{}];\n", dot_string(n.id), dot_string(Taxonomy::label(n, lang)),
                       n.parent ? "" : ", style=bold");
    if (n.parent) out += fmt::format("  {} -> {};\n", dot_string(t.nodes()[*n.parent].id), dot_string(n.id));
    for (const auto& r : n.related)
      if (n.id < r && t.find(r))
        out += fmt::format("  {} -> {} [style=dashed, dir=none, constraint=false];\n", dot_string(n.id), dot_string(r));
  }
  return out + "}\n";
}

} // namespace befus::taxonomy
