#pragma once

#include <xapian.h>

#include <string>
#include <vector>

namespace befus::index {

// Where an index lives: one database, or several shards joined by a Xapian stub file.
struct Layout {
  std::vector<std::string> shards;  // database paths (or one tcp:// URL)
  bool remote = false;               // some shard is served (tcp://): no spelling data, no metadata
  bool stub = false;                // location is a stub file listing the shards
};

// Reads the layout at location; shards > 0 asks for that many local shards, and a location
// with another layout is replaced (its databases removed), which the caller reports.
Layout plan_layout(const std::string& location, unsigned shards, bool& rebuilt);

// Writes the stub file that joins the shards (relative paths, so the folder can move).
void write_stub(const std::string& location, const Layout& layout);

// The shard a document id belongs to: stable across runs and machines.
size_t shard_of(const std::string& id, size_t shards);

} // namespace befus::index
