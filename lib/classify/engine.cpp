#include "classify/engine.hpp"

#include "befus/search.hpp"
#include "befus/text.hpp"
#include "index/schema.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace befus::classify::engine {

namespace {

// Weights of the evidence; tuned with `befus evaluate` on the sample corpus.
constexpr double k_weight_label = 1.0;
constexpr double k_weight_alt = 0.8;
constexpr double k_weight_keyword = 0.5;
constexpr double k_other_language = 0.35;  // a phrase of another language than the document's
constexpr double k_title_factor = 3.0;     // an occurrence in the title counts this many times
constexpr double k_saturation = 1.5;       // repeated occurrences of one phrase saturate (as BM25's k1)
constexpr double k_lexical_scale = 2.0;    // raw phrase evidence at which the lexical score reaches 1 - 1/e
constexpr double k_lexical_share = 0.6;    // the rest comes from the neighbours
constexpr double k_parent_factor = 0.3;    // part of the best subtheme's score passed up to its theme
constexpr double k_relative_floor = 0.4; // suggestions below this share of the best one are left out
constexpr double k_rate_prior = 0.25;      // co-filing rate of a theme and its subthemes before any document
constexpr double k_bridge = 1.0;           // weight of the named nodes' labels in the neighbour query
constexpr size_t k_bridge_nodes = 3;       // nodes the text names most, whose labels bridge languages
constexpr size_t k_query_terms = 40;       // terms of the document that look for neighbours

bool is_content_term(const std::string& term) {
  // Stemmed words carry Z; ZS is the title's own prefix and capitals mark other prefixes.
  return term.size() > 1 && term[0] == 'Z' && !(term[1] >= 'A' && term[1] <= 'Z');
}

std::vector<std::pair<std::string, unsigned>> content_terms(const Xapian::Document& doc) {
  std::vector<std::pair<std::string, unsigned>> out;
  for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) {
    std::string term = *it;
    if (is_content_term(term)) out.emplace_back(term, it.get_wdf());
  }
  return out;
}

std::string joined_body(const std::string& why, const std::string& problem, const std::string& mechanism,
                        const std::string& body) {
  std::string out;
  for (const std::string* part : {&why, &problem, &mechanism, &body})
    if (!part->empty()) out += *part + "\n\n";
  return out;
}

} // namespace

Text from_document(const corpus::Document& d, const taxonomy::Taxonomy& t) {
  Text x;
  x.id = d.id;
  x.title = d.title;
  x.lang = d.lang;
  x.path = d.path;
  x.themes = d.themes;
  x.body = joined_body(d.why, d.problem, d.mechanism, d.body);
  x.terms = content_terms(index::schema::build(d, t, ""));
  return x;
}

Text from_index(const Xapian::Database& db, Xapian::docid did) {
  Xapian::Document doc = db.get_document(did);
  nlohmann::json j = index::schema::parse_data(doc.get_data(), true);
  auto text = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Text x;
  x.id = doc.get_value(index::schema::k_slot_id);
  x.title = text("title");
  x.lang = text("lang");
  x.path = text("path");
  if (auto it = j.find("themes"); it != j.end() && it->is_array())
    for (const auto& th : *it)
      if (th.is_string()) x.themes.push_back(th.get<std::string>());
  x.body = joined_body(text("why"), text("problem"), text("mechanism"), text("text"));
  x.terms = content_terms(doc);
  return x;
}

