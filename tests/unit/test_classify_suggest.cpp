#include "befus/classify.hpp"

#include "befus/error.hpp"
#include "befus/index.hpp"
#include "befus/kb.hpp"
#include "test_classify_support.hpp"

#include <catch2/catch.hpp>

namespace classify = befus::classify;
using namespace befus::test;

namespace {

befus::taxonomy::Taxonomy old_tree() {
  return befus::taxonomy::load_or_throw({data("classify/tree-old.yaml"), {}, {}, {"nl", "fr", "en"}});
}

befus::corpus::Document doc(const std::string& lang, const std::string& title, const std::string& body) {
  befus::corpus::Document d;
  d.id = "probe";
  d.lang = lang;
  d.title = title;
  d.body = body;
  return d;
}

const classify::Suggestion* find(const classify::Result& r, const std::string& id) {
  for (const auto& s : r.suggestions)
    if (s.id == id) return &s;
  return nullptr;
}

} // namespace

TEST_CASE("classify: labels and keywords match stemmed, accent-folded, as whole phrases", "[classify]") {
  auto t = old_tree();
  classify::Classifier c(t, {"nl", "fr", "en"}, nullptr);
  auto r = c.classify(doc("fr", "Cambriolages en série", "La TECHNOPREVENTION aide les habitants; la vie reste festive."));
  REQUIRE_FALSE(r.suggestions.empty());
  CHECK(r.suggestions.front().id == "burglary");
  const auto& m = r.suggestions.front().matches;
  REQUIRE(m.size() == 2);
  CHECK(m[0].phrase == "Cambriolage");
  CHECK(m[0].kind == "label");
  CHECK(m[0].title == 1);
  CHECK(m[1].phrase == "technoprévention");
  CHECK(m[1].body == 1);
  // "vie ... festive" with a word between is not the phrase "vie festive".
  CHECK_FALSE(find(r, "nightlife"));
  CHECK(r.notes == std::vector<std::string>{"no index: the tree's words only"});
  CHECK(r.passage.find("\x01" "TECHNOPREVENTION" "\x02") != std::string::npos);
}

TEST_CASE("classify: an occurrence in the title weighs more than one in the text", "[classify]") {
  auto t = old_tree();
  classify::Classifier c(t, {"nl", "fr", "en"}, nullptr);
  auto in_title = c.classify(doc("en", "Nightlife", "A report."));
  auto in_body = c.classify(doc("en", "A report", "Nightlife."));
  REQUIRE(find(in_title, "nightlife"));
  REQUIRE(find(in_body, "nightlife"));
  CHECK(find(in_title, "nightlife")->score > find(in_body, "nightlife")->score);
}

TEST_CASE("classify: a phrase in another language counts, less than in the document's own", "[classify]") {
  auto t = old_tree();
  classify::Classifier c(t, {"nl", "fr", "en"}, nullptr);
  auto own = c.classify(doc("nl", "Verslag", "Een woninginbraak in de straat."));
  auto other = c.classify(doc("en", "Report", "A woninginbraak in the street."));
  REQUIRE(find(own, "burglary"));
  REQUIRE(find(other, "burglary"));
  CHECK(find(own, "burglary")->lexical > find(other, "burglary")->lexical);
  CHECK(find(other, "burglary")->matches.front().lang == "nl");
}

TEST_CASE("classify: a subtheme's evidence supports its theme; scores stay within 0..1", "[classify]") {
  auto t = old_tree();
  classify::Classifier c(t, {"nl", "fr", "en"}, nullptr);
  auto r = c.classify(doc("en", "Aftercare after a break-in", "Victim support and aftercare; victim support again."));
  const auto* child = find(r, "burglary-victims");
  const auto* parent = find(r, "burglary");
  REQUIRE(child);
  REQUIRE(parent);
  CHECK(parent->inherited > 0);
  CHECK(parent->children == std::vector<std::string>{"burglary-victims"});
  for (const auto& s : r.suggestions) {
    CHECK(s.score > 0);
    CHECK(s.score <= 1);
  }
  // Pillars are not suggested: nobody files under them.
  auto pillar = c.classify(doc("en", "Safety", "Safety and safety."));
  CHECK_FALSE(find(pillar, "safety"));
}

TEST_CASE("classify: no evidence, no suggestion", "[classify]") {
  auto t = old_tree();
  classify::Classifier c(t, {"nl", "fr", "en"}, nullptr);
  CHECK(c.classify(doc("en", "Weather", "It rained all week.")).suggestions.empty());
}

