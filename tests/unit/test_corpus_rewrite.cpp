#include "befus/rewrite.hpp"

#include "befus/error.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

using befus::corpus::MetadataText;
using befus::corpus::read_themes;
using befus::corpus::set_themes;
using befus::test::TempDir;
using Themes = std::vector<std::string>;

namespace {

std::string md(const std::string& text, const Themes& themes) { return set_themes(text, MetadataText::markdown, themes, "t.md"); }
std::string yaml(const std::string& text, const Themes& themes) { return set_themes(text, MetadataText::yaml, themes, "t.yaml"); }

} // namespace

TEST_CASE("rewrite: a flow list changes and nothing else does", "[rewrite]") {
  const std::string before =
      "---\n"
      "id: doc-1   # stable\n"
      "title: \"Quoted: title\"\n"
      "type: practice\n"
      "themes: [housing, health]  # set by hand\n"
      "x-unknown: {keep: me}\n"
      "---\n"
      "# Body\n\nthemes: [not, metadata]\n";
  std::string after = md(before, {"housing-first", "health"});
  CHECK(after ==
        "---\n"
        "id: doc-1   # stable\n"
        "title: \"Quoted: title\"\n"
        "type: practice\n"
        "themes: [housing-first, health]  # set by hand\n"
        "x-unknown: {keep: me}\n"
        "---\n"
        "# Body\n\nthemes: [not, metadata]\n");
  CHECK(read_themes(after, MetadataText::markdown) == Themes{"housing-first", "health"});
}

TEST_CASE("rewrite: setting the themes already written changes no byte", "[rewrite]") {
  const std::string before = "---\nthemes: [a,b]\n---\nbody";
  CHECK(md(before, {"a", "b"}) == before);
  const std::string scalar = "---\nthemes: a; b\n---\n";
  CHECK(md(scalar, {"a", "b"}) == scalar);
}

TEST_CASE("rewrite: flow list keeps its quotes, padding and trailing text", "[rewrite]") {
  CHECK(md("---\nthemes: [ \"a\", \"b\" ] # c\n---\n", {"c"}) == "---\nthemes: [ \"c\" ] # c\n---\n");
  CHECK(md("---\nthemes: ['a']\n---\n", {"x", "y"}) == "---\nthemes: ['x', 'y']\n---\n");
  // A list over several lines becomes one line; the next key is untouched.
  CHECK(md("---\nthemes: [\n  a,\n  b\n]\nyear: 2020\n---\n", {"b"}) == "---\nthemes: [b]\nyear: 2020\n---\n");
}

TEST_CASE("rewrite: a block list keeps its indentation, kept items and comments", "[rewrite]") {
  const std::string before =
      "---\n"
      "title: T\n"
      "themes:   # the topics\n"
      "  - housing     # main\n"
      "  # a note between items\n"
      "  - health\n"
      "year: 2020\n"
      "---\n"
      "body\n";
  SECTION("replace one item in place") {
    CHECK(md(before, {"housing", "addiction-inclusion"}) ==
          "---\ntitle: T\nthemes:   # the topics\n  - housing     # main\n  # a note between items\n"
          "  - addiction-inclusion\nyear: 2020\n---\nbody\n");
  }
  SECTION("add items after the last one") {
    CHECK(md(before, {"housing", "health", "employment"}) ==
          "---\ntitle: T\nthemes:   # the topics\n  - housing     # main\n  # a note between items\n"
          "  - health\n  - employment\nyear: 2020\n---\nbody\n");
  }
  SECTION("drop an item; a kept item keeps its own comment") {
    CHECK(md(before, {"health"}) ==
          "---\ntitle: T\nthemes:   # the topics\n  - health\n  # a note between items\nyear: 2020\n---\nbody\n");
  }
  SECTION("empty the list") {
    CHECK(md(before, {}) == "---\ntitle: T\nthemes: []   # the topics\n  # a note between items\nyear: 2020\n---\nbody\n");
  }
}

TEST_CASE("rewrite: a block list at the key's own indentation", "[rewrite]") {
  const std::string before = "---\nthemes:\n- a\n- b\npartners:\n- x\n---\n";
  CHECK(md(before, {"c", "a"}) == "---\nthemes:\n- c\n- a\npartners:\n- x\n---\n");
}

TEST_CASE("rewrite: CRLF line endings stay CRLF, also in new lines", "[rewrite]") {
  const std::string before = "---\r\nid: x\r\ntype: news\r\nthemes:\r\n  - a\r\n---\r\nbody\r\n";
  CHECK(md(before, {"a", "b"}) == "---\r\nid: x\r\ntype: news\r\nthemes:\r\n  - a\r\n  - b\r\n---\r\nbody\r\n");
  const std::string no_key = "---\r\nid: x\r\ntype: news\r\nyear: 2001\r\n---\r\nbody\r\n";
  CHECK(md(no_key, {"a"}) == "---\r\nid: x\r\ntype: news\r\nthemes: [a]\r\nyear: 2001\r\n---\r\nbody\r\n");
  CHECK(md("no front matter\r\n", {"a"}) == "---\r\nthemes: [a]\r\n---\r\nno front matter\r\n");
}

