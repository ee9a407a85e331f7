#include "entry.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

// Replays every regression input (and the hand-written seeds) through the same entry points the
// libFuzzer targets use, so a fixed crash stays fixed without a fuzzer. With BEFUS_SANITIZE=ON the
// sanitizers watch the replay as they watched the fuzzer.

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_of(const std::string& target) {
  std::vector<fs::path> out;
  for (const fs::path& dir : {befus::test::data("fuzz-regressions/" + target), befus::test::source("fuzz/seeds/" + target)}) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void replay(const std::string& target) {
  const auto& all = befus::fuzz::targets();
  auto it = std::find_if(all.begin(), all.end(), [&](const auto& t) { return t.name == target; });
  REQUIRE(it != all.end());
  for (const auto& file : inputs_of(target)) {
    INFO("input: " << file.string());
    std::string bytes = befus::test::read(file);
    CHECK_NOTHROW(it->entry(bytes));
  }
  // The empty input is every fuzzer's first.
  CHECK_NOTHROW(it->entry(""));
}

} // namespace

TEST_CASE("fuzz: regression inputs name their bug as NN-what-broke.ext", "[fuzz]") {
  for (const auto& t : befus::fuzz::targets()) {
    std::error_code ec;
    fs::path dir = befus::test::data(std::string("fuzz-regressions/") + t.name);
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string name = e.path().filename().string();
      INFO(t.name << "/" << name);
      CHECK(name.size() > 3);
      CHECK(std::isdigit(static_cast<unsigned char>(name[0])));
      CHECK(std::isdigit(static_cast<unsigned char>(name[1])));
      CHECK(name[2] == '-');
    }
  }
}

TEST_CASE("fuzz: replays the taxonomy loader's inputs", "[fuzz]") { replay("taxonomy"); }
TEST_CASE("fuzz: replays the front matter parser's inputs", "[fuzz]") { replay("front_matter"); }
TEST_CASE("fuzz: replays the Markdown extractor's inputs", "[fuzz]") { replay("markdown"); }
TEST_CASE("fuzz: replays the HTML extractor's inputs", "[fuzz]") { replay("html"); }
TEST_CASE("fuzz: replays the PDF extractor's inputs", "[fuzz]") { replay("pdf"); }
TEST_CASE("fuzz: replays the text extractor's inputs", "[fuzz]") { replay("text"); }
TEST_CASE("fuzz: replays the query handling's inputs", "[fuzz]") { replay("query"); }
TEST_CASE("fuzz: replays the JSON Lines reader's inputs", "[fuzz]") { replay("jsonl"); }
TEST_CASE("fuzz: replays the CSV reader's inputs", "[fuzz]") { replay("csv"); }

TEST_CASE("fuzz: every entry point has a replay test", "[fuzz]") {
  std::vector<std::string> names;
  for (const auto& t : befus::fuzz::targets()) names.emplace_back(t.name);
  // A new target needs its own TEST_CASE above.
  CHECK(names == std::vector<std::string>{"taxonomy", "front_matter", "markdown", "html", "pdf", "text", "query",
                                          "jsonl", "csv"});
}
