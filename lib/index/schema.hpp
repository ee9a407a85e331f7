#pragma once

#include "befus/corpus.hpp"
#include "befus/taxonomy.hpp"

#include <nlohmann/json.hpp>
#include <xapian.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

// The index's conventions, Omega's where they fit, so delve, quest and xapian-check work.
namespace befus::index::schema {

// 2: XLABEL: terms; 3: U path terms (older indexes get them from the next `befus index`, from
// what they hold: no file is read).
inline constexpr int k_version = 3;

// Term prefixes.
inline const std::string k_id = "Q";
inline const std::string k_lang = "L";
inline const std::string k_title = "S";
inline const std::string k_year = "Y";
inline const std::string k_theme = "XTHEME:";    // the document's themes and all their ancestors
inline const std::string k_direct = "XDTHEME:";  // only the themes written in the document
inline const std::string k_partner = "XPARTNER:";
inline const std::string k_type = "XTYPE:";
inline const std::string k_state = "XSTATE:";    // XSTATE:unclassified
inline const std::string k_label = "XLABEL:";    // the text has a label or alt label of the node, any language
inline const std::string k_path = "U";           // the file's path relative to the knowledge base (Omega's URL)

// Value slots.
inline constexpr Xapian::valueno k_slot_year = 0;       // sortable_serialise(year)
inline constexpr Xapian::valueno k_slot_signature = 1;  // file and sidecar stamps
inline constexpr Xapian::valueno k_slot_path = 2;       // path relative to the knowledge base
inline constexpr Xapian::valueno k_slot_id = 3;
inline constexpr Xapian::valueno k_slot_newest = 4;     // (9999 - year) then id: newest first, ties by id

// Metadata keys.
inline const std::string k_meta_schema = "befus:schema";
inline const std::string k_meta_taxonomy = "befus:taxonomy";
inline const std::string k_meta_stemmers = "befus:stemmers";

// Snowball stemmer for a language code, "none" when there is none.
std::string stemmer_name(const std::string& lang);
Xapian::Stem stemmer(const std::string& lang);

// Xapian terms are at most 245 bytes; longer ids and values are hashed down.
std::string bounded(const std::string& prefix, const std::string& value);

// The document data: the stored fields as JSON, a NUL, then the text (for snippets, show and
// classification), so that a reader who needs only the fields parses a few hundred bytes, not
// the whole text. (Schema 1 kept the text inside the JSON, as "text"; both read the same.)
std::string document_data(const corpus::Document& d);

struct Stored {
  nlohmann::json fields;  // an object, empty when the data is damaged; never "text"
  std::string text;       // only when asked for
};
Stored read_data(std::string_view data, bool with_text);
// The same with only some top-level fields: the others are read past, never built (a search
// lists a few fields of each hit; the rest would cost it more than the look-up).
Stored read_data(std::string_view data, bool with_text, std::initializer_list<std::string_view> only);
// The fields, with the text under "text" when with_text.
nlohmann::json parse_data(std::string_view data, bool with_text);

// Words too common to carry meaning alone: left out of labels of several words, and not
// highlighted when they come from a label.
bool is_filler(const std::string& w);

// Every label and alt label of a node in every language, folded, sorted and distinct.
std::vector<std::string> label_alternatives(const taxonomy::Node& n);

// The terms a document needs to contain one label alternative, as Xapian's parser reads it:
// for a single word, the word stemmed with stem (the document's stemmer); for several words,
// each word that is not a filler, unstemmed, in any order (all of them if all are fillers).
std::vector<std::string> label_terms(const std::string& alternative, const Xapian::Stem& stem);

// Finds the nodes a document names: an XLABEL: term for each node with an alternative whose
// label_terms the document has. Its wdf is how often the labels occur (for one alternative, the
// least wdf of its terms), so a document that names a theme more often ranks higher. Search
// then reaches every document naming a theme in any language through one posting list instead
// of an OR over every label in every language. Safe to share between threads.
class LabelMatcher {
public:
  explicit LabelMatcher(const taxonomy::Taxonomy& t) : m_tree(t) {}
  std::vector<std::pair<std::string, Xapian::termcount>> terms(const Xapian::Document& doc,
                                                               const std::string& lang) const;

private:
  struct Table {  // for one stemmer
    std::vector<std::pair<size_t, size_t>> alternatives;             // node, number of terms
    std::unordered_map<std::string, std::vector<size_t>> by_term;    // term -> alternatives needing it
  };
  const Table& table(const std::string& stemmer) const;

  const taxonomy::Taxonomy& m_tree;
  mutable std::mutex m_mutex;
  mutable std::unordered_map<std::string, std::unique_ptr<Table>> m_tables;
};

// A complete Xapian document: terms, values and data. Touches no database, so indexing threads
// build documents in parallel and leave only writing to the writer. Without labels, no XLABEL:
// terms.
Xapian::Document build(const corpus::Document& d, const taxonomy::Taxonomy& t, const std::string& signature,
                       const LabelMatcher* labels = nullptr);

// Feeds a built document's words to the database's spelling dictionary, as TermGenerator's
// FLAG_SPELLING would have while building it (a word counts as often as its wdf).
void add_spellings(Xapian::WritableDatabase& db, const Xapian::Document& doc);

// The XTHEME: terms a document with these themes should carry under tree t.
std::vector<std::string> theme_terms(const std::vector<std::string>& themes, const taxonomy::Taxonomy& t);

// Labels and alt labels in every language as synonyms of each other (and of the theme term).
void write_synonyms(Xapian::WritableDatabase& db, const taxonomy::Taxonomy& t);

} // namespace befus::index::schema
