#include "befus/taxonomy_io.hpp"

#include "befus/text.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>

namespace befus::taxonomy {

std::string to_string(Change::Kind k) {
  switch (k) {
    case Change::Kind::added: return "added";
    case Change::Kind::removed: return "removed";
    case Change::Kind::moved: return "moved";
    case Change::Kind::relabelled: return "relabelled";
    case Change::Kind::renamed: return "renamed";
    case Change::Kind::merged: return "merged";
    case Change::Kind::split: return "split";
  }
  return "?";
}

std::vector<Change> diff(const Taxonomy& before, const Taxonomy& after) {
  std::vector<Change> out;
  // Who took over each retired id, and how many old ids each new node absorbed.
  std::map<std::string, std::vector<std::string>> heirs;
  for (const auto& n : after.nodes())
    for (const auto& r : n.replaces)
      if (before.find(r) && !after.find(r)) heirs[r].push_back(n.id);
  auto parent_id = [](const Taxonomy& t, const Node& n) { return n.parent ? t.nodes()[*n.parent].id : std::string(); };

  for (const auto& old : before.nodes()) {
    const Node* now = after.find(old.id);
    if (!now) {
      auto it = heirs.find(old.id);
      if (it == heirs.end()) {
        out.push_back({Change::Kind::removed, old.id, {}, "no node replaces it"});
      } else if (it->second.size() > 1) {
        out.push_back({Change::Kind::split, old.id, it->second, fmt::format("split into {}", util::join(it->second, ", "))});
      } else {
        const Node* heir = after.find(it->second.front());
        bool merged = before.find(heir->id) != nullptr;
        size_t absorbed = 0;
        for (const auto& r : heir->replaces)
          if (before.find(r) && !after.find(r)) ++absorbed;
        merged = merged || absorbed > 1;
        out.push_back({merged ? Change::Kind::merged : Change::Kind::renamed, old.id, it->second,
                       fmt::format("{} {}", merged ? "merged into" : "renamed to", heir->id)});
      }
      continue;
    }
    std::string p0 = parent_id(before, old), p1 = parent_id(after, *now);
    if (p0 != p1)
      out.push_back({Change::Kind::moved, old.id, {p1},
                     fmt::format("moved from {} to {}", p0.empty() ? "(top)" : p0, p1.empty() ? "(top)" : p1)});
    if (old.label != now->label) {
      std::vector<std::string> parts;
      for (const auto& [lang, text] : now->label) {
        auto it = old.label.find(lang);
        if (it == old.label.end() || it->second != text)
          parts.push_back(fmt::format("{}: '{}' -> '{}'", lang, it == old.label.end() ? "" : it->second, text));
      }
      for (const auto& [lang, text] : old.label)
        if (!now->label.count(lang)) parts.push_back(fmt::format("{}: '{}' -> ''", lang, text));
      out.push_back({Change::Kind::relabelled, old.id, {}, util::join(parts, "; ")});
    }
  }
  for (const auto& n : after.nodes()) {
    if (before.find(n.id)) continue;
    bool heir = false;
    for (const auto& r : n.replaces)
      if (before.find(r)) heir = true;
    if (!heir) out.push_back({Change::Kind::added, n.id, {parent_id(after, n)}, fmt::format("added under {}", parent_id(after, n).empty() ? "(top)" : parent_id(after, n))});
  }
  std::stable_sort(out.begin(), out.end(), [](const Change& a, const Change& b) {
    return std::tie(a.kind, a.id) < std::tie(b.kind, b.id);
  });
  return out;
}

} // namespace befus::taxonomy
