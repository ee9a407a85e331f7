#include "befus/search.hpp"

#include "befus/error.hpp"
#include "befus/text.hpp"
#include "index/database.hpp"
#include "index/reader_impl.hpp"
#include "index/schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <set>

namespace befus::search {

namespace {

using index::schema::bounded;
namespace schema = index::schema;

const std::set<std::string> k_operators{"AND", "OR", "NOT", "XOR", "NEAR", "ADJ"};

struct Filters {
  std::vector<std::string> themes, partners, langs, types;
  std::optional<std::pair<int, int>> years;
};

// Moves theme:/partner:/lang:/type:/year: tokens out of the query text into the filters.
std::string take_filters(const std::string& query, Request& r) {
  static const std::regex k_filter(R"re((^|\s)(theme|partner|lang|type|year):(?:"([^"]*)"|(\S+)))re");
  std::string rest;
  auto begin = std::sregex_iterator(query.begin(), query.end(), k_filter);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    rest += query.substr(last, static_cast<size_t>(m.position(0)) - last) + " ";
    last = static_cast<size_t>(m.position(0) + m.length(0));
    std::string kind = m[2];
    std::string value = m[3].matched ? std::string(m[3]) : std::string(m[4]);
    if (kind == "theme") r.themes.push_back(value);
    else if (kind == "partner") r.partners.push_back(value);
    else if (kind == "lang") r.langs.push_back(value);
    else if (kind == "type") r.types.push_back(value);
    else r.years = parse_years(value);
  }
  rest += query.substr(last);
  return util::trim(rest);
}

// Folds words for matching but keeps the parser's operators (AND, OR, NOT, ...) as they are.
std::string fold_query(const std::string& q) {
  std::string out;
  for (const auto& tok : util::split(q, ' ')) {
    if (tok.empty()) continue;
    if (!out.empty()) out += ' ';
    bool op = k_operators.count(tok) || util::starts_with(tok, "NEAR/") || util::starts_with(tok, "ADJ/");
    out += op ? tok : util::fold(tok);
  }
  return out;
}

bool is_plain(const std::string& q) {
  for (char c : q)
    if (c == '"' || c == ':' || c == '(' || c == ')' || c == '+' || c == '*') return false;
  for (const auto& tok : util::split(q, ' '))
    if (k_operators.count(tok) || util::starts_with(tok, "-")) return false;
  return true;
}

class Builder {
public:
  Builder(Xapian::Database& db, const std::vector<std::string>& languages, bool all_words)
      : m_db(db), m_languages(languages), m_all_words(all_words) {}

  // The query in every language: each document is matched with its own language's stemmer.
  Xapian::Query multilang(const std::string& text, bool any_word = false) {
    std::vector<Xapian::Query> branches;
    std::vector<Xapian::Query> lang_terms;
    for (const auto& lang : m_languages) {
      Xapian::Query q = parse(text, schema::stemmer(lang), any_word, branches.empty());
      lang_terms.emplace_back(schema::k_lang + lang);
      branches.emplace_back(Xapian::Query::OP_FILTER, q, Xapian::Query(schema::k_lang + lang));
    }
    // Documents in any other language, matched without stemming.
    Xapian::Query other = parse(text, Xapian::Stem(), any_word, false);
    branches.emplace_back(Xapian::Query::OP_AND_NOT, other,
                          Xapian::Query(Xapian::Query::OP_OR, lang_terms.begin(), lang_terms.end()));
    return Xapian::Query(Xapian::Query::OP_OR, branches.begin(), branches.end());
  }

