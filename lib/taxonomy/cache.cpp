#include "befus/taxonomy.hpp"

#include "befus/fs.hpp"

#include <fmt/format.h>

#include <cstring>

namespace befus::taxonomy {

namespace {

// A flat, length-prefixed image of the loaded tree. It is read by every read-only command, so it
// is built for reading speed: no parser, no intermediate document, and the folded label index
// and the hash stored ready rather than recomputed. Integers are in this machine's byte order:
// the cache never leaves the knowledge base it was made in, and any mismatch just rebuilds it.
// An outline (Detail::outline) steps over the parts it leaves out without making strings of them.
constexpr std::string_view k_magic = "befus-taxonomy-cache 3\n";

// The three files' stamps: a cache made from other versions of them is never used.
std::string key_of(const Sources& s) {
  std::string key;
  for (const auto* p : {&s.tree, &s.actors, &s.funding}) {
    auto st = p->empty() ? std::nullopt : util::stamp(*p);
    key += "|" + p->string() + "=" + (st ? st->to_string() : "-");
  }
  for (const auto& l : s.languages) key += "|" + l;
  return key;
}

class Writer {
public:
  void u64(std::uint64_t v) { m_out.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void f64(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u64(bits);
  }
  void str(std::string_view s) {
    u64(s.size());
    m_out.append(s);
  }
  void strs(const std::vector<std::string>& v) {
    u64(v.size());
    for (const auto& s : v) str(s);
  }
  void text(const LangText& t) { keyed(t, &Writer::str); }
  void lists(const LangList& t) { keyed(t, &Writer::strs); }
  const std::string& bytes() const { return m_out; }

private:
  template <typename Map, typename Arg>
  void keyed(const Map& m, void (Writer::*value)(Arg)) {
    u64(m.size());
    for (const auto& [k, v] : m) {
      str(k);
      (this->*value)(v);
    }
  }
  std::string m_out;
};

// Reads what Writer wrote; any overrun or absurd count throws, and the caller rebuilds.
class Reader {
public:
  explicit Reader(std::string_view in) : m_in(in) {}
  std::uint64_t u64() {
    need(8);
    std::uint64_t v;
    std::memcpy(&v, m_in.data() + m_pos, sizeof v);
    m_pos += sizeof v;
    return v;
  }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  double f64() {
    std::uint64_t bits = u64();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  std::string str() {
    size_t n = count();
    need(n);
    std::string s(m_in.substr(m_pos, n));
    m_pos += n;
    return s;
  }
  std::vector<std::string> strs() {
    std::vector<std::string> v(count(8));
    for (auto& s : v) s = str();
    return v;
  }
  LangText text() { return keyed(&Reader::str); }
  LangList lists() { return keyed(&Reader::strs); }
  // Steps over what str(), strs(), text() and lists() would read.
  void skip_str() {
    size_t n = count();
    need(n);
    m_pos += n;
  }
  void skip_strs() {
    for (size_t n = count(); n > 0; --n) skip_str();
  }
  void skip_text() {
    for (size_t n = count(); n > 0; --n) {
      skip_str();
      skip_str();
    }
  }
  void skip_lists() {
    for (size_t n = count(); n > 0; --n) {
      skip_str();
      skip_strs();
    }
  }
  // A count of items that take at least item_bytes each can never exceed the bytes left by more:
  // a damaged count fails here rather than asking for memory.
  size_t count(size_t item_bytes = 1) {
    std::uint64_t n = u64();
    if (n > (m_in.size() - m_pos) / item_bytes) throw std::runtime_error("bad count");
    return static_cast<size_t>(n);
  }
  bool done() const { return m_pos == m_in.size(); }

private:
  template <typename Value>
  std::map<std::string, Value> keyed(Value (Reader::*value)()) {
    std::map<std::string, Value> m;
    for (size_t n = count(); n > 0; --n) {
      std::string k = str();
      // Written from a map, so in order: each key goes at the end without comparisons.
      m.emplace_hint(m.end(), std::move(k), (this->*value)());
    }
    return m;
  }
  void need(size_t n) const {
    if (n > m_in.size() - m_pos) throw std::runtime_error("truncated");
  }
  std::string_view m_in;
  size_t m_pos = 0;
};

std::string encode(const Taxonomy& t, const std::string& key) {
  Writer w;
  w.str(k_magic);
  w.str(key);
  w.strs(t.levels());
  w.str(t.scheme_id());
  w.text(t.title());
  w.u64(t.nodes().size());
  for (const auto& n : t.nodes()) {
    w.str(n.id);
    w.text(n.label);
    w.lists(n.alt);
    w.text(n.why);
    w.lists(n.keywords);
    w.strs(n.related);
    w.strs(n.replaces);
    w.str(n.source);
    w.i64(n.depth);
    w.i64(n.parent ? static_cast<std::int64_t>(*n.parent) : -1);
  }
  w.u64(t.actors().size());
  for (const auto& a : t.actors()) {
    w.str(a.id);
    w.str(a.name);
    w.text(a.names);
    w.str(a.kind);
    w.strs(a.languages);
    w.str(a.url);
  }
  w.u64(t.programmes().size());
  for (const auto& p : t.programmes()) {
    w.str(p.id);
    w.text(p.name);
    w.str(p.funder);
    w.strs(p.cofunders);
    w.f64(p.budget_eur);
    w.i64(p.staff);
    w.i64(p.year);
    w.strs(p.themes);
    w.text(p.note);
  }
  w.u64(t.label_index().size());
  for (const auto& [label, node] : t.label_index()) {
    w.str(label);
    w.u64(node);
  }
  w.str(t.hash());
  return w.bytes();
}

// The tree, or nothing when the bytes are another version's or were made from other files.
std::optional<Taxonomy> decode(std::string_view bytes, const std::string& key, Detail detail) {
  const bool full = detail == Detail::full;
  Reader r(bytes);
  if (r.str() != k_magic || r.str() != key) return std::nullopt;
  Taxonomy t;
  t.set_levels(r.strs());
  std::string scheme = r.str();
  t.set_scheme(std::move(scheme), r.text());
  size_t nodes = r.count();
  for (size_t i = 0; i < nodes; ++i) {
    Node node;
    node.id = r.str();
    node.label = r.text();
    node.alt = r.lists();
    // An outline steps over the rest, leaving it empty.
    node.why = full ? r.text() : (r.skip_text(), LangText{});
    node.keywords = full ? r.lists() : (r.skip_lists(), LangList{});
    node.related = full ? r.strs() : (r.skip_strs(), std::vector<std::string>{});
    node.replaces = full ? r.strs() : (r.skip_strs(), std::vector<std::string>{});
    node.source = full ? r.str() : (r.skip_str(), std::string{});
    node.depth = static_cast<int>(r.i64());
    std::int64_t parent = r.i64();
    if (parent >= 0) {
      if (static_cast<size_t>(parent) >= i) throw std::runtime_error("bad parent");
      node.parent = static_cast<size_t>(parent);
    }
    t.add_node(std::move(node));
  }
  for (size_t n = r.count(); n > 0; --n) {
    Actor a;
    a.id = r.str();
    a.name = r.str();
    a.names = r.text();
    a.kind = full ? r.str() : (r.skip_str(), std::string{});
    a.languages = full ? r.strs() : (r.skip_strs(), std::vector<std::string>{});
    a.url = full ? r.str() : (r.skip_str(), std::string{});
    t.add_actor(std::move(a));
  }
  for (size_t n = r.count(); n > 0; --n) {  // read whole, a handful, and kept only in a whole tree
    Programme p;
    p.id = r.str();
    p.name = r.text();
    p.funder = r.str();
    p.cofunders = r.strs();
    p.budget_eur = r.f64();
    p.staff = static_cast<long>(r.i64());
    p.year = static_cast<int>(r.i64());
    p.themes = r.strs();
    p.note = r.text();
    if (full) t.add_programme(std::move(p));
  }
  std::vector<std::pair<std::string, size_t>> labels(r.count(16));
  for (auto& [label, node] : labels) {
    label = r.str();
    node = static_cast<size_t>(r.u64());
  }
  std::string hash = r.str();
  if (!r.done()) throw std::runtime_error("trailing bytes");
  t.finish_from_cache(std::move(labels), std::move(hash), detail);
  return t;
}

} // namespace

Taxonomy load_cached(const Sources& sources, const std::filesystem::path& cache, Detail detail) {
  std::string key = key_of(sources);
  std::error_code ec;
  if (!cache.empty() && std::filesystem::is_regular_file(cache, ec)) {
    try {
      util::MappedFile bytes(cache, 64u << 20);
      if (auto t = decode(bytes.bytes(), key, detail)) return std::move(*t);
    } catch (const std::exception&) {
      // A damaged or foreign cache is ignored and rewritten below.
    }
  }
  Taxonomy t = load_or_throw(sources);
  if (!cache.empty()) {
    try {
      std::filesystem::create_directories(cache.parent_path(), ec);
      util::write_file_atomic(cache, encode(t, key));
    } catch (const std::exception&) {
      // A read-only knowledge base simply goes without the cache.
    }
  }
  return t;
}

} // namespace befus::taxonomy
