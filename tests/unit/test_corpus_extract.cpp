#include "befus/corpus.hpp"
#include "befus/error.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace befus;
using befus::test::TempDir;
using befus::test::write;

TEST_CASE("corpus: markdown text keeps words, drops markup, takes the first heading as title", "[corpus]") {
  auto e = corpus::extract_markdown("# Samen *tegen* overlast\n\nEen **wijk** met [link](http://x).\n\n- punt een\n- punt twee\n");
  CHECK(e.title == "Samen tegen overlast");
  CHECK_THAT(e.text, Catch::Contains("Een wijk met link."));
  CHECK_THAT(e.text, Catch::Contains("punt twee"));
  CHECK(e.text.find("**") == std::string::npos);
  CHECK(e.text.find("http") == std::string::npos);
}

TEST_CASE("corpus: HTML skips navigation, scripts and styles and decodes entities", "[corpus]") {
  auto e = corpus::extract_html(
      "<html lang=\"fr-BE\"><head><title>Médiation &amp; SAC</title><style>p{color:red}</style></head>"
      "<body><nav>Accueil Menu</nav><script>var secret=1;</script>"
      "<article><h1>Titre</h1><p>La m&eacute;diation locale.</p><ul><li>un</li><li>deux</li></ul></article>"
      "<footer>Mentions</footer></body></html>");
  CHECK(e.title == "Médiation & SAC");
  CHECK(e.lang == "fr");
  CHECK_THAT(e.text, Catch::Contains("La médiation locale."));
  CHECK_THAT(e.text, Catch::Contains("deux"));
  for (const char* hidden : {"Accueil", "secret", "color", "Mentions"}) CHECK(e.text.find(hidden) == std::string::npos);
}

TEST_CASE("corpus: PDF text comes out with accents, a broken PDF is an error", "[corpus]") {
  auto bytes = test::read(test::source("corpus/nl/evaluatie-housing-first-gent.pdf"));
  auto e = corpus::extract_pdf(bytes);
  CHECK_THAT(e.text, Catch::Contains("Housing First"));
  CHECK_THROWS_AS(corpus::extract_pdf("%PDF-1.4 this is not really a pdf"), DataError);
  CHECK_THROWS_AS(corpus::extract_pdf(""), DataError);
}

TEST_CASE("corpus: front matter is found with BOM and CRLF, and not without a closing line", "[corpus]") {
  auto fm = corpus::split_front_matter("\xEF\xBB\xBF---\r\nid: a\r\n---\r\nBody\r\n");
  CHECK(fm.present);
  CHECK(fm.yaml == "id: a\r\n");
  CHECK(std::string("\xEF\xBB\xBF---\r\nid: a\r\n---\r\nBody\r\n").substr(fm.body_offset) == "Body\r\n");
  CHECK_FALSE(corpus::split_front_matter("---\nid: a\nno end\n").present);
  CHECK_FALSE(corpus::split_front_matter("Just text\n---\n").present);
}

TEST_CASE("corpus: metadata errors name the file line", "[corpus]") {
  try {
    corpus::parse_metadata("id: a\ntitle: [unclosed\n", "doc.md", 2);
    FAIL("no error");
  } catch (const DataError& e) {
    CHECK(e.where().file == "doc.md");
    CHECK(e.where().line >= 3);
  }
  CHECK_THROWS_AS(corpus::parse_metadata("- a list\n", "doc.md", 2), DataError);
}

TEST_CASE("corpus: language is identified from the text", "[corpus]") {
  CHECK(corpus::detect_language("De gemeente werkt samen met de politie en de scholen om overlast in de wijk te "
                                "verminderen en jongeren een plaats te geven.") == "nl");
  CHECK(corpus::detect_language("La commune travaille avec la police et les écoles pour réduire les nuisances dans "
                                "le quartier et donner une place aux jeunes.") == "fr");
  CHECK(corpus::detect_language("The city works with the police and the schools to reduce nuisance in the "
                                "neighbourhood and to give young people a place.") == "en");
}

TEST_CASE("corpus: load reads front matter, sidecars and rejects bad files with a reason", "[corpus]") {
  TempDir dir;
  write(dir / "befus.yaml", "corpus: [corpus]\n");
  auto kb = kb::read_config(dir.path());
  write(dir / "corpus/a.md", "---\nid: doc-a\ntitle: A\nlang: nl\nyear: 2010\nthemes: [x, y]\npartners: p1; p2\nextra: kept\n---\n# Kop\n\nTekst.\n");
  auto d = corpus::load(kb, dir / "corpus/a.md");
  CHECK(d.id == "doc-a");
  CHECK(d.year == 2010);
  CHECK(d.themes == std::vector<std::string>{"x", "y"});
  CHECK(d.partners == std::vector<std::string>{"p1", "p2"});
  CHECK(d.fields["extra"] == "kept");
  CHECK(d.path == "corpus/a.md");

  write(dir / "corpus/b.txt", "Plain text body about mediation.\n");
  write(dir / "corpus/b.txt.yaml", "id: doc-b\ntitle: From the sidecar\nlang: en\n");
  auto b = corpus::load(kb, dir / "corpus/b.txt");
  CHECK(b.id == "doc-b");
  CHECK(b.title == "From the sidecar");

  write(dir / "corpus/empty.md", "");
  CHECK_THROWS_WITH(corpus::load(kb, dir / "corpus/empty.md"), Catch::Contains("empty file"));
  write(dir / "corpus/bad.md", "line one\nline \xff two\n");
  CHECK_THROWS_WITH(corpus::load(kb, dir / "corpus/bad.md"), Catch::Contains("corpus/bad.md:2") && Catch::Contains("UTF-8"));
  write(dir / "corpus/nul.txt", std::string("a\0b", 3));
  CHECK_THROWS_WITH(corpus::load(kb, dir / "corpus/nul.txt"), Catch::Contains("NUL"));
  write(dir / "corpus/slash.md", "---\nid: ../etc\n---\nx\n");
  CHECK_THROWS_WITH(corpus::load(kb, dir / "corpus/slash.md"), Catch::Contains("is not valid"));
  write(dir / "corpus/year.md", "---\nyear: soon\n---\nx\n");
  CHECK_THROWS_WITH(corpus::load(kb, dir / "corpus/year.md"), Catch::Contains("year 'soon'"));
}
