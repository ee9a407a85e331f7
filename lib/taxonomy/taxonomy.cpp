#include "befus/taxonomy.hpp"

#include "befus/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace befus::taxonomy {

std::string Diagnostic::to_string() const {
  return fmt::format("{}: {}: {}", where.to_string(), severity == Severity::error ? "error" : "warning",
                     message);
}

bool LoadResult::ok() const {
  for (const auto& d : diagnostics)
    if (d.severity == Diagnostic::Severity::error) return false;
  return true;
}

size_t Taxonomy::add_node(Node node) {
  std::optional<size_t> parent = node.parent;
  m_nodes.push_back(std::move(node));
  size_t index = m_nodes.size() - 1;
  if (parent) m_nodes[*parent].children.push_back(index);
  return index;
}

namespace {

// FNV-1a, 64 bits: stable across runs and platforms, unlike std::hash.
struct Hasher {
  std::uint64_t h = 1469598103934665603ULL;
  void add(std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
  }
  void add(const LangText& t) {
    for (const auto& [k, v] : t) {
      add(k);
      add(v);
    }
    add("|");
  }
  void add(const LangList& t) {
    for (const auto& [k, v] : t) {
      add(k);
      for (const auto& s : v) add(s);
    }
    add("|");
  }
};

size_t longest_of(const std::vector<std::pair<std::string, size_t>>& labels) {
  size_t longest = 1;
  for (const auto& [label, node] : labels)
    longest = std::max(longest, static_cast<size_t>(std::count(label.begin(), label.end(), ' ') + 1));
  return longest;
}

} // namespace

void Taxonomy::index_ids() {
  m_by_id.clear();
  m_by_replaced.clear();
  for (size_t i = 0; i < m_nodes.size(); ++i) {
    m_by_id.emplace(m_nodes[i].id, i);
    for (const auto& r : m_nodes[i].replaces) m_by_replaced.emplace(r, i);
  }
}

void Taxonomy::finish() {
  index_ids();
  Hasher h;
  for (const auto& l : m_levels) h.add(l);
  for (const Node& n : m_nodes) {
    h.add(n.id);
    h.add(n.parent ? m_nodes[*n.parent].id : std::string("-"));
    h.add(n.label);
    h.add(n.alt);
    h.add(n.why);
    h.add(n.keywords);
    for (const auto& r : n.related) h.add(r);
    h.add("|");
    for (const auto& r : n.replaces) h.add(r);
    h.add(n.source);
  }
  std::map<std::string, size_t> labels;  // the first to claim a label keeps it
  for (size_t i = 0; i < m_nodes.size(); ++i)
    for (const auto& [lang, text] : m_nodes[i].label) labels.emplace(util::fold_phrase(text), i);
  for (size_t i = 0; i < m_nodes.size(); ++i)
    for (const auto& [lang, list] : m_nodes[i].alt)
      for (const auto& a : list) labels.emplace(util::fold_phrase(a), i);
  m_by_label.assign(labels.begin(), labels.end());
  m_longest_label = longest_of(m_by_label);
  m_hash = fmt::format("{:016x}", h.h);
  m_outline = false;
}

void Taxonomy::finish_from_cache(std::vector<std::pair<std::string, size_t>> labels, std::string hash,
                                 Detail detail) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].second >= m_nodes.size()) throw std::runtime_error("label of no node");
    if (i > 0 && !(labels[i - 1].first < labels[i].first)) throw std::runtime_error("labels out of order");
  }
  index_ids();
  m_by_label = std::move(labels);
  m_longest_label = longest_of(m_by_label);
  m_hash = std::move(hash);
  m_outline = detail == Detail::outline;
}

std::optional<size_t> Taxonomy::find_label(std::string_view folded) const {
  auto it = std::lower_bound(m_by_label.begin(), m_by_label.end(), folded,
                             [](const auto& entry, std::string_view key) { return entry.first < key; });
  if (it == m_by_label.end() || it->first != folded) return std::nullopt;
  return it->second;
}

const Node* Taxonomy::find(std::string_view id) const {
  auto it = m_by_id.find(std::string(id));
  return it == m_by_id.end() ? nullptr : &m_nodes[it->second];
}

std::optional<size_t> Taxonomy::index_of(std::string_view id) const {
  auto it = m_by_id.find(std::string(id));
  if (it == m_by_id.end()) return std::nullopt;
  return it->second;
}

const Node* Taxonomy::resolve(std::string_view id_or_label) const {
  if (const Node* n = find(id_or_label)) return n;
  auto i = find_label(util::fold_phrase(id_or_label));
  return i ? &m_nodes[*i] : nullptr;
}

const Actor* Taxonomy::find_actor(std::string_view id) const {
  for (const auto& a : m_actors)
    if (a.id == id) return &a;
  return nullptr;
}

const Programme* Taxonomy::find_programme(std::string_view id) const {
  for (const auto& p : m_programmes)
    if (p.id == id) return &p;
  return nullptr;
}

std::vector<const Node*> Taxonomy::path(const Node& n) const {
  std::vector<const Node*> out{&n};
  const Node* cur = &n;
  while (cur->parent) {
    cur = &m_nodes[*cur->parent];
    out.insert(out.begin(), cur);
  }
  return out;
}

std::vector<const Node*> Taxonomy::subtree(const Node& n) const {
  std::vector<const Node*> out;
  std::vector<const Node*> stack{&n};
  while (!stack.empty()) {
    const Node* cur = stack.back();
    stack.pop_back();
    out.push_back(cur);
    for (auto it = cur->children.rbegin(); it != cur->children.rend(); ++it) stack.push_back(&m_nodes[*it]);
  }
  return out;
}

const Node& Taxonomy::pillar(const Node& n) const { return *path(n).front(); }

std::string Taxonomy::level_name(const Node& n) const {
  auto d = static_cast<size_t>(n.depth);
  return d < m_levels.size() ? m_levels[d] : fmt::format("level {}", n.depth + 1);
}

std::string Taxonomy::label(const Node& n, const std::string& lang) {
  if (auto it = n.label.find(lang); it != n.label.end()) return it->second;
  for (const char* l : {"en", "nl", "fr"})
    if (auto it = n.label.find(l); it != n.label.end()) return it->second;
  return n.label.empty() ? n.id : n.label.begin()->second;
}

const Node* Taxonomy::replacement(std::string_view old_id) const {
  auto it = m_by_replaced.find(std::string(old_id));
  return it == m_by_replaced.end() ? nullptr : &m_nodes[it->second];
}

std::vector<std::string> Taxonomy::ids() const {
  std::vector<std::string> out;
  for (const auto& n : m_nodes) out.push_back(n.id);
  return out;
}

std::vector<std::string> Taxonomy::actor_ids() const {
  std::vector<std::string> out;
  for (const auto& a : m_actors) out.push_back(a.id);
  return out;
}

} // namespace befus::taxonomy