TEST_CASE("rewrite: a byte-order mark stays in front", "[rewrite]") {
  const std::string bom = "\xEF\xBB\xBF";
  CHECK(md(bom + "---\nthemes: [a]\n---\nx", {"b"}) == bom + "---\nthemes: [b]\n---\nx");
  CHECK(md(bom + "# Just text\n", {"b"}) == bom + "---\nthemes: [b]\n---\n# Just text\n");
  CHECK(yaml(bom + "id: s\nthemes: [a]", {"b"}) == bom + "id: s\nthemes: [b]");
}

TEST_CASE("rewrite: a missing key goes after type, else at the end", "[rewrite]") {
  CHECK(md("---\nid: x\ntype: practice\nyear: 2020\n---\nB\n", {"a", "b"}) ==
        "---\nid: x\ntype: practice\nthemes: [a, b]\nyear: 2020\n---\nB\n");
  CHECK(md("---\nid: x\nyear: 2020\n# closing remark\n---\nB\n", {"a"}) ==
        "---\nid: x\nyear: 2020\n# closing remark\nthemes: [a]\n---\nB\n");
  CHECK(md("---\n---\nB\n", {"a"}) == "---\nthemes: [a]\n---\nB\n");
  // Nothing to write and no key: nothing changes.
  CHECK(md("---\nid: x\n---\nB\n", {}) == "---\nid: x\n---\nB\n");
}

TEST_CASE("rewrite: files without a final newline keep it that way", "[rewrite]") {
  CHECK(yaml("id: s\nthemes: [a]", {"b"}) == "id: s\nthemes: [b]");
  CHECK(yaml("id: s\nthemes:\n  - a\n  - b", {"a"}) == "id: s\nthemes:\n  - a");
  CHECK(yaml("id: s\nthemes:\n  - a", {"a", "c"}) == "id: s\nthemes:\n  - a\n  - c");
  CHECK(yaml("id: s\ntype: news", {"a"}) == "id: s\ntype: news\nthemes: [a]");
  CHECK(yaml("", {"a"}) == "themes: [a]\n");
  CHECK(md("---\nid: x\n---", {"a"}) == "---\nid: x\nthemes: [a]\n---");
}

TEST_CASE("rewrite: scalar, null and block-text values become a flow list", "[rewrite]") {
  CHECK(md("---\nthemes: a, b\nyear: 1\n---\n", {"c"}) == "---\nthemes: [c]\nyear: 1\n---\n");
  CHECK(md("---\nthemes:\nyear: 1\n---\n", {"c"}) == "---\nthemes: [c]\nyear: 1\n---\n");
  CHECK(md("---\nthemes: ~ # none yet\n---\n", {"c"}) == "---\nthemes: [c] # none yet\n---\n");
  CHECK(md("---\nthemes: >\n  a, b\nyear: 1\n---\n", {"c"}) == "---\nthemes: [c]\nyear: 1\n---\n");
}

TEST_CASE("rewrite: look-alike keys elsewhere are left alone", "[rewrite]") {
  const std::string before =
      "---\n"
      "why: |\n"
      "  themes: this line is text inside a block\n"
      "nested:\n"
      "  themes: [inner]\n"
      "themes: [outer]\n"
      "---\n";
  CHECK(md(before, {"new"}) ==
        "---\nwhy: |\n  themes: this line is text inside a block\nnested:\n  themes: [inner]\nthemes: [new]\n---\n");
}

TEST_CASE("rewrite: ids that YAML would read otherwise are quoted", "[rewrite]") {
  std::string out = md("---\nthemes: [a]\n---\n", {"no", "x y"});
  CHECK(out == "---\nthemes: [\"no\", \"x y\"]\n---\n");
  CHECK(read_themes(out, MetadataText::markdown) == Themes{"no", "x y"});
}

TEST_CASE("rewrite: refuses what it cannot edit safely", "[rewrite]") {
  CHECK_THROWS_AS(md("---\nthemes: &t [a]\nother: *t\n---\n", {"b"}), befus::DataError);
  CHECK_THROWS_AS(md("---\nthemes: [a]\nthemes: [b]\n---\n", {"c"}), befus::DataError);
  CHECK_THROWS_AS(md("---\nthemes: [a\n---\n", {"c"}), befus::DataError);
  CHECK_THROWS_WITH(md("---\nid: [unclosed\n---\n", {"c"}), Catch::Contains("t.md:3:1"));
}

