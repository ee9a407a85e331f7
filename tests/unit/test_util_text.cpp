#include "befus/text.hpp"

#include <catch2/catch.hpp>

using namespace befus::util;

TEST_CASE("fold: removes accents and case in all three languages", "[util]") {
  CHECK(fold("Sécurité") == "securite");
  CHECK(fold("geïntegreerd") == "geintegreerd");
  CHECK(fold("ÉLÈVE Çà") == "eleve ca");
  CHECK(fold("plain ASCII") == "plain ascii");
  CHECK(fold("ﬁn") == "fin");  // compatibility ligature
}

TEST_CASE("words: splits on punctuation and folds", "[util]") {
  CHECK(words("Sentiment d'insécurité, 2008!") == std::vector<std::string>{"sentiment", "d", "insecurite", "2008"});
  CHECK(fold_phrase("  Inclusie   van het MIGRANTENPUBLIEK ") == "inclusie van het migrantenpubliek");
  CHECK(words("").empty());
}

TEST_CASE("valid_utf8: accepts good text, rejects overlongs, surrogates and truncation", "[util]") {
  CHECK(valid_utf8("préventie"));
  CHECK_FALSE(valid_utf8("\xff\xfe"));
  CHECK_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(valid_utf8("abc\xe2\x82"));       // truncated
  CHECK(repair_utf8("a\xffz") == "a\xEF\xBF\xBDz");
}

TEST_CASE("is_slug and is_id: what an id may be", "[util]") {
  CHECK(is_slug("migrant-inclusion"));
  CHECK_FALSE(is_slug("Migrant"));
  CHECK_FALSE(is_slug("a--b"));
  CHECK_FALSE(is_slug("-a"));
  CHECK(is_id("onveiligheidsgevoel-media-2008"));
  CHECK(is_id("Report_v1.2"));
  CHECK_FALSE(is_id("../etc"));
  CHECK_FALSE(is_id("a/b"));
  CHECK_FALSE(is_id("has space"));
  CHECK_FALSE(is_id(""));
}

TEST_CASE("closest: suggests near ids first", "[util]") {
  std::vector<std::string> ids{"migrant-inclusion", "youth-integration", "radicalisation"};
  CHECK(closest("migrant-inclusio", ids).front() == "migrant-inclusion");
  CHECK(closest("radicalization", ids).front() == "radicalisation");
  CHECK(closest("zzzzzzzzzzzzzzzzzzzzz", ids).empty());
  CHECK(levenshtein("kitten", "sitting") == 3);
}

namespace {
// The words word_spans finds, as text.
std::vector<std::string> spelled(std::string_view s) {
  std::vector<std::string> out;
  for (const auto& w : word_spans(s)) out.emplace_back(s.substr(w.offset, w.length));
  return out;
}
} // namespace

TEST_CASE("word_spans: letters, digits and combining marks of any script, unfolded", "[util]") {
  using V = std::vector<std::string>;
  CHECK(spelled("Hello, world!") == V{"Hello", "world"});
  CHECK(spelled("  Sécurité  d'été—2024-2025 ") == V{"Sécurité", "d", "été", "2024", "2025"});
  CHECK(spelled("cafe\xCC\x81 x") == V{"cafe\xCC\x81", "x"});  // e + combining acute: one word
  CHECK(spelled("Привет, мир") == V{"Привет", "мир"});
  CHECK(spelled("ab\xFF" "cd\xE2\x82") == V{"ab", "cd"});  // a stray and a cut-short byte split words
  CHECK(spelled("").empty());
  CHECK(spelled(" ,.;!? ").empty());
  auto spans = word_spans("  één twee");
  REQUIRE(spans.size() == 2);
  CHECK(spans[0].offset == 2);
  CHECK(spans[0].length == 5);  // é is two bytes, twice
  CHECK(spans[1].offset == 8);
  // The cursor gives the same words one by one.
  WordCursor cursor("  één twee");
  Span w;
  REQUIRE(cursor.next(w));
  CHECK((w.offset == 2 && w.length == 5));
  REQUIRE(cursor.next(w));
  CHECK((w.offset == 8 && w.length == 4));
  CHECK_FALSE(cursor.next(w));
  CHECK_FALSE(cursor.next(w));
}
