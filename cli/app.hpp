#pragma once

#include "befus/kb.hpp"
#include "befus/taxonomy.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace befus::cli {

// Options accepted before or after any command.
struct Globals {
  std::string kb;
  std::string db;
  std::string lang = "en";
  std::string format = "text";
  bool quiet = false;
  bool verbose = false;
  double timeout = 10;  // seconds, for remote indexes
};

// What a command needs from the outside world; commands print only through it.
class Context {
public:
  Context(std::ostream& o, std::ostream& e, bool o_tty, bool e_tty) : out(o), err(e), out_tty(o_tty), err_tty(e_tty) {}
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  std::ostream& out;
  std::ostream& err;
  bool out_tty;
  bool err_tty;
  Globals globals;
  std::function<int()> action;  // set by the chosen command's callback
  // The process ends right after run(): the tree is left to the operating system, not freed
  // node by node (that took a twentieth of a search).
  bool process_ends = false;

  const kb::KnowledgeBase& knowledge_base();
  // The knowledge base's tree, loaded once. An outline (labels, shape, actors' names; see
  // taxonomy::Detail) is all some read-only commands need, and much cheaper; a whole tree loaded
  // earlier serves as one too. References stay valid for the Context's life.
  const taxonomy::Taxonomy& taxonomy(taxonomy::Detail detail = taxonomy::Detail::full);
  // The index location: --db, else the knowledge base's `index:`.
  std::string index_location();

  bool json() const { return globals.format == "json"; }
  void print_json(const nlohmann::json& j) const;
  // Emphasis for people on a terminal, plain otherwise.
  std::string bold(const std::string& s) const;
  std::string dim(const std::string& s) const;
  void warn(const std::string& message) const;
  void info(const std::string& message) const;
  // Fails with a usage error unless --format is one of allowed.
  void require_format(std::initializer_list<const char*> allowed) const;

private:
  std::optional<kb::KnowledgeBase> m_kb;
  std::unique_ptr<taxonomy::Taxonomy> m_taxonomy;  // whole
  std::unique_ptr<taxonomy::Taxonomy> m_outline;
};

using Setup = void (*)(CLI::App&, Context&);

void setup_init(CLI::App& app, Context& ctx);
void setup_taxonomy(CLI::App& app, Context& ctx);
void setup_index(CLI::App& app, Context& ctx);
void setup_status(CLI::App& app, Context& ctx);
void setup_search(CLI::App& app, Context& ctx);
void setup_show(CLI::App& app, Context& ctx);
void setup_together(CLI::App& app, Context& ctx);
void setup_who(CLI::App& app, Context& ctx);
void setup_classify(CLI::App& app, Context& ctx);
void setup_evaluate(CLI::App& app, Context& ctx);
void setup_reclassify(CLI::App& app, Context& ctx);
void setup_import(CLI::App& app, Context& ctx);
void setup_export(CLI::App& app, Context& ctx);

// The whole program: parse, dispatch, map errors to exit codes. Never exits the process;
// process_ends (for main) lets it leave what the process's end frees anyway.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err, bool process_ends = false);
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace befus::cli
