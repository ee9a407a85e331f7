// Placeholder until the command lands: registers nothing, so 'befus reclassify' is an unknown command.
#include "app.hpp"

namespace befus::cli {

void setup_reclassify(CLI::App&, Context&) {}

} // namespace befus::cli
