#include "app.hpp"

#include "befus/error.hpp"
#include "befus/index.hpp"
#include "befus/text.hpp"
#include "render.hpp"

#include <fmt/format.h>

namespace befus::cli {

namespace {

struct ShowDocOptions {
  std::string id;
  size_t paragraphs = 3;
};

std::string excerpt(const std::string& text, size_t paragraphs) {
  std::string out;
  size_t pos = 0;
  for (size_t n = 0; n < paragraphs && pos < text.size(); ++n) {
    size_t end = text.find("\n\n", pos);
    if (end == std::string::npos) end = text.size();
    out += (n ? "\n\n" : "") + text.substr(pos, end - pos);
    pos = end + 2;
  }
  return out;
}

int run_show_doc(Context& ctx, const ShowDocOptions& o) {
  ctx.require_format({"text", "json"});
  index::Reader reader(ctx.index_location(), ctx.globals.timeout);
  auto data = reader.get(o.id);
  if (!data) throw NotFoundError(fmt::format("no document with id '{}' in the index", o.id));
  nlohmann::json& d = *data;
  std::string text = d.value("text", "");
  d.erase("text");
  nlohmann::json paths = nlohmann::json::array();
  for (const auto& th : d.value("themes", nlohmann::json::array())) paths.push_back(theme_path(ctx, th));
  if (ctx.json()) {
    d["theme_paths"] = paths;
    d["excerpt"] = excerpt(text, o.paragraphs);
    ctx.print_json(d);
    return 0;
  }
  ctx.out << ctx.bold(d.value("title", "")) << '\n';
  auto row = [&](const char* name, const std::string& value) {
    if (!value.empty() && value != "0") ctx.out << fmt::format("{:<10} {}\n", name, value);
  };
  row("id", d.value("id", ""));
  row("language", d.value("lang", ""));
  row("year", std::to_string(d.value("year", 0)));
  row("type", d.value("type", ""));
  row("partners", list_text(d.value("partners", nlohmann::json::array())));
  row("file", d.value("path", ""));
  row("url", d.value("url", ""));
  row("evidence", d.value("evidence", ""));
  row("target", list_text(d.value("target", nlohmann::json::array())));
  if (paths.empty()) ctx.out << fmt::format("{:<10} {}\n", "themes", "(unclassified: try 'befus classify " + o.id + "')");
  for (const auto& p : paths) ctx.out << fmt::format("{:<10} {}\n", "theme", p.get<std::string>());
  for (const char* f : {"why", "problem", "mechanism"})
    if (auto v = d.value(f, std::string()); !v.empty()) ctx.out << '\n' << ctx.bold(f) << ": " << v << '\n';
  ctx.out << '\n' << excerpt(text, o.paragraphs) << '\n';
  return 0;
}

} // namespace

void setup_show(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ShowDocOptions>();
  CLI::App* sub = app.add_subcommand("show", "One document: metadata, theme paths, file, first paragraphs");
  sub->add_option("ID", o->id, "Document id")->required();
  sub->add_option("--paragraphs", o->paragraphs, "Paragraphs of text to show")->capture_default_str();
  sub->footer("Exit 1 when no document has that id.\n\nExample:\n  befus show onveiligheidsgevoel-media-2008 --lang nl");
  sub->callback([&ctx, o] { ctx.action = [&ctx, o] { return run_show_doc(ctx, *o); }; });
}

} // namespace befus::cli
