#include "befus/taxonomy.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace befus;
using befus::test::data;

namespace {

taxonomy::LoadResult load_tree(const std::string& name) {
  taxonomy::Sources s;
  s.tree = data("taxonomy/" + name);
  return taxonomy::load(s);
}

// The first error's location and message.
const taxonomy::Diagnostic& first_error(const taxonomy::LoadResult& r) {
  for (const auto& d : r.diagnostics)
    if (d.severity == taxonomy::Diagnostic::Severity::error) return d;
  FAIL("no error reported");
  throw;
}

} // namespace

TEST_CASE("taxonomy: loads a small tree with levels, paths and look-ups", "[taxonomy]") {
  auto r = load_tree("small.yaml");
  REQUIRE(r.ok());
  const auto& t = r.taxonomy;
  CHECK(t.nodes().size() == 6);
  const auto* vr = t.find("voluntary-return");
  REQUIRE(vr);
  CHECK(t.level_name(*vr) == "subtheme");
  auto path = t.path(*vr);
  REQUIRE(path.size() == 3);
  CHECK(path[0]->id == "inclusion");
  CHECK(path[1]->id == "migrant-inclusion");
  CHECK(t.pillar(*vr).id == "inclusion");
  CHECK(t.subtree(*t.find("inclusion")).size() == 4);
  CHECK(t.resolve("Retour volontaire") == vr);
  CHECK(t.resolve("retour VOLONTAIRE") == vr);
  CHECK(t.resolve("nieuwkomers")->id == "migrant-inclusion");
  CHECK(t.resolve("no such thing") == nullptr);
  CHECK(taxonomy::Taxonomy::label(*vr, "nl") == "Vrijwillige terugkeer");
  CHECK(t.hash().size() == 16);
}

TEST_CASE("taxonomy: the hash changes with content, not with formatting", "[taxonomy]") {
  befus::test::TempDir dir;
  auto base = befus::test::read(data("taxonomy/small.yaml"));
  befus::test::write(dir / "a.yaml", base);
  befus::test::write(dir / "b.yaml", "# a comment\n" + base);
  std::string changed = base;
  changed.replace(changed.find("Radicalisering"), 14, "Radicalisatie");
  befus::test::write(dir / "c.yaml", changed);
  auto h = [&](const char* f) {
    taxonomy::Sources s;
    s.tree = dir / f;
    return taxonomy::load(s).taxonomy.hash();
  };
  CHECK(h("a.yaml") == h("b.yaml"));
  CHECK(h("a.yaml") != h("c.yaml"));
}

TEST_CASE("taxonomy: each broken file is reported at the right place", "[taxonomy]") {
  struct Case {
    const char* file;
    int line, column;
    const char* says;
  };
  auto c = GENERATE(values<Case>({
      {"01-syntax.yaml", 5, 8, "end of map flow not found"},
      {"02-duplicate-id.yaml", 13, 13, "duplicate id 'youth' (first defined at"},
      {"03-bad-slug.yaml", 3, 9, "is not a slug"},
      {"04-unknown-related.yaml", 6, 14, "unknown id 'no-such-node'"},
      {"05-replaces-live.yaml", 11, 19, "still a live node"},
      {"06-too-deep.yaml", 10, 17, "deeper than the 2 declared levels"},
      {"07-duplicate-label.yaml", 10, 16, "is also the label of 'youth'"},
      {"08-pillar-without-why.yaml", 3, 9, "has no 'why'"},
      {"09-missing-label.yaml", 3, 5, "has no 'label'"},
      {"10-deep-nesting.yaml", 1, 108, "nesting deeper than"},
      {"11-invalid-utf8.yaml", 4, 1, "invalid UTF-8"},
  }));
  CAPTURE(c.file);
  auto r = load_tree(c.file);
  CHECK_FALSE(r.ok());
  const auto& d = first_error(r);
  CHECK(d.where.file == data(std::string("taxonomy/") + c.file).string());
  CHECK(d.where.line == c.line);
  CHECK(d.where.column == c.column);
  CHECK_THAT(d.message, Catch::Contains(c.says));
}