  // Any label or alt label of a node, in documents of every language. A phrase is matched on
  // unstemmed words (the only ones with positions), so it means the same in every language and is
  // parsed once; single words are stemmed per language like the rest of the query. This gives the
  // same matches and weights as running every alternative through multilang, with a quarter of the
  // subqueries for Xapian to evaluate.
  Xapian::Query labels(const std::vector<std::string>& alternatives) {
    std::vector<std::string> words, phrases;
    for (const auto& a : alternatives) {
      if (a.find(' ') == std::string::npos) words.push_back(a);
      else phrases.push_back("\"" + a + "\"");
    }
    std::vector<Xapian::Query> parts;
    if (!phrases.empty()) parts.push_back(parse(util::join(phrases, " OR "), Xapian::Stem(), true, false));
    if (!words.empty()) parts.push_back(multilang(util::join(words, " OR "), true));
    return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
  }

private:
  Xapian::Query parse(const std::string& text, const Xapian::Stem& stem, bool any_word, bool spell) {
    Xapian::QueryParser qp;
    qp.set_database(m_db);
    qp.set_stemmer(stem);
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.set_default_op(m_all_words && !any_word ? Xapian::Query::OP_AND : Xapian::Query::OP_OR);
    qp.add_prefix("title", schema::k_title);
    (void)spell;
    return qp.parse_query(text, Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_WILDCARD);
  }

