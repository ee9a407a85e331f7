#include "entry.hpp"

#include "befus/corpus.hpp"
#include "befus/error.hpp"
#include "befus/index.hpp"
#include "befus/ingest.hpp"
#include "befus/kb.hpp"
#include "befus/search.hpp"
#include "befus/taxonomy.hpp"
#include "befus/taxonomy_io.hpp"
#include "befus/text.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

namespace befus::fuzz {

namespace fs = std::filesystem;

namespace {

// An invariant the code must keep for every input; breaking it aborts, which libFuzzer reports.
void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "befus fuzz: invariant broken: %s\n", what);
  std::abort();
}

// One scratch folder per process for the loaders that read files; removed at exit.
class Scratch {
public:
  Scratch() {
    std::random_device rd;
    m_path = fs::temp_directory_path() / ("befus-fuzz-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(m_path);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  const fs::path& path() const { return m_path; }

private:
  fs::path m_path;
};

const fs::path& scratch() {
  static Scratch s;
  return s.path();
}

void write(const fs::path& p, std::string_view bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The small test tree that documents are checked against.
const taxonomy::Taxonomy& small_tree() {
  static const taxonomy::Taxonomy t = [] {
    taxonomy::Sources s;
    s.tree = fs::path(BEFUS_TEST_DATA) / "taxonomy" / "small.yaml";
    return taxonomy::load_or_throw(s);
  }();
  return t;
}

// The repository's own knowledge base, indexed once into the scratch folder.
struct QueryFixture {
  kb::KnowledgeBase kb = kb::read_config(BEFUS_SOURCE_DIR);
  taxonomy::Taxonomy tree = taxonomy::load_or_throw(kb.sources());
  std::string location = (scratch() / "index").string();
  std::optional<index::Reader> reader;

  QueryFixture() {
    index::IndexOptions o;
    o.jobs = 1;
    index::update(kb, tree, location, o);
    reader.emplace(location);
  }
};

QueryFixture& query_fixture() {
  static QueryFixture f;
  return f;
}

} // namespace

void taxonomy(std::string_view input) {
  // One file plays tree, actors and funding: each loader sees the same hostile bytes.
  fs::path file = scratch() / "tree.yaml";
  write(file, input);
  taxonomy::Sources s;
  s.tree = s.actors = s.funding = file;
  taxonomy::LoadResult r = taxonomy::load(s);
  for (const auto& d : r.diagnostics) (void)d.to_string();
  const auto& t = r.taxonomy;
  for (const auto& n : t.nodes()) {
    require(!t.path(n).empty() && t.path(n).back() == &n, "a node's path ends at the node");
    (void)t.pillar(n);
    (void)t.level_name(n);
    (void)taxonomy::Taxonomy::label(n, "nl");
  }
  (void)taxonomy::to_json(t).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  (void)taxonomy::to_dot(t, "fr");
  if (r.ok()) {
    (void)taxonomy::to_skos(t);
    require(taxonomy::diff(t, t).empty(), "a tree does not differ from itself");
    for (const auto& n : t.nodes()) require(t.find(n.id) == &n, "every id of a valid tree is found");
  }
}

void front_matter(std::string_view input) {
  corpus::FrontMatter fm = corpus::split_front_matter(input);
  require(fm.body_offset <= input.size(), "the body starts inside the file");
  require(!fm.present || fm.yaml.size() < input.size(), "front matter is part of the file");
  try {
    // Without a fence the bytes are treated as a sidecar: the whole file is metadata.
    nlohmann::json meta = fm.present ? corpus::parse_metadata(fm.yaml, "fuzz.md", fm.yaml_first_line)
                                     : corpus::parse_metadata(input, "fuzz.md.yaml", 1);
    require(meta.is_object(), "metadata is an object");
  } catch (const Error&) {
  }
  // The whole path a Markdown file takes: read, split, parse, extract, field checks.
  kb::KnowledgeBase kb;
  kb.root = scratch() / "kb";
  kb.corpus = {kb.root / "corpus"};
  fs::path file = kb.root / "corpus" / "doc.md";
  write(file, input);
  try {
    corpus::Document d = corpus::load(kb, file);
    require(util::is_id(d.id), "a loaded document has a valid id");
    (void)corpus::check(d, small_tree(), kb.languages);
  } catch (const Error&) {
  }
}

void markdown(std::string_view input) {
  corpus::Extracted e = corpus::extract_markdown(input);
  if (util::valid_utf8(input) && input.find('\0') == std::string_view::npos) {
    require(util::valid_utf8(e.text), "Markdown text from UTF-8 stays UTF-8");
    require(util::valid_utf8(e.title), "Markdown title from UTF-8 stays UTF-8");
  }
}

void html(std::string_view input) {
  try {
    corpus::Extracted e = corpus::extract_html(input);
    require(util::valid_utf8(e.text), "HTML text is UTF-8");
    require(util::valid_utf8(e.title), "HTML title is UTF-8");
    require(util::valid_utf8(e.lang), "HTML lang is UTF-8");
  } catch (const Error&) {
  }
}

void pdf(std::string_view input) {
  try {
    corpus::Extracted e = corpus::extract_pdf_in_process(input);
    require(util::valid_utf8(e.text), "PDF text is UTF-8");
    require(util::valid_utf8(e.title), "PDF title is UTF-8");
  } catch (const Error&) {
  }
}

void text(std::string_view input) {
  require(util::valid_utf8(input) == (util::first_invalid_utf8(input) == std::string_view::npos),
          "valid_utf8 and first_invalid_utf8 agree");
  std::string repaired = util::repair_utf8(input);
  require(util::valid_utf8(repaired), "repaired text is UTF-8");
  if (util::valid_utf8(input)) require(repaired == input, "repairing valid UTF-8 changes nothing");
  corpus::Extracted e = corpus::extract_text(repaired);
  (void)corpus::detect_language(e.text);
  for (const auto& sp : util::word_spans(e.text))
    require(sp.offset + sp.length <= e.text.size(), "word spans stay inside the text");
  for (const auto& w : util::words(e.text)) require(util::valid_utf8(w), "folded words are UTF-8");
  (void)util::is_id(input);
  (void)util::is_slug(input);
}

void query(std::string_view input) {
  QueryFixture& f = query_fixture();
  std::string q(input);
  search::Request r;
  r.query = q;
  r.limit = 5;
  r.facets = true;
  r.expand = input.empty() || (static_cast<unsigned char>(input[0]) & 1) == 0;
  try {
    search::Result res = search::run(*f.reader, f.tree, f.kb.languages, r);
    require(res.hits.size() <= r.limit, "no more hits than asked for");
  } catch (const Error&) {
  }
  try {
    auto [from, to] = search::parse_years(q);
    require(from <= to, "a parsed year range is not empty");
  } catch (const Error&) {
  }
  if (util::valid_utf8(input)) {
    std::string snippet = search::make_snippet(q, "fr", util::words(q), 120);
    (void)snippet;
  }
}

namespace {

// Every record an input yields; a record read without problems must survive being written in the
// same format and read again, and (with a body) being written as a Markdown file and parsed back.
std::vector<ingest::Record> read_all(std::string_view input, ingest::Format format) {
  std::istringstream in{std::string(input)};
  std::vector<ingest::Record> out;
  auto reader = ingest::open_reader(in, format, "fuzz");
  ingest::RawRecord raw;
  size_t last_line = 0;
  while (reader->next(raw)) {
    require(raw.record.line >= last_line, "records start on lines in input order");
    last_line = raw.record.line;
    require(reader->bytes_read() <= input.size(), "no more bytes read than given");
    if (raw.reasons.empty()) out.push_back(raw.record);
  }
  return out;
}

void records(std::string_view input, ingest::Format format) {
  std::vector<ingest::Record> got;
  try {
    got = read_all(input, format);
  } catch (const Error&) {
    return;
  }
  kb::KnowledgeBase kb;
  kb.root = scratch() / "kb";
  kb.corpus = {kb.root / "corpus"};
  kb.languages = {"nl", "fr", "en"};
  for (auto r : got) {
    (void)ingest::validate(r, small_tree(), kb);
    r.line = 1;
    std::string again = format == ingest::Format::jsonl ? ingest::to_jsonl(r) : ingest::csv_header() + ingest::to_csv(r);
    std::vector<ingest::Record> back = read_all(again, format);
    require(back.size() == 1, "a written record reads back as one record");
    back[0].line = r.line;
    require(back[0] == r, "a written record reads back unchanged");
    if (!r.body.empty() && r.path.empty() && util::is_id(r.id)) {
      auto parsed = ingest::parse_markdown(ingest::render_markdown(r), "fuzz.md");
      require(parsed.has_value(), "a rendered Markdown file parses back");
    }
  }
}

} // namespace

void jsonl(std::string_view input) { records(input, ingest::Format::jsonl); }
void csv(std::string_view input) { records(input, ingest::Format::csv); }

const std::vector<Target>& targets() {
  static const std::vector<Target> all{{"taxonomy", taxonomy}, {"front_matter", front_matter},
                                       {"markdown", markdown},  {"html", html},
                                       {"pdf", pdf},            {"text", text},
                                       {"query", query},        {"jsonl", jsonl},
                                       {"csv", csv}};
  return all;
}

} // namespace befus::fuzz
