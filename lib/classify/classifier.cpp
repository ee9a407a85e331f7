#include "befus/classify.hpp"

#include "befus/error.hpp"
#include "classify/engine.hpp"
#include "index/database.hpp"
#include "index/reader_impl.hpp"
#include "index/schema.hpp"

#include <fmt/format.h>

namespace befus::classify {

struct Classifier::Impl {
  const taxonomy::Taxonomy& tree;
  Options options;
  std::optional<Xapian::Database> db;
  std::string location;
  std::unique_ptr<engine::Engine> engine;

  Result run(const engine::Text& text, const std::vector<size_t>& candidates) const {
    Result r;
    r.id = text.id;
    r.title = text.title;
    r.lang = text.lang;
    r.path = text.path;
    r.themes = text.themes;
    if (!db) r.notes.push_back("no index: the tree's words only");
    engine::Lexical lex = engine->lexical(text);
    engine::Votes votes = engine->votes(text, {}, &lex);
    engine::Scores s = engine->combine(lex, votes, options.evidence);
    std::vector<size_t> ranked = engine->rank(s, candidates, !candidates.empty());
    if (candidates.empty() && ranked.size() > options.top) ranked.resize(options.top);
    for (size_t n : ranked) r.suggestions.push_back(engine->suggestion(n, s, lex, votes));
    std::vector<Suggestion> top(r.suggestions.begin(), r.suggestions.begin() + static_cast<long>(std::min<size_t>(3, r.suggestions.size())));
    r.passage = engine->passage(text, top);
    return r;
  }
};

Classifier::Classifier(const taxonomy::Taxonomy& t, std::vector<std::string> languages, const index::Reader* reader,
                       Options options)
    : m(std::make_unique<Impl>(Impl{t, options, std::nullopt, {}, nullptr})) {
  if (reader) {
    m->db = reader->impl().db;
    m->location = reader->impl().location;
  }
  try {
    m->engine = std::make_unique<engine::Engine>(t, std::move(languages), m->db ? &*m->db : nullptr, options);
  } catch (const Xapian::Error& e) {
    index::translate(e, m->location);
  }
}

Classifier::~Classifier() = default;

bool Classifier::has_neighbours() const { return m->db && m->db->get_doccount() > 0; }

Result Classifier::classify(const corpus::Document& d) const {
  try {
    return m->run(engine::from_document(d, m->tree), {});
  } catch (const Xapian::Error& e) {
    index::translate(e, m->location);
  }
}

Result Classifier::classify_among(const corpus::Document& d, const std::vector<std::string>& candidates) const {
  std::vector<size_t> nodes;
  for (const auto& c : candidates)
    if (auto i = m->tree.index_of(c)) nodes.push_back(*i);
  if (nodes.empty()) throw UsageError("no known theme among the candidates");
  try {
    return m->run(engine::from_document(d, m->tree), nodes);
  } catch (const Xapian::Error& e) {
    index::translate(e, m->location);
  }
}

Result Classifier::classify_id(const std::string& id) const {
  if (!m->db) throw IndexError("classifying by id needs the index; run 'befus index' first");
  try {
    std::string term = index::schema::bounded(index::schema::k_id, id);
    auto it = m->db->postlist_begin(term);
    if (it == m->db->postlist_end(term)) throw NotFoundError(fmt::format("no document with id '{}' in the index", id));
    return m->run(engine::from_index(*m->db, *it), {});
  } catch (const Xapian::Error& e) {
    index::translate(e, m->location);
  }
}

std::vector<std::string> Classifier::unclassified_ids() const {
  std::vector<std::string> out;
  if (!m->db) return out;
  try {
    std::string term = index::schema::k_state + "unclassified";
    for (auto it = m->db->postlist_begin(term); it != m->db->postlist_end(term); ++it)
      out.push_back(m->db->get_document(*it).get_value(index::schema::k_slot_id));
  } catch (const Xapian::Error& e) {
    index::translate(e, m->location);
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace befus::classify
