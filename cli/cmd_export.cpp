// Placeholder until the command lands: registers nothing, so 'befus export' is an unknown command.
#include "app.hpp"

namespace befus::cli {

void setup_export(CLI::App&, Context&) {}

} // namespace befus::cli
