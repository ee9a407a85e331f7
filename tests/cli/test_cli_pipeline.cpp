// The end-to-end run: the real tree and sample corpus, indexed into a fresh database, then
// checked against a table of expected results and against each other (together vs search).
#include "cli_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <set>
#include <xapian.h>

using befus::test::befus_run;
using befus::test::source;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// One copy of the knowledge base, indexed once for every test in this file.
const std::string& kb() {
  static befus::test::TempDir dir;
  static std::string path = [] {
    befus::test::copy_kb(dir.path());
    auto r = befus_run({"--kb", dir.path().string(), "--quiet", "index"});
    if (r.code != 0) throw std::runtime_error("indexing the sample corpus failed: " + r.out + r.err);
    return dir.path().string();
  }();
  return path;
}

json run_json(std::vector<std::string> args) {
  args.insert(args.begin(), {"--kb", kb(), "--format", "json"});
  auto r = befus_run(args);
  INFO(r.err);
  REQUIRE((r.code == 0 || r.code == 1));
  return json::parse(r.out);
}

std::set<std::string> hit_ids(const json& j) {
  std::set<std::string> out;
  for (const auto& h : j["hits"]) out.insert(h["id"].get<std::string>());
  return out;
}

} // namespace

TEST_CASE("pipeline: every sample document is indexed and a second run changes nothing", "[pipeline]") {
  auto again = run_json({"index"});
  CHECK(again["added"] == 0);
  CHECK(again["updated"] == 0);
  CHECK(again["failed"] == 0);
  CHECK(again["unchanged"].get<int>() >= 72);
  auto status = run_json({"status"});
  CHECK(status["documents"] == again["unchanged"]);
  for (const char* lang : {"nl", "fr", "en"}) CHECK(status["by_lang"][lang].get<int>() >= 15);
}

TEST_CASE("pipeline: a small --batch commits often and indexes the same documents", "[pipeline]") {
  auto db = fs::path(kb()) / ".befus" / "batch-test";
  auto r = befus_run({"--kb", kb(), "--db", db.string(), "--format", "json", "index", "--batch", "5"});
  REQUIRE(r.code == 0);
  auto small = json::parse(r.out);
  CHECK(small["added"] == run_json({"status"})["documents"]);
  CHECK(befus_run({"--kb", kb(), "index", "--batch", "0"}).code == 2);
  fs::remove_all(db);
}

TEST_CASE("pipeline: queries find the documents they must and not those they must not", "[pipeline]") {
  struct Row {
    std::vector<std::string> args;
    const char* must;
    const char* must_not;
  };
  auto row = GENERATE(values<Row>({
      {{"search", "onveiligheidsgevoel", "--limit", "50"}, "sentiment-insecurite-medias-2008-fr", ""},
      {{"search", "onveiligheidsgevoel", "--limit", "50", "--no-expand"}, "onveiligheidsgevoel-media-2008", "sentiment-insecurite-medias-2008-fr"},
      {{"search", "securite", "--lang", "fr", "--limit", "50"}, "contrats-securite-histoire-fr", ""},
      {{"search", "violences conjugales", "--limit", "50"}, "mechelen-ketenaanpak-partnergeweld", ""},
      {{"search", "--theme", "rehabilitation-and-victims", "--limit", "100"}, "liege-violences-conjugales-referents-fr", "onveiligheidsgevoel-media-2008"},
      {{"search", "--theme", "inclusion", "--limit", "100"}, "gent-begeleiding-vrijwillige-terugkeer", "molenbeek-livc-radicalisering"},
      {{"search", "media", "year:2005..2009", "--limit", "50"}, "onveiligheidsgevoel-media-2008", "secunews-disinformation-local-security-en"},
      {{"search", "--partner", "citizenlab", "--limit", "50"}, "citizenlab-digital-participation-safety-en", "programma-svpp"},
      {{"search", "nachtleven", "--limit", "50"}, "liege-vie-nocturne-label-fr", ""},
  }));
  CAPTURE(row.args);
  auto ids = hit_ids(run_json(row.args));
  CHECK(ids.count(row.must) == 1);
  if (*row.must_not) CHECK(ids.count(row.must_not) == 0);
}

TEST_CASE("pipeline: label terms reach the documents that the labels reach word by word", "[pipeline]") {
  // A second index of the same corpus that says it was made with another tree: search cannot
  // trust its XLABEL: terms and asks for every label's words instead.
  auto db = fs::path(kb()) / ".befus" / "words-test";
  REQUIRE(befus_run({"--kb", kb(), "--db", db.string(), "--quiet", "index"}).code == 0);
  {
    Xapian::WritableDatabase w(db.string());
    w.set_metadata("befus:taxonomy", "an older tree");
    w.commit();
  }
  for (const char* q : {"onveiligheidsgevoel", "polarisation", "violences conjugales", "huisvesting", "domestic violence",
                        "radicalisering jongeren", "sentiment d'insécurité", "wijkagent"}) {
    CAPTURE(q);
    auto indexed = run_json({"search", q, "--limit", "200"});
    auto words = run_json({"--db", db.string(), "search", q, "--limit", "200"});
    CHECK(hit_ids(indexed) == hit_ids(words));
    CHECK(indexed["total"] == words["total"]);
    bool expanded = !indexed["reached"].empty();
    CHECK((indexed["expanded"].get<std::string>().find("XLABEL:") != std::string::npos) == expanded);
    CHECK(words["expanded"].get<std::string>().find("XLABEL:") == std::string::npos);
  }
  fs::remove_all(db);
}

