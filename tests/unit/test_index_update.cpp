#include "befus/corpus.hpp"
#include "befus/error.hpp"
#include "befus/index.hpp"
#include "befus/kb.hpp"
#include "befus/search.hpp"
#include "index/schema.hpp"
#include "support.hpp"

#include <xapian.h>

#include <catch2/catch.hpp>
#include <thread>

using namespace befus;
using befus::test::TempDir;
using befus::test::write;

namespace {

struct SmallKb {
  TempDir dir;
  kb::KnowledgeBase kb;
  taxonomy::Taxonomy tree;
  std::string db;

  explicit SmallKb(const std::string& tree_file = test::data("taxonomy/small.yaml").string()) {
    write(dir / "befus.yaml", "taxonomy: " + tree_file + "\ncorpus: [corpus]\n");
    write(dir / "corpus/nl/jeugd.md", "---\nid: jeugd\ntitle: Jongeren op het plein\nlang: nl\nyear: 2020\n"
                                      "type: practice\npartners: [gent]\nthemes: [youth-integration]\n---\n"
                                      "Straathoekwerkers spreken jongeren aan op het plein.\n");
    write(dir / "corpus/fr/retour.md", "---\nid: retour\ntitle: Retour volontaire accompagné\nlang: fr\nyear: 2021\n"
                                       "type: practice\nthemes: [voluntary-return]\n---\n"
                                       "Un accompagnement pour préparer un retour volontaire dans la dignité.\n");
    write(dir / "corpus/en/note.txt", "Radicalisation prevention needs trust between partners.\n");
    write(dir / "corpus/en/note.txt.yaml", "id: note\ntitle: A note on trust\nlang: en\nyear: 2019\n");
    reload();
  }
  void reload() {
    kb = kb::read_config(dir.path());
    tree = taxonomy::load_or_throw(kb.sources());
    db = kb.index;
  }
  index::IndexReport run(bool full = false) {
    index::IndexOptions o;
    o.full = full;
    o.jobs = 2;
    return index::update(kb, tree, db, o);
  }
};

} // namespace

TEST_CASE("index: first run adds, second run finds everything unchanged", "[index]") {
  SmallKb k;
  auto r1 = k.run();
  CHECK(r1.added == 3);
  CHECK(r1.failed == 0);
  auto r2 = k.run();
  CHECK(r2.added == 0);
  CHECK(r2.updated == 0);
  CHECK(r2.unchanged == 3);
  index::Reader reader(k.db);
  CHECK(reader.document_count() == 3);
  CHECK(reader.get("note")->value("title", "") == "A note on trust");
}

TEST_CASE("index: a change of content, front matter or sidecar re-indexes; a deletion removes", "[index]") {
  SmallKb k;
  k.run();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a visibly newer mtime
  write(k.dir / "corpus/en/note.txt.yaml", "id: note\ntitle: Trust, revised\nlang: en\nyear: 2019\n");
  write(k.dir / "corpus/nl/jeugd.md", "---\nid: jeugd\ntitle: Jongeren op het plein\nlang: nl\nyear: 2020\n"
                                      "type: practice\nthemes: [radicalisation]\n---\nAnders.\n");
  std::filesystem::remove(k.dir / "corpus/fr/retour.md");
  auto r = k.run();
  CHECK(r.updated == 2);
  CHECK(r.removed == 1);
  CHECK(r.unchanged == 0);
  index::Reader reader(k.db);
  CHECK(reader.get("note")->value("title", "") == "Trust, revised");
  CHECK_FALSE(reader.get("retour"));
  CHECK(reader.ids_with_term("XTHEME:living-together") == std::vector<std::string>{"jeugd"});
  CHECK(reader.ids_with_term("XTHEME:inclusion").empty());
}

