#include "index/schema.hpp"

#include "befus/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <nlohmann/json.hpp>
#include <map>
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
  std::string out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += '\0';  // JSON text never holds a raw NUL: the first one ends it
  std::string_view text = std::string_view(d.body).substr(0, k_max_text);
  out += text.size() < d.body.size() || !util::valid_utf8(text) ? util::repair_utf8(text) : std::string(text);
  return out;
}

namespace {

// Builds the top-level object with only some of its keys, and whatever they hold.
class Picker : public nlohmann::json_sax<nlohmann::json> {
public:
  Picker(std::initializer_list<std::string_view> only, bool with_text) : m_only(only), m_with_text(with_text) {}
  nlohmann::json take() { return m_root.is_object() ? std::move(m_root) : nlohmann::json::object(); }

  bool null() override { return value(nullptr); }
  bool boolean(bool v) override { return value(v); }
  bool number_integer(number_integer_t v) override { return value(v); }
  bool number_unsigned(number_unsigned_t v) override { return value(v); }
  bool number_float(number_float_t v, const string_t&) override { return value(v); }
  bool string(string_t& v) override { return value(std::move(v)); }
  bool binary(binary_t& v) override { return value(std::move(v)); }
  bool start_object(std::size_t) override { return open(nlohmann::json::object()); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(nlohmann::json::array()); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    if (m_skip > 0) return true;
    if (m_stack.size() == 1) {  // a top-level key: kept or read past
      m_keep = (m_with_text && k == "text") ||
               std::find(m_only.begin(), m_only.end(), std::string_view(k)) != m_only.end();
      if (!m_keep) return true;
    }
    m_key = std::move(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

private:
  // Where a value goes: nowhere while skipping, else into the open object or array.
  nlohmann::json* place(nlohmann::json v) {
    if (m_stack.empty()) {
      m_root = std::move(v);
      return &m_root;
    }
    nlohmann::json& top = *m_stack.back();
    if (top.is_array()) {
      top.push_back(std::move(v));
      return &top.back();
    }
    return &(top[m_key] = std::move(v));
  }
  bool skipping() const { return m_skip > 0 || (m_stack.size() == 1 && !m_keep); }
  bool value(nlohmann::json v) {
    if (!skipping()) place(std::move(v));
    return true;
  }
  bool open(nlohmann::json v) {
    if (skipping()) ++m_skip;
    else m_stack.push_back(place(std::move(v)));
    return true;
  }
  bool close() {
    if (m_skip > 0) --m_skip;
    else m_stack.pop_back();
    return true;
  }

  std::initializer_list<std::string_view> m_only;
  bool m_with_text;
  nlohmann::json m_root;
  std::vector<nlohmann::json*> m_stack;  // open objects and arrays being kept
  std::string m_key;                     // of the value about to come, in an object
  bool m_keep = true;                    // the current top-level key is kept
  int m_skip = 0;                        // depth inside a value read past
};

Stored read_stored(std::string_view data, bool with_text, const std::initializer_list<std::string_view>* only) {
  Stored s;
  size_t nul = data.find('\0');
  std::string_view json = nul == std::string_view::npos ? data : data.substr(0, nul);
  if (only) {
    Picker picker(*only, with_text);
    if (nlohmann::json::sax_parse(json.begin(), json.end(), &picker)) s.fields = picker.take();
  } else {
    s.fields = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  }
  if (!s.fields.is_object()) s.fields = nlohmann::json::object();
  if (nul != std::string_view::npos) {
    if (with_text) s.text = data.substr(nul + 1);
  } else if (auto it = s.fields.find("text"); it != s.fields.end()) {  // schema 1
    if (with_text && it->is_string()) s.text = it->get<std::string>();
    s.fields.erase(it);
  }
  return s;
}

} // namespace

Stored read_data(std::string_view data, bool with_text) { return read_stored(data, with_text, nullptr); }

Stored read_data(std::string_view data, bool with_text, std::initializer_list<std::string_view> only) {
  return read_stored(data, with_text, &only);
}

nlohmann::json parse_data(std::string_view data, bool with_text) {
  Stored s = read_data(data, with_text);
  if (with_text) s.fields["text"] = std::move(s.text);
  return std::move(s.fields);
}

bool is_filler(const std::string& w) {
  static const std::set<std::string> k_fillers{"de", "het", "een", "van", "voor", "en", "in", "op", "met", "la",
                                               "le", "les", "du", "des", "d", "l", "et", "un", "une", "au", "aux",
                                               "the", "of", "and", "a", "an", "to", "for", "on", "or", "with"};
  return k_fillers.count(w) > 0;
}

// Words keep their inner apostrophes and hyphens, which Xapian's parser reads as the
// TermGenerator did; other ASCII punctuation, which the parser could take for syntax, becomes a
// space.
std::vector<std::string> label_alternatives(const taxonomy::Node& n) {
  std::set<std::string> all;
  auto add = [&](const std::string& label) {
    std::string text = util::fold(label);
    for (auto& c : text) {
      auto u = static_cast<unsigned char>(c);
      if (u < 0x80 && !std::isalnum(u) && c != '\'' && c != '-') c = ' ';
    }
    std::string folded;
    for (auto w : util::split(text, ' ')) {
      while (!w.empty() && (w.front() == '-' || w.front() == '\'')) w.erase(0, 1);
      while (!w.empty() && (w.back() == '-' || w.back() == '\'')) w.pop_back();
      if (!w.empty()) folded += (folded.empty() ? "" : " ") + w;
    }
    if (!folded.empty()) all.insert(folded);
  };
  for (const auto& [lang, text] : n.label) add(text);
  for (const auto& [lang, list] : n.alt)
    for (const auto& a : list) add(a);
  return {all.begin(), all.end()};
}

std::vector<std::string> label_terms(const std::string& alternative, const Xapian::Stem& stem) {
  Xapian::QueryParser qp;
  qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  bool several = alternative.find(' ') != std::string::npos;
  if (!several) qp.set_stemmer(stem);
  // As a phrase, several words come out unstemmed: the terms with positions.
  Xapian::Query q = qp.parse_query(several ? "\"" + alternative + "\"" : alternative, Xapian::QueryParser::FLAG_DEFAULT);
  std::vector<std::string> all, kept;
  for (auto t = q.get_terms_begin(); t != q.get_terms_end(); ++t) {
    all.push_back(*t);
    if (!several || !is_filler(*t)) kept.push_back(*t);
  }
  return kept.empty() ? all : kept;
}

const LabelMatcher::Table& LabelMatcher::table(const std::string& stemmer) const {
  std::lock_guard lock(m_mutex);
  auto& slot = m_tables[stemmer];
  if (slot) return *slot;
  auto tab = std::make_unique<Table>();
  Xapian::Stem stem = stemmer == "none" ? Xapian::Stem() : Xapian::Stem(stemmer);
  const auto& nodes = m_tree.nodes();
  for (size_t n = 0; n < nodes.size(); ++n)
    for (const auto& a : label_alternatives(nodes[n])) {
      std::vector<std::string> terms = label_terms(a, stem);
      std::sort(terms.begin(), terms.end());
      terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
      if (terms.empty()) continue;
      for (const auto& term : terms) tab->by_term[term].push_back(tab->alternatives.size());
      tab->alternatives.emplace_back(n, terms.size());
    }
  slot = std::move(tab);
  return *slot;
}

std::vector<std::pair<std::string, Xapian::termcount>> LabelMatcher::terms(const Xapian::Document& doc,
                                                                           const std::string& lang) const {
  const Table& tab = table(stemmer_name(lang));
  std::vector<size_t> found(tab.alternatives.size(), 0);
  std::vector<Xapian::termcount> least(tab.alternatives.size(), std::numeric_limits<Xapian::termcount>::max());
  for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) {
    auto f = tab.by_term.find(*it);
    if (f == tab.by_term.end()) continue;
    for (size_t a : f->second) {
      ++found[a];
      least[a] = std::min(least[a], it.get_wdf());
    }
  }
  std::map<size_t, Xapian::termcount> nodes;
  for (size_t a = 0; a < found.size(); ++a)
    if (found[a] == tab.alternatives[a].second) nodes[tab.alternatives[a].first] += std::max<Xapian::termcount>(least[a], 1);
  std::vector<std::pair<std::string, Xapian::termcount>> out;
  for (const auto& [n, wdf] : nodes) out.emplace_back(bounded(k_label, m_tree.nodes()[n].id), wdf);
  return out;
}

std::vector<std::string> theme_terms(const std::vector<std::string>& themes, const taxonomy::Taxonomy& t) {
  std::set<std::string> out;
  for (const auto& th : themes)
    if (const auto* n = t.find(th))
      for (const auto* p : t.path(*n)) out.insert(k_theme + p->id);
  return {out.begin(), out.end()};
}

Xapian::Document build(const corpus::Document& d, const taxonomy::Taxonomy& t, const std::string& signature,
                       const LabelMatcher* labels) {
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
  if (labels)
    for (const auto& [term, wdf] : labels->terms(doc, d.lang)) doc.add_term(term, wdf);

  doc.add_boolean_term(bounded(k_id, d.id));
  doc.add_boolean_term(bounded(k_path, d.path));
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
