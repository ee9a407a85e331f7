#pragma once

#include <string>
#include <string_view>
#include <vector>

// The fuzz entry points, shared by the libFuzzer targets (fuzz/) and the ordinary replay test
// (tests/unit/test_fuzz_replay.cpp): a regression input exercises exactly the code that broke.
//
// Each entry accepts any bytes. A befus::Error is an expected answer to bad input and is
// swallowed; any other exception, a crash, a sanitizer report or a failed invariant (abort)
// is a finding.
namespace befus::fuzz {

using Entry = void (*)(std::string_view input);

void taxonomy(std::string_view input);      // the tree, actors and funding YAML loader
void front_matter(std::string_view input);  // front matter split, metadata YAML, document fields
void markdown(std::string_view input);      // extract_markdown
void html(std::string_view input);          // extract_html
void pdf(std::string_view input);           // extract_pdf_in_process (poppler without the child)
void text(std::string_view input);          // extract_text, language id, folding
void query(std::string_view input);         // search::run on a small index, year ranges, snippets
void jsonl(std::string_view input);         // JSON Lines records: read, check, write and read back
void csv(std::string_view input);           // CSV records: read, check, write and read back

struct Target {
  const char* name;  // fuzz_<name> is the libFuzzer binary, tests/data/fuzz-regressions/<name>/ its inputs
  Entry entry;
};
// Every target, for the replay test.
const std::vector<Target>& targets();

} // namespace befus::fuzz