TEST_CASE("index: themes are indexed with their ancestors and re-termed when the tree moves them", "[index]") {
  TempDir trees;
  std::string tree = test::read(test::data("taxonomy/small.yaml"));
  write(trees / "tree.yaml", tree);
  SmallKb k((trees / "tree.yaml").string());
  k.run();
  index::Reader before(k.db);
  CHECK(before.ids_with_term("XTHEME:inclusion").size() == 2);
  CHECK(before.ids_with_term("XTHEME:migrant-inclusion") == std::vector<std::string>{"retour"});

  // Move voluntary-return from migrant-inclusion to the living-together pillar.
  std::string moved = tree;
  auto cut = moved.find("        children:\n          - id: voluntary-return");
  REQUIRE(cut != std::string::npos);
  moved.erase(cut, moved.find("      - id: youth-integration") - cut);
  moved += "      - id: voluntary-return\n        label: {nl: Vrijwillige terugkeer, fr: Retour volontaire, en: Voluntary return}\n";
  write(trees / "tree.yaml", moved);
  k.reload();
  auto r = k.run();
  CHECK(r.retermed == 1);
  CHECK(r.unchanged == 3);
  index::Reader after(k.db);
  CHECK(after.ids_with_term("XTHEME:migrant-inclusion").empty());
  CHECK(after.ids_with_term("XTHEME:living-together") == std::vector<std::string>{"retour"});
  CHECK(k.run().retermed == 0);
}

TEST_CASE("index: a document carries a label term for each node it names, in any language", "[index]") {
  TempDir trees;
  std::string tree = test::read(test::data("taxonomy/small.yaml"));
  write(trees / "tree.yaml", tree);
  SmallKb k((trees / "tree.yaml").string());
  k.run();
  auto wdf_of = [&](const std::string& term) {
    Xapian::Database db(k.db);
    for (auto it = db.postlist_begin(term); it != db.postlist_end(term); ++it) return it.get_wdf();
    return Xapian::termcount(0);
  };
  {
    index::Reader r(k.db);
    // "retour volontaire" (both words of the French label), "radicalisation" (the English label,
    // stemmed as English); "Jongeren op het plein" names nothing.
    CHECK(r.ids_with_term("XLABEL:voluntary-return") == std::vector<std::string>{"retour"});
    CHECK(r.ids_with_term("XLABEL:radicalisation") == std::vector<std::string>{"note"});
    CHECK(r.ids_with_term("XLABEL:youth-integration").empty());
  }
  CHECK(wdf_of("XLABEL:voluntary-return") == 4);  // in the title (which counts three times) and the text

  // A new alt label names a node in a file nobody touched: re-termed from the index's own words.
  std::string relabelled = tree;
  auto at = relabelled.find("label: {nl: Integratie van de jeugd");
  REQUIRE(at != std::string::npos);
  relabelled.insert(relabelled.find('\n', at) + 1, "        alt: {nl: [straathoekwerkers]}\n");
  write(trees / "tree.yaml", relabelled);
  k.reload();
  auto r = k.run();
  CHECK(r.retermed == 1);
  CHECK(r.unchanged == 3);
  CHECK(index::Reader(k.db).ids_with_term("XLABEL:youth-integration") == std::vector<std::string>{"jeugd"});

  // An index from before label and path terms (schema 1) gets them on the next run, files unread.
  {
    Xapian::WritableDatabase w(k.db);
    for (auto it = w.postlist_begin(""); it != w.postlist_end(""); ++it) {
      Xapian::Document d = w.get_document(*it);
      std::vector<std::string> labels;
      for (auto t = d.termlist_begin(); t != d.termlist_end(); ++t)
        if ((*t).rfind("XLABEL:", 0) == 0 || (*t)[0] == 'U') labels.push_back(*t);
      for (const auto& l : labels) d.remove_term(l);
      w.replace_document(*it, d);
    }
    w.set_metadata("befus:schema", "1");
    w.commit();
  }
  CHECK(index::Reader(k.db).ids_with_term("XLABEL:voluntary-return").empty());
  CHECK(index::Reader(k.db).ids_with_term("Ucorpus/fr/retour.md").empty());
  r = k.run();
  CHECK(r.retermed == 3);
  CHECK(r.unchanged == 3);
  CHECK(r.added == 0);
  CHECK(index::Reader(k.db).ids_with_term("Ucorpus/fr/retour.md") == std::vector<std::string>{"retour"});
  CHECK(index::Reader(k.db).ids_with_term("XLABEL:voluntary-return") == std::vector<std::string>{"retour"});
  CHECK(index::Reader(k.db).metadata("befus:schema") == "3");
  CHECK(k.run().retermed == 0);
}

