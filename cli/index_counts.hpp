#pragma once

#include "app.hpp"

#include <map>
#include <string>

namespace befus::cli {

// Documents per taxonomy node (a node counts the documents of its whole subtree).
std::map<std::string, long> theme_counts(Context& ctx);

} // namespace befus::cli