Engine::Engine(const taxonomy::Taxonomy& t, std::vector<std::string> languages, const Xapian::Database* db,
               Options options)
    : m_tree(t), m_languages(std::move(languages)), m_db(db), m_options(options) {
  const auto& nodes = t.nodes();
  // Phrases per node, merged across languages when they fold to the same words.
  for (size_t n = 0; n < nodes.size(); ++n) {
    std::map<std::string, size_t> by_key;
    auto add = [&](const std::string& lang, const std::string& text, const char* kind, double weight) {
      std::string key = util::fold_phrase(text);
      if (key.empty()) return;
      auto [it, fresh] = by_key.emplace(key, m_phrases.size());
      if (fresh) {
        m_phrases.push_back({text, kind, {lang}, n, weight});
        return;
      }
      Phrase& p = m_phrases[it->second];
      if (std::find(p.langs.begin(), p.langs.end(), lang) == p.langs.end()) p.langs.push_back(lang);
      if (weight > p.weight) {
        p.weight = weight;
        p.kind = kind;
        p.text = text;
      }
    };
    for (const auto& [lang, text] : nodes[n].label) add(lang, text, "label", k_weight_label);
    for (const auto& [lang, list] : nodes[n].alt)
      for (const auto& a : list) add(lang, a, "alt", k_weight_alt);
    for (const auto& [lang, list] : nodes[n].keywords)
      for (const auto& k : list) add(lang, k, "keyword", k_weight_keyword);
  }
  size_t total = db ? db->get_doccount() : 0;
  for (size_t i = 0; i < m_phrases.size(); ++i) {
    Phrase& p = m_phrases[i];
    for (const auto& lang : p.langs) {
      std::vector<std::string> s = stems(p.text, lang);
      if (s.empty()) continue;
      if (total > 0 && lang == p.langs.front()) {
        // Rarer phrases say more: estimated by the rarest of their words in the index.
        Xapian::doccount df = total;
        for (const auto& w : s) df = std::min(df, db->get_termfreq("Z" + w));
        p.idf = 0.5 + std::log((total + 1.0) / (df + 1.0)) / std::log(total + 1.0);
      }
      m_index[lang][s.front()].push_back({i, std::move(s)});
    }
  }
  // The depths classified documents use; pillars stay out of suggestions when no one files under them.
  size_t min_depth = std::any_of(nodes.begin(), nodes.end(), [](const auto& n) { return n.depth > 0; }) ? 1 : 0;
  if (db && total > 0) {
    size_t used = SIZE_MAX;
    for (auto it = db->allterms_begin(index::schema::k_direct); it != db->allterms_end(index::schema::k_direct); ++it)
      if (auto n = live((*it).substr(index::schema::k_direct.size())))
        used = std::min<size_t>(used, static_cast<size_t>(nodes[*n].depth));
    if (used != SIZE_MAX) min_depth = used;
  }
  m_allowed.resize(nodes.size());
  for (size_t n = 0; n < nodes.size(); ++n) m_allowed[n] = static_cast<size_t>(nodes[n].depth) >= min_depth;
  // Filing habits from postlists: documents under some subtheme of a node, and those also under it.
  m_rates = parent_rates({});
  if (db && total > 0) {
    auto postings = [&](const std::string& id) {
      std::vector<Xapian::docid> out;
      std::string term = index::schema::bounded(index::schema::k_direct, id);
      for (auto it = db->postlist_begin(term); it != db->postlist_end(term); ++it) out.push_back(*it);
      return out;
    };
    for (size_t n = 0; n < nodes.size(); ++n) {
      if (nodes[n].children.empty()) continue;
      std::set<Xapian::docid> under;
      for (size_t c : nodes[n].children)
        for (auto d : postings(nodes[c].id)) under.insert(d);
      size_t both = 0;
      for (auto d : postings(nodes[n].id)) both += under.count(d);
      m_rates[n] = (static_cast<double>(both) + k_rate_prior) / (static_cast<double>(under.size()) + 1);
    }
  }
}

std::vector<std::string> Engine::stems(const std::string& text, const std::string& lang) const {
  Xapian::Stem stem = index::schema::stemmer(lang);
  std::vector<std::string> out;
  for (const auto& w : util::words(text)) out.push_back(stem(w));
  return out;
}

