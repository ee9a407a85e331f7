#include "cli_support.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

using befus::test::befus_run;
using befus::test::TempDir;

namespace {

namespace fs = std::filesystem;

// The shipped tree with the small ingest corpus.
struct CliKb {
  TempDir dir;
  std::string root;
  CliKb() {
    befus::test::copy_kb(dir.path(), befus::test::data("ingest/corpus"));
    root = dir.path().string();
  }
  befus::test::Result run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--kb", root, "-q"});
    return befus_run(args);
  }
};

} // namespace

TEST_CASE("cli: import reports each rejected record with file, line, id and reasons", "[cli][import]") {
  CliKb k;
  std::string file = befus::test::data("ingest/mixed.csv").string();
  auto r = k.run({"import", file});
  CHECK(r.code == 5);
  CHECK(r.out.find(file + ":7: rejected 'charleroi-cohesion': themes: unknown theme 'cohesion-sociale'\n") !=
        std::string::npos);
  CHECK(r.out.find(file + ":11: rejected 'stray-quote': record: malformed CSV on line 11") != std::string::npos);
  CHECK(r.out.find("3 added, 0 updated, 0 unchanged, 4 rejected (into corpus/imported)\n") != std::string::npos);
  CHECK(r.out.find("index: 3 added") != std::string::npos);

  auto again = k.run({"import", file, "--format", "json"});
  CHECK(again.code == 5);
  auto j = nlohmann::json::parse(again.out);
  CHECK(j["added"] == 0);
  CHECK(j["updated"] == 0);
  CHECK(j["unchanged"] == 3);
  CHECK(j["rejected"] == 4);
  CHECK(j["dry_run"] == false);
  REQUIRE(j["rejections"].size() == 4);
  CHECK(j["rejections"][0]["line"] == 7);
  CHECK(j["rejections"][0]["id"] == "charleroi-cohesion");
  CHECK(j["rejections"][0]["reasons"][0] == "themes: unknown theme 'cohesion-sociale'");
}

TEST_CASE("cli: import exit codes", "[cli][import]") {
  CliKb k;
  befus::test::write(k.dir / "good.jsonl", "{\"id\":\"a\",\"title\":\"A\",\"body\":\"Tekst.\"}\n");
  CHECK(k.run({"import", (k.dir / "good.jsonl").string()}).code == 0);
  auto strict = k.run({"import", befus::test::data("ingest/mixed.jsonl").string(), "--strict"});
  CHECK(strict.code == 3);
  CHECK(strict.out.find("--strict: nothing was written or indexed") != std::string::npos);
  auto dry = k.run({"import", befus::test::data("ingest/mixed.jsonl").string(), "--dry-run", "--format", "json"});
  CHECK(dry.code == 5);
  CHECK(nlohmann::json::parse(dry.out)["dry_run"] == true);
  CHECK(k.run({"import", (k.dir / "missing.jsonl").string()}).code == 3);
  befus::test::write(k.dir / "records.txt", "{}\n");
  auto unknown = k.run({"import", (k.dir / "records.txt").string()});
  CHECK(unknown.code == 2);
  CHECK(unknown.err.find("use --from jsonl|csv") != std::string::npos);
  CHECK(k.run({"import", (k.dir / "records.txt").string(), "--from", "jsonl"}).code == 5);
  CHECK(k.run({"import", (k.dir / "good.jsonl").string(), "--from", "xml"}).code == 2);
  CHECK(k.run({"import", (k.dir / "good.jsonl").string(), "--format", "csv"}).code == 2);
  CHECK(k.run({"import", (k.dir / "good.jsonl").string(), "--into", "/tmp"}).code == 2);
}

TEST_CASE("cli: export writes JSON Lines or CSV, and refuses json", "[cli][import]") {
  CliKb k;
  REQUIRE(k.run({"index"}).code == 0);
  auto jsonl = k.run({"export"});
  CHECK(jsonl.code == 0);
  // hand-written.md is exactly what import would write (its extra key included): it travels with its body.
  CHECK(jsonl.out.find("{\"id\":\"hand-written\",\"title\":\"Met de hand geschreven\",\"lang\":\"nl\",\"body\":") !=
        std::string::npos);
  CHECK(jsonl.out.find("{\"id\":\"verslag\",\"title\":\"Verslag\",\"lang\":\"nl\",\"path\":\"corpus/nl/verslag.txt\"}\n") !=
        std::string::npos);
  auto csv = k.run({"export", "--format", "csv"});
  CHECK(csv.code == 0);
  CHECK(csv.out.rfind("id,title,lang,year,type,partners,themes,why,url,problem,mechanism,evidence,target,body,path\n", 0) == 0);
  CHECK(k.run({"export", "--format", "json"}).code == 2);
  auto theme = k.run({"export", "--theme", "social-cohesio"});
  CHECK(theme.code == 2);
  CHECK(theme.err.find("did you mean: social-cohesion") != std::string::npos);
  CHECK(k.run({"export", "--theme", "Sociale cohesie"}).code == 0);
}

TEST_CASE("cli: export without an index says how to make one", "[cli][import]") {
  CliKb k;
  auto r = k.run({"export"});
  CHECK(r.code == 4);
  CHECK(r.err.find("befus index") != std::string::npos);
}

TEST_CASE("cli: import and export explain themselves", "[cli][import]") {
  auto imp = befus_run({"import", "--help"});
  CHECK(imp.code == 0);
  CHECK(imp.out.find("--strict") != std::string::npos);
  CHECK(imp.out.find("Examples:") != std::string::npos);
  auto exp = befus_run({"export", "--help"});
  CHECK(exp.code == 0);
  CHECK(exp.out.find("--theme") != std::string::npos);
}
