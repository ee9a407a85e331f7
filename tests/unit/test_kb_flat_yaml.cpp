#include "kb/flat_yaml.hpp"

#include "befus/error.hpp"
#include "befus/kb.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

using befus::kb::flat_yaml::parse;

namespace {

std::vector<std::string> items(const befus::kb::flat_yaml::Map& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::vector<std::string>{"<none>"} : it->second.items;
}

// A byte-order mark keeps a file out of the flat reader; yaml-cpp skips it.
constexpr const char* k_bom = "\xEF\xBB\xBF";

} // namespace

TEST_CASE("flat yaml: reads the knowledge base's own config", "[kb]") {
  std::ifstream in(befus::test::source("befus.yaml"), std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto m = parse(text);
  REQUIRE(m);
  CHECK(items(*m, "taxonomy") == std::vector<std::string>{"taxonomy/befus.yaml"});
  CHECK(items(*m, "languages") == std::vector<std::string>{"nl", "fr", "en"});
  CHECK(m->at("languages").list);
  CHECK_FALSE(m->at("taxonomy").list);
}

TEST_CASE("flat yaml: comments, blank lines, spacing and URLs", "[kb]") {
  auto m = parse("# top\n\ntaxonomy:   t.yaml   # the tree\n  # indented comment\n"
                 "index: tcp://host:33333\ncorpus: [ a , b/c ]\nlanguages: []\n");
  REQUIRE(m);
  CHECK(items(*m, "taxonomy") == std::vector<std::string>{"t.yaml"});
  CHECK(items(*m, "index") == std::vector<std::string>{"tcp://host:33333"});
  CHECK(items(*m, "corpus") == std::vector<std::string>{"a", "b/c"});
  CHECK(m->at("languages").items.empty());
  CHECK(m->at("languages").list);
}

TEST_CASE("flat yaml: anything beyond key: word and key: [words] is left to yaml-cpp", "[kb]") {
  for (const char* text : {"", "# only a comment\n", "taxonomy: \"quoted\"\n", "taxonomy: 'quoted'\n",
                           "corpus:\n  - a\n", "corpus:\n- a\n", "index:\n", "index: null\n", "index: ~\n",
                           "index: a b\n", "index: a:\n", "index:x\n", "index : x\n", "a: x\na: y\n",
                           "languages: [nl, fr\n", "languages: [nl,]\n", "languages: [nl, [fr]]\n",
                           "languages: [a:b]\n", "corpus: {a: b}\n", "taxonomy: t\tx\n", "taxonomy: t\r\n",
                           "taxonomy: documentën\n", "---\ntaxonomy: t\n", "%YAML 1.2\n---\na: b\n",
                           "taxonomy: &a t\n", "taxonomy: *a\n", "taxonomy: !!str t\n", "taxonomy: -t\n",
                           "taxonomy: a#b\n", "? taxonomy\n: t\n", "taxonomy: |\n  t\n", "- a\n", "  a: b\n"}) {
    CAPTURE(text);
    CHECK_FALSE(parse(text));
  }
}

TEST_CASE("flat yaml: read_config gives what yaml-cpp gives", "[kb]") {
  befus::test::TempDir dir;
  for (std::string text : {"taxonomy: taxonomy/befus.yaml\nactors: taxonomy/actors.yaml\nfunding: f.yaml\n"
                           "corpus: [corpus, more/docs]\nindex: .befus/index\nlanguages: [nl, fr, en]\n",
                           "corpus: docs\nlanguages: nl\n", "index: tcp://localhost:33333\ncorpus: []\n",
                           "languages: [de]\nunknown: [x, y]\n", "taxonomy: ./t/../tree.yaml # moved\n"}) {
    CAPTURE(text);
    REQUIRE(parse(text));
    befus::test::write(dir / "befus.yaml", text);
    auto flat = befus::kb::read_config(dir.path());
    befus::test::write(dir / "befus.yaml", k_bom + text);
    auto full = befus::kb::read_config(dir.path());
    CHECK(flat.root == full.root);
    CHECK(flat.taxonomy == full.taxonomy);
    CHECK(flat.actors == full.actors);
    CHECK(flat.funding == full.funding);
    CHECK(flat.corpus == full.corpus);
    CHECK(flat.index == full.index);
    CHECK(flat.languages == full.languages);
  }
}

TEST_CASE("flat yaml: a bad or cut-off config still gets yaml-cpp's message and place", "[kb]") {
  befus::test::TempDir dir;
  befus::test::write(dir / "befus.yaml", "taxonomy: t.yaml\nlanguages: [nl, fra]\n");
  try {
    befus::kb::read_config(dir.path());
    FAIL("no error");
  } catch (const befus::DataError& e) {
    CHECK(std::string(e.what()).find("two-letter") != std::string::npos);
    CHECK(e.where().line == 2);
  }
  befus::test::write(dir / "befus.yaml", "taxonomy: [t.yaml]\n");
  CHECK_THROWS_AS(befus::kb::read_config(dir.path()), befus::DataError);
  befus::test::write(dir / "befus.yaml", "taxonomy: t.yaml\nlanguages: [nl, f");
  CHECK_THROWS_AS(befus::kb::read_config(dir.path()), befus::DataError);
  befus::test::write(dir / "befus.yaml", "corpus: [../outside]\n");
  CHECK_THROWS_AS(befus::kb::read_config(dir.path()), befus::DataError);
}
