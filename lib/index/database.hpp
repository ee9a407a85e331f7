#pragma once

#include <xapian.h>

#include <functional>
#include <string>

namespace befus::index {

// Opens for reading: a local database or stub file, or tcp://HOST:PORT; errors become IndexError.
Xapian::Database open_readable(const std::string& location, double timeout_seconds);
// Opens for writing (creating a local one when missing); a held lock becomes IndexError (exit 4).
Xapian::WritableDatabase open_writable(const std::string& location, double timeout_seconds = 10);

// Runs fn, reopening db and retrying when a writer changed it underneath (DatabaseModifiedError),
// and translating Xapian errors into befus errors.
template <typename Fn>
auto with_retry(Xapian::Database& db, Fn&& fn) -> decltype(fn()) {
  for (int attempt = 0;; ++attempt) {
    try {
      return fn();
    } catch (const Xapian::DatabaseModifiedError&) {
      if (attempt >= 5) throw;
      db.reopen();
    }
  }
}

// Rethrows the current Xapian::Error as a befus error with context.
[[noreturn]] void translate(const Xapian::Error& e, const std::string& location);

} // namespace befus::index