TEST_CASE("index: a file reached twice, by a link or by overlapping corpus folders, is indexed once", "[index]") {
  SmallKb k;
  std::filesystem::create_symlink(k.dir / "corpus/nl/jeugd.md", k.dir / "corpus/en/alias.md");
  std::filesystem::create_directory_symlink(k.dir / "corpus", k.dir / "mirror");
  write(k.dir / "befus.yaml",
        "taxonomy: " + test::data("taxonomy/small.yaml").string() + "\ncorpus: [corpus, corpus/nl, ./corpus/, mirror]\n");
  // Two links to a file that no corpus folder holds: listed once, under the first link's path.
  write(k.dir / "shared/guide.md", "---\nid: guide\ntitle: Gids\nlang: nl\n---\nGedeeld.\n");
  std::filesystem::create_symlink(k.dir / "shared/guide.md", k.dir / "corpus/nl/z-guide.md");
  std::filesystem::create_symlink(k.dir / "shared/guide.md", k.dir / "corpus/en/guide.md");
  k.reload();
  std::vector<std::string> listed;
  for (const auto& f : corpus::list_files(k.kb).files) listed.push_back(k.kb.relative(f));
  // The file itself rather than the link to it, each folder in path order.
  CHECK(listed == std::vector<std::string>{"corpus/en/guide.md", "corpus/en/note.txt", "corpus/fr/retour.md",
                                           "corpus/nl/jeugd.md"});
  auto r = k.run();
  CHECK(r.added == 4);
  CHECK(r.failed == 0);
  CHECK(k.run().unchanged == 4);
}

TEST_CASE("index: a moved file keeps one document; a newcomer cannot take an id a file still has", "[index]") {
  SmallKb k;
  k.run();
  std::filesystem::create_directories(k.dir / "corpus/archive");
  std::filesystem::rename(k.dir / "corpus/nl/jeugd.md", k.dir / "corpus/archive/jeugd.md");
  // Walked before corpus/fr/retour.md, which keeps its id.
  write(k.dir / "corpus/en/aaa.md", "---\nid: retour\ntitle: Copy\nlang: en\n---\nSame id.\n");
  auto r = k.run();
  CHECK(r.added == 1);
  CHECK(r.removed == 1);
  CHECK(r.failed == 1);
  REQUIRE(r.failures.size() == 1);
  CHECK_THAT(r.failures[0].reason, Catch::Contains("id 'retour' is already used by corpus/fr/retour.md"));
  index::Reader reader(k.db);
  CHECK(reader.document_count() == 3);
  CHECK(reader.get("jeugd")->value("path", "") == "corpus/archive/jeugd.md");
  CHECK(reader.get("retour")->value("title", "") == "Retour volontaire accompagné");
  CHECK(reader.ids_with_term("Ucorpus/nl/jeugd.md").empty());

  // A run limited to one folder leaves the rest alone, even files gone from elsewhere.
  std::filesystem::remove(k.dir / "corpus/en/aaa.md");
  std::filesystem::remove(k.dir / "corpus/fr/retour.md");
  index::IndexOptions only;
  only.only = {k.dir / "corpus/archive"};
  r = index::update(k.kb, k.tree, k.db, only);
  CHECK(r.removed == 0);
  CHECK(r.unchanged == 1);
  CHECK(index::Reader(k.db).get("retour").has_value());
  r = k.run();
  CHECK(r.removed == 1);
  CHECK(r.unchanged == 2);
  CHECK_FALSE(index::Reader(k.db).get("retour").has_value());
}

TEST_CASE("kb: paths are relative to the knowledge base, however they are written", "[index]") {
  SmallKb k;
  const auto& root = k.kb.root;
  CHECK(k.kb.relative(root / "corpus/nl/jeugd.md") == "corpus/nl/jeugd.md");
  CHECK(k.kb.relative(root / "corpus/./nl//jeugd.md") == "corpus/nl/jeugd.md");
  CHECK(k.kb.relative(root / "corpus/en/../nl/jeugd.md") == "corpus/nl/jeugd.md");
  CHECK(k.kb.relative(root.parent_path() / "elsewhere.md") == (root.parent_path() / "elsewhere.md").string());
  std::string sibling = root.string() + "-other/x.md";  // shares the root's text, not its folder
  CHECK(k.kb.relative(sibling) == sibling);
}

