#include "befus/index.hpp"
#include "befus/ingest.hpp"
#include "befus/kb.hpp"
#include "befus/taxonomy.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace befus;
using befus::test::TempDir;

namespace {

namespace fs = std::filesystem;

// A copy of the repository's knowledge base (tree and the sample corpus), indexed.
struct SampleKb {
  TempDir dir;
  kb::KnowledgeBase kb;
  taxonomy::Taxonomy tree;

  SampleKb() {
    test::copy_kb(dir.path());
    kb = kb::open(dir.path());
    tree = taxonomy::load_or_throw(kb.sources());
    index::IndexOptions o;
    o.jobs = 1;
    index::update(kb, tree, kb.index, o);
  }

  std::string export_all(ingest::Format f, const std::string& theme = {}) {
    index::Reader reader(kb.index);
    std::ostringstream out;
    ingest::ExportOptions o;
    o.format = f;
    o.theme = theme;
    ingest::export_records(kb, reader, out, o);
    return out.str();
  }

  ingest::ImportReport import_text(const std::string& text, ingest::Format f, bool dry_run) {
    std::istringstream in(text);
    ingest::Input input;
    input.stream = &in;
    ingest::ImportOptions o;
    o.format = f;
    o.dry_run = dry_run;
    o.index_location = kb.index;
    o.jobs = 1;
    return ingest::import_records(kb, tree, input, o);
  }
};

std::string rejections(const ingest::ImportReport& r) {
  std::string out;
  for (const auto& x : r.rejections) out += std::to_string(x.line) + " " + x.id + ": " + x.reasons.front() + "\n";
  return out;
}

} // namespace

TEST_CASE("ingest: export then import reports the whole sample corpus unchanged", "[ingest]") {
  SampleKb k;
  size_t documents = index::Reader(k.kb.index).document_count();
  REQUIRE(documents >= 70);
  for (auto f : {ingest::Format::jsonl, ingest::Format::csv}) {
    INFO(ingest::to_string(f));
    std::string exported = k.export_all(f);
    auto r = k.import_text(exported, f, true);
    INFO(rejections(r));
    CHECK(r.rejected == 0);
    CHECK(r.added == 0);
    CHECK(r.updated == 0);
    CHECK(r.unchanged == documents);
  }
  // A real (not dry) import of the export changes no file either.
  std::string before = test::read(k.dir / "corpus/fr/contrats-securite-histoire-fr.html.yaml");
  auto r = k.import_text(k.export_all(ingest::Format::jsonl), ingest::Format::jsonl, false);
  CHECK(r.unchanged == documents);
  CHECK(test::read(k.dir / "corpus/fr/contrats-securite-histoire-fr.html.yaml") == before);
  CHECK_FALSE(fs::exists(k.dir / "corpus/imported"));
}

TEST_CASE("ingest: exported records carry a body or a path, never both", "[ingest]") {
  SampleKb k;
  std::istringstream in(k.export_all(ingest::Format::jsonl));
  std::string line, last_id;
  size_t bodies = 0, paths = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    CHECK(j["id"].get<std::string>() > last_id);  // sorted by id
    last_id = j["id"];
    CHECK(j.contains("body") != j.contains("path"));
    (j.contains("body") ? bodies : paths)++;
    if (j.contains("path")) CHECK(fs::exists(k.dir / j["path"].get<std::string>()));
  }
  CHECK(bodies > 0);
  CHECK(paths > 0);  // at least the PDF, HTML and text documents
}

TEST_CASE("ingest: imported records come back out as they went in", "[ingest]") {
  SampleKb k;
  std::string batch =
      R"({"id":"zz-quotes","title":"Les \"guillemets\", les virgules ; et l'apostrophe","lang":"fr","year":2020,"type":"news","partners":["befus","liege"],"themes":["social-cohesion","polarisation"],"why":"Première ligne\nseconde ligne : avec deux-points # et dièse","url":"https://example.org/a?b=1&c=2","problem":"null","mechanism":"yes","evidence":"plausible","target":["jongeren","oudere bewoners"],"body":"# Titel\n\nTekst met \"aanhalingstekens\", komma's, en ü é ß 日本.\r\nCRLF hierboven.\n"})"
      "\n"
      R"({"id":"zz-minimal","title":"Minimaal","body":"Eén regel zonder eindnewline"})"
      "\n";
  auto first = k.import_text(batch, ingest::Format::jsonl, false);
  REQUIRE(first.added == 2);
  std::string exported = k.export_all(ingest::Format::jsonl);
  std::istringstream lines(exported);
  std::string line, quotes, minimal;
  while (std::getline(lines, line)) {
    if (line.rfind("{\"id\":\"zz-quotes\"", 0) == 0) quotes = line;
    if (line.rfind("{\"id\":\"zz-minimal\"", 0) == 0) minimal = line;
  }
  CHECK(quotes + "\n" == batch.substr(0, batch.find('\n') + 1));
  CHECK(minimal == R"({"id":"zz-minimal","title":"Minimaal","body":"Eén regel zonder eindnewline\n"})");
  for (auto f : {ingest::Format::jsonl, ingest::Format::csv}) {
    auto r = k.import_text(k.export_all(f), f, true);
    CHECK(r.updated == 0);
    CHECK(r.rejected == 0);
  }
}

TEST_CASE("ingest: export can keep to one branch of the tree", "[ingest]") {
  SampleKb k;
  std::string all = k.export_all(ingest::Format::jsonl);
  std::string branch = k.export_all(ingest::Format::jsonl, "living-together");
  std::string leaf = k.export_all(ingest::Format::jsonl, "media-and-insecurity");
  auto count = [](const std::string& s) { return std::count(s.begin(), s.end(), '\n'); };
  CHECK(count(leaf) > 0);
  CHECK(count(leaf) < count(branch));
  CHECK(count(branch) < count(all));
  std::string csv = k.export_all(ingest::Format::csv, "media-and-insecurity");
  CHECK(csv.rfind("id,title,lang,year,type,partners,themes,why,url,problem,mechanism,evidence,target,body,path\n", 0) == 0);
}
