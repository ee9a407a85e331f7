#include "befus/taxonomy.hpp"

#include "befus/fs.hpp"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

namespace befus::taxonomy {

namespace {

constexpr int k_cache_version = 1;

// The three files' stamps: a cache made from other versions of them is never used.
std::string key_of(const Sources& s) {
  std::string key = fmt::format("v{}", k_cache_version);
  for (const auto* p : {&s.tree, &s.actors, &s.funding}) {
    auto st = p->empty() ? std::nullopt : util::stamp(*p);
    key += "|" + p->string() + "=" + (st ? st->to_string() : "-");
  }
  for (const auto& l : s.languages) key += "|" + l;
  return key;
}

nlohmann::json encode(const Taxonomy& t, const std::string& key) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : t.nodes())
    nodes.push_back({{"id", n.id}, {"label", n.label}, {"alt", n.alt}, {"why", n.why}, {"keywords", n.keywords},
                     {"related", n.related}, {"replaces", n.replaces}, {"source", n.source}, {"depth", n.depth},
                     {"parent", n.parent ? static_cast<long>(*n.parent) : -1}});
  nlohmann::json actors = nlohmann::json::array();
  for (const auto& a : t.actors())
    actors.push_back({{"id", a.id}, {"name", a.name}, {"names", a.names}, {"kind", a.kind},
                      {"languages", a.languages}, {"url", a.url}});
  nlohmann::json programmes = nlohmann::json::array();
  for (const auto& p : t.programmes())
    programmes.push_back({{"id", p.id}, {"name", p.name}, {"funder", p.funder}, {"cofunders", p.cofunders},
                          {"budget_eur", p.budget_eur}, {"staff", p.staff}, {"year", p.year}, {"themes", p.themes},
                          {"note", p.note}});
  return {{"key", key},       {"levels", t.levels()}, {"scheme", t.scheme_id()}, {"title", t.title()},
          {"nodes", nodes},   {"actors", actors},     {"programmes", programmes}};
}

Taxonomy decode(const nlohmann::json& j) {
  Taxonomy t;
  t.set_levels(j.at("levels").get<std::vector<std::string>>());
  t.set_scheme(j.at("scheme").get<std::string>(), j.at("title").get<LangText>());
  for (const auto& n : j.at("nodes")) {
    Node node;
    node.id = n.at("id").get<std::string>();
    node.label = n.at("label").get<LangText>();
    node.alt = n.at("alt").get<LangList>();
    node.why = n.at("why").get<LangText>();
    node.keywords = n.at("keywords").get<LangList>();
    node.related = n.at("related").get<std::vector<std::string>>();
    node.replaces = n.at("replaces").get<std::vector<std::string>>();
    node.source = n.at("source").get<std::string>();
    node.depth = n.at("depth").get<int>();
    long parent = n.at("parent").get<long>();
    if (parent >= 0) node.parent = static_cast<size_t>(parent);
    t.add_node(std::move(node));
  }
  for (const auto& a : j.at("actors")) {
    Actor actor;
    actor.id = a.at("id").get<std::string>();
    actor.name = a.at("name").get<std::string>();
    actor.names = a.at("names").get<LangText>();
    actor.kind = a.at("kind").get<std::string>();
    actor.languages = a.at("languages").get<std::vector<std::string>>();
    actor.url = a.at("url").get<std::string>();
    t.add_actor(std::move(actor));
  }
  for (const auto& p : j.at("programmes")) {
    Programme prog;
    prog.id = p.at("id").get<std::string>();
    prog.name = p.at("name").get<LangText>();
    prog.funder = p.at("funder").get<std::string>();
    prog.cofunders = p.at("cofunders").get<std::vector<std::string>>();
    prog.budget_eur = p.at("budget_eur").get<double>();
    prog.staff = p.at("staff").get<long>();
    prog.year = p.at("year").get<int>();
    prog.themes = p.at("themes").get<std::vector<std::string>>();
    prog.note = p.at("note").get<LangText>();
    t.add_programme(std::move(prog));
  }
  t.finish();
  return t;
}

} // namespace

Taxonomy load_cached(const Sources& sources, const std::filesystem::path& cache) {
  std::string key = key_of(sources);
  std::error_code ec;
  if (!cache.empty() && std::filesystem::is_regular_file(cache, ec)) {
    try {
      std::string bytes = util::read_file(cache, 64u << 20);
      nlohmann::json j = nlohmann::json::from_cbor(bytes);
      if (j.value("key", "") == key) return decode(j);
    } catch (const std::exception&) {
      // A damaged or foreign cache is ignored and rewritten below.
    }
  }
  Taxonomy t = load_or_throw(sources);
  if (!cache.empty()) {
    try {
      std::filesystem::create_directories(cache.parent_path(), ec);
      std::vector<std::uint8_t> bytes = nlohmann::json::to_cbor(encode(t, key));
      util::write_file_atomic(cache, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    } catch (const std::exception&) {
      // A read-only knowledge base simply goes without the cache.
    }
  }
  return t;
}

} // namespace befus::taxonomy
