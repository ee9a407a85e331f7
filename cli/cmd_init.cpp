#include "app.hpp"

#include "befus/kb.hpp"

#include <fmt/format.h>

namespace befus::cli {

namespace {

struct InitOptions {
  std::string dir;
};

int run_init(Context& ctx, const InitOptions& o) {
  kb::init(o.dir);
  if (ctx.json())
    ctx.print_json({{"created", o.dir}});
  else
    ctx.out << fmt::format("Created a knowledge base in {}\nNext: edit {}/taxonomy/befus.yaml, add documents under "
                           "{}/corpus/, then run 'befus --kb {} index'.\n",
                           o.dir, o.dir, o.dir, o.dir);
  return 0;
}

} // namespace

void setup_init(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<InitOptions>();
  CLI::App* sub = app.add_subcommand("init", "Create a knowledge base skeleton in DIR");
  sub->add_option("DIR", o->dir, "Folder to create (it may exist, but not hold a befus.yaml)")->required();
  sub->footer("Example:\n  befus init ~/kb && cd ~/kb && befus taxonomy validate");
  sub->callback([&ctx, o] { ctx.action = [&ctx, o] { return run_init(ctx, *o); }; });
}

} // namespace befus::cli
