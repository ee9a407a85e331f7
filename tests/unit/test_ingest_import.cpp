#include "befus/error.hpp"
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

// A knowledge base with the shipped tree and actors, and a corpus of a few files.
struct Kb {
  TempDir dir;
  kb::KnowledgeBase kb;
  taxonomy::Taxonomy tree;

  Kb() {
    // hand-written.md (Markdown with a key records do not have), verslag.txt with its sidecar.
    test::copy_kb(dir.path(), test::data("ingest/corpus"));
    kb = kb::open(dir.path());
    tree = taxonomy::load_or_throw(kb.sources());
    index::IndexOptions o;
    o.jobs = 1;
    index::update(kb, tree, kb.index, o);
  }

  ingest::ImportReport import(const fs::path& file, ingest::ImportOptions o = {}) {
    o.index_location = kb.index;
    o.jobs = 1;
    ingest::Input in;
    in.file = file;
    return ingest::import_records(kb, tree, in, o);
  }

  ingest::ImportReport import_text(const std::string& text, ingest::Format f, ingest::ImportOptions o = {}) {
    fs::path file = dir / (f == ingest::Format::csv ? "batch.csv" : "batch.jsonl");
    test::write(file, text);
    return import(file, o);
  }

  size_t indexed() const { return index::Reader(kb.index).document_count(); }
};

const ingest::Rejection* rejection_at(const ingest::ImportReport& r, size_t line) {
  for (const auto& x : r.rejections)
    if (x.line == line) return &x;
  return nullptr;
}

bool mentions(const ingest::Rejection* x, const std::string& part) {
  if (!x) return false;
  for (const auto& s : x->reasons)
    if (s.find(part) != std::string::npos) return true;
  return false;
}

} // namespace

TEST_CASE("ingest: a mixed JSON Lines batch imports exactly the good records", "[ingest]") {
  Kb k;
  auto r = k.import(test::data("ingest/mixed.jsonl"));
  CHECK(r.added == 2);
  CHECK(r.updated == 1);  // the path record at line 12 retitles verslag.txt through its sidecar
  CHECK(r.exit_code() == 5);
  auto at = [&](size_t line) { return rejection_at(r, line); };
  CHECK(mentions(at(2), "unknown theme 'social-cohesio' (did you mean: social-cohesion"));
  CHECK(mentions(at(2), "unknown partner 'liegee' (did you mean: liege"));
  CHECK(mentions(at(4), "title: missing"));
  CHECK(mentions(at(4), "year: 2300 is out of range"));
  CHECK(mentions(at(6), "not valid JSON"));
  CHECK(mentions(at(7), "was already given at line 1"));
  CHECK(mentions(at(8), "lang: 'de'"));
  CHECK(mentions(at(8), "type: 'blog'"));
  CHECK(mentions(at(9), "not both"));
  CHECK(mentions(at(10), "contains '..'"));
  CHECK(mentions(at(11), "is absolute"));
  CHECK(mentions(at(13), "not valid UTF-8"));
  CHECK(mentions(at(14), "unknown field 'tittle'"));
  CHECK(mentions(at(15), "id: '../evil' is not valid"));
  CHECK(r.rejected == 11);
  CHECK(at(1) == nullptr);
  CHECK(at(5) == nullptr);
  CHECK(at(12) == nullptr);
  CHECK(test::read(k.dir / "corpus/nl/verslag.txt.yaml") == "id: verslag\ntitle: Verslag over preventie\nlang: nl\n");
  CHECK(fs::exists(k.dir / "corpus/imported/gent-buurtbemiddeling-2023.md"));
  CHECK(fs::exists(k.dir / "corpus/imported/namur-mediation-quartier.md"));
  CHECK_FALSE(fs::exists(k.dir / "corpus/imported/liege-fetes-de-quartier-2022.md"));
  CHECK_FALSE(fs::exists(k.dir / "outside.md"));
  index::Reader reader(k.kb.index);
  auto doc = reader.get("namur-mediation-quartier");
  REQUIRE(doc);
  CHECK((*doc)["title"] == "Médiation de quartier : « l'écoute d'abord »");
  CHECK((*doc)["target"] == nlohmann::json({"habitants", "bailleurs sociaux"}));
  CHECK_FALSE(reader.get("liege-fetes-de-quartier-2022"));
}

