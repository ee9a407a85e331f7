#include "befus/corpus.hpp"
#include "befus/ingest.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace befus;

namespace {

ingest::Record sample() {
  ingest::Record r;
  r.id = "namur-mediation";
  r.title = "Médiation : « l'écoute d'abord »";
  r.lang = "fr";
  r.year = 2021;
  r.type = "practice";
  r.partners = {"namur", "befus"};
  r.themes = {"social-cohesion"};
  r.why = "Deux lignes,\navec \"des guillemets\" et un \\ oblique.";
  r.url = "https://example.org/a?b=c#d";
  r.problem = "yes";
  r.mechanism = "null";
  r.evidence = "promising";
  r.target = {"habitants", "2024", "a, b"};
  r.body = "# Titre\n\n---\nUne règle horizontale plus haut, et du texte.\r\n";
  return r;
}

ingest::Record read_one(const std::string& text, ingest::Format f) {
  std::istringstream in(text);
  auto reader = ingest::open_reader(in, f, "x");
  ingest::RawRecord raw;
  REQUIRE(reader->next(raw));
  INFO(text);
  REQUIRE(raw.reasons.empty());
  raw.record.line = 0;
  return raw.record;
}

} // namespace

TEST_CASE("ingest: front matter reads back exactly what was written", "[ingest]") {
  const std::vector<std::string> texts{
      "plain words",  "null",          "~",           "Yes",          "2008",          "1e3",
      "key: value",   "a #comment",    "#start",      "- dash",       "[bracket]",     "{brace}",
      " leading",     "trailing ",     "quote \" in", "back \\ slash", "new\nline",    "tab\there",
      "cr\rhere",     "ctl\x01here",   "é accents ü", "nbsp\xC2\xA0x", "ls\xE2\x80\xA8x", "bom\xEF\xBB\xBFx",
      "nel\xC2\x85x", "'single'",      "\"double\"",  "a, b",         "percent % and & and *", "",
      "@at",          "`tick`",        "!tag",        "|pipe",        ">fold",         "? q",
  };
  for (const auto& s : texts) {
    nlohmann::json fields = {{"why", s}, {"extra-list", {s, "x"}}, {"extra-map", {{"k", s}}}};
    std::string yaml = ingest::front_matter(fields);
    INFO(yaml);
    nlohmann::json back = corpus::parse_metadata(yaml, "test", 1);
    CHECK(back["why"] == s);
    CHECK(back["extra-list"][0] == s);
    CHECK(back["extra-map"]["k"] == s);
  }
}

TEST_CASE("ingest: a rendered Markdown file parses back into the same record", "[ingest]") {
  ingest::Record r = sample();
  nlohmann::json kept = {{"reviewed-by", "An"}, {"notes", {"one", "two"}}};
  std::string md = ingest::render_markdown(r, kept);
  CHECK(md.rfind("---\nid: namur-mediation\ntitle: ", 0) == 0);
  CHECK(md.find("year: 2021\n") != std::string::npos);
  CHECK(md.find("partners: [namur, befus]\n") != std::string::npos);
  // Known fields first, in record order, then the kept keys sorted.
  CHECK(md.find("target:") < md.find("notes:"));
  CHECK(md.find("notes:") < md.find("reviewed-by:"));
  auto parsed = ingest::parse_markdown(md, "x.md");
  REQUIRE(parsed);
  CHECK(parsed->record == r);
  CHECK(parsed->kept == kept);
  CHECK(ingest::render_markdown(parsed->record, parsed->kept) == md);
}

TEST_CASE("ingest: a body gets a final newline, and only once", "[ingest]") {
  ingest::Record r;
  r.id = "a";
  r.title = "A";
  r.body = "no newline";
  std::string md = ingest::render_markdown(r);
  CHECK(md == "---\nid: a\ntitle: A\n---\nno newline\n");
  auto parsed = ingest::parse_markdown(md, "a.md");
  REQUIRE(parsed);
  CHECK(ingest::render_markdown(parsed->record, parsed->kept) == md);
}

TEST_CASE("ingest: files import could not have written are not taken for its own", "[ingest]") {
  CHECK_FALSE(ingest::parse_markdown("no front matter\n", "a.md"));
  CHECK_FALSE(ingest::parse_markdown("---\nid: a\ntitle: [not, text]\n---\n", "a.md"));
  CHECK_FALSE(ingest::parse_markdown("---\nid: a\npath: corpus/x.md\n---\n", "a.md"));
  CHECK_FALSE(ingest::parse_markdown("\xEF\xBB\xBF---\nid: a\n---\n", "a.md"));
  // Parses, but renders differently: not canonical.
  auto p = ingest::parse_markdown("---\ntitle: A\nid: a\n---\nText\n", "a.md");
  REQUIRE(p);
  CHECK(ingest::render_markdown(p->record, p->kept) != "---\ntitle: A\nid: a\n---\nText\n");
}

TEST_CASE("ingest: a record survives JSON Lines and CSV unchanged", "[ingest]") {
  ingest::Record r = sample();
  CHECK(read_one(ingest::to_jsonl(r), ingest::Format::jsonl) == r);
  ingest::Record csv_r = r;
  csv_r.target = {"habitants", "2024", "a, b"};
  CHECK(read_one(ingest::csv_header() + ingest::to_csv(csv_r), ingest::Format::csv) == csv_r);
  ingest::Record p;
  p.id = "x";
  p.title = "X";
  p.path = "corpus/nl/x.md";
  CHECK(read_one(ingest::to_jsonl(p), ingest::Format::jsonl) == p);
  CHECK(read_one(ingest::csv_header() + ingest::to_csv(p), ingest::Format::csv) == p);
  CHECK(ingest::to_jsonl(p) == "{\"id\":\"x\",\"title\":\"X\",\"path\":\"corpus/nl/x.md\"}\n");
}