TEST_CASE("rewrite: read_themes tells a missing key from an empty list", "[rewrite]") {
  CHECK_FALSE(read_themes("---\nid: x\n---\n", MetadataText::markdown));
  CHECK(read_themes("---\nthemes: []\n---\n", MetadataText::markdown) == Themes{});
  CHECK(read_themes("themes: a; b\n", MetadataText::yaml) == Themes{"a", "b"});
  CHECK_FALSE(read_themes("plain text\n", MetadataText::markdown));
}

TEST_CASE("rewrite: sidecars hold the themes of non-Markdown documents", "[rewrite]") {
  TempDir dir;
  befus::test::write(dir / "a.txt", "plain text\n");
  befus::test::write(dir / "b.md", "---\nthemes: [a]\n---\nB\n");
  befus::test::write(dir / "c.md", "---\nid: c\n---\nC\n");
  befus::test::write(dir / "c.md.yaml", "themes: [x]\n");
  befus::test::write(dir / "d.pdf", "%PDF-1.4");
  befus::test::write(dir / "d.pdf.yaml", "id: d\r\ntitle: D\r\n");

  auto a = befus::corpus::plan_themes_edit(dir / "a.txt", {"t1"});
  CHECK(a.path == dir / "a.txt.yaml");
  CHECK_FALSE(a.existed);
  CHECK(a.after == "themes: [t1]\n");
  CHECK(a.changes());

  auto b = befus::corpus::plan_themes_edit(dir / "b.md", {"a"});
  CHECK(b.path == dir / "b.md");
  CHECK_FALSE(b.changes());

  CHECK(befus::corpus::themes_home(dir / "c.md").file == dir / "c.md.yaml");
  auto d = befus::corpus::plan_themes_edit(dir / "d.pdf", {"t"});
  CHECK(d.path == dir / "d.pdf.yaml");
  CHECK(d.after == "id: d\r\ntitle: D\r\nthemes: [t]\r\n");

  auto none = befus::corpus::plan_themes_edit(dir / "a.txt", {});
  CHECK_FALSE(none.changes());
}

TEST_CASE("rewrite: write_if_unchanged writes, keeps the mode, and refuses a changed file", "[rewrite]") {
  using befus::corpus::WriteOutcome;
  using befus::corpus::write_if_unchanged;
  TempDir dir;
  auto p = dir / "f.md";
  befus::test::write(p, "one");
  ::chmod(p.c_str(), 0640);
  CHECK(write_if_unchanged(p, true, "one", "two") == WriteOutcome::written);
  CHECK(befus::test::read(p) == "two");
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);

  // Someone edited the file since it was read: it is not overwritten.
  CHECK(write_if_unchanged(p, true, "one", "three") == WriteOutcome::conflict);
  CHECK(befus::test::read(p) == "two");

  // Creating: only when the file is still absent.
  auto q = dir / "new.yaml";
  CHECK(write_if_unchanged(q, false, "", "x") == WriteOutcome::written);
  CHECK(write_if_unchanged(q, false, "", "y") == WriteOutcome::conflict);
  CHECK(befus::test::read(q) == "x");
  CHECK(befus::corpus::remove_if_unchanged(q, "other") == WriteOutcome::conflict);
  CHECK(befus::corpus::remove_if_unchanged(q, "x") == WriteOutcome::written);
  CHECK_FALSE(std::filesystem::exists(q));

  // No temporary file is left behind.
  size_t files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) files += e.is_regular_file();
  CHECK(files == 1);
}

TEST_CASE("rewrite: line_diff shows only the changed lines with one line of context", "[rewrite]") {
  CHECK(befus::corpus::line_diff("a\nb\n", "a\nb\n").empty());
  CHECK(befus::corpus::line_diff("---\ntype: x\nthemes: [a]\nyear: 1\n---\n", "---\ntype: x\nthemes: [b]\nyear: 1\n---\n") ==
        "@@ -2,3 +2,3 @@\n type: x\n-themes: [a]\n+themes: [b]\n year: 1\n");
  CHECK(befus::corpus::line_diff("x\r\n", "y\r\n") == "@@ -1,1 +1,1 @@\n-x\n+y\n");
}

TEST_CASE("rewrite: every sample document keeps every line but its themes", "[rewrite]") {
  namespace fs = std::filesystem;
  size_t checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(befus::test::source("corpus"))) {
    const fs::path& p = entry.path();
    std::string ext = p.extension().string();
    if (ext != ".md" && ext != ".txt" && ext != ".html" && ext != ".pdf") continue;
    auto edit = befus::corpus::plan_themes_edit(p, {"first-theme", "second-theme"});
    REQUIRE(edit.changes());
    CHECK(befus::test::without_themes(edit.before) == befus::test::without_themes(edit.after));
    CHECK(befus::corpus::read_themes(edit.after, edit.path == p ? MetadataText::markdown : MetadataText::yaml) ==
          Themes{"first-theme", "second-theme"});
    ++checked;
  }
  CHECK(checked >= 70);
}