  Xapian::Database& m_db;
  const std::vector<std::string>& m_languages;
  bool m_all_words;
};

// "Did you mean": the index's own vocabulary, for the words as the user typed them.
std::string spelling_suggestion(Xapian::Database& db, const std::string& folded) {
  try {
    Xapian::QueryParser qp;
    qp.set_database(db);
    qp.parse_query(folded, Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_SPELLING_CORRECTION);
    std::string s = qp.get_corrected_query_string();
    return s == folded ? std::string() : s;
  } catch (const Xapian::Error&) {
    return {};  // remote databases carry no spelling data
  }
}

// Words too common to be worth highlighting when they come from a label rather than the user.
bool is_filler(const std::string& w) {
  static const std::set<std::string> k_fillers{"de", "het", "een", "van", "voor", "en", "in", "op", "met", "la",
                                               "le", "les", "du", "des", "d", "l", "et", "un", "une", "au", "aux",
                                               "the", "of", "and", "a", "an", "to", "for", "on", "or", "with"};
  return k_fillers.count(w) > 0;
}

struct LabelMatch {
  const taxonomy::Node* node;
  size_t first, count;  // word span in the query
};

// Longest non-overlapping runs of query words that are a label or alt label of a node.
std::vector<LabelMatch> find_labels(const std::vector<std::string>& words, const taxonomy::Taxonomy& t) {
  std::map<std::string, const taxonomy::Node*> phrases;
  size_t longest = 1;
  for (const auto& n : t.nodes()) {
    auto add = [&](const std::string& s) {
      std::string p = util::fold_phrase(s);
      if (p.empty()) return;
      phrases.emplace(p, &n);
      longest = std::max(longest, static_cast<size_t>(std::count(p.begin(), p.end(), ' ') + 1));
    };
    for (const auto& [lang, text] : n.label) add(text);
    for (const auto& [lang, list] : n.alt)
      for (const auto& a : list) add(a);
  }
  std::vector<LabelMatch> out;
  for (size_t i = 0; i < words.size();) {
    bool found = false;
    for (size_t len = std::min(longest, words.size() - i); len > 0 && !found; --len) {
      std::vector<std::string> span(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(i + len));
      auto it = phrases.find(util::join(span, " "));
      if (it != phrases.end()) {
        out.push_back({it->second, i, len});
        i += len;
        found = true;
      }
    }
    if (!found) ++i;
  }
  return out;
}

// Every label and alt label of a node in every language, folded, sorted and distinct.
std::vector<std::string> label_alternatives(const taxonomy::Node& n) {
  std::set<std::string> all;
  for (const auto& [lang, text] : n.label) all.insert(util::fold_phrase(text));
  for (const auto& [lang, list] : n.alt)
    for (const auto& a : list) all.insert(util::fold_phrase(a));
  all.erase(std::string());
  return {all.begin(), all.end()};
}

template <typename T>
Xapian::Query any_of(const std::vector<T>& terms) {
  std::vector<Xapian::Query> qs;
  for (const auto& t : terms) qs.emplace_back(t);
  return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
}

const taxonomy::Node& resolve_theme(const taxonomy::Taxonomy& t, const std::string& id) {
  if (const auto* n = t.resolve(id)) return *n;
  throw UsageError(fmt::format("unknown theme '{}'{}", id, util::did_you_mean(id, t.ids())));
}

Xapian::Query filter_query(const Request& r, const taxonomy::Taxonomy& t) {
  std::vector<Xapian::Query> kinds;
  if (!r.themes.empty()) {
    std::vector<std::string> terms;
    for (const auto& th : r.themes) terms.push_back(schema::k_theme + resolve_theme(t, th).id);
    kinds.push_back(any_of(terms));
  }
  if (!r.partners.empty()) {
    std::vector<std::string> terms;
    for (const auto& p : r.partners) {
      if (!t.find_actor(p))
        throw UsageError(fmt::format("unknown partner '{}'{}", p, util::did_you_mean(p, t.actor_ids())));
      terms.push_back(bounded(schema::k_partner, p));
    }
    kinds.push_back(any_of(terms));
  }
  if (!r.langs.empty()) {
    std::vector<std::string> terms;
    for (const auto& l : r.langs) terms.push_back(schema::k_lang + l);
    kinds.push_back(any_of(terms));
  }
  if (!r.types.empty()) {
    std::vector<std::string> terms;
    for (const auto& ty : r.types) terms.push_back(bounded(schema::k_type, ty));
    kinds.push_back(any_of(terms));
  }
  if (r.years)
    kinds.emplace_back(Xapian::Query::OP_VALUE_RANGE, schema::k_slot_year, Xapian::sortable_serialise(r.years->first),
                       Xapian::sortable_serialise(r.years->second));
  if (kinds.empty()) return Xapian::Query();
  return Xapian::Query(Xapian::Query::OP_AND, kinds.begin(), kinds.end());
}

// Documents per facet value among matches (a document with several themes counts once for each).
std::map<std::string, std::map<std::string, long>> count_facets(Xapian::Database& db, std::vector<Xapian::docid> ids,
                                                                const taxonomy::Taxonomy& t) {
  std::sort(ids.begin(), ids.end());
  std::map<std::string, std::map<std::string, long>> out;
  auto count = [&](const std::string& prefix, auto&& name_of) {
    for (auto term = db.allterms_begin(prefix); term != db.allterms_end(prefix); ++term) {
      long n = 0;
      auto post = db.postlist_begin(*term);
      for (Xapian::docid id : ids) {
        post.skip_to(id);
        if (post == db.postlist_end(*term)) break;
        if (*post == id) ++n;
      }
      if (n == 0) continue;
      std::string value = (*term).substr(prefix.size());
      std::string facet = name_of(value);
      if (!facet.empty()) out[facet][value] = n;
    }
  };
  count(schema::k_theme, [&](const std::string& v) -> std::string {
    const auto* n = t.find(v);
    return n && !n->parent ? "pillar" : "theme";
  });
  count(schema::k_partner, [](const std::string&) { return std::string("partner"); });
  count(schema::k_lang, [](const std::string&) { return std::string("lang"); });
  count(schema::k_type, [](const std::string&) { return std::string("type"); });
  count(schema::k_year, [](const std::string&) { return std::string("year"); });
  for (const char* f : {"theme", "pillar", "partner", "lang", "type", "year"}) out[f];
  return out;
}

} // namespace

std::pair<int, int> parse_years(const std::string& text) {
  static const std::regex k_range(R"(^\s*(\d{4})?\s*(\.\.)?\s*(\d{4})?\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, k_range) || (!m[1].matched && !m[3].matched))
    throw UsageError(fmt::format("year '{}': expected YEAR, FROM..TO, FROM.. or ..TO (e.g. 2008..2012)", text));
  int from = m[1].matched ? std::stoi(m[1]) : 0;
  int to = m[3].matched ? std::stoi(m[3]) : 9999;
  if (!m[2].matched) to = from;
  if (from > to) throw UsageError(fmt::format("year '{}': the range is empty ({} > {})", text, from, to));
  return {from, to};
}

std::string make_snippet(const std::string& text, const std::string& lang, const std::vector<std::string>& query_words,
                         size_t max_chars) {
  std::string_view view(text);
  view = view.substr(0, std::min<size_t>(view.size(), 64 * 1024));
  Xapian::Stem stem = schema::stemmer(lang);
  std::set<std::string> wanted;
  for (const auto& w : query_words) {
    wanted.insert(w);
    wanted.insert(stem(w));
  }
  auto spans = util::word_spans(view);
  if (spans.empty()) return {};
  std::vector<int> match(spans.size(), -1);  // index into distinct matched words, or -1
  std::map<std::string, int> distinct;
  for (size_t i = 0; i < spans.size(); ++i) {
    std::string w = util::fold(view.substr(spans[i].offset, spans[i].length));
    std::string key = wanted.count(w) ? w : (wanted.count(stem(w)) ? stem(w) : "");
    if (key.empty()) continue;
    match[i] = distinct.emplace(key, static_cast<int>(distinct.size())).first->second;
  }
  // The window of words (within max_chars) with the most distinct matches, then the most matches.
  size_t best = 0, best_distinct = 0, best_total = 0;
  for (size_t i = 0; i < spans.size(); ++i) {
    std::set<int> seen;
    size_t total = 0;
    for (size_t j = i; j < spans.size() && spans[j].offset + spans[j].length - spans[i].offset <= max_chars; ++j)
      if (match[j] >= 0) {
        seen.insert(match[j]);
        ++total;
      }
    if (seen.size() > best_distinct || (seen.size() == best_distinct && total > best_total)) {
      best = i;
      best_distinct = seen.size();
      best_total = total;
    }
    if (best_distinct == 0 && i > 0) break;  // no match anywhere: the opening words will do
  }
  // Start the window a few words earlier so the first match has some context.
  size_t start = best_distinct ? (best >= 3 ? best - 3 : 0) : 0;
  std::string out = start > 0 ? "…" : "";
  size_t from = spans[start].offset;
  size_t pos = from;
  size_t j = start;
  for (; j < spans.size() && spans[j].offset + spans[j].length - from <= max_chars; ++j) {
    out += std::string(view.substr(pos, spans[j].offset - pos));
    std::string word(view.substr(spans[j].offset, spans[j].length));
    out += match[j] >= 0 ? "\x01" + word + "\x02" : word;
    pos = spans[j].offset + spans[j].length;
  }
  if (j < spans.size()) out += "…";
  for (auto& c : out)
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  return out;
}

Result run(const index::Reader& reader, const taxonomy::Taxonomy& t, const std::vector<std::string>& languages,
           Request r) {
  // The filter regex and the query parser both grow with the query; people type far less.
  constexpr size_t k_max_query_bytes = 4096;
  if (r.query.size() > k_max_query_bytes)
    throw UsageError(fmt::format("query is too long ({} bytes; at most {})", r.query.size(), k_max_query_bytes));
  if (!util::valid_utf8(r.query)) throw UsageError("the query is not valid UTF-8");
  Result res;
  res.query = r.query;
  std::string text = take_filters(r.query, r);
  Xapian::Query filter = filter_query(r, t);
  auto& impl = reader.impl();
  try {
    return index::with_retry(impl.db, [&]() -> Result {
      // A retry after the database moved on starts from scratch: no hits from the old snapshot.
      res.hits.clear();
      res.facets.clear();
      res.relaxed = false;
      res.suggestion.clear();
      Xapian::Database& db = impl.db;
      std::string folded = fold_query(text);
      std::vector<std::string> query_words;
      for (const auto& w : util::words(text))
        if (!k_operators.count(w)) query_words.push_back(w);

      auto build = [&](bool all_words) {
        Builder b(db, languages, all_words);
        Xapian::Query q;
        res.expansions.clear();
        if (folded.empty()) {
          q = Xapian::Query::MatchAll;
        } else if (!r.expand) {
          q = b.multilang(folded);
        } else {
          std::vector<std::string> words = util::words(text);
          auto labels = is_plain(text) ? find_labels(words, t) : std::vector<LabelMatch>{};
          if (labels.empty()) {
            q = b.multilang(folded);
            // Advanced syntax: still reach the themes whose labels appear in the query.
            if (!is_plain(text)) {
              std::vector<Xapian::Query> extra{q};
              for (const auto& m : find_labels(words, t)) {
                extra.push_back(b.labels(label_alternatives(*m.node)));
                extra.emplace_back(schema::k_theme + m.node->id);
                res.expansions.push_back(m.node->id);
              }
              q = Xapian::Query(Xapian::Query::OP_OR, extra.begin(), extra.end());
            }
          } else {
            std::vector<Xapian::Query> parts;
            std::vector<bool> used(words.size(), false);
            for (const auto& m : labels) {
              for (size_t i = m.first; i < m.first + m.count; ++i) used[i] = true;
              Xapian::Query group(Xapian::Query::OP_OR, b.labels(label_alternatives(*m.node)),
                                  Xapian::Query(schema::k_theme + m.node->id));
              parts.push_back(group);
              res.expansions.push_back(m.node->id);
            }
            std::vector<std::string> rest;
            for (size_t i = 0; i < words.size(); ++i)
              if (!used[i]) rest.push_back(words[i]);
            if (!rest.empty()) parts.push_back(b.multilang(util::join(rest, " ")));
            q = Xapian::Query(all_words ? Xapian::Query::OP_AND : Xapian::Query::OP_OR, parts.begin(), parts.end());
          }
        }
        if (!filter.empty()) q = Xapian::Query(Xapian::Query::OP_FILTER, q, filter);
        return q;
      };

      Xapian::Query q = build(true);
      Xapian::Enquire enquire(db);
      enquire.set_query(q);
      // Ties go by document id, so one database, shards and remote shards list hits in one order.
      // (A KeyMaker would do, but the remote backend cannot run one.)
      if (r.sort_by_year) enquire.set_sort_by_value_then_relevance(schema::k_slot_newest, false);
      else enquire.set_sort_by_relevance_then_value(schema::k_slot_id, false);
      Xapian::doccount want = static_cast<Xapian::doccount>(r.offset + r.limit);
      Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(r.offset),
                                           static_cast<Xapian::doccount>(r.limit), want + 100);
      if (mset.get_matches_upper_bound() == 0 && !folded.empty() && query_words.size() > 1) {
        q = build(false);  // no document has every word: show the best partial matches
        enquire.set_query(q);
        mset = enquire.get_mset(static_cast<Xapian::doccount>(r.offset), static_cast<Xapian::doccount>(r.limit), want + 100);
        res.relaxed = mset.get_matches_upper_bound() > 0;
      }
      res.expanded = q.get_description();
      res.total = mset.get_matches_estimated();
      res.exact_total = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
      if ((res.total == 0 || res.relaxed) && !folded.empty()) res.suggestion = spelling_suggestion(db, folded);

      // Words to highlight: the query's own and, for reached themes, their labels in every language.
      std::vector<std::string> highlight = query_words;
      for (const auto& id : res.expansions)
        for (const auto& a : label_alternatives(*t.find(id)))
          for (const auto& w : util::words(a))
            if (!is_filler(w)) highlight.push_back(w);

      for (auto it = mset.begin(); it != mset.end(); ++it) {
        Hit h;
        h.data = nlohmann::json::parse(it.get_document().get_data(), nullptr, false);
        if (h.data.is_discarded()) h.data = nlohmann::json::object();
        // Relative to the best hit: the expanded query makes Xapian's own percentages tiny.
        h.score = mset.get_max_attained() > 0 ? 100.0 * it.get_weight() / mset.get_max_attained() : 0;
        std::string body = h.data.value("text", std::string());
        h.snippet = make_snippet(body, h.data.value("lang", std::string()), highlight);
        h.data.erase("text");
        res.hits.push_back(std::move(h));
      }
      if (r.facets) {
        Xapian::MSet all = enquire.get_mset(0, db.get_doccount());
        std::vector<Xapian::docid> ids;
        for (auto it = all.begin(); it != all.end(); ++it) ids.push_back(*it);
        res.facets = count_facets(db, std::move(ids), t);
        res.total = all.size();
        res.exact_total = true;
      }
      return res;
    });
  } catch (const Xapian::QueryParserError& e) {
    throw UsageError(fmt::format("cannot parse the query '{}': {}", r.query, e.get_msg()));
  } catch (const Xapian::Error& e) {
    index::translate(e, impl.location);
  }
}

} // namespace befus::search