TEST_CASE("index: a broken file fails alone and its old version stays searchable", "[index]") {
  SmallKb k;
  k.run();
  write(k.dir / "corpus/nl/jeugd.md", "---\nid: jeugd\ntitle: [oops\n---\nx\n");
  write(k.dir / "corpus/nl/leeg.md", "");
  write(k.dir / "corpus/nl/dubbel.md", "---\nid: retour\n---\nSame id as another file.\n");
  auto r = k.run();
  CHECK(r.failed == 3);
  REQUIRE(r.failures.size() == 3);
  CHECK_THAT(r.failures[0].reason, Catch::Contains("already used by corpus/fr/retour.md"));
  CHECK_THAT(r.failures[1].reason, Catch::Contains("corpus/nl/jeugd.md:4"));
  CHECK_THAT(r.failures[2].reason, Catch::Contains("empty file"));
  index::Reader reader(k.db);
  CHECK(reader.document_count() == 3);
  CHECK(reader.get("jeugd").has_value());
}

TEST_CASE("index: a second writer gets a clear lock error", "[index]") {
  SmallKb k;
  k.run();
  Xapian::WritableDatabase holder(k.db, Xapian::DB_OPEN);
  try {
    k.run();
    FAIL("no lock error");
  } catch (const IndexError& e) {
    CHECK(e.code() == ExitCode::index_unavailable);
    CHECK_THAT(e.what(), Catch::Contains("index is locked by another befus process"));
  }
}

TEST_CASE("index: a missing index is exit 4 with advice", "[index]") {
  TempDir dir;
  CHECK_THROWS_WITH(index::Reader((dir / "nothing").string()), Catch::Contains("run 'befus index'"));
}

TEST_CASE("search: stems per language, folds accents, filters by hierarchy", "[search]") {
  SmallKb k;
  k.run();
  index::Reader reader(k.db);
  auto ids = [&](search::Request r) {
    std::vector<std::string> out;
    for (const auto& h : search::run(reader, k.tree, k.kb.languages, r).hits) out.push_back(h.data.value("id", ""));
    std::sort(out.begin(), out.end());
    return out;
  };
  search::Request q;
  q.query = "accompagnements";  // French plural reaches the French stem
  CHECK(ids(q) == std::vector<std::string>{"retour"});
  q.query = "accompagne";  // no accent
  CHECK(ids(q) == std::vector<std::string>{"retour"});
  q.query = "";
  q.themes = {"inclusion"};  // the pillar includes its subthemes' documents
  CHECK(ids(q) == std::vector<std::string>{"jeugd", "retour"});
  q.themes = {"Intégration de la jeunesse"};  // a label in any language
  CHECK(ids(q) == std::vector<std::string>{"jeugd"});
  q.themes = {"no-such-theme"};
  CHECK_THROWS_AS(ids(q), UsageError);
  // The same filters written in the query text: a quoted value may hold spaces, and a prefix
  // glued to a word or with nothing after it stays part of the text.
  q.themes.clear();
  q.query = "theme:\"Intégration de la jeunesse\"";
  CHECK(ids(q) == std::vector<std::string>{"jeugd"});
  q.query = "theme:inclusion lang:fr accompagne";
  CHECK(ids(q) == std::vector<std::string>{"retour"});
  q.query = "accompagne\ttheme:no-such-theme";
  CHECK_THROWS_AS(ids(q), UsageError);
  q.query = "xtheme:no-such-theme";  // not a filter: a word that matches nothing
  CHECK(ids(q).empty());
  q.query = "theme:inclusion theme:";
  CHECK(ids(q).empty());  // "theme:" is a word no document has
}

TEST_CASE("search: a label in one language reaches documents in another only with expansion", "[search]") {
  SmallKb k;
  k.run();
  index::Reader reader(k.db);
  search::Request q;
  q.query = "vrijwillige terugkeer";
  auto expanded = search::run(reader, k.tree, k.kb.languages, q);
  REQUIRE(expanded.hits.size() == 1);
  CHECK(expanded.hits[0].data.value("id", "") == "retour");
  CHECK(expanded.expansions == std::vector<std::string>{"voluntary-return"});
  q.expand = false;
  CHECK(search::run(reader, k.tree, k.kb.languages, q).hits.empty());
}