std::optional<size_t> Engine::live(const std::string& id) const {
  std::string at = id;
  for (int hops = 0; hops < 16; ++hops) {
    if (auto i = m_tree.index_of(at)) return i;
    std::vector<size_t> heirs;
    for (size_t n = 0; n < m_tree.nodes().size(); ++n) {
      const auto& r = m_tree.nodes()[n].replaces;
      if (std::find(r.begin(), r.end(), at) != r.end()) heirs.push_back(n);
    }
    if (heirs.size() != 1) return std::nullopt;
    at = m_tree.nodes()[heirs.front()].id;
  }
  return std::nullopt;
}

Lexical Engine::lexical(const Text& text) const {
  const size_t n_nodes = m_tree.nodes().size();
  Lexical out;
  out.labels.assign(n_nodes, 0);
  out.keywords.assign(n_nodes, 0);
  out.matches.resize(n_nodes);
  const std::string parts[2] = {util::fold(text.title), util::fold(text.body)};
  // Every occurrence of every phrase, in every language's stemming of the text.
  struct Hit {
    double weight;
    size_t phrase;
    const std::string* lang;
    int part;
    size_t pos, len;
  };
  std::vector<Hit> hits;
  size_t length[2] = {0, 0};
  for (const auto& [lang, by_first] : m_index) {
    bool own = text.lang.empty() || lang == text.lang;
    for (int part = 0; part < 2; ++part) {
      std::vector<std::string> s = stems(parts[part], lang);
      length[part] = s.size();
      for (size_t i = 0; i < s.size(); ++i) {
        auto it = by_first.find(s[i]);
        if (it == by_first.end()) continue;
        for (const Entry& e : it->second) {
          if (i + e.stems.size() > s.size()) continue;
          if (!std::equal(e.stems.begin(), e.stems.end(), s.begin() + static_cast<long>(i))) continue;
          const Phrase& p = m_phrases[e.phrase];
          hits.push_back({p.weight * (own ? 1.0 : k_other_language) * p.idf, e.phrase, &lang, part, i, e.stems.size()});
        }
      }
    }
  }
  // The words are the same in every stemming, so positions line up: one occurrence counts once per
  // node, for its strongest phrase ("litter" and "littering", or a French and an English keyword).
  std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    if (a.weight != b.weight) return a.weight > b.weight;
    return a.len > b.len;
  });
  std::map<std::pair<size_t, int>, std::vector<bool>> claimed;  // (node, part) -> positions taken
  std::map<std::pair<size_t, std::string>, std::pair<int, int>> found;  // (phrase, lang) -> title, body
  std::map<std::pair<size_t, std::string>, double> weight_of;
  for (const Hit& h : hits) {
    size_t node = m_phrases[h.phrase].node;
    auto& taken = claimed[{node, h.part}];
    if (taken.empty()) taken.assign(length[h.part], false);
    if (std::any_of(taken.begin() + static_cast<long>(h.pos), taken.begin() + static_cast<long>(h.pos + h.len),
                    [](bool b) { return b; }))
      continue;
    std::fill(taken.begin() + static_cast<long>(h.pos), taken.begin() + static_cast<long>(h.pos + h.len), true);
    auto& f = found[{h.phrase, *h.lang}];
    (h.part == 0 ? f.first : f.second)++;
    weight_of[{h.phrase, *h.lang}] = h.weight;
  }
  for (const auto& [key, counts] : found) {
    const Phrase& p = m_phrases[key.first];
    double tf = k_title_factor * counts.first + counts.second;
    double value = weight_of[key] * tf * (k_saturation + 1) / (tf + k_saturation);
    (p.kind == "keyword" ? out.keywords : out.labels)[p.node] += value;
    out.matches[p.node].push_back(Match{p.text, p.kind, key.second, counts.first, counts.second});
  }
  for (auto& m : out.matches)
    std::stable_sort(m.begin(), m.end(), [](const Match& a, const Match& b) {
      return a.title * k_title_factor + a.body > b.title * k_title_factor + b.body;
    });
  return out;
}