TEST_CASE("ingest: a mixed CSV batch imports exactly the good records", "[ingest]") {
  Kb k;
  size_t before = k.indexed();
  auto r = k.import(test::data("ingest/mixed.csv"));
  CHECK(r.added == 3);
  CHECK(r.rejected == 4);
  CHECK(mentions(rejection_at(r, 7), "unknown theme 'cohesion-sociale'"));
  CHECK(mentions(rejection_at(r, 10), "year: 'twenty' is not a whole number"));
  CHECK(mentions(rejection_at(r, 11), "malformed CSV on line 11"));
  CHECK(mentions(rejection_at(r, 12), "3 fields, but the header has 9 columns"));
  CHECK(k.indexed() == before + 3);
  std::string md = test::read(k.dir / "corpus/imported/verviers-dialogue.md");
  CHECK(md.find("title: \"Dialogue \\\"entre voisins\\\" à Verviers\"\n") != std::string::npos);
  CHECK(md.find("partners: [verviers, befus]\n") != std::string::npos);
  CHECK(md.find("---\nUn atelier\nsur deux lignes.\n") != std::string::npos);
}

TEST_CASE("ingest: --strict writes and indexes nothing when one record is bad", "[ingest]") {
  Kb k;
  size_t before = k.indexed();
  ingest::ImportOptions o;
  o.strict = true;
  auto r = k.import(test::data("ingest/mixed.csv"), o);
  CHECK(r.refused);
  CHECK(r.rejected == 4);
  CHECK(r.added == 0);
  CHECK(r.exit_code() == 3);
  CHECK_FALSE(fs::exists(k.dir / "corpus/imported"));
  CHECK(k.indexed() == before);

  SECTION("and imports everything when all are good") {
    auto ok = k.import_text("id,title,themes\nx1,Een,social-cohesion\nx2,Twee,\n", ingest::Format::csv, o);
    CHECK_FALSE(ok.refused);
    CHECK(ok.added == 2);
    CHECK(ok.exit_code() == 0);
    CHECK(k.indexed() == before + 2);
  }
  SECTION("from standard input as well") {
    std::istringstream in("{\"id\":\"ok\",\"title\":\"Ok\"}\n{\"id\":\"bad\"}\n");
    ingest::Input input;
    input.stream = &in;
    o.index_location = k.kb.index;
    o.format = ingest::Format::jsonl;
    auto s = ingest::import_records(k.kb, k.tree, input, o);
    CHECK(s.refused);
    CHECK(mentions(rejection_at(s, 2), "title: missing"));
    CHECK_FALSE(fs::exists(k.dir / "corpus/imported/ok.md"));
  }
}

TEST_CASE("ingest: --dry-run counts what would happen and writes nothing", "[ingest]") {
  Kb k;
  size_t before = k.indexed();
  ingest::ImportOptions o;
  o.dry_run = true;
  auto r = k.import(test::data("ingest/mixed.csv"), o);
  CHECK(r.dry_run);
  CHECK(r.added == 3);
  CHECK(r.rejected == 4);
  CHECK_FALSE(r.index);
  CHECK_FALSE(fs::exists(k.dir / "corpus/imported"));
  CHECK(k.indexed() == before);
}

TEST_CASE("ingest: running a batch again reports every record unchanged", "[ingest]") {
  Kb k;
  auto first = k.import(test::data("ingest/mixed.csv"));
  REQUIRE(first.added == 3);
  size_t count = k.indexed();
  auto again = k.import(test::data("ingest/mixed.csv"));
  CHECK(again.added == 0);
  CHECK(again.updated == 0);
  CHECK(again.unchanged == 3);
  CHECK(again.rejected == 4);
  CHECK(k.indexed() == count);

  SECTION("an edited record updates its file in place, never a second document") {
    auto r = k.import_text("id,title,lang,body\nmons-victimes,Slachtofferhulp in Bergen,nl,Nieuwe tekst.\n",
                           ingest::Format::csv);
    CHECK(r.updated == 1);
    CHECK(k.indexed() == count);
    auto doc = index::Reader(k.kb.index).get("mons-victimes");
    REQUIRE(doc);
    CHECK((*doc)["title"] == "Slachtofferhulp in Bergen");
    CHECK((*doc)["themes"].empty());
  }
}

