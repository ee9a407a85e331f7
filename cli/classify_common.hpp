#pragma once

// What classify and reclassify share: rendering of suggestions, the re-index after a write, and the
// crash hook the process tests use.
#include "app.hpp"

#include "befus/classify.hpp"
#include "befus/error.hpp"
#include "befus/index.hpp"
#include "render.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>

namespace befus::cli {

// The index when it can be opened; classification then also asks the neighbours.
inline std::optional<index::Reader> try_reader(Context& ctx) {
  try {
    return index::Reader(ctx.index_location());
  } catch (const Error& e) {
    ctx.warn(fmt::format("{}; suggestions rest on the tree's words only", e.what()));
    return std::nullopt;
  }
}

// Test hook: BEFUS_TEST_CRASH_AFTER=N ends the process abruptly (_exit, no clean-up) after N files
// were written, so a process test can show that an interrupted run leaves whole files and an undo record.
inline std::function<void(size_t)> crash_hook() {
  const char* v = std::getenv("BEFUS_TEST_CRASH_AFTER");
  if (!v || !*v) return {};
  long n = std::strtol(v, nullptr, 10);
  return [n](size_t written) {
    if (static_cast<long>(written) >= n) ::_exit(86);
  };
}

// Brings the index in step with the files just written; a failure is a warning (the files are right).
inline void reindex(Context& ctx, const std::vector<std::filesystem::path>& documents) {
  if (documents.empty()) return;
  index::IndexOptions opts;
  opts.only = documents;
  try {
    index::IndexReport r = index::update(ctx.knowledge_base(), ctx.taxonomy(), ctx.index_location(), opts);
    ctx.info(fmt::format("index: {} updated, {} added, {} failed", r.updated, r.added, r.failed));
  } catch (const Error& e) {
    ctx.warn(fmt::format("the files were written but the index was not updated ({}); run 'befus index'", e.what()));
  }
}

inline std::string percent(double x) { return fmt::format("{:.2f}", x); }

inline nlohmann::json suggestion_json(Context& ctx, const classify::Suggestion& s, bool explain) {
  nlohmann::json j = {{"id", s.id}, {"score", s.score}, {"path", theme_path(ctx, s.id)}};
  if (!explain) return j;
  nlohmann::json matches = nlohmann::json::array();
  for (const auto& m : s.matches)
    matches.push_back({{"phrase", m.phrase}, {"kind", m.kind}, {"lang", m.lang}, {"title", m.title}, {"body", m.body}});
  nlohmann::json voters = nlohmann::json::array();
  for (const auto& v : s.voters) voters.push_back({{"id", v.id}, {"title", v.title}, {"similarity", v.similarity}});
  j["evidence"] = {{"lexical", s.lexical}, {"neighbours", s.neighbours}, {"inherited", s.inherited},
                   {"matches", matches}, {"voters", voters}, {"children", s.children}};
  return j;
}

inline void print_suggestion(Context& ctx, const classify::Suggestion& s, bool explain, const char* indent = "  ") {
  ctx.out << fmt::format("{}{}  {:<34} {}\n", indent, ctx.bold(percent(s.score)), s.id, ctx.dim(theme_path(ctx, s.id)));
  if (!explain) return;
  std::string pad = std::string(indent) + "      ";
  ctx.out << fmt::format("{}lexical {} · neighbours {} · from subthemes {}\n", pad, percent(s.lexical),
                         percent(s.neighbours), percent(s.inherited));
  if (!s.matches.empty()) {
    std::vector<std::string> parts;
    for (const auto& m : s.matches) {
      std::string where = m.title ? fmt::format("{}× title, {}× text", m.title, m.body) : fmt::format("{}×", m.body);
      parts.push_back(fmt::format("\"{}\" {} ({}, {})", m.phrase, where, m.kind, m.lang));
    }
    ctx.out << pad << "words: " << util::join(parts, "; ") << '\n';
  }
  if (!s.voters.empty()) {
    std::vector<std::string> parts;
    for (const auto& v : s.voters) parts.push_back(fmt::format("{} ({})", v.id, percent(v.similarity)));
    ctx.out << pad << "neighbours: " << util::join(parts, ", ") << '\n';
  }
  if (!s.children.empty()) ctx.out << pad << "subthemes: " << util::join(s.children, ", ") << '\n';
}

} // namespace befus::cli
