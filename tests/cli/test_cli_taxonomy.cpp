#include "cli_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using befus::test::befus_run;
using befus::test::data;
using befus::test::source;

namespace {
const std::string kb = source("").string();
}

TEST_CASE("cli: taxonomy validate accepts the shipped tree", "[cli][taxonomy]") {
  auto r = befus_run({"--kb", kb, "taxonomy", "validate"});
  CHECK(r.code == 0);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("0 errors"));
}

TEST_CASE("cli: taxonomy validate exits 3 with file:line:col on a broken tree", "[cli][taxonomy]") {
  auto file = data("taxonomy/02-duplicate-id.yaml").string();
  auto r = befus_run({"taxonomy", "validate", file, "--kb", kb});
  CHECK(r.code == 3);
  CHECK_THAT(r.out, Catch::StartsWith(file + ":13:13: error: duplicate id 'youth'"));
}

TEST_CASE("cli: global options work before and after the command", "[cli]") {
  auto before = befus_run({"--kb", kb, "--lang", "fr", "taxonomy", "show", "inclusion", "--depth", "0"});
  auto after = befus_run({"taxonomy", "show", "inclusion", "--depth", "0", "--lang", "fr", "--kb", kb});
  CHECK(before.code == 0);
  CHECK(before.out == after.out);
  CHECK_THAT(before.out, Catch::Contains("Inclusion"));
}

TEST_CASE("cli: taxonomy show finds a node by a label in any language", "[cli][taxonomy]") {
  auto r = befus_run({"--kb", kb, "--format", "json", "taxonomy", "show", "Vrijwillige terugkeer"});
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["nodes"][0]["id"] == "voluntary-return");
  CHECK(j["path"] == nlohmann::json::array({"inclusion", "migrant-inclusion", "voluntary-return"}));
}

TEST_CASE("cli: an unknown theme is a usage error with suggestions", "[cli][taxonomy]") {
  auto r = befus_run({"--kb", kb, "taxonomy", "show", "migrant-inclusoin"});
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("did you mean: migrant-inclusion"));
}

TEST_CASE("cli: taxonomy export json has the stable keys and every node", "[cli][taxonomy]") {
  auto r = befus_run({"--kb", kb, "taxonomy", "export", "--to", "json"});
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.contains("levels"));
  size_t count = 0;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& nodes) {
    for (const auto& n : nodes) {
      for (const char* key : {"id", "label", "alt", "why", "keywords", "related", "replaces", "source", "children"})
        CHECK(n.contains(key));
      ++count;
      walk(n["children"]);
    }
  };
  walk(j["nodes"]);
  auto v = befus_run({"--kb", kb, "--format", "json", "taxonomy", "validate"});
  CHECK(count == nlohmann::json::parse(v.out)["nodes"].get<size_t>());
}

TEST_CASE("cli: taxonomy diff names renames, merges, splits and moves", "[cli][taxonomy]") {
  befus::test::TempDir dir;
  befus::test::write(dir / "old.yaml",
                     "levels: [p, t]\nnodes:\n"
                     "  - {id: a, label: {en: A}, why: {en: x}, children: [{id: a1, label: {en: A1}}, {id: a2, label: {en: A2}}]}\n"
                     "  - {id: b, label: {en: B}, why: {en: x}, children: [{id: b1, label: {en: B1}}, {id: b2, label: {en: B2}}, {id: b3, label: {en: B3}}]}\n");
  befus::test::write(dir / "new.yaml",
                     "levels: [p, t]\nnodes:\n"
                     "  - {id: a, label: {en: Aa}, why: {en: x}, children: [{id: a9, label: {en: A9}, replaces: [a1]}, {id: b1, label: {en: B1}}]}\n"
                     "  - {id: b, label: {en: B}, why: {en: x}, children: [{id: b2, label: {en: B2}, replaces: [a2]},\n"
                     "     {id: b3x, label: {en: B3x}, replaces: [b3]}, {id: b3y, label: {en: B3y}, replaces: [b3]}, {id: c, label: {en: C}}]}\n");
  auto r = befus_run({"--format", "json", "taxonomy", "diff", (dir / "old.yaml").string(), (dir / "new.yaml").string()});
  REQUIRE(r.code == 0);
  std::map<std::string, std::string> kind;
  auto j = nlohmann::json::parse(r.out);
  for (const auto& c : j["changes"]) kind[c["id"].get<std::string>()] += c["kind"].get<std::string>();
  CHECK(kind["a1"] == "renamed");
  CHECK(kind["a2"] == "merged");
  CHECK(kind["b3"] == "split");
  CHECK(kind["b1"] == "moved");
  CHECK(kind["a"] == "relabelled");
  CHECK(kind["c"] == "added");
}

TEST_CASE("cli: init creates a knowledge base that validates", "[cli]") {
  befus::test::TempDir dir;
  auto target = (dir / "kb").string();
  CHECK(befus_run({"init", target}).code == 0);
  CHECK(befus_run({"--kb", target, "taxonomy", "validate"}).code == 0);
  auto again = befus_run({"init", target});
  CHECK(again.code == 2);
  CHECK_THAT(again.err, Catch::Contains("already a knowledge base"));
}

TEST_CASE("cli: usage errors exit 2 and help exits 0", "[cli]") {
  CHECK(befus_run({"no-such-command"}).code == 2);
  CHECK(befus_run({"--format", "yaml", "taxonomy", "show"}).code == 2);
  auto help = befus_run({"taxonomy", "export", "--help"});
  CHECK(help.code == 0);
  CHECK_THAT(help.out, Catch::Contains("rapper"));
  CHECK(befus_run({"--version"}).out.find("befus 0.") == 0);
}

TEST_CASE("cli: a line naming its command parses as with every command set up", "[cli]") {
  // Only the named command is set up; whatever that cannot parse goes through the full set,
  // so messages and help are the same.
  auto bogus = befus_run({"taxonomy", "show", "--bogus"});
  CHECK(bogus.code == 2);
  CHECK_THAT(bogus.err, Catch::Contains("--bogus"));
  auto help = befus_run({"--format", "json", "search", "--help"});
  CHECK(help.code == 0);
  CHECK_THAT(help.out, Catch::Contains("Usage: befus search"));
  // A global option's value that is also a command name is not taken for the command.
  auto shown = befus_run({"--lang", "fr", "--format", "json", "taxonomy", "show"});
  CHECK(shown.code == 0);
  CHECK_THAT(shown.out, Catch::Contains("Vivre ensemble"));
  CHECK(befus_run({"--kb", "show", "taxonomy", "show"}).code != 0);  // no folder called show
}
