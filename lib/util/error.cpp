#include "befus/error.hpp"

#include <fmt/format.h>

namespace befus {

std::string Location::to_string() const {
  std::string out = file;
  if (line > 0) {
    out += fmt::format(":{}", line);
    if (column > 0) out += fmt::format(":{}", column);
  }
  return out;
}

std::string DataError::compose(const Location& where, const std::string& message) {
  std::string at = where.to_string();
  std::string field = where.field.empty() || message.find(where.field) != std::string::npos
                          ? std::string()
                          : fmt::format("field '{}': ", where.field);
  return at.empty() ? field + message : fmt::format("{}: {}{}", at, field, message);
}

} // namespace befus
