// Placeholder until the command lands: registers nothing, so 'befus classify' is an unknown command.
#include "app.hpp"

namespace befus::cli {

void setup_classify(CLI::App&, Context&) {}

} // namespace befus::cli
