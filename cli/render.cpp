#include "render.hpp"

#include "befus/text.hpp"

namespace befus::cli {

std::string theme_path(Context& ctx, const std::string& id) {
  const auto& t = ctx.taxonomy(taxonomy::Detail::outline);
  const auto* n = t.find(id);
  if (!n) return id + " (unknown)";
  std::vector<std::string> labels;
  for (const auto* p : t.path(*n)) labels.push_back(taxonomy::Taxonomy::label(*p, ctx.globals.lang));
  return util::join(labels, " › ");
}

std::string render_snippet(const Context& ctx, const std::string& s, bool plain) {
  std::string out;
  for (char c : s) {
    if (c == '\x01') out += plain ? "" : (ctx.out_tty ? "\033[1;33m" : "**");
    else if (c == '\x02') out += plain ? "" : (ctx.out_tty ? "\033[0m" : "**");
    else out += c;
  }
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_row(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + csv_field(fields[i]);
  return out + "\r\n";
}

std::string list_text(const nlohmann::json& list, const char* sep) {
  std::vector<std::string> parts;
  if (list.is_array())
    for (const auto& v : list)
      if (v.is_string()) parts.push_back(v.get<std::string>());
  return util::join(parts, sep);
}

} // namespace befus::cli