TEST_CASE("pipeline: facet counts equal the counts of the filtered searches", "[pipeline]") {
  auto all = run_json({"search", "preventie", "--facets", "--limit", "1"});
  REQUIRE(all["total"].get<int>() > 0);
  for (const char* facet : {"lang", "type", "pillar"}) {
    for (const auto& [value, count] : all["facets"][facet].items()) {
      std::string flag = std::string(facet) == "pillar" ? "--theme" : "--" + std::string(facet);
      auto one = run_json({"search", "preventie", flag, value, "--facets", "--limit", "1"});
      CAPTURE(facet, value);
      CHECK(one["total"] == count);
    }
  }
}

TEST_CASE("pipeline: together agrees with search on partners, pairs, transversal themes and funding", "[pipeline]") {
  for (const char* theme : {"feeling-of-insecurity", "inclusion", "domestic-violence", "nuisance-prevention"}) {
    CAPTURE(theme);
    auto t = run_json({"together", theme});
    auto s = run_json({"search", "--theme", theme, "--facets", "--limit", "1000"});
    CHECK(t["documents"].size() == s["total"].get<size_t>());
    for (const auto& p : t["partners"]) CHECK(s["facets"]["partner"][p["id"].get<std::string>()] == p["count"]);
    CHECK(t["partners"].size() == s["facets"]["partner"].size());
    for (const auto& x : t["transversal"]) CHECK(s["facets"]["theme"][x["id"].get<std::string>()] == x["count"]);
    // A pair's count is the number of documents that name both partners.
    for (const auto& p : t["pairs"]) {
      auto both = run_json({"search", "--theme", theme, "partner:" + p["a"].get<std::string>(), "--limit", "1000"});
      long n = 0;
      for (const auto& h : both["hits"])
        for (const auto& q : h["partners"]) n += q == p["b"];
      CHECK(n == p["count"].get<long>());
    }
  }
}

TEST_CASE("pipeline: the funding total is the sum of the programmes in funding.yaml", "[pipeline]") {
  auto t = run_json({"together", "joint-local-strategy"});
  double sum = 0;
  for (const auto& p : t["funding"]["programmes"]) sum += p["budget_eur"].get<double>();
  CHECK(t["funding"]["total_eur"].get<double>() == Approx(sum));
  CHECK(t["funding"]["programmes"].size() >= 3);
}

TEST_CASE("pipeline: a subtheme without documents shows under the gaps of its parent", "[pipeline]") {
  auto t = run_json({"together", "social-inclusion"});
  std::set<std::string> empty;
  for (const auto& g : t["gaps"])
    if (g["kind"] == "no-documents") empty.insert(g["id"].get<std::string>());
  auto employment = run_json({"search", "--theme", "employment", "--limit", "100"});
  CHECK((empty.count("employment") == 1) == (employment["total"] == 0));
}

TEST_CASE("pipeline: labels follow --lang", "[pipeline]") {
  for (auto [lang, label] : std::vector<std::pair<std::string, std::string>>{
           {"nl", "Inclusie"}, {"fr", "Inclusion"}, {"en", "Inclusion"}}) {
    auto r = befus_run({"--kb", kb(), "--lang", lang, "together", "inclusion"});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith(label));
  }
  auto fr = befus_run({"--kb", kb(), "--lang", "fr", "together", "domestic-violence"});
  CHECK_THAT(fr.out, Catch::Contains("Violences intrafamiliales") || Catch::Contains("Violence intrafamiliale"));
}

TEST_CASE("pipeline: show, exit codes and the JSON shape of search", "[pipeline]") {
  auto s = run_json({"search", "radicalisering", "--limit", "3"});
  for (const char* key : {"query", "expanded", "total", "suggestion", "hits", "facets"}) CHECK(s.contains(key));
  REQUIRE(!s["hits"].empty());
  for (const char* key : {"id", "title", "lang", "year", "type", "themes", "partners", "path", "score", "snippet"})
    CHECK(s["hits"][0].contains(key));
  auto none = befus_run({"--kb", kb(), "search", "xyzzyplugh"});
  CHECK(none.code == 1);
  auto bad = befus_run({"--kb", kb(), "search", "(unbalanced"});
  CHECK((bad.code == 0 || bad.code == 1 || bad.code == 2));
  auto unknown = befus_run({"--kb", kb(), "search", "--theme", "radicalisaton"});
  CHECK(unknown.code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("did you mean: radicalisation"));
  auto show = run_json({"show", "onveiligheidsgevoel-media-2008"});
  CHECK(show["theme_paths"].size() == 1);
  CHECK(befus_run({"--kb", kb(), "show", "no-such-doc"}).code == 1);
  std::string huge(100000, 'a');
  auto big = befus_run({"--kb", kb(), "search", huge});
  CHECK((big.code == 1 || big.code == 2));
}

TEST_CASE("pipeline: together's text and Markdown match the golden files", "[pipeline][golden]") {
  // Regenerate after a deliberate change with BEFUS_UPDATE_GOLDEN=1 and review the diff.
  for (const auto& [format, ext] : std::vector<std::pair<std::string, std::string>>{{"text", "txt"}, {"markdown", "md"}}) {
    auto r = befus_run({"--kb", kb(), "--format", format, "--lang", "en", "together", "domestic-violence"});
    REQUIRE(r.code == 0);
    auto golden = befus::test::data("report/together-domestic-violence." + ext);
    if (std::getenv("BEFUS_UPDATE_GOLDEN")) befus::test::write(golden, r.out);
    CAPTURE(format);
    CHECK(r.out == befus::test::read(golden));
  }
}
