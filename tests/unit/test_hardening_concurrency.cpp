#include "befus/index.hpp"
#include "befus/kb.hpp"
#include "befus/search.hpp"
#include "befus/taxonomy.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <atomic>
#include <exception>
#include <set>
#include <thread>

using namespace befus;
using befus::test::TempDir;

namespace {

void write_docs(const TempDir& dir, int from, int to) {
  const char* langs[] = {"nl", "fr", "en"};
  for (int i = from; i < to; ++i)
    befus::test::write(dir / fmt::format("corpus/doc-{:04}.md", i),
                       fmt::format("---\nid: doc-{:04}\ntitle: Document {}\nlang: {}\nyear: 2020\n"
                                   "themes: [migrant-inclusion]\n---\nPrevention in the city, number {}.\n",
                                   i, i, langs[i % 3], i));
}

kb::KnowledgeBase knowledge_base(const TempDir& dir) {
  kb::KnowledgeBase kb;
  kb.root = dir.path();
  kb.corpus = {dir / "corpus"};
  return kb;
}

} // namespace

// A reader held open while a writer commits many times must either see one snapshot or reopen
// (DatabaseModifiedError) and start over: never a mix, never a hit twice.
TEST_CASE("hardening: searches during indexing see one consistent snapshot", "[hardening]") {
  TempDir dir;
  auto kb = knowledge_base(dir);
  taxonomy::Sources sources;
  sources.tree = befus::test::data("taxonomy/small.yaml");
  auto tree = taxonomy::load_or_throw(sources);
  std::string location = (dir / "index").string();

  write_docs(dir, 0, 60);
  index::IndexOptions first;
  first.jobs = 1;
  index::update(kb, tree, location, first);
  index::Reader reader(location);

  write_docs(dir, 60, 900);
  std::atomic<bool> done{false};
  std::exception_ptr writer_error;
  std::thread writer([&] {
    try {
      index::IndexOptions o;
      o.jobs = 1;
      o.batch = 15;  // many commits: old revisions are recycled under the reader
      index::update(kb, tree, location, o);
    } catch (...) {
      writer_error = std::current_exception();
    }
    done = true;
  });

  size_t searches = 0, index_errors = 0;
  std::vector<std::string> problems;
  while (!done || searches < 3) {
    search::Request r;
    r.facets = true;
    r.limit = 2000;
    try {
      search::Result res = search::run(reader, tree, kb.languages, r);
      long per_lang = 0;
      for (const auto& [lang, n] : res.facets["lang"]) per_lang += n;
      std::set<std::string> ids;
      for (const auto& h : res.hits) ids.insert(h.data.value("id", ""));
      if (per_lang != static_cast<long>(res.total))
        problems.push_back(fmt::format("total {} but languages add up to {}", res.total, per_lang));
      if (res.hits.size() != res.total) problems.push_back(fmt::format("{} hits for total {}", res.hits.size(), res.total));
      if (ids.size() != res.hits.size()) problems.push_back(fmt::format("{} hits, {} distinct", res.hits.size(), ids.size()));
    } catch (const IndexError&) {
      ++index_errors;  // gave up after repeated reopens: allowed, but it must be a clean error
    }
    ++searches;
  }
  writer.join();
  if (writer_error) std::rethrow_exception(writer_error);
  INFO(searches << " searches, " << index_errors << " gave up");
  CHECK(problems.empty());
  if (!problems.empty()) FAIL(problems.front());
  CHECK(index_errors < searches);
  CHECK(index::Reader(location).document_count() == 900);
}
