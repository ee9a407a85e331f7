#include "app.hpp"

#include "befus/error.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <unistd.h>

namespace befus::cli {

// What Context left for the end of the process; reachable, so leak checkers stay quiet. Not in
// an unnamed namespace: an optimiser may drop stores to a global that nothing in this unit reads,
// and LeakSanitizer then reports the tree as leaked.
extern const taxonomy::Taxonomy* volatile g_left_to_exit[2];
const taxonomy::Taxonomy* volatile g_left_to_exit[2] = {nullptr, nullptr};

Context::~Context() {
  if (!process_ends) return;
  if (m_taxonomy) g_left_to_exit[0] = m_taxonomy.release();
  if (m_outline) g_left_to_exit[1] = m_outline.release();
}

const kb::KnowledgeBase& Context::knowledge_base() {
  if (!m_kb) m_kb = kb::open(globals.kb.empty() ? std::nullopt : std::optional<std::filesystem::path>(globals.kb));
  return *m_kb;
}

const taxonomy::Taxonomy& Context::taxonomy(taxonomy::Detail detail) {
  if (m_taxonomy) return *m_taxonomy;
  auto& slot = detail == taxonomy::Detail::full ? m_taxonomy : m_outline;
  if (!slot) {
    const auto& kb = knowledge_base();
    slot = std::make_unique<taxonomy::Taxonomy>(
        taxonomy::load_cached(kb.sources(), kb.root / ".befus" / "taxonomy.cache", detail));
  }
  return *slot;
}

std::string Context::index_location() {
  if (!globals.db.empty()) return globals.db;
  return knowledge_base().index;
}

void Context::print_json(const nlohmann::json& j) const {
  out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

std::string Context::bold(const std::string& s) const { return out_tty ? "\033[1m" + s + "\033[0m" : s; }
std::string Context::dim(const std::string& s) const { return out_tty ? "\033[2m" + s + "\033[0m" : s; }

void Context::warn(const std::string& message) const {
  if (!globals.quiet) err << "befus: warning: " << message << '\n';
}

void Context::info(const std::string& message) const {
  if (globals.verbose) err << "befus: " << message << '\n';
}

void Context::require_format(std::initializer_list<const char*> allowed) const {
  std::vector<std::string> names;
  for (const char* a : allowed) {
    if (globals.format == a) return;
    names.emplace_back(a);
  }
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + names[i];
  throw UsageError(fmt::format("--format {} is not available here; use one of: {}", globals.format, list));
}

namespace {

constexpr const char* k_footer = R"(Examples:
  befus index                          index the corpus of the knowledge base here
  befus search "onveiligheidsgevoel"   search in any language; hits in nl, fr and en
  befus search --theme inclusion --lang fr
  befus together migrant-inclusion     what we do together on a theme, and why
  befus taxonomy show inclusion --lang nl

Exit codes: 0 ok, 1 nothing found, 2 usage error, 3 invalid input data,
            4 index unavailable or locked, 5 partial success.)";

void add_globals(CLI::App& app, Globals& g) {
  app.option_defaults()->always_capture_default();
  app.add_option("--kb", g.kb, "Knowledge base folder (default: the nearest befus.yaml upwards)")->type_name("DIR");
  app.add_option("--db", g.db, "Index: a local path, a stub file, or tcp://HOST:PORT")->type_name("PATH|URL");
  app.add_option("--lang", g.lang, "Language of the labels shown")
      ->check(CLI::IsMember({"nl", "fr", "en"}))->type_name("nl|fr|en");
  app.add_option("--format", g.format, "Output: text for people, json (one object) or csv for scripts")
      ->check(CLI::IsMember({"text", "json", "csv", "jsonl", "markdown"}))->type_name("FORMAT");
  app.add_option("--timeout", g.timeout, "Seconds to wait for a remote index before giving up (exit 4)")
      ->check(CLI::Range(0.1, 3600.0));
  app.add_flag("-q,--quiet", g.quiet, "No progress and no warnings");
  app.add_flag("-v,--verbose", g.verbose, "More detail on stderr");
}


struct Command {
  std::string_view name;
  Setup setup;
};

constexpr Command k_commands[] = {
    {"init", setup_init},         {"taxonomy", setup_taxonomy}, {"index", setup_index},
    {"status", setup_status},     {"search", setup_search},     {"show", setup_show},
    {"together", setup_together}, {"who", setup_who},           {"classify", setup_classify},
    {"evaluate", setup_evaluate}, {"reclassify", setup_reclassify}, {"import", setup_import},
    {"export", setup_export}};

// The command a command line names: its first word that is not a global option or an option's
// value. Nothing for a line that asks for help or the version (the full set prints those, as
// before) or that names no known command.
std::optional<Setup> named_command(int argc, const char* const* argv) {
  static constexpr std::string_view k_with_value[] = {"--kb", "--db", "--lang", "--format", "--timeout"};
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help" || a == "--version") return std::nullopt;
  }
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (std::find(std::begin(k_with_value), std::end(k_with_value), a) != std::end(k_with_value)) {
      ++i;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') continue;
    for (const auto& c : k_commands)
      if (c.name == a) return c.setup;
    return std::nullopt;
  }
  return std::nullopt;
}

} // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err, bool process_ends) {
  bool out_tty = (&out == &std::cout) && ::isatty(STDOUT_FILENO);
  bool err_tty = (&err == &std::cerr) && ::isatty(STDERR_FILENO);
  Context ctx(out, err, out_tty, err_tty);
  ctx.process_ends = process_ends;
  // Setting up all the commands costs a third of a search; a line that names its command (the
  // usual case) sets up only that one. Help, --version and any line the short set cannot parse
  // get the full set, so that every message is what it would have been.
  std::optional<Setup> only = named_command(argc, argv);
  auto make_app = [&](bool all) {
    auto app = std::make_unique<CLI::App>(
        "befus: the BeFUS knowledge base for local prevention and urban security.\n"
        "What do we do together, and why?",
        "befus");
    app->fallthrough();
    app->require_subcommand(1);
    app->set_version_flag("--version", std::string("befus ") + BEFUS_VERSION);
    app->footer(k_footer);
    add_globals(*app, ctx.globals);
    if (all)
      for (const auto& c : k_commands) c.setup(*app, ctx);
    else
      (*only)(*app, ctx);
    return app;
  };
  std::unique_ptr<CLI::App> app;
  if (only) {
    app = make_app(false);
    try {
      app->parse(argc, argv);
    } catch (const CLI::ParseError&) {
      ctx.action = nullptr;
      app.reset();
    }
  }
  if (!app) {
    app = make_app(true);
    try {
      app->parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) {  // --help, --version
        out << (dynamic_cast<const CLI::CallForVersion*>(&e) ? e.what() : app->help()) << '\n';
        return 0;
      }
      err << "befus: error: " << e.what() << "\n(run 'befus --help' or 'befus COMMAND --help')\n";
      return static_cast<int>(ExitCode::usage);
    }
  }
  if (!ctx.action) return static_cast<int>(ExitCode::usage);
  try {
    return ctx.action();
  } catch (const Error& e) {
    err << "befus: error: " << e.what() << '\n';
    return static_cast<int>(e.code());
  } catch (const std::filesystem::filesystem_error& e) {
    err << "befus: error: " << e.what() << '\n';
    return static_cast<int>(ExitCode::invalid_data);
  } catch (const std::exception& e) {
    err << "befus: internal error: " << e.what() << '\n';
    return 70;
  }
}

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<const char*> argv;
  argv.push_back("befus");
  for (const auto& a : args) argv.push_back(a.c_str());
  return run(static_cast<int>(argv.size()), argv.data(), out, err);
}

} // namespace befus::cli