TEST_CASE("taxonomy: every problem is reported, not just the first", "[taxonomy]") {
  befus::test::TempDir dir;
  befus::test::write(dir / "t.yaml",
                     "levels: [phenomenon]\n"
                     "nodes:\n"
                     "  - id: Bad Id\n"
                     "    label: {en: A}\n"
                     "  - id: b\n"
                     "    label: {en: B}\n"
                     "    related: [nowhere]\n");
  taxonomy::Sources s;
  s.tree = dir / "t.yaml";
  auto r = taxonomy::load(s);
  int errors = 0, warnings = 0;
  for (const auto& d : r.diagnostics) (d.severity == taxonomy::Diagnostic::Severity::error ? errors : warnings)++;
  CHECK(errors == 4);     // bad slug, two pillars without why, unknown related
  CHECK(warnings == 4);   // missing nl and fr labels on both nodes
}

TEST_CASE("taxonomy: exponential aliases do not blow up", "[taxonomy]") {
  auto r = load_tree("12-billion-laughs.yaml");
  CHECK_FALSE(r.ok());
}

TEST_CASE("taxonomy: actors and programmes are checked against each other", "[taxonomy]") {
  befus::test::TempDir dir;
  befus::test::write(dir / "actors.yaml",
                     "actors:\n  - {id: befus, name: BeFUS, kind: network}\n  - {id: x, name: X, kind: alien}\n");
  befus::test::write(dir / "funding.yaml",
                     "programmes:\n"
                     "  - {id: p1, name: {en: P1}, funder: nobody, budget_eur: 10, themes: [inclusion]}\n"
                     "  - {id: p2, name: {en: P2}, funder: befus, budget_eur: lots, themes: [nothing]}\n");
  taxonomy::Sources s{data("taxonomy/small.yaml"), dir / "actors.yaml", dir / "funding.yaml"};
  auto r = taxonomy::load(s);
  std::vector<std::string> messages;
  for (const auto& d : r.diagnostics)
    if (d.severity == taxonomy::Diagnostic::Severity::error) messages.push_back(d.to_string());
  REQUIRE(messages.size() == 4);
  CHECK_THAT(messages[0], Catch::Contains("actors.yaml:3:") && Catch::Contains("kind 'alien'"));
  CHECK_THAT(messages[1], Catch::Contains("funding.yaml:2:") && Catch::Contains("unknown funder 'nobody'"));
  CHECK_THAT(messages[2], Catch::Contains("'budget_eur' must be a number"));
  CHECK_THAT(messages[3], Catch::Contains("unknown theme 'nothing'"));
}

TEST_CASE("taxonomy: the compiled cache gives the same tree and follows edits", "[taxonomy]") {
  befus::test::TempDir dir;
  befus::test::write(dir / "t.yaml", befus::test::read(data("taxonomy/small.yaml")));
  taxonomy::Sources s;
  s.tree = dir / "t.yaml";
  auto cache = dir / "cache" / "taxonomy.cache";
  auto direct = taxonomy::load_or_throw(s);
  auto first = taxonomy::load_cached(s, cache);
  REQUIRE(std::filesystem::exists(cache));
  auto second = taxonomy::load_cached(s, cache);
  CHECK(first.hash() == direct.hash());
  CHECK(second.hash() == direct.hash());
  CHECK(second.nodes().size() == direct.nodes().size());
  CHECK(second.path(*second.find("voluntary-return")).front()->id == "inclusion");
  CHECK(second.resolve("nieuwkomers")->id == "migrant-inclusion");
  // An edit (new size and time) must not be hidden by the cache.
  befus::test::write(dir / "t.yaml", befus::test::read(data("taxonomy/small.yaml")) + "# edited\n" +
                                         "  - id: extra\n    label: {en: Extra}\n    why: {en: x}\n");
  CHECK(taxonomy::load_cached(s, cache).find("extra") != nullptr);
  befus::test::write(cache, "not a cache at all");
  CHECK(taxonomy::load_cached(s, cache).find("extra") != nullptr);
  // A cache cut short (a full disk, say) is rebuilt, never half-read.
  std::string whole = befus::test::read(cache);
  befus::test::write(cache, whole.substr(0, whole.size() / 2));
  auto rebuilt = taxonomy::load_cached(s, cache);
  CHECK(rebuilt.find("extra") != nullptr);
  CHECK(rebuilt.hash() == taxonomy::load_or_throw(s).hash());
  CHECK(befus::test::read(cache) == whole);
}

