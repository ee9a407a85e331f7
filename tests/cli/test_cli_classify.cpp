#include "cli_support.hpp"
#include "unit/test_classify_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using befus::test::befus_run;
using namespace befus::test;
namespace fs = std::filesystem;

namespace {

// A small knowledge base, indexed with its old tree.
struct SmallKb {
  TempDir dir;
  std::string kb;
  SmallKb() : kb(dir.path().string()) {
    make_small_kb(dir.path());
    auto r = befus_run({"--kb", kb, "-q", "index"});
    REQUIRE(r.code == 0);
  }
};

} // namespace

TEST_CASE("cli: classify --unclassified lists suggestions with scores", "[cli][classify]") {
  SmallKb k;
  auto r = befus_run({"--kb", k.kb, "--format", "json", "classify", "--unclassified"});
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["documents"].size() == 1);
  const auto& d = j["documents"][0];
  CHECK(d["id"] == "f");
  CHECK(d["path"] == "corpus/f.md");
  REQUIRE_FALSE(d["suggestions"].empty());
  CHECK(d["suggestions"][0]["id"] == "burglary");
  CHECK(d["suggestions"][0]["path"] == "Safety › Burglary");
  for (const auto& s : d["suggestions"]) {
    CHECK(s["score"].get<double>() > 0);
    CHECK(s["score"].get<double>() <= 1);
    CHECK_FALSE(s.contains("evidence"));
  }
}

TEST_CASE("cli: classify --explain shows words, neighbours and a passage", "[cli][classify]") {
  SmallKb k;
  auto r = befus_run({"--kb", k.kb, "classify", "b", "--explain"});
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("nightlife"));
  CHECK_THAT(r.out, Catch::Contains("words: \"bars\""));
  CHECK_THAT(r.out, Catch::Contains("neighbours: a (") && Catch::Contains(", i ("));
  CHECK_THAT(r.out, Catch::Contains("passage: "));
  CHECK_THAT(r.out, Catch::Contains("lexical "));

  auto j = nlohmann::json::parse(befus_run({"--kb", k.kb, "--format", "json", "classify", "b", "--explain"}).out);
  const auto& ev = j["documents"][0]["suggestions"][0]["evidence"];
  for (const char* key : {"lexical", "neighbours", "inherited", "matches", "voters", "children"}) CHECK(ev.contains(key));
  CHECK(j["documents"][0].contains("passage"));
}

TEST_CASE("cli: classify reads a file that is not indexed yet; an unknown id exits 1", "[cli][classify]") {
  SmallKb k;
  write(k.dir / "corpus/new.md", "---\nlang: en\n---\nPubs and bars open late; the night-time economy grows.\n");
  auto r = befus_run({"--kb", k.kb, "--format", "json", "classify", (k.dir / "corpus/new.md").string()});
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["documents"][0]["suggestions"][0]["id"] == "nightlife");

  auto missing = befus_run({"--kb", k.kb, "classify", "no-such-document"});
  CHECK(missing.code == 1);
  CHECK_THAT(missing.err, Catch::Contains("no document with id 'no-such-document'"));
  auto both = befus_run({"--kb", k.kb, "classify", "no-such-document", "f"});
  CHECK(both.code == 5);
  CHECK(befus_run({"--kb", k.kb, "classify"}).code == 2);
}

TEST_CASE("cli: classify --apply writes accepted themes, updates the index, and can be undone", "[cli][classify]") {
  SmallKb k;
  const std::string before = read(k.dir / "corpus/f.md");
  auto r = befus_run({"--kb", k.kb, "--format", "json", "classify", "--unclassified", "--apply", "--min-score", "0.3"});
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["applied"]["written"] == 1);
  CHECK(j["documents"][0]["added"][0] == "burglary");
  std::string after = read(k.dir / "corpus/f.md");
  CHECK(after.rfind("---\nthemes: [burglary", 0) == 0);
  CHECK(after.substr(after.find("---\n", 4) + 4) == before);  // the body is untouched

  // The index knows: nothing is unclassified any more.
  auto again = nlohmann::json::parse(befus_run({"--kb", k.kb, "--format", "json", "classify", "--unclassified"}).out);
  CHECK(again["documents"].empty());

  auto undo = befus_run({"--kb", k.kb, "reclassify", "--undo"});
  CHECK(undo.code == 0);
  CHECK_THAT(undo.out, Catch::Contains("1 file restored"));
  CHECK(read(k.dir / "corpus/f.md") == before);

  // A high bar accepts nothing and writes nothing.
  auto none = befus_run({"--kb", k.kb, "classify", "--unclassified", "--apply", "--min-score", "1"});
  CHECK(none.code == 0);
  CHECK_THAT(none.out, Catch::Contains("added: nothing"));
  CHECK(read(k.dir / "corpus/f.md") == before);
}

