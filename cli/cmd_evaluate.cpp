// Placeholder until the command lands: registers nothing, so 'befus evaluate' is an unknown command.
#include "app.hpp"

namespace befus::cli {

void setup_evaluate(CLI::App&, Context&) {}

} // namespace befus::cli