TEST_CASE("taxonomy: an outline from the cache has labels and shape, and nothing it leaves out", "[taxonomy]") {
  befus::test::TempDir dir;
  taxonomy::Sources s{befus::test::source("taxonomy/befus.yaml"), befus::test::source("taxonomy/actors.yaml"),
                      befus::test::source("taxonomy/funding.yaml")};
  auto cache = dir / "taxonomy.cache";
  // Without a cache the files are read whole, whatever was asked.
  auto whole = taxonomy::load_cached(s, cache, taxonomy::Detail::outline);
  CHECK_FALSE(whole.is_outline());
  REQUIRE_FALSE(whole.programmes().empty());
  auto outline = taxonomy::load_cached(s, cache, taxonomy::Detail::outline);
  CHECK(outline.is_outline());
  CHECK(outline.hash() == whole.hash());
  CHECK(outline.label_index() == whole.label_index());
  CHECK(outline.longest_label() == whole.longest_label());
  CHECK(outline.levels() == whole.levels());
  REQUIRE(outline.nodes().size() == whole.nodes().size());
  for (size_t i = 0; i < whole.nodes().size(); ++i) {
    const auto& o = outline.nodes()[i];
    const auto& w = whole.nodes()[i];
    CHECK(o.id == w.id);
    CHECK(o.label == w.label);
    CHECK(o.alt == w.alt);
    CHECK(o.parent == w.parent);
    CHECK(o.children == w.children);
    CHECK(o.depth == w.depth);
    CHECK((o.why.empty() && o.keywords.empty() && o.related.empty() && o.source.empty()));
  }
  REQUIRE(outline.actors().size() == whole.actors().size());
  for (size_t i = 0; i < whole.actors().size(); ++i) {
    CHECK(outline.actors()[i].id == whole.actors()[i].id);
    CHECK(outline.actors()[i].names == whole.actors()[i].names);
    CHECK(outline.actors()[i].url.empty());
  }
  CHECK(outline.programmes().empty());
  // Look-ups by id and label work the same.
  CHECK(outline.resolve("Sentiment d'insécurité")->id == whole.resolve("Sentiment d'insécurité")->id);
  CHECK(outline.find_label("onveiligheidsgevoel") == whole.find_label("onveiligheidsgevoel"));
  CHECK_FALSE(outline.find_label("no such label"));
  CHECK(std::is_sorted(whole.label_index().begin(), whole.label_index().end()));
  // A whole load from the same cache is whole.
  auto again = taxonomy::load_cached(s, cache);
  CHECK_FALSE(again.is_outline());
  CHECK(again.nodes().front().why == whole.nodes().front().why);
  CHECK(again.programmes().size() == whole.programmes().size());
  // A cache whose label index is out of order is not trusted: rebuilt from the files. (The index
  // comes last but for the hash, so the last copy of the first label is its entry there.)
  std::string bytes = befus::test::read(cache);
  auto at = bytes.rfind(whole.label_index().front().first);
  REQUIRE(at != std::string::npos);
  std::string damaged = bytes;
  damaged[at] = '~';  // after every folded letter: now greater than the second label
  befus::test::write(cache, damaged);
  CHECK(taxonomy::load_cached(s, cache, taxonomy::Detail::outline).label_index() == whole.label_index());
  CHECK(befus::test::read(cache) == bytes);
}