TEST_CASE("ingest: paths outside the knowledge base are refused", "[ingest]") {
  Kb k;
  TempDir outside;
  test::write(outside / "secret.md", "---\nid: secret\ntitle: Secret\n---\nSecret.\n");
  fs::create_symlink(outside / "secret.md", k.dir / "corpus/nl/link-out.md");
  fs::create_directory_symlink(outside.path(), k.dir / "corpus/nl/dir-out");
  test::write(k.dir / "corpus/nl/.hidden.md", "---\nid: hidden\ntitle: H\n---\nH.\n");
  std::string batch = "{\"id\":\"a\",\"title\":\"A\",\"path\":\"../secret.md\"}\n"
                      "{\"id\":\"b\",\"title\":\"B\",\"path\":\"corpus/../../secret.md\"}\n"
                      "{\"id\":\"c\",\"title\":\"C\",\"path\":\"" + (outside / "secret.md").string() + "\"}\n"
                      "{\"id\":\"d\",\"title\":\"D\",\"path\":\"corpus/nl/link-out.md\"}\n"
                      "{\"id\":\"e\",\"title\":\"E\",\"path\":\"corpus/nl/dir-out/secret.md\"}\n"
                      "{\"id\":\"f\",\"title\":\"F\",\"path\":\"taxonomy/befus.yaml\"}\n"
                      "{\"id\":\"g\",\"title\":\"G\",\"path\":\"corpus/nl/missing.md\"}\n"
                      "{\"id\":\"h\",\"title\":\"H\",\"path\":\"corpus/nl/.hidden.md\"}\n"
                      "{\"id\":\"i\",\"title\":\"I\",\"path\":\"corpus/nl\"}\n"
                      "{\"id\":\"j\",\"title\":\"J\",\"path\":\"~/secret.md\"}\n";
  auto r = k.import_text(batch, ingest::Format::jsonl);
  CHECK(r.rejected == 10);
  CHECK(r.added + r.updated + r.unchanged == 0);
  CHECK(mentions(rejection_at(r, 1), "contains '..'"));
  CHECK(mentions(rejection_at(r, 2), "contains '..'"));
  CHECK(mentions(rejection_at(r, 3), "is absolute"));
  CHECK(mentions(rejection_at(r, 4), "leads outside the knowledge base"));
  CHECK(mentions(rejection_at(r, 5), "leads outside the knowledge base"));
  CHECK(mentions(rejection_at(r, 6), "not inside a corpus folder"));
  CHECK(mentions(rejection_at(r, 7), "does not exist"));
  CHECK(mentions(rejection_at(r, 8), "hidden"));
  CHECK(mentions(rejection_at(r, 9), "not a regular file"));
  CHECK(mentions(rejection_at(r, 10), "is absolute"));
  CHECK(test::read(outside / "secret.md") == "---\nid: secret\ntitle: Secret\n---\nSecret.\n");
}

TEST_CASE("ingest: --into must be a folder the index will see", "[ingest]") {
  Kb k;
  TempDir elsewhere;
  ingest::ImportOptions o;
  o.into = elsewhere.path();
  CHECK_THROWS_AS(k.import(test::data("ingest/mixed.csv"), o), UsageError);
  o.into = k.dir / "taxonomy";
  CHECK_THROWS_WITH(k.import(test::data("ingest/mixed.csv"), o), Catch::Contains("not inside a corpus folder"));
  o.into = k.dir / "corpus/fr/partners";
  auto r = k.import(test::data("ingest/mixed.csv"), o);
  CHECK(r.added == 3);
  CHECK(fs::exists(k.dir / "corpus/fr/partners/mons-victimes.md"));
  CHECK(r.into == "corpus/fr/partners");
}