TEST_CASE("search: a label with an apostrophe reaches documents that use it, words in any order", "[search]") {
  SmallKb k(test::source("taxonomy/befus.yaml").string());
  write(k.dir / "corpus/fr/enquete.md", "---\nid: enquete\ntitle: Une enquête de quartier\nlang: fr\n---\n"
                                        "Le sentiment d'insécurité des habitants a baissé.\n");
  write(k.dir / "corpus/fr/autre.md", "---\nid: autre\ntitle: Une autre enquête\nlang: fr\n---\n"
                                      "L'insécurité routière est un autre sujet, comme le sentiment de fierté.\n");
  k.run();
  index::Reader reader(k.db);
  search::Request q;
  q.query = "onveiligheidsgevoel";  // the Dutch label; neither document has a theme
  auto r = search::run(reader, k.tree, k.kb.languages, q);
  std::vector<std::string> ids;
  for (const auto& h : r.hits) ids.push_back(h.data.value("id", ""));
  // "d'insecurite" is one word in the index: the French label's words are sentiment and
  // d'insecurite, which only the first document has.
  CHECK(ids == std::vector<std::string>{"enquete"});
  REQUIRE(r.hits.size() == 1);
  CHECK_THAT(r.hits[0].snippet, Catch::Contains("\x01sentiment\x02"));
}

TEST_CASE("search: labels with the query parser's syntax characters are only words", "[search]") {
  std::string tree = test::read(test::data("taxonomy/small.yaml"));
  std::string plain = "label: {nl: Integratie van de jeugd, fr: Intégration de la jeunesse, en: Youth integration}";
  REQUIRE(tree.find(plain) != std::string::npos);
  tree.replace(tree.find(plain), plain.size(),
               plain + "\n        alt: {en: ['(street) \"work\" -AND OR +x* title:y ~z', '-jeugdwerk-']}");
  TempDir dir;
  write(dir / "tree.yaml", tree);
  SmallKb k((dir / "tree.yaml").string());
  write(k.dir / "corpus/nl/werk.md", "---\nid: werk\ntitle: Een buurthuis\nlang: nl\n---\nHet jeugdwerk in de buurt.\n");
  k.run();
  index::Reader reader(k.db);
  search::Request q;
  q.query = "youth integration";
  auto r = search::run(reader, k.tree, k.kb.languages, q);
  std::vector<std::string> ids;
  for (const auto& h : r.hits) ids.push_back(h.data.value("id", ""));
  std::sort(ids.begin(), ids.end());
  // '-jeugdwerk-' is the word jeugdwerk, not "without jeugdwerk"
  CHECK(ids == std::vector<std::string>{"jeugd", "werk"});
  CHECK(r.expansions == std::vector<std::string>{"youth-integration"});
}

TEST_CASE("search: snippets mark the matched words", "[search]") {
  std::string s = search::make_snippet("Een lange tekst over overlast in de wijk en nog veel meer.", "nl", {"overlast"});
  CHECK_THAT(s, Catch::Contains("\x01overlast\x02"));
  CHECK(search::make_snippet("", "nl", {"x"}).empty());
  // Inflected forms: stems keep a word's first two letters, save English's dying, lying, tying.
  CHECK_THAT(search::make_snippet("Jongeren wonen in deze wijken.", "nl", {"wijk"}), Catch::Contains("\x01wijken\x02"));
  CHECK_THAT(search::make_snippet("Trees are dying there.", "en", {"die"}), Catch::Contains("\x01" "dying\x02"));
  CHECK_THAT(search::make_snippet("Les quartiers sont calmes.", "fr", {"quartier"}), Catch::Contains("\x01quartiers\x02"));
}

