#include "befus/search.hpp"

#include "befus/error.hpp"
#include "befus/text.hpp"
#include "index/database.hpp"
#include "index/reader_impl.hpp"
#include "index/schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <array>
#include <unordered_map>
#include <regex>
#include <map>
#include <optional>
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

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

// Moves theme:/partner:/lang:/type:/year: tokens out of the query text into the filters. A filter
// starts the query or follows white space; its value is "quoted" (may hold spaces) or runs to the
// next white space. (A hand-written scan: compiling the equivalent std::regex took longer than
// the rest of a search.)
std::string take_filters(const std::string& query, Request& r) {
  static const std::array<std::string_view, 5> k_kinds{"theme", "partner", "lang", "type", "year"};
  std::string rest;
  size_t last = 0;  // end of the previous filter
  for (size_t p = 0; p < query.size(); ++p) {
    if (p > 0 && !is_space(query[p - 1])) continue;
    std::string_view at = std::string_view(query).substr(p);
    std::string_view kind;
    for (auto k : k_kinds)
      if (at.size() > k.size() && at.substr(0, k.size()) == k && at[k.size()] == ':') kind = k;
    if (kind.empty()) continue;
    size_t v = p + kind.size() + 1;  // first character of the value
    std::string value;
    size_t end;
    size_t close = query[v] == '"' ? query.find('"', v + 1) : std::string::npos;
    if (close != std::string::npos) {
      value = query.substr(v + 1, close - v - 1);
      end = close + 1;
    } else {
      end = v;
      while (end < query.size() && !is_space(query[end])) ++end;
      if (end == v) continue;  // "theme:" followed by nothing is just a word
      value = query.substr(v, end - v);
    }
    size_t start = p > 0 ? p - 1 : 0;  // the white space before belongs to the filter
    rest += query.substr(last, start - last) + " ";
    last = end;
    if (kind == "theme") r.themes.push_back(value);
    else if (kind == "partner") r.partners.push_back(value);
    else if (kind == "lang") r.langs.push_back(value);
    else if (kind == "type") r.types.push_back(value);
    else r.years = parse_years(value);
    p = end - 1;  // the loop's ++p lands just after the value: the next filter needs a space first
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
  // Only the languages the index has documents in get a branch, and the branch for documents in
  // other languages only when there are some: every branch costs Xapian a pass over the
  // postings of its terms.
  Builder(Xapian::Database& db, const taxonomy::Taxonomy& t, const std::vector<std::string>& languages) : m_db(db) {
    Xapian::doccount in_languages = 0;
    for (const auto& lang : languages) {
      Xapian::doccount n = db.get_termfreq(schema::k_lang + lang);
      in_languages += n;
      if (n > 0) m_languages.push_back(lang);
    }
    m_other_languages = in_languages < db.get_doccount();
    // The index names its documents' labels itself when it was made with this very tree and a
    // schema that has label terms (2 and later); otherwise (an older index, or the tree edited since) labels are asked word by word.
    try {
      std::string version = db.get_metadata(schema::k_meta_schema);
      m_labels_indexed = (version == "2" || version == std::to_string(schema::k_version)) &&
                         db.get_metadata(schema::k_meta_taxonomy) == t.hash();
    } catch (const Xapian::UnimplementedError&) {
      m_labels_indexed = false;
    }
  }

  // A node reached through its labels: the documents that name it in any language, and those
  // filed under it.
  Xapian::Query theme(const taxonomy::Node& n) {
    Xapian::Query filed(schema::k_theme + n.id);
    if (m_labels_indexed) return Xapian::Query(Xapian::Query::OP_OR, Xapian::Query(bounded(schema::k_label, n.id)), filed);
    return Xapian::Query(Xapian::Query::OP_OR, labels(schema::label_alternatives(n)), filed);
  }

  // The query in every language: each document is matched with its own language's stemmer. `op`
  // joins the words: AND for all of them, OR for any.
  // Languages whose stemmers give the same query share one branch, filtered by all their
  // languages ("buurt" is "Zbuurt" for Dutch and French alike): each branch walks its terms'
  // postings, and most words are left alone by the other languages' stemmers. When one branch
  // serves every document the filter goes too.
  Xapian::Query multilang(const std::string& text, Xapian::Query::op op) {
    struct Group {
      Xapian::Query query;
      std::vector<Xapian::Query> langs;
    };
    std::vector<Group> groups;
    std::map<std::string, size_t> by_query;  // description -> group
    std::vector<Xapian::Query> lang_terms;
    for (const auto& lang : m_languages) {
      Xapian::Query q = parse(text, schema::stemmer(lang), op);
      lang_terms.emplace_back(schema::k_lang + lang);
      auto [it, fresh] = by_query.emplace(q.get_description(), groups.size());
      if (fresh) groups.push_back({q, {}});
      groups[it->second].langs.push_back(lang_terms.back());
    }
    if (groups.size() == 1 && !m_other_languages) return groups.front().query;
    std::vector<Xapian::Query> branches;
    for (const auto& g : groups) {
      branches.emplace_back(Xapian::Query::OP_FILTER, g.query,
                            Xapian::Query(Xapian::Query::OP_OR, g.langs.begin(), g.langs.end()));
    }
    if (m_other_languages) {  // matched without stemming
      Xapian::Query other = parse(text, Xapian::Stem(), op);
      branches.emplace_back(Xapian::Query::OP_AND_NOT, other,
                            Xapian::Query(Xapian::Query::OP_OR, lang_terms.begin(), lang_terms.end()));
    }
    return Xapian::Query(Xapian::Query::OP_OR, branches.begin(), branches.end());
  }

private:
  // Any label or alt label of a node, in documents of every language: what an XLABEL: term
  // stands for (schema::label_terms), asked word by word. Words of a label of several words are
  // unstemmed, so they mean the same in every language; single words are stemmed per language
  // like the rest of the query, all in one multilang.
  Xapian::Query labels(const std::vector<std::string>& alternatives) {
    std::vector<std::string> words;
    std::vector<Xapian::Query> parts;
    for (const auto& a : alternatives) {
      if (a.find(' ') == std::string::npos) words.push_back(a);
      else parts.push_back(phrase(a));
    }
    if (!words.empty()) parts.push_back(multilang(util::join(words, " OR "), Xapian::Query::OP_OR));
    return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
  }

  // A label of several words reaches the documents that have all its words, in any order:
  // the words as Xapian's parser tokenises them, like the indexer's TermGenerator did
  // ("d'insecurite" is one word), without filler words. Not a phrase: on the benchmark corpus
  // reading the positions of label words cost four times the rest of an expanded search, and
  // a document with "droit" and "logement" is on the topic of "droit au logement" anyway.
  // (Phrases the user types stay phrases.)
  Xapian::Query phrase(const std::string& text) {
    std::vector<std::string> terms = schema::label_terms(text, Xapian::Stem());
    return Xapian::Query(Xapian::Query::OP_AND, terms.begin(), terms.end());
  }

  Xapian::Query parse(const std::string& text, const Xapian::Stem& stem, Xapian::Query::op op) {
    Xapian::QueryParser qp;
    qp.set_database(m_db);
    qp.set_stemmer(stem);
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.set_default_op(op);
    qp.add_prefix("title", schema::k_title);
    return qp.parse_query(text, Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_WILDCARD);
  }

  Xapian::Database& m_db;
  std::vector<std::string> m_languages;  // those with documents
  bool m_other_languages = false;        // documents in none of them exist
  bool m_labels_indexed = false;         // documents carry XLABEL: terms for this tree
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

struct LabelMatch {
  const taxonomy::Node* node;
  size_t first, count;  // word span in the query
};

// Longest non-overlapping runs of query words that are a label or alt label of a node.
std::vector<LabelMatch> find_labels(const std::vector<std::string>& words, const taxonomy::Taxonomy& t) {
  std::vector<LabelMatch> out;
  for (size_t i = 0; i < words.size();) {
    bool found = false;
    for (size_t len = std::min(t.longest_label(), words.size() - i); len > 0 && !found; --len) {
      std::vector<std::string> span(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(i + len));
      if (auto node = t.find_label(util::join(span, " "))) {
        out.push_back({&t.nodes()[*node], i, len});
        i += len;
        found = true;
      }
    }
    if (!found) ++i;
  }
  return out;
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

namespace {
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};
using StringMap = std::unordered_map<std::string, int, StringHash, std::equal_to<>>;
} // namespace

struct Highlighter::Language {
  Xapian::Stem stem;
  StringMap wanted;                 // query word or its stem -> the word's index
  std::vector<bool> starts = std::vector<bool>(1 << 16);  // by starts_of: the keys' first two bytes
  StringMap seen;                   // spelling in a text -> index of what it matches, or -1
};

namespace {

// A word's first two bytes (the second 0 for a one-byte word).
size_t starts_of(std::string_view w) {
  return static_cast<size_t>(static_cast<unsigned char>(w[0])) << 8 |
         (w.size() > 1 ? static_cast<unsigned char>(w[1]) : 0u);
}

// starts_of of the word's fold when its first two bytes (or its only byte) are ASCII.
std::optional<size_t> ascii_start(std::string_view raw) {
  auto lower = [](unsigned char c) -> size_t { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; };
  auto b0 = static_cast<unsigned char>(raw[0]);
  if (b0 >= 0x80) return std::nullopt;
  if (raw.size() == 1) return lower(b0) << 8;
  auto b1 = static_cast<unsigned char>(raw[1]);
  if (b1 >= 0x80) return std::nullopt;
  return lower(b0) << 8 | lower(b1);
}

} // namespace

Highlighter::Highlighter(std::vector<std::string> query_words) : m_words(std::move(query_words)) {}
Highlighter::~Highlighter() = default;

Highlighter::Language& Highlighter::language(const std::string& lang) {
  auto& l = m_languages[lang];
  if (!l) {
    l = std::make_unique<Language>();
    l->stem = index::schema::stemmer(lang);
    for (size_t k = 0; k < m_words.size(); ++k) {  // a word and its stem count as one
      l->wanted.emplace(m_words[k], static_cast<int>(k));
      l->wanted.emplace(l->stem(m_words[k]), static_cast<int>(k));
    }
    // The Snowball stemmers of befus's languages keep a word's first two letters: they change
    // endings, in English only after the first vowel-consonant pair, in French after the first
    // vowel that does not start the word, in Dutch and German after at least three letters.
    // English lists three exceptions: dying, lying, tying (die, lie, tie). A one-letter key
    // fits any second letter.
    for (const auto& [key, k] : l->wanted) {
      if (key.empty()) continue;
      size_t first = static_cast<size_t>(static_cast<unsigned char>(key[0])) << 8;
      if (key.size() == 1) {
        for (size_t second = 0; second < 256; ++second) l->starts[first | second] = true;
        continue;
      }
      l->starts[starts_of(key)] = true;
      if (key[1] == 'i') l->starts[first | static_cast<unsigned char>('y')] = true;
    }
  }
  return *l;
}

std::string make_snippet(const std::string& text, const std::string& lang, const std::vector<std::string>& query_words,
                         size_t max_chars) {
  return Highlighter(query_words).snippet(text, lang, max_chars);
}

std::string Highlighter::snippet(std::string_view view, const std::string& lang, size_t max_chars) {
  view = view.substr(0, std::min<size_t>(view.size(), 64 * 1024));
  Language& l = language(lang);
  // One pass over the text keeps only the words that match a query word (or its stem), each with
  // where the three words before it start, for context.
  struct Match {
    size_t offset, end;
    int word;                      // index into m_words
    std::array<size_t, 3> before;  // nearest first
    size_t n_before;
  };
  std::vector<Match> matches;
  std::array<size_t, 3> recent{};  // starts of the last three words, as a ring
  size_t n_words = 0;
  size_t first_word = std::string_view::npos;
  util::WordCursor cursor(view);
  for (util::Span w; cursor.next(w); ++n_words) {
    if (n_words == 0) first_word = w.offset;
    std::string_view raw = view.substr(w.offset, w.length);
    int k = -1;
    // Folding leaves two leading ASCII letters lower-cased and in place: a word whose first two
    // bytes are ASCII and start no key is passed over without a look-up (most words of a text).
    if (auto start = ascii_start(raw); !start || l.starts[*start]) {
      auto it = l.seen.find(raw);
      if (it == l.seen.end()) {
        it = l.seen.emplace(std::string(raw), -1).first;
        // A word whose first two letters start no key cannot match, stemmed or not.
        std::string f = util::fold(raw);
        if (!f.empty() && l.starts[starts_of(f)]) {
          auto hit = l.wanted.find(f);
          if (hit == l.wanted.end()) hit = l.wanted.find(l.stem(f));
          if (hit != l.wanted.end()) it->second = hit->second;
        }
      }
      k = it->second;
    }
    if (k >= 0) {
      Match m{w.offset, w.offset + w.length, k, {}, std::min<size_t>(n_words, 3)};
      for (size_t b = 0; b < m.n_before; ++b) m.before[b] = recent[(n_words - 1 - b) % 3];
      matches.push_back(m);
    }
    recent[n_words % 3] = w.offset;
  }
  if (n_words == 0) return {};
  // The window (within max_chars) with the most distinct matches, then the most matches; the
  // earliest such window. Windows start on a match and slide: both ends only move forward.
  size_t best = 0, best_last = 0, best_distinct = 0, best_total = 0;
  {
    std::vector<size_t> in_window(m_words.size(), 0);
    size_t n_distinct = 0, total = 0, end = 0;  // the window is matches [a, end)
    for (size_t a = 0; a < matches.size(); ++a) {
      if (end < a) end = a;
      while (end < matches.size() && matches[end].end - matches[a].offset <= max_chars) {
        if (in_window[static_cast<size_t>(matches[end].word)]++ == 0) ++n_distinct;
        ++total;
        ++end;
      }
      if (n_distinct > best_distinct || (n_distinct == best_distinct && total > best_total)) {
        best = a;
        best_last = end - 1;
        best_distinct = n_distinct;
        best_total = total;
      }
      if (a < end) {
        if (--in_window[static_cast<size_t>(matches[a].word)] == 0) --n_distinct;
        --total;
      }
    }
  }
  // Start up to three words earlier, for context, as long as the window's last match still fits.
  size_t from = first_word;
  size_t next_match = 0;  // the first match at or after `from`
  if (best_distinct > 0) {
    const Match& m = matches[best];
    from = m.offset;
    for (size_t b = 0; b < m.n_before && matches[best_last].end - m.before[b] <= max_chars; ++b) from = m.before[b];
    next_match = best;
    while (next_match > 0 && matches[next_match - 1].offset >= from) --next_match;
  }
  std::string out = from > first_word ? "…" : "";
  size_t pos = from;
  util::WordCursor rest(view.substr(from));
  util::Span w;
  bool more = false;
  while ((more = rest.next(w))) {
    size_t offset = from + w.offset;
    if (offset + w.length - from > max_chars) break;
    out += view.substr(pos, offset - pos);
    std::string_view word = view.substr(offset, w.length);
    while (next_match < matches.size() && matches[next_match].offset < offset) ++next_match;
    if (next_match < matches.size() && matches[next_match].offset == offset) {
      out += '\x01';
      out += word;
      out += '\x02';
    } else {
      out += word;
    }
    pos = offset + w.length;
  }
  if (more) out += "…";
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
      std::vector<std::string> words = util::words(text);
      std::vector<std::string> query_words;
      for (const auto& w : words)
        if (!k_operators.count(w)) query_words.push_back(w);
      // Runs of words that are a theme's label: in a plain query they are replaced by the theme's
      // labels in every language; in advanced syntax they are added beside the query.
      std::vector<LabelMatch> labels =
          r.expand && !folded.empty() ? find_labels(words, t) : std::vector<LabelMatch>{};
      bool plain = is_plain(text);
      Builder b(db, t, languages);

      auto build = [&](bool all_words) {
        Xapian::Query::op op = all_words ? Xapian::Query::OP_AND : Xapian::Query::OP_OR;
        Xapian::Query q;
        res.expansions.clear();
        if (folded.empty()) {
          q = Xapian::Query::MatchAll;
        } else if (labels.empty() || !plain) {
          q = b.multilang(folded, op);
          if (!labels.empty()) {
            std::vector<Xapian::Query> extra{q};
            for (const auto& m : labels) {
              extra.push_back(b.theme(*m.node));
              res.expansions.push_back(m.node->id);
            }
            q = Xapian::Query(Xapian::Query::OP_OR, extra.begin(), extra.end());
          }
        } else {
          std::vector<Xapian::Query> parts;
          std::vector<bool> used(words.size(), false);
          for (const auto& m : labels) {
            for (size_t i = m.first; i < m.first + m.count; ++i) used[i] = true;
            parts.push_back(b.theme(*m.node));
            res.expansions.push_back(m.node->id);
          }
          std::vector<std::string> rest;
          for (size_t i = 0; i < words.size(); ++i)
            if (!used[i]) rest.push_back(words[i]);
          if (!rest.empty()) parts.push_back(b.multilang(util::join(rest, " "), op));
          q = Xapian::Query(op, parts.begin(), parts.end());
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
        for (const auto& a : schema::label_alternatives(*t.find(id)))
          for (const auto& w : util::words(a))
            if (!schema::is_filler(w)) highlight.push_back(w);

      Highlighter highlighter(std::move(highlight));
      for (auto it = mset.begin(); it != mset.end(); ++it) {
        Hit h;
        schema::Stored stored = schema::read_data(it.get_document().get_data(), true,
                                                  {"id", "title", "lang", "year", "type", "themes", "partners", "path"});
        h.data = std::move(stored.fields);
        // Relative to the best hit: the expanded query makes Xapian's own percentages tiny.
        h.score = mset.get_max_attained() > 0 ? 100.0 * it.get_weight() / mset.get_max_attained() : 0;
        h.snippet = highlighter.snippet(stored.text, h.data.value("lang", std::string()));
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
