#pragma once

#include "app.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace befus::cli {

// "Pillar › Theme › Subtheme" for a theme id in --lang; the id itself when unknown.
std::string theme_path(Context& ctx, const std::string& id);
// Snippet markers (\x01 \x02) as bold on a terminal, as **word** otherwise, or removed.
std::string render_snippet(const Context& ctx, const std::string& s, bool plain = false);
// One CSV field, quoted as RFC 4180 wants.
std::string csv_field(const std::string& s);
std::string csv_row(const std::vector<std::string>& fields);
// A JSON list of texts as "a; b".
std::string list_text(const nlohmann::json& list, const char* sep = ", ");

} // namespace befus::cli
