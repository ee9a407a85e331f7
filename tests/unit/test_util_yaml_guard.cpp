#include "util/yaml_guard.hpp"

#include <catch2/catch.hpp>

#include <string>

using befus::yaml_guard::check;

TEST_CASE("yaml guard: flow nesting past the bound is refused where it happens", "[yaml]") {
  std::string deep = "themes: " + std::string(150, '[') + std::string(150, ']') + "\n";
  auto p = check(deep);
  REQUIRE(p);
  CHECK(p->line == 1);
  CHECK(p->column == 9 + 100);
  CHECK(p->message == "nesting deeper than 100 levels");
  CHECK(check("a:\n  - " + std::string(150, '{') + "\n"));
}

TEST_CASE("yaml guard: brackets inside a quoted value are text", "[yaml]") {
  // Found by fuzz_csv: an imported 'why' full of brackets, written quoted, was refused on reading back.
  CHECK_FALSE(check("why: \"Les victimes " + std::string(150, '[') + " seules.\"\n"));
  CHECK_FALSE(check("why: '" + std::string(150, '[') + "'\n"));
  CHECK_FALSE(check("- \"" + std::string(150, '{') + "\"\n"));
  CHECK_FALSE(check("list: [\"" + std::string(150, '[') + "\", b]\n"));
}

TEST_CASE("yaml guard: a quote inside a plain value opens nothing", "[yaml]") {
  // Counting the brackets after it may refuse a harmless text, but never lets deep nesting through.
  CHECK(check("title: Een \"fout\" " + std::string(150, '[') + "\n"));
  CHECK(check("key:\"" + std::string(150, '[') + "\"\n"));
}

TEST_CASE("yaml guard: NUL bytes are refused with their place", "[yaml]") {
  auto p = check(std::string("id: a\nlabel: b\0c\n", 17));
  REQUIRE(p);
  CHECK(p->line == 2);
  CHECK(p->column == 9);
}
