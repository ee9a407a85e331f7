#include "index/database.hpp"

#include "befus/error.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <optional>

namespace befus::index {

namespace {

struct Endpoint {
  std::string host;
  unsigned port = 0;
};

std::optional<Endpoint> tcp_endpoint(const std::string& location) {
  const std::string scheme = "tcp://";
  if (location.rfind(scheme, 0) != 0) return std::nullopt;
  std::string rest = location.substr(scheme.size());
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw UsageError(fmt::format("'{}': expected tcp://HOST:PORT", location));
  Endpoint e;
  e.host = rest.substr(0, colon);
  try {
    size_t used = 0;
    unsigned long port = std::stoul(rest.substr(colon + 1), &used);
    if (used != rest.size() - colon - 1 || port == 0 || port > 65535) throw std::out_of_range("port");
    e.port = static_cast<unsigned>(port);
  } catch (const std::exception&) {
    throw UsageError(fmt::format("'{}': the port must be a number from 1 to 65535", location));
  }
  return e;
}

unsigned millis(double seconds) { return static_cast<unsigned>(seconds * 1000); }

} // namespace

void translate(const Xapian::Error& e, const std::string& location) {
  std::string what = e.get_type();
  if (what == "DatabaseLockError")
    throw IndexError(fmt::format("{}: index is locked by another befus process (or another Xapian writer); "
                                 "try again when it has finished", location));
  if (what == "DatabaseNotFoundError" || what == "DatabaseOpeningError")
    throw IndexError(fmt::format("{}: no index here ({}); run 'befus index' first", location, e.get_msg()));
  if (what == "NetworkError" || what == "NetworkTimeoutError")
    throw IndexError(fmt::format("{}: index server unreachable or too slow: {}", location, e.get_msg()));
  if (what == "DatabaseCorruptError")
    throw IndexError(fmt::format("{}: index is damaged ({}); rebuild it with 'befus index --full'", location, e.get_msg()));
  if (what == "InvalidOperationError" && e.get_msg().find("read-only") != std::string::npos)
    throw IndexError(fmt::format("{}: the index server is read-only; start xapian-tcpsrv with --writable to index "
                                 "through it", location));
  if (what == "QueryParserError") throw UsageError(e.get_msg());
  if (what == "DatabaseModifiedError")
    throw IndexError(fmt::format("{}: the index kept changing while it was read (a writer is busy); try again", location));
  throw IndexError(fmt::format("{}: {}: {}", location, what, e.get_msg()));
}

Xapian::Database open_readable(const std::string& location, double timeout_seconds) {
  try {
    if (auto ep = tcp_endpoint(location))
      return Xapian::Remote::open(ep->host, ep->port, millis(timeout_seconds), millis(timeout_seconds));
    if (!std::filesystem::exists(location))
      throw IndexError(fmt::format("{}: no index here; run 'befus index' first", location));
    return Xapian::Database(location);
  } catch (const Xapian::Error& e) {
    translate(e, location);
  }
}

Xapian::WritableDatabase open_writable(const std::string& location, double timeout_seconds) {
  try {
    if (auto ep = tcp_endpoint(location))
      return Xapian::Remote::open_writable(ep->host, ep->port, millis(timeout_seconds), millis(timeout_seconds));
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(location).parent_path(), ec);
    return Xapian::WritableDatabase(location, Xapian::DB_CREATE_OR_OPEN);
  } catch (const Xapian::Error& e) {
    translate(e, location);
  }
}

} // namespace befus::index