TEST_CASE("cli: reclassify --dry-run shows a diff per document and writes nothing", "[cli][reclassify]") {
  SmallKb k;
  use_new_tree(k.dir.path());
  auto before = snapshot(k.dir.path());
  auto r = befus_run({"--kb", k.kb, "reclassify"});
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("-themes: [youth-work, nightlife]  # filed by hand\n+themes: [youth-outreach, nightlife]  # filed by hand"));
  CHECK_THAT(r.out, Catch::Contains("drugs -> drug-care (split, score"));
  CHECK_THAT(r.out, Catch::Contains("old-topic: removed"));
  CHECK_THAT(r.out, Catch::Contains("9 documents checked, 6 files to change (dry run"));
  CHECK_THAT(r.out, Catch::Contains("left without a theme (2):\n  corpus/d.md\n  corpus/f.md"));
  CHECK(snapshot(k.dir.path()) == before);
  CHECK(befus_run({"--kb", k.kb, "reclassify", "--dry-run"}).out == r.out);
  CHECK(befus_run({"--kb", k.kb, "reclassify", "--dry-run", "--apply"}).code == 2);
}

TEST_CASE("cli: reclassify and taxonomy diff agree on what moved", "[cli][reclassify]") {
  SmallKb k;
  use_new_tree(k.dir.path());
  auto diff = nlohmann::json::parse(befus_run({"--kb", k.kb, "--format", "json", "taxonomy", "diff",
                                               data("classify/tree-old.yaml").string(),
                                               data("classify/tree-new.yaml").string()})
                                        .out);
  auto re = nlohmann::json::parse(befus_run({"--kb", k.kb, "--format", "json", "reclassify"}).out);
  std::map<std::string, std::pair<std::string, nlohmann::json>> from_diff, from_reclassify;
  for (const auto& c : diff["changes"])
    from_diff[c["id"]] = {c["kind"], c["kind"] == "removed" ? nlohmann::json::array() : c["targets"]};
  for (const auto& m : re["moves"]) from_reclassify[m["id"]] = {m["kind"], m["targets"]};
  CHECK(from_reclassify == from_diff);
  CHECK(re["dry_run"] == true);
  CHECK(re["changed"] == 6);
}

TEST_CASE("cli: reclassify --apply, then --undo; nothing to undo exits 1", "[cli][reclassify]") {
  SmallKb k;
  use_new_tree(k.dir.path());
  auto before = snapshot(k.dir.path());
  auto r = befus_run({"--kb", k.kb, "--format", "json", "reclassify", "--apply"});
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["written"] == 6);
  CHECK(j["dry_run"] == false);
  CHECK(fs::exists(k.dir / j["undo"].get<std::string>()));
  for (const auto& [path, text] : small_expected()) CHECK(read(k.dir / path) == text);
  // The index was updated in the same run: the renamed theme is searchable.
  auto s = nlohmann::json::parse(befus_run({"--kb", k.kb, "--format", "json", "search", "--theme", "youth-outreach"}).out);
  CHECK(s["total"] == 2);

  CHECK(befus_run({"--kb", k.kb, "reclassify", "--undo"}).code == 0);
  CHECK(snapshot(k.dir.path()) == before);
  auto none = befus_run({"--kb", k.kb, "reclassify", "--undo"});
  CHECK(none.code == 1);
  CHECK_THAT(none.err, Catch::Contains("undone already"));
}

TEST_CASE("cli: evaluate prints the figures beside the baseline", "[cli][evaluate]") {
  TempDir dir;
  copy_repository_kb(dir.path());
  std::string kb = dir.path().string();
  REQUIRE(befus_run({"--kb", kb, "-q", "index"}).code == 0);
  auto r = befus_run({"--kb", kb, "--format", "json", "evaluate"});
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["documents"] == 62);
  CHECK(j["folds"] == 5);
  for (const char* key : {"p@1", "p@3", "p@5", "r@5", "f1@1", "f1@3", "f1@5", "ndcg@5", "hf1@5"}) {
    INFO(key);
    REQUIRE(j["metrics"].contains(key));
    REQUIRE(j["baseline"].contains(key));
  }
  // Every kind of evidence together beats matching the labels alone.
  CHECK(j["metrics"]["ndcg@5"].get<double>() > j["baseline"]["ndcg@5"].get<double>());
  CHECK(j["metrics"]["f1@3"].get<double>() > j["baseline"]["f1@3"].get<double>());
  CHECK(j["metrics"]["hf1@5"].get<double>() > j["baseline"]["hf1@5"].get<double>());

  auto text = befus_run({"--kb", kb, "evaluate", "--per-theme", "--folds", "3"});
  REQUIRE(text.code == 0);
  CHECK_THAT(text.out, Catch::Contains("(baseline)"));
  CHECK_THAT(text.out, Catch::Contains("hf1@5"));
  CHECK_THAT(text.out, Catch::Contains("3-fold"));
  CHECK_THAT(text.out, Catch::Contains("Per theme"));
}

TEST_CASE("cli: classify, evaluate and reclassify explain themselves in --help", "[cli][classify]") {
  const std::map<std::string, std::string> example = {{"classify", "befus classify --unclassified --apply --min-score"},
                                                       {"evaluate", "befus evaluate --per-theme"},
                                                       {"reclassify", "befus reclassify --undo"}};
  for (const auto& [cmd, line] : example) {
    auto r = befus_run({cmd, "--help"});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("Examples:") && Catch::Contains(line));
  }
}