TEST_CASE("ingest: an existing id is updated where it lives", "[ingest]") {
  Kb k;
  SECTION("a Markdown document is rewritten in place, keeping keys records do not have") {
    auto r = k.import_text("{\"id\":\"hand-written\",\"title\":\"Nieuwe titel\",\"lang\":\"nl\",\"body\":\"Nieuw.\"}\n",
                           ingest::Format::jsonl);
    CHECK(r.updated == 1);
    CHECK_FALSE(fs::exists(k.dir / "corpus/imported/hand-written.md"));
    CHECK(test::read(k.dir / "corpus/nl/hand-written.md") ==
          "---\nid: hand-written\ntitle: Nieuwe titel\nlang: nl\nreviewed: ja\n---\nNieuw.\n");
    CHECK(k.indexed() == 2);
  }
  SECTION("a document of another format cannot take a body") {
    auto r = k.import_text("{\"id\":\"verslag\",\"title\":\"Verslag\",\"body\":\"Tekst.\"}\n", ingest::Format::jsonl);
    CHECK(mentions(rejection_at(r, 1), "not Markdown; give its 'path'"));
  }
  SECTION("a file in --into that holds another id is not overwritten") {
    test::write(k.dir / "corpus/imported/x.md", "---\nid: y\ntitle: Y\n---\nY.\n");
    auto r = k.import_text("{\"id\":\"x\",\"title\":\"X\",\"body\":\"X.\"}\n", ingest::Format::jsonl);
    CHECK(mentions(rejection_at(r, 1), "already holds the document 'y'"));
  }
}

TEST_CASE("ingest: a path record updates the metadata of its file where it differs", "[ingest]") {
  Kb k;
  SECTION("equal fields: unchanged, nothing written") {
    std::string before = test::read(k.dir / "corpus/nl/hand-written.md");
    auto r = k.import_text("id,title,lang,path\nhand-written,Met de hand geschreven,nl,corpus/nl/hand-written.md\n",
                           ingest::Format::csv);
    CHECK(r.unchanged == 1);
    CHECK(test::read(k.dir / "corpus/nl/hand-written.md") == before);
  }
  SECTION("Markdown: the front matter changes, the body stays byte for byte") {
    auto r = k.import_text("id,title,themes,path\nhand-written,Met de hand,social-cohesion,corpus/nl/hand-written.md\n",
                           ingest::Format::csv);
    CHECK(r.updated == 1);
    CHECK(test::read(k.dir / "corpus/nl/hand-written.md") ==
          "---\nid: hand-written\ntitle: Met de hand\nlang: nl\nthemes: [social-cohesion]\nreviewed: ja\n---\n"
          "# Met de hand\n\nTekst die iemand zelf schreef, over buurtbemiddeling.\n");
    CHECK(index::Reader(k.kb.index).get("hand-written").value()["themes"] == nlohmann::json({"social-cohesion"}));
  }
  SECTION("other formats: the sidecar changes") {
    auto r = k.import_text("id,title,year,path\nverslag,Verslag 2019,2019,corpus/nl/verslag.txt\n", ingest::Format::csv);
    CHECK(r.updated == 1);
    CHECK(test::read(k.dir / "corpus/nl/verslag.txt.yaml") == "id: verslag\ntitle: Verslag 2019\nlang: nl\nyear: 2019\n");
    CHECK(index::Reader(k.kb.index).get("verslag").value()["year"] == 2019);
    auto again = k.import_text("id,title,year,path\nverslag,Verslag 2019,2019,corpus/nl/verslag.txt\n", ingest::Format::csv);
    CHECK(again.unchanged == 1);
  }
  SECTION("through a link inside the knowledge base, the linked file changes and the link stays") {
    test::write(k.dir / "shared/gedeeld.md", "---\nid: gedeeld\ntitle: Gedeeld\n---\nGedeelde tekst.\n");
    fs::create_symlink(k.dir / "shared/gedeeld.md", k.dir / "corpus/nl/gedeeld.md");
    auto r = k.import_text("id,title,path\ngedeeld,Gedeeld document,corpus/nl/gedeeld.md\n", ingest::Format::csv);
    CHECK(r.updated == 1);
    CHECK(fs::is_symlink(k.dir / "corpus/nl/gedeeld.md"));
    CHECK(test::read(k.dir / "shared/gedeeld.md") == "---\nid: gedeeld\ntitle: Gedeeld document\n---\nGedeelde tekst.\n");
  }
  SECTION("an id another document holds is refused") {
    auto r = k.import_text("id,title,path\nverslag,X,corpus/nl/hand-written.md\n", ingest::Format::csv);
    CHECK(mentions(rejection_at(r, 2), "'verslag' is already used by corpus/nl/verslag.txt"));
  }
}
