#include "befus/error.hpp"
#include "befus/ingest.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace befus;
using ingest::Format;
using ingest::RawRecord;

namespace {

std::vector<RawRecord> read_all(const std::string& text, Format f) {
  std::istringstream in(text);
  auto reader = ingest::open_reader(in, f, "input");
  std::vector<RawRecord> out;
  RawRecord r;
  while (reader->next(r)) out.push_back(r);
  return out;
}

bool has_reason(const RawRecord& r, const std::string& part) {
  for (const auto& s : r.reasons)
    if (s.find(part) != std::string::npos) return true;
  return false;
}

} // namespace

TEST_CASE("ingest: JSON Lines records carry their physical line numbers", "[ingest]") {
  auto rs = read_all("{\"id\":\"a\",\"title\":\"A\"}\n\n   \r\n{\"id\":\"b\",\"title\":\"B\"}\r\n{\"id\":\"c\",\"title\":\"C\"}",
                     Format::jsonl);
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].record.line == 1);
  CHECK(rs[1].record.line == 4);
  CHECK(rs[1].record.title == "B");  // the CR of a CRLF line is not part of the record
  CHECK(rs[2].record.line == 5);     // a last line without a newline still counts
  for (const auto& r : rs) CHECK(r.reasons.empty());
}

TEST_CASE("ingest: JSON Lines fields are normalised", "[ingest]") {
  auto rs = read_all(R"({"id":" x1 ","title":"  T ","year":"2004","partners":"befus; efus ;","themes":[" media ",""],)"
                     R"("target":["jongeren"],"why":null,"body":"  keep  spaces\n"})" "\n",
                     Format::jsonl);
  REQUIRE(rs.size() == 1);
  const auto& r = rs[0].record;
  CHECK(rs[0].reasons.empty());
  CHECK(r.id == "x1");
  CHECK(r.title == "T");
  CHECK(r.year == 2004);
  CHECK(r.partners == std::vector<std::string>{"befus", "efus"});
  CHECK(r.themes == std::vector<std::string>{"media"});
  CHECK(r.why.empty());
  CHECK(r.body == "  keep  spaces\n");
}

TEST_CASE("ingest: a bad JSON line is one rejected record, not the end of the batch", "[ingest]") {
  auto rs = read_all("{\"id\": \"a\", \"title\": \n"
                     "[1, 2]\n"
                     "{\"id\":\"b\",\"title\":\"B\",\"tittle\":\"x\",\"year\":20.5,\"themes\":{\"a\":1}}\n"
                     "{\"id\":\"c\",\"title\":\"one\",\"title\":\"two\"}\n"
                     "{\"id\":\"d\",\"title\":\"T\",\"themes\":[[[[\"deep\"]]]]}\n"
                     "{\"id\":\"e\",\"title\":\"Line\\nbreak\",\"lang\":5}\n"
                     "{\"id\":\"f\",\"title\":\"ok\"}\n",
                     Format::jsonl);
  REQUIRE(rs.size() == 7);
  CHECK(has_reason(rs[0], "record: not valid JSON"));
  CHECK(has_reason(rs[0], "at column"));
  CHECK(has_reason(rs[1], "one JSON object"));
  CHECK(rs[2].record.id == "b");
  CHECK(has_reason(rs[2], "unknown field 'tittle' (did you mean: title"));
  CHECK(has_reason(rs[2], "year: 20.5 is not a whole number"));
  CHECK(has_reason(rs[2], "themes: must be a list of texts"));
  CHECK(has_reason(rs[3], "title: given twice"));
  CHECK(has_reason(rs[4], "nested too deeply"));
  CHECK(has_reason(rs[5], "title: contains a line break"));
  CHECK(has_reason(rs[5], "lang: must be a text"));
  CHECK(rs[6].reasons.empty());
}

TEST_CASE("ingest: UTF-8 only, with a byte order mark tolerated", "[ingest]") {
  SECTION("a BOM is skipped") {
    auto rs = read_all("\xEF\xBB\xBF{\"id\":\"a\",\"title\":\"A\"}\n", Format::jsonl);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].reasons.empty());
    auto cs = read_all("\xEF\xBB\xBFid,title\na,A\n", Format::csv);
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].reasons.empty());
    CHECK(cs[0].record.id == "a");
  }
  SECTION("Latin-1 bytes reject the record and keep its id") {
    auto rs = read_all("{\"id\":\"cafe\",\"title\":\"caf\xE9\"}\n{\"id\":\"b\",\"title\":\"B\"}\n", Format::jsonl);
    REQUIRE(rs.size() == 2);
    CHECK(has_reason(rs[0], "not valid UTF-8 at byte 26"));
    CHECK(rs[0].record.id == "cafe");
    CHECK(rs[1].reasons.empty());
    auto cs = read_all("id,title\ncafe,caf\xE9\n", Format::csv);
    REQUIRE(cs.size() == 1);
    CHECK(has_reason(cs[0], "title: not valid UTF-8"));
  }
  SECTION("UTF-16 input is unreadable") {
    CHECK_THROWS_AS(read_all(std::string("\xFF\xFEi\0d\0", 6), Format::csv), DataError);
    CHECK_THROWS_AS(read_all(std::string("\xFE\xFF\0{", 4), Format::jsonl), DataError);
  }
}