TEST_CASE("classify: classify_among scores every candidate, best first", "[classify]") {
  auto t = old_tree();
  classify::Classifier c(t, {"nl", "fr", "en"}, nullptr);
  auto r = c.classify_among(doc("en", "Pubs", "Bars and pubs."), {"burglary", "nightlife"});
  REQUIRE(r.suggestions.size() == 2);
  CHECK(r.suggestions[0].id == "nightlife");
  CHECK(r.suggestions[1].id == "burglary");
  CHECK(r.suggestions[1].score == 0);
  CHECK_THROWS_AS(c.classify_among(doc("en", "x", "y"), {"no-such-node"}), befus::UsageError);
}

TEST_CASE("classify: classified neighbours vote, the document itself never", "[classify]") {
  TempDir dir;
  make_small_kb(dir.path());
  auto kb = befus::kb::read_config(dir.path());
  auto t = befus::taxonomy::load_or_throw(kb.sources());
  befus::index::update(kb, t, kb.index, {});
  befus::index::Reader reader(kb.index);
  classify::Options only_neighbours;
  only_neighbours.evidence = {false, false, true, false};
  classify::Classifier c(t, kb.languages, &reader, only_neighbours);
  CHECK(c.has_neighbours());
  CHECK(c.unclassified_ids() == std::vector<std::string>{"f"});
  auto r = c.classify_id("b");
  REQUIRE_FALSE(r.suggestions.empty());
  for (const auto& s : r.suggestions) {
    CHECK(s.lexical == 0);
    CHECK_FALSE(s.voters.empty());
    for (const auto& v : s.voters) {
      CHECK(v.id != "b");
      CHECK(v.similarity > 0);
      CHECK(v.similarity <= 1);
    }
  }
  // i (pubs) shares words with b (pubs and bars) and votes for nightlife, where it is filed.
  const auto* nightlife = find(r, "nightlife");
  REQUIRE(nightlife);
  std::vector<std::string> voters;
  for (const auto& v : nightlife->voters) voters.push_back(v.id);
  CHECK(std::find(voters.begin(), voters.end(), "i") != voters.end());
  CHECK(nightlife->neighbours > 0);
  CHECK_THROWS_AS(c.classify_id("no-such-id"), befus::NotFoundError);
}

TEST_CASE("classify: hierarchical F1 gives a near miss partial credit", "[classify][evaluate]") {
  auto t = old_tree();
  CHECK(classify::hierarchical_f1(t, {"burglary"}, {"burglary"}) == Approx(1.0));
  // The parent of the right node: every predicted ancestor is right, one gold node missing.
  CHECK(classify::hierarchical_f1(t, {"burglary"}, {"burglary-victims"}) == Approx(0.8));
  // A sibling under the same pillar shares the pillar only.
  CHECK(classify::hierarchical_f1(t, {"nightlife"}, {"burglary"}) == Approx(0.5));
  CHECK(classify::hierarchical_f1(t, {"youth-work"}, {"burglary"}) == Approx(0.0));
  CHECK(classify::hierarchical_f1(t, {}, {"burglary"}) == Approx(0.0));
}

TEST_CASE("evaluate: cross-validates the classified documents, with a baseline", "[classify][evaluate]") {
  TempDir dir;
  make_small_kb(dir.path());
  auto kb = befus::kb::read_config(dir.path());
  auto t = befus::taxonomy::load_or_throw(kb.sources());
  befus::index::update(kb, t, kb.index, {});
  befus::index::Reader reader(kb.index);
  classify::EvaluationOptions opts;
  opts.folds = 3;
  auto ev = classify::evaluate(t, kb.languages, reader, opts);
  CHECK(ev.documents == 8);  // all but f, which has no theme
  CHECK(ev.folds == 3);
  REQUIRE(ev.steps.size() == 5);
  CHECK(ev.steps.front().first == "labels");
  for (const auto& [name, m] : ev.steps) {
    INFO(name);
    nlohmann::json figures = m.to_json();
    for (const auto& [key, value] : figures.items()) {
      CHECK(value.get<double>() >= 0);
      CHECK(value.get<double>() <= 1);
    }
  }
  for (const char* key : {"p@1", "p@3", "p@5", "r@5", "f1@1", "f1@3", "f1@5", "ndcg@5", "hf1@5"}) {
    CHECK(ev.metrics.to_json().contains(key));
    CHECK(ev.baseline.to_json().contains(key));
  }
  size_t suggested = 0;
  for (const auto& b : ev.calibration) {
    CHECK(b.correct <= b.suggestions);
    suggested += b.suggestions;
  }
  CHECK(suggested > 0);
  opts.folds = 20;
  CHECK_THROWS_AS(classify::evaluate(t, kb.languages, reader, opts), befus::UsageError);
}
