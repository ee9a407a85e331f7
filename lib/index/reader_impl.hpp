#pragma once

#include "befus/index.hpp"

#include <xapian.h>

namespace befus::index {

struct Reader::Impl {
  Xapian::Database db;
  std::string location;
  double timeout = 10;
};

} // namespace befus::index