Votes Engine::votes(const Text& text, const std::vector<std::string>& excluded_ids, const Lexical* lex) const {
  Votes out;
  const size_t n_nodes = m_tree.nodes().size();
  out.share.assign(n_nodes, 0);
  out.voters.resize(n_nodes);
  if (!m_db || m_db->get_doccount() == 0 || m_options.neighbours == 0) return out;
  out.available = true;
  double total = m_db->get_doccount();
  std::vector<std::pair<double, std::string>> weighted;
  for (const auto& [term, wdf] : text.terms) {
    Xapian::doccount df = m_db->get_termfreq(term);
    if (df == 0 || df >= total) continue;
    weighted.emplace_back((1 + std::log(static_cast<double>(wdf))) * std::log(total / df), term);
  }
  std::sort(weighted.begin(), weighted.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (weighted.size() > k_query_terms) weighted.resize(k_query_terms);
  std::vector<Xapian::Query> terms;
  for (const auto& w : weighted) terms.emplace_back(w.second);
  if (lex && k_bridge > 0) {
    std::vector<std::pair<double, size_t>> named;
    for (size_t n = 0; n < n_nodes; ++n)
      if (lex->labels[n] + lex->keywords[n] > 0) named.emplace_back(lex->labels[n] + lex->keywords[n], n);
    std::sort(named.begin(), named.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    if (named.size() > k_bridge_nodes) named.resize(k_bridge_nodes);
    for (const auto& [raw, n] : named)
      for (const auto& [lang, label] : m_tree.nodes()[n].label) {
        std::vector<std::string> w = util::words(label);
        if (w.empty()) continue;
        std::vector<Xapian::Query> parts(w.begin(), w.end());
        Xapian::Query phrase = parts.size() == 1 ? parts.front() : Xapian::Query(Xapian::Query::OP_PHRASE, parts.begin(), parts.end(), static_cast<Xapian::termcount>(parts.size()));
        terms.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, phrase, k_bridge);
      }
  }
  if (terms.empty()) return out;
  Xapian::Query query(Xapian::Query::OP_OR, terms.begin(), terms.end());
  // Only documents filed under some theme vote; never the document itself or a held-out fold.
  query = Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query(Xapian::Query::OP_WILDCARD, index::schema::k_direct));
  std::vector<Xapian::Query> hidden;
  for (const auto& id : excluded_ids) hidden.emplace_back(index::schema::bounded(index::schema::k_id, id));
  if (!text.id.empty()) hidden.emplace_back(index::schema::bounded(index::schema::k_id, text.id));
  if (!hidden.empty())
    query = Xapian::Query(Xapian::Query::OP_AND_NOT, query, Xapian::Query(Xapian::Query::OP_OR, hidden.begin(), hidden.end()));
  Xapian::Enquire enquire(*m_db);
  enquire.set_query(query);
  Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(m_options.neighbours));
  if (mset.empty()) return out;
  double top = mset.begin().get_weight();
  double sum = 0;
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    double sim = top > 0 ? it.get_weight() / top : 0;
    Xapian::Document doc = it.get_document();
    std::set<size_t> voted;
    for (auto term = doc.termlist_begin(); term != doc.termlist_end(); ++term) {
      std::string s = *term;
      if (s.rfind(index::schema::k_direct, 0) != 0) continue;
      if (auto n = live(s.substr(index::schema::k_direct.size()))) voted.insert(*n);
    }
    if (voted.empty()) continue;
    sum += sim;
    std::string title = index::schema::parse_data(doc.get_data(), false).value("title", std::string());
    for (size_t n : voted) {
      out.share[n] += sim;
      out.voters[n].push_back({doc.get_value(index::schema::k_slot_id), title, sim});
    }
  }
  if (sum > 0)
    for (auto& s : out.share) s /= sum;
  return out;
}

std::vector<double> Engine::parent_rates(const std::vector<std::vector<size_t>>& filed) const {
  const auto& nodes = m_tree.nodes();
  std::vector<double> under(nodes.size(), 0), both(nodes.size(), 0);
  for (const auto& doc : filed) {
    std::set<size_t> has(doc.begin(), doc.end());
    std::set<size_t> parents;
    for (size_t n : doc)
      if (nodes[n].parent) parents.insert(*nodes[n].parent);
    for (size_t p : parents) {
      under[p] += 1;
      both[p] += has.count(p);
    }
  }
  std::vector<double> out(nodes.size());
  for (size_t n = 0; n < nodes.size(); ++n) out[n] = (both[n] + k_rate_prior) / (under[n] + 1);
  return out;
}

