#pragma once

#include "befus/ingest.hpp"

#include <string>
#include <string_view>
#include <vector>

// How raw values (JSON values, CSV cells, front matter values) become record fields.
namespace befus::ingest::detail {

bool is_field(std::string_view key);
bool is_list_field(std::string_view key);  // partners, themes, target

// "unknown field 'x' (did you mean: y?)"
std::string unknown_field(std::string_view key);

// Sets a field from text; list fields are split on ';'. Problems are appended as "field: message".
void assign_text(Record& r, std::string_view key, std::string_view value, std::vector<std::string>& reasons);
// Sets a list field from its items.
void assign_list(Record& r, std::string_view key, const std::vector<std::string>& items,
                 std::vector<std::string>& reasons);

// Bounds for years, the same as the corpus check's.
inline constexpr int k_min_year = 1900;
inline constexpr int k_max_year = 2100;

} // namespace befus::ingest::detail