TEST_CASE("ingest: CSV records start where their first line is, across multi-line fields", "[ingest]") {
  std::string csv = "id,title,why,body,partners\r\n"
                    "a,\"Title, with comma\",\"He said \"\"yes\"\"\",\"line one\r\nline two\n\nline four\",befus;efus\r\n"
                    "\r\n"
                    "b, spaced ,why,\" body\",\n"
                    "c,C,,,\n";
  auto rs = read_all(csv, Format::csv);
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].record.line == 2);
  CHECK(rs[0].record.title == "Title, with comma");
  CHECK(rs[0].record.why == "He said \"yes\"");
  CHECK(rs[0].record.body == "line one\r\nline two\n\nline four");
  CHECK(rs[0].record.partners == std::vector<std::string>{"befus", "efus"});
  CHECK(rs[1].record.line == 7);
  CHECK(rs[1].record.title == "spaced");   // texts are trimmed
  CHECK(rs[1].record.body == " body");     // the body keeps its spaces (RFC 4180: they belong to the field)
  CHECK(rs[2].record.line == 8);
  for (const auto& r : rs) CHECK(r.reasons.empty());
}

TEST_CASE("ingest: malformed CSV rows are rejected and reading goes on", "[ingest]") {
  std::string csv = "id,title,year\n"
                    "a,Bad \"quote\",2001\n"
                    "b,Two,\n"
                    "c,Three\n"
                    "d,Four,2004,extra\n"
                    "e,\"Five\"x,2005\n"
                    "f,Six,2006\n"
                    "g,\"never closed,2007\n"
                    "h,Eight,2008\n";
  auto rs = read_all(csv, Format::csv);
  REQUIRE(rs.size() == 7);
  CHECK(rs[0].record.line == 2);
  CHECK(rs[0].record.id == "a");
  CHECK(has_reason(rs[0], "malformed CSV on line 2"));
  CHECK(rs[1].reasons.empty());
  CHECK(has_reason(rs[2], "2 fields, but the header has 3 columns"));
  CHECK(has_reason(rs[3], "4 fields, but the header has 3 columns"));
  CHECK(rs[4].record.line == 6);
  CHECK(has_reason(rs[4], "malformed CSV"));
  CHECK(rs[5].record.id == "f");
  CHECK(rs[5].reasons.empty());
  CHECK(rs[6].record.line == 8);
  CHECK(rs[6].record.id == "g");
  CHECK(has_reason(rs[6], "never closed"));
}

TEST_CASE("ingest: the CSV header must name known columns, once, with id and title", "[ingest]") {
  CHECK_THROWS_WITH(read_all("id,tittle\n", Format::csv), Catch::Contains("unknown field 'tittle' (did you mean: title"));
  CHECK_THROWS_WITH(read_all("id,title,id\n", Format::csv), Catch::Contains("column 'id' appears twice"));
  CHECK_THROWS_WITH(read_all("title,body\nT,B\n", Format::csv), Catch::Contains("no 'id' column"));
  CHECK(read_all("", Format::csv).empty());
  CHECK(read_all("id,title\n", Format::csv).empty());
  CHECK(read_all("", Format::jsonl).empty());
}

TEST_CASE("ingest: list items may not hold the list separator", "[ingest]") {
  auto rs = read_all(R"({"id":"a","title":"A","target":["youth; elderly"]})" "\n", Format::jsonl);
  REQUIRE(rs.size() == 1);
  CHECK(has_reason(rs[0], "target: item 'youth; elderly' contains ';'"));
}

TEST_CASE("ingest: the format follows the extension or the name", "[ingest]") {
  CHECK(ingest::format_of("a/b.JSONL") == Format::jsonl);
  CHECK(ingest::format_of("b.ndjson") == Format::jsonl);
  CHECK(ingest::format_of("b.csv") == Format::csv);
  CHECK_FALSE(ingest::format_of("b.txt"));
  CHECK(ingest::format_named("csv") == Format::csv);
  CHECK_FALSE(ingest::format_named("json5"));
}
