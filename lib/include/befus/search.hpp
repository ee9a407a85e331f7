#pragma once

#include "befus/index.hpp"
#include "befus/taxonomy.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace befus::search {

struct Request {
  std::string query;                    // Xapian query parser syntax, may hold filter prefixes
  std::vector<std::string> themes;      // ids or labels; each includes its descendants
  std::vector<std::string> partners;
  std::vector<std::string> langs;
  std::vector<std::string> types;
  std::optional<std::pair<int, int>> years;
  bool expand = true;                   // cross-language expansion through the tree
  bool facets = false;
  bool sort_by_year = false;
  size_t limit = 10;
  size_t offset = 0;
};

struct Hit {
  nlohmann::json data;     // the fields a listing shows: id, title, lang, year, type, themes, partners, path
  double score = 0;        // percentage, 0..100
  std::string snippet;     // matched words between \x01 and \x02
};

struct Result {
  std::string query;
  std::string expanded;              // Xapian's description of the final query
  std::vector<std::string> expansions;  // taxonomy nodes the query reached, as "label -> id"
  size_t total = 0;                  // estimated matches
  bool exact_total = false;
  bool relaxed = false;              // no document had every word; best partial matches shown
  std::string suggestion;            // spelling suggestion, if any
  std::vector<Hit> hits;
  std::map<std::string, std::map<std::string, long>> facets;  // facet -> value -> documents
};

// Parses a year range "2008..2012", "2008.." or "2008"; throws UsageError.
std::pair<int, int> parse_years(const std::string& text);

// Runs a search; unknown themes or partners throw UsageError with suggestions, an unparsable
// query throws UsageError with the parser's message.
Result run(const index::Reader& reader, const taxonomy::Taxonomy& t, const std::vector<std::string>& languages,
           Request request);

// Finds the best passage of texts for some query words (folded), with matches marked. Each
// distinct spelling met is folded and stemmed once per language for all the texts it is given.
class Highlighter {
public:
  explicit Highlighter(std::vector<std::string> query_words);
  ~Highlighter();
  Highlighter(const Highlighter&) = delete;
  Highlighter& operator=(const Highlighter&) = delete;

  std::string snippet(std::string_view text, const std::string& lang, size_t max_chars = 240);

private:
  struct Language;
  Language& language(const std::string& lang);
  std::vector<std::string> m_words;
  std::map<std::string, std::unique_ptr<Language>> m_languages;
};

// The same for one text.
std::string make_snippet(const std::string& text, const std::string& lang, const std::vector<std::string>& query_words,
                         size_t max_chars = 240);

} // namespace befus::search