Scores Engine::combine(const Lexical& lex, const Votes& votes, const Evidence& evidence,
                       const std::vector<double>* rates) const {
  if (!rates) rates = &m_rates;
  const auto& nodes = m_tree.nodes();
  Scores s;
  s.score.assign(nodes.size(), 0);
  s.lexical.assign(nodes.size(), 0);
  s.neighbours.assign(nodes.size(), 0);
  s.inherited.assign(nodes.size(), 0);
  bool use_lex = evidence.labels || evidence.keywords;
  bool use_nb = evidence.neighbours && votes.available;
  for (size_t n = 0; n < nodes.size(); ++n) {
    double raw = (evidence.labels ? lex.labels[n] : 0) + (evidence.keywords ? lex.keywords[n] : 0);
    s.lexical[n] = 1 - std::exp(-raw / k_lexical_scale);
    s.neighbours[n] = use_nb ? votes.share[n] : 0;
    if (use_lex && use_nb) s.score[n] = k_lexical_share * s.lexical[n] + (1 - k_lexical_share) * s.neighbours[n];
    else s.score[n] = use_lex ? s.lexical[n] : s.neighbours[n];
  }
  if (evidence.hierarchy) {
    // Pre-order storage: walking backwards visits every child before its parent.
    for (size_t i = nodes.size(); i-- > 0;) {
      double best_child = 0;
      for (size_t c : nodes[i].children) best_child = std::max(best_child, s.score[c]);
      s.inherited[i] = k_parent_factor * (*rates)[i] * best_child;
      s.score[i] = std::min(1.0, s.score[i] + s.inherited[i]);
    }
  }
  return s;
}

std::vector<size_t> Engine::rank(const Scores& s, const std::vector<size_t>& candidates, bool keep_zero) const {
  std::vector<size_t> out;
  if (candidates.empty()) {
    for (size_t n = 0; n < s.score.size(); ++n)
      if (m_allowed[n]) out.push_back(n);
  } else {
    out = candidates;
  }
  if (!keep_zero) out.erase(std::remove_if(out.begin(), out.end(), [&](size_t n) { return s.score[n] <= 0; }), out.end());
  std::stable_sort(out.begin(), out.end(), [&](size_t a, size_t b) { return s.score[a] > s.score[b]; });
  if (candidates.empty() && !out.empty()) {
    // Far weaker than the best is noise, whatever its rank.
    double floor = k_relative_floor * s.score[out.front()];
    out.erase(std::remove_if(out.begin(), out.end(), [&](size_t n) { return s.score[n] < floor; }), out.end());
  }
  return out;
}

Suggestion Engine::suggestion(size_t node, const Scores& s, const Lexical& lex, const Votes& votes) const {
  Suggestion g;
  g.id = m_tree.nodes()[node].id;
  g.score = s.score[node];
  g.lexical = s.lexical[node];
  g.neighbours = s.neighbours[node];
  g.inherited = s.inherited[node];
  g.matches = lex.matches[node];
  if (votes.available) g.voters = votes.voters[node];
  if (s.inherited[node] > 0)
    for (size_t c : m_tree.nodes()[node].children)
      if (s.score[c] > 0) g.children.push_back(m_tree.nodes()[c].id);
  return g;
}

std::string Engine::passage(const Text& text, const std::vector<Suggestion>& top) const {
  std::vector<std::string> words;
  for (const auto& g : top)
    for (const auto& m : g.matches)
      for (const auto& w : util::words(m.phrase)) words.push_back(w);
  std::string whole = text.body.empty() ? text.title : text.body;
  return search::make_snippet(whole, text.lang, words, 240);
}

} // namespace befus::classify::engine