TEST_CASE("search: the snippet is the window with the most distinct query words, wherever it is", "[search]") {
  std::string filler;
  for (int i = 0; i < 200; ++i) filler += "woord" + std::to_string(i) + " ";
  // Far past the first windows: still found, stemmed and folded ("Jongeren" for "jongere").
  std::string s = search::make_snippet(filler + "De Jongeren en de overlast. " + filler, "nl", {"jongere", "overlast"});
  CHECK_THAT(s, Catch::Contains("\x01Jongeren\x02") && Catch::Contains("\x01overlast\x02"));
  CHECK(s.rfind("…", 0) == 0);  // starts inside the text
  // One word early, both words together later: the later window wins.
  s = search::make_snippet("overlast " + filler + "sécurité en overlast", "fr", {"securite", "overlast"});
  CHECK_THAT(s, Catch::Contains("\x01sécurité\x02 en \x01overlast\x02"));
  // No match at all: the opening words.
  s = search::make_snippet(filler, "nl", {"niets"});
  CHECK(s.rfind("woord0 ", 0) == 0);
  CHECK(s.find('\x01') == std::string::npos);
}

TEST_CASE("search: a snippet opens three words before its window when they fit, and says what is cut", "[search]") {
  std::string filler;
  for (int i = 0; i < 100; ++i) filler += "w" + std::to_string(i) + " ";
  // Three words of context before the match, an ellipsis at each cut end, matches in between marked.
  std::string s = search::make_snippet(filler + "een buurt. " + filler, "nl", {"buurt"}, 40);
  CHECK(s == "…w98 w99 een \x01" "buurt\x02. w0 w1 w2 w3 w4 w5 w6…");
  // Context never pushes the window's last match out.
  std::string gap(28, 'a');
  s = search::make_snippet(filler + "buurt " + gap + " buurt", "nl", {"buurt"}, 40);
  CHECK(s == "…\x01" "buurt\x02 " + gap + " \x01" "buurt\x02");
  // At the start of the text: no ellipsis before; the whole text fits: none after (what follows
  // the last word is left out).
  CHECK(search::make_snippet("De buurt leeft.", "nl", {"buurt"}) == "De \x01" "buurt\x02 leeft");
  // Line breaks become spaces; a word longer than the window is no window.
  CHECK(search::make_snippet("Een\nbuurt", "nl", {"buurt"}) == "Een \x01" "buurt\x02");
  s = search::make_snippet(std::string(50, 'b') + " buurt", "nl", {std::string(50, 'b')}, 20);
  CHECK(s.find('\x01') == std::string::npos);
}

TEST_CASE("index: stored data read whole or only some fields gives the same values", "[index]") {
  namespace schema = index::schema;
  corpus::Document d;
  d.id = "x";
  d.title = "Titel";
  d.lang = "nl";
  d.year = 2008;
  d.themes = {"a", "b"};
  d.fields = {{"id", "x"}, {"title", "Titel"}, {"nested", {{"deep", {1, 2}}}}};
  d.body = "De tekst.";
  std::string data = schema::document_data(d);
  auto whole = schema::read_data(data, true);
  auto some = schema::read_data(data, true, {"id", "themes", "year", "fields", "absent"});
  CHECK(some.text == "De tekst.");
  CHECK(some.fields == nlohmann::json{{"id", "x"}, {"themes", {"a", "b"}}, {"year", 2008}, {"fields", whole.fields["fields"]}});
  CHECK(schema::read_data(data, false, {"title"}).fields == nlohmann::json{{"title", "Titel"}});
  CHECK(schema::read_data(data, false, {"title"}).text.empty());
  // Damaged or foreign data gives an empty object either way; schema 1 kept the text inside.
  CHECK(schema::read_data("{\"id\": [", true, {"id"}).fields == nlohmann::json::object());
  CHECK(schema::read_data("[1, 2]", true, {"id"}).fields == nlohmann::json::object());
  auto old = schema::read_data(R"({"id": "y", "text": "Oud.", "why": "w"})", true, {"id"});
  CHECK(old.fields == nlohmann::json{{"id", "y"}});
  CHECK(old.text == "Oud.");
}

TEST_CASE("search: year ranges parse and reject nonsense", "[search]") {
  CHECK(search::parse_years("2008..2012") == std::make_pair(2008, 2012));
  CHECK(search::parse_years("2015..") == std::make_pair(2015, 9999));
  CHECK(search::parse_years("2010") == std::make_pair(2010, 2010));
  CHECK_THROWS_AS(search::parse_years("2012..2008"), UsageError);
  CHECK_THROWS_AS(search::parse_years("last year"), UsageError);
}
