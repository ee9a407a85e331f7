// Placeholder until the command lands: registers nothing, so 'befus import' is an unknown command.
#include "app.hpp"

namespace befus::cli {

void setup_import(CLI::App&, Context&) {}

} // namespace befus::cli
