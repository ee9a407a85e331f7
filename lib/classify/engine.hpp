#pragma once

#include "befus/classify.hpp"

#include <xapian.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

// The classifier's machinery, shared by classify, evaluate and reclassify (internal to lib/).
namespace befus::classify::engine {

// One document as the classifier sees it.
struct Text {
  std::string id;
  std::string title;
  std::string lang;
  std::string body;   // rationale, problem, mechanism and extracted text
  std::string path;
  std::vector<std::string> themes;
  std::vector<std::pair<std::string, unsigned>> terms;  // stemmed terms with their within-document frequency
};

Text from_document(const corpus::Document& d, const taxonomy::Taxonomy& t);
// From the index's stored fields and term list.
Text from_index(const Xapian::Database& db, Xapian::docid did);

// Phrase evidence per node: raw sums by kind, and what matched.
struct Lexical {
  std::vector<double> labels;    // labels and alt labels
  std::vector<double> keywords;
  std::vector<std::vector<Match>> matches;
};

// Neighbour votes per node: the share of the similarity-weighted votes, and who voted.
struct Votes {
  std::vector<double> share;
  std::vector<std::vector<Voter>> voters;
  bool available = false;
};

struct Scores {
  std::vector<double> score, lexical, neighbours, inherited;
};

class Engine {
public:
  Engine(const taxonomy::Taxonomy& t, std::vector<std::string> languages, const Xapian::Database* db, Options options);

  Lexical lexical(const Text& text) const;
  // Documents with these Q terms never vote (the document itself, or a held-out fold).
  // With lex, the labels of the nodes the text already names join the query in every language, so
  // neighbours are found across languages too.
  Votes votes(const Text& text, const std::vector<std::string>& excluded_ids, const Lexical* lex = nullptr) const;
  // rates: per node, the share of its subthemes' evidence it receives (parent_rates(); empty = the index's).
  Scores combine(const Lexical& lex, const Votes& votes, const Evidence& evidence,
                 const std::vector<double>* rates = nullptr) const;
  // How often the documents filed under a subtheme are also filed under its theme (smoothed), from
  // these documents' themes as node sets.
  std::vector<double> parent_rates(const std::vector<std::vector<size_t>>& filed) const;
  // Best first; only candidates (all allowed nodes when empty), only positive scores unless keep_zero.
  std::vector<size_t> rank(const Scores& s, const std::vector<size_t>& candidates, bool keep_zero) const;
  Suggestion suggestion(size_t node, const Scores& s, const Lexical& lex, const Votes& votes) const;
  // The passage where the matched words of these suggestions are densest.
  std::string passage(const Text& text, const std::vector<Suggestion>& top) const;

  const taxonomy::Taxonomy& tree() const { return m_tree; }
  const Xapian::Database* db() const { return m_db; }
  // Nodes at a depth the classified documents use (pillars are left out when nobody files under them).
  bool allowed(size_t node) const { return m_allowed[node]; }
  // A theme id as the current tree knows it: itself, or the node that replaces it (one heir only).
  std::optional<size_t> live(const std::string& id) const;

private:
  struct Phrase {
    std::string text;  // as the tree writes it
    std::string kind;
    std::vector<std::string> langs;
    size_t node;
    double weight;     // by kind
    double idf = 1;
  };
  struct Entry {
    size_t phrase;
    std::vector<std::string> stems;
  };
  std::vector<std::string> stems(const std::string& text, const std::string& lang) const;

  const taxonomy::Taxonomy& m_tree;
  std::vector<std::string> m_languages;
  const Xapian::Database* m_db;
  Options m_options;
  std::vector<Phrase> m_phrases;
  // Per language: first stem -> entries starting with it.
  std::unordered_map<std::string, std::unordered_map<std::string, std::vector<Entry>>> m_index;
  std::vector<bool> m_allowed;
  std::vector<double> m_rates;
};

} // namespace befus::classify::engine
