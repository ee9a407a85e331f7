#pragma once

#include "befus/corpus.hpp"
#include "befus/taxonomy.hpp"

#include <xapian.h>

#include <string>

// The index's conventions, Omega's where they fit, so delve, quest and xapian-check work.
namespace befus::index::schema {

inline constexpr int k_version = 1;

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

// The stored fields as JSON (the document data), body included for snippets.
std::string document_data(const corpus::Document& d);

// A complete Xapian document: terms, values and data. Touches no database, so indexing threads
// build documents in parallel and leave only writing to the writer.
Xapian::Document build(const corpus::Document& d, const taxonomy::Taxonomy& t, const std::string& signature);

// Feeds a built document's words to the database's spelling dictionary, as TermGenerator's
// FLAG_SPELLING would have while building it (a word counts as often as its wdf).
void add_spellings(Xapian::WritableDatabase& db, const Xapian::Document& doc);

// The XTHEME: terms a document with these themes should carry under tree t.
std::vector<std::string> theme_terms(const std::vector<std::string>& themes, const taxonomy::Taxonomy& t);

// Labels and alt labels in every language as synonyms of each other (and of the theme term).
void write_synonyms(Xapian::WritableDatabase& db, const taxonomy::Taxonomy& t);

} // namespace befus::index::schema
