#pragma once

#include <stdexcept>
#include <string>

namespace befus {

// The documented exit codes; the CLI maps every error to one of them.
enum class ExitCode : int {
  ok = 0,
  not_found = 1,
  usage = 2,
  invalid_data = 3,
  index_unavailable = 4,
  partial = 5,
};

// Where in an input a problem sits; line and column are 1-based, 0 when unknown.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
  std::string field;

  std::string to_string() const;  // "file:line:col", the parts that are known
};

class Error : public std::runtime_error {
public:
  explicit Error(const std::string& message, ExitCode code = ExitCode::invalid_data)
      : std::runtime_error(message), m_code(code) {}
  ExitCode code() const { return m_code; }

private:
  ExitCode m_code;
};

class UsageError : public Error {
public:
  explicit UsageError(const std::string& message) : Error(message, ExitCode::usage) {}
};

class NotFoundError : public Error {
public:
  explicit NotFoundError(const std::string& message) : Error(message, ExitCode::not_found) {}
};

class IndexError : public Error {
public:
  explicit IndexError(const std::string& message) : Error(message, ExitCode::index_unavailable) {}
};

// Bad input data: carries the location so every message can name file, line and field.
class DataError : public Error {
public:
  DataError(Location where, const std::string& message)
      : Error(compose(where, message), ExitCode::invalid_data),
        m_where(std::move(where)), m_bare(message) {}
  const Location& where() const { return m_where; }
  const std::string& bare_message() const { return m_bare; }

private:
  static std::string compose(const Location& where, const std::string& message);
  Location m_where;
  std::string m_bare;
};

} // namespace befus
