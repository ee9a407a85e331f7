#pragma once

#include "app.hpp"
#include "support.hpp"

#include <sstream>
#include <string>
#include <vector>

namespace befus::test {

struct Result {
  int code;
  std::string out;
  std::string err;
};

// Calls the CLI's entry point in-process, as a shell would with these arguments.
inline Result befus_run(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  int code = befus::cli::run(args, out, err);
  return {code, out.str(), err.str()};
}

} // namespace befus::test
