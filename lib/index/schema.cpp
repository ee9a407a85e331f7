#include "index/schema.hpp"

#include "befus/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace befus::index::schema {

std::string stemmer_name(const std::string& lang) {
  if (lang == "nl") return "dutch";
  if (lang == "fr") return "french";
  if (lang == "en") return "english";
  if (lang == "de") return "german";
  return "none";
}

Xapian::Stem stemmer(const std::string& lang) {
  std::string name = stemmer_name(lang);
  return name == "none" ? Xapian::Stem() : Xapian::Stem(name);
}

std::string bounded(const std::string& prefix, const std::string& value) {
  constexpr size_t k_max = 240;
  if (prefix.size() + value.size() <= k_max) return prefix + value;
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : value) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return prefix + value.substr(0, k_max - prefix.size() - 17) + fmt::format("#{:016x}", h);
}

std::string document_data(const corpus::Document& d) {
  constexpr size_t k_max_text = 256 * 1024;  // enough for snippets and classification
  nlohmann::json j = {{"id", d.id},           {"title", d.title},   {"lang", d.lang},         {"year", d.year},
                      {"type", d.type},       {"themes", d.themes}, {"partners", d.partners}, {"path", d.path},
                      {"why", d.why},         {"url", d.url},       {"problem", d.problem},   {"mechanism", d.mechanism},
                      {"evidence", d.evidence}, {"target", d.target}, {"format", d.format},
                      {"classified", d.has_themes && !d.themes.empty()}, {"fields", d.fields}};
  std::string text = d.body.size() > k_max_text ? util::repair_utf8(d.body.substr(0, k_max_text)) : d.body;
  j["text"] = std::move(text);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> theme_terms(const std::vector<std::string>& themes, const taxonomy::Taxonomy& t) {
  std::set<std::string> out;
  for (const auto& th : themes)
    if (const auto* n = t.find(th))
      for (const auto* p : t.path(*n)) out.insert(k_theme + p->id);
  return {out.begin(), out.end()};
}

Xapian::Document build(const corpus::Document& d, const taxonomy::Taxonomy& t, const std::string& signature) {
  Xapian::Document doc;
  Xapian::TermGenerator tg;
  tg.set_stemmer(stemmer(d.lang));
  tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  tg.set_document(doc);
  std::string title = util::fold(d.title);
  tg.index_text(title, 1, k_title);
  tg.increase_termpos();
  tg.index_text(title, 3);  // a word in the title counts three times
  for (const std::string* part : {&d.why, &d.problem, &d.mechanism}) {
    if (part->empty()) continue;
    tg.increase_termpos();
    tg.index_text(util::fold(*part));
  }
  tg.increase_termpos();
  tg.index_text(util::fold(d.body));

  doc.add_boolean_term(bounded(k_id, d.id));
  if (!d.lang.empty()) doc.add_boolean_term(k_lang + d.lang);
  if (d.year) doc.add_boolean_term(k_year + std::to_string(d.year));
  if (!d.type.empty()) doc.add_boolean_term(bounded(k_type, d.type));
  for (const auto& p : d.partners) doc.add_boolean_term(bounded(k_partner, p));
  for (const auto& term : theme_terms(d.themes, t)) doc.add_boolean_term(term);
  for (const auto& th : d.themes)
    if (t.find(th)) doc.add_boolean_term(bounded(k_direct, th));
  if (d.themes.empty()) doc.add_boolean_term(k_state + "unclassified");

  if (d.year) doc.add_value(k_slot_year, Xapian::sortable_serialise(d.year));
  doc.add_value(k_slot_signature, signature);
  doc.add_value(k_slot_path, d.path);
  doc.add_value(k_slot_id, d.id);
  doc.add_value(k_slot_newest, fmt::format("{:04d}{}", 9999 - std::clamp(d.year, 0, 9999), d.id));
  doc.set_data(document_data(d));
  return doc;
}

void add_spellings(Xapian::WritableDatabase& db, const Xapian::Document& doc) {
  // Words are the unprefixed terms; prefixes (and Z for stems) are capitals, folded words are not.
  for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) {
    const std::string& term = *it;
    if (term.empty() || (term[0] >= 'A' && term[0] <= 'Z')) continue;
    db.add_spelling(term, it.get_wdf());
  }
}

void write_synonyms(Xapian::WritableDatabase& db, const taxonomy::Taxonomy& t) {
  std::vector<std::string> old(db.synonym_keys_begin(), db.synonym_keys_end());
  for (const auto& key : old) db.clear_synonyms(key);
  for (const auto& n : t.nodes()) {
    std::set<std::string> names;
    for (const auto& [lang, text] : n.label) names.insert(util::fold_phrase(text));
    for (const auto& [lang, list] : n.alt)
      for (const auto& a : list) names.insert(util::fold_phrase(a));
    names.erase("");
    for (const auto& key : names) {
      if (key.size() > 200) continue;
      for (const auto& other : names)
        if (other != key && other.size() <= 200) db.add_synonym(key, other);
      db.add_synonym(key, k_theme + n.id);
    }
  }
}

} // namespace befus::index::schema
