#pragma once

// Knowledge bases for the classification tests: a small one with odd files (exact bytes), and a copy
// of the repository's own.
#include "support.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace befus::test {

// The small knowledge base's documents, byte for byte: CRLF, a BOM, a file without a final newline, a
// block list, a scalar, a sidecar, a file without front matter.
inline const std::map<std::string, std::string>& small_documents() {
  static const std::map<std::string, std::string> docs = {
      {"corpus/a.md",
       "---\nid: a\ntitle: Youth centre opens late on Fridays\nlang: en\ntype: practice   # a comment\n"
       "x-source: {system: old, ref: 12}\nthemes: [youth-work, nightlife]  # filed by hand\n---\n"
       "The youth centre keeps its doors open late on Fridays so that young people have a place to go "
       "instead of the bars.\n"},
      {"corpus/b.md",
       "---\r\nid: b\r\ntitle: Street workers in the night\r\nlang: en\r\nthemes:\r\n  - street-work\r\n"
       "  - burglary\r\nyear: 2019\r\n---\r\nStreet workers meet people in pubs and bars at night.\r\n"},
      {"corpus/c.md",
       "\xEF\xBB\xBF---\nid: c\ntitle: Harm reduction for drug users\nlang: en\nthemes: [drugs] # first filing\n---\n"
       "A needle exchange and low-threshold treatment offer harm reduction to drug users.\n"},
      {"corpus/d.md", "---\nid: d\nlang: en\nthemes: [old-topic]\n---\nA note about something nobody files under any more."},
      {"corpus/e.txt", "Young people built a youth centre together with the youth workers.\n"},
      {"corpus/e.txt.yaml", "id: e\nlang: en\nthemes:\n- youth-work"},
      {"corpus/f.md", "# Door locks\n\nA campaign about door locks and break-in prevention.\n"},
      {"corpus/g.md",
       "---\nid: g\ntitle: Dealing near the station\nlang: en\nthemes: drugs\n---\n"
       "Drug dealing in the station area caused nuisance for commuters and residents.\n"},
      {"corpus/h.md", "---\nid: h\nlang: en\nthemes: [burglary-victims]\n---\nAftercare and victim support after a break-in.\n"},
      {"corpus/i.md", "---\nid: i\nlang: en\nthemes: [nightlife]\n---\nLate opening of pubs.\n"},
  };
  return docs;
}

// What reclassify must make of them under tree-new.yaml (files absent here stay as they were).
inline const std::map<std::string, std::string>& small_expected() {
  static const std::map<std::string, std::string> docs = {
      {"corpus/a.md",
       "---\nid: a\ntitle: Youth centre opens late on Fridays\nlang: en\ntype: practice   # a comment\n"
       "x-source: {system: old, ref: 12}\nthemes: [youth-outreach, nightlife]  # filed by hand\n---\n"
       "The youth centre keeps its doors open late on Fridays so that young people have a place to go "
       "instead of the bars.\n"},
      {"corpus/b.md",
       "---\r\nid: b\r\ntitle: Street workers in the night\r\nlang: en\r\nthemes:\r\n  - nightlife\r\n"
       "  - burglary\r\nyear: 2019\r\n---\r\nStreet workers meet people in pubs and bars at night.\r\n"},
      {"corpus/c.md",
       "\xEF\xBB\xBF---\nid: c\ntitle: Harm reduction for drug users\nlang: en\nthemes: [drug-care] # first filing\n---\n"
       "A needle exchange and low-threshold treatment offer harm reduction to drug users.\n"},
      {"corpus/d.md", "---\nid: d\nlang: en\nthemes: []\n---\nA note about something nobody files under any more."},
      {"corpus/e.txt.yaml", "id: e\nlang: en\nthemes:\n- youth-outreach"},
      {"corpus/g.md",
       "---\nid: g\ntitle: Dealing near the station\nlang: en\nthemes: [drug-nuisance]\n---\n"
       "Drug dealing in the station area caused nuisance for commuters and residents.\n"},
  };
  return docs;
}

// A knowledge base under dir with tree-old.yaml as its tree and the small documents.
inline void make_small_kb(const std::filesystem::path& dir) {
  write(dir / "befus.yaml", "taxonomy: taxonomy/tree.yaml\ncorpus: [corpus]\nindex: .befus/index\nlanguages: [nl, fr, en]\n");
  write(dir / "taxonomy/tree.yaml", read(data("classify/tree-old.yaml")));
  for (const auto& [path, text] : small_documents()) write(dir / path, text);
}

inline void use_new_tree(const std::filesystem::path& dir) {
  write(dir / "taxonomy/tree.yaml", read(data("classify/tree-new.yaml")));
}

// A copy of the repository's knowledge base (config, tree, actors, funding, corpus) under dir.
inline void copy_repository_kb(const std::filesystem::path& dir) {
  copy_kb(dir);
}

// Every file under dir/corpus with its bytes.
inline std::map<std::string, std::string> snapshot(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir / "corpus"))
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).generic_string()] = read(e.path());
  return out;
}

} // namespace befus::test
